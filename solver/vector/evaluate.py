"""Resolved IR evaluated over whole columns: one polars column per node, for every record
at once, with the direct backend's three-valued semantics (solver/native/direct.py).

Frames. A node lives in the frame of its free list variables (`ir.free_vars`): the
records' frame (one row per record, key `r`) for a node outside any comprehension, the
frame of `c` (one row per element of the list `c` ranges over, keys `r`, `i<c>`) inside
`sum(... for c in project.costs)`, the frame of `(a, b)` (every pair of elements of one
record) in a comprehension nested in another. A child from a smaller frame is joined in
on its keys; an aggregate is a `group_by` of its body's frame back onto its own.

Values. Null is unknown. Quantities are `Int128` numerators over a denominator fixed per
node (a constant's own, the column's scale, their products and least common multiples):
exact, with no division at run time (`x / c` by a constant `c = p/q` is `x·q` over
`den·p`); a numerator past `columns.LIMIT` sends its record to the direct backend.

Missing fields. Each field path, list and unknown parameter the rules can miss has one
bit in a node's mask (one `UInt64` column per 64 labels); each element field a node can
miss (`project.costs[i].amount`) has a column of its own holding the indexes `i` as bits.
A mask is the union its direct counterpart computes, set only where the node is unknown.

What is not vectorised raises `Unvectorisable` while the node is compiled; the program
then leaves that programme (or exported definition) to the direct backend.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, assert_never

from dsl import ir
from dsl.errors import InternalError
from dsl.types import DATE, NUMERIC, SYMBOL_SET
from solver.record import InputRecord
from solver.vector.columns import LIMIT, MAX_SCALE, dtype_of, load

if TYPE_CHECKING:
    import polars as pl

Frame = tuple[ir.Var, ...]
# A mask column's key: a word of label bits (0, 1, ...) or an element field (list, field),
# whose column holds the indexes of the elements that miss it.
MaskKey = int | tuple[str, str]
Mask = dict[MaskKey, "pl.Expr"]
MAX_INDEX = 63  # element indexes are bits of one UInt64
MAX_DEN = 2**62  # a node's denominator past this is not vectorised (never seen in the rules)


class Unvectorisable(InternalError):
    """A construct this backend does not evaluate over columns (its answer comes from the
    direct backend instead): an internal signal, caught where the columns are compiled."""


@dataclass(frozen=True, slots=True)
class Labels:
    """The missing-field labels the program can report, each with its bit."""

    bits: dict[str, int]  # a field path, a list, an unknown parameter's note

    words: int  # UInt64 columns per mask: max(1, ceil(labels / 64))

    def decode(self, words: tuple[int, ...]) -> set[str]:
        return {label for label, bit in self.bits.items() if words[bit // 64] >> (bit % 64) & 1}


def collect_labels(nodes: list[ir.Node]) -> Labels:
    """Every label the nodes can miss, in a fixed order (so bits are stable)."""
    found: dict[str, None] = {}
    for root in nodes:
        for node in ir.walk(root):
            match node:
                case ir.Field(path=path):
                    found[path] = None
                case ir.Unknown(reason=reason):
                    found[reason] = None
                case ir.Aggregate(var=var):
                    found[var.collection] = None
    return Labels({label: bit for bit, label in enumerate(found)}, max(1, (len(found) + 63) // 64))


@dataclass(frozen=True, slots=True)
class Col:
    """A node's column: where it lives, its name, its missing mask, its scale.

    A constant is not stored: `literal` holds its polars literal and `const` its value."""

    frame: Frame
    value: str
    mask: dict[MaskKey, str]
    den: int = 1
    literal: pl.Expr | None = None
    const: object = None


class Evaluator:
    """One batch of records, evaluated node by node (each node once, shared)."""

    def __init__(self, records: list[InputRecord], labels: Labels) -> None:
        import polars as pl

        self.pl = pl
        self.records = records
        self.labels = labels
        self.frames: dict[Frame, pl.DataFrame] = {
            (): pl.DataFrame({"r": pl.Series(range(len(records)), dtype=pl.Int64)})
        }
        # Each frame's computed columns, kept apart from its keys: a frame holding
        # thousands of columns would make every added column cost a pass over the names.
        self.columns: dict[Frame, dict[str, pl.Series]] = {(): {}}
        self.cols: dict[int, tuple[ir.Node, Col]] = {}
        self.has_cols: dict[str, Col] = {}  # per list: whether each record gives it
        # Per frame, columns queued but not computed: (name, expression, inputs, quantity)
        self.pending: dict[Frame, list[tuple[str, pl.Expr, frozenset[str], bool]]] = {}
        self.present: set[tuple[str, Frame]] = set()  # (column, frame) already there
        self.var_ids: dict[ir.Var, int] = {}
        self.elements: dict[str, tuple[list[int], list[int], list[object]]] = {}
        self.fallback_rows: set[int] = set()
        self.counter = itertools.count()

    # ---- columns and frames

    def col(self, node: ir.Node) -> Col:
        hit = self.cols.get(id(node))
        if hit is not None:
            return hit[1]
        result = self._compute(node)
        self.cols[id(node)] = (node, result)
        return result

    def keys(self, frame: Frame) -> list[str]:
        return ["r", *(f"i{self._var_id(v)}" for v in frame)]

    def _var_id(self, var: ir.Var) -> int:
        return self.var_ids.setdefault(var, len(self.var_ids))

    def frame(self, frame: Frame) -> pl.DataFrame:
        found = self.frames.get(frame)
        if found is None:
            outer = self.frame(frame[:-1])
            rows, indexes, _ = self._elements(frame[-1].collection)
            table = self.pl.DataFrame(
                {
                    "r": self.pl.Series(rows, dtype=self.pl.Int64),
                    f"i{self._var_id(frame[-1])}": self.pl.Series(indexes, dtype=self.pl.Int64),
                }
            )
            found = outer.select(self.keys(frame[:-1])).join(
                table, on="r", how="inner", maintain_order="left"
            )
            self.frames[frame] = found
            self.columns[frame] = {}
        return found

    def _data(self, frame: Frame, exprs: list[pl.Expr]) -> pl.DataFrame:
        """The frame's keys and the stored columns the expressions read."""
        keys = self.frame(frame)
        names = {n for e in exprs for n in e.meta.root_names()} - set(keys.columns)
        if not names:
            return keys
        stored = self.columns[frame]
        return keys.hstack([stored[n] for n in sorted(names)])

    def _elements(self, collection: str) -> tuple[list[int], list[int], list[object]]:
        """Every element of the list in every record: its record, index and value."""
        found = self.elements.get(collection)
        if found is None:
            rows: list[int] = []
            indexes: list[int] = []
            values: list[object] = []
            for r, record in enumerate(self.records):
                for i, element in enumerate(record.collections.get(collection) or ()):
                    if i > MAX_INDEX:  # its missing fields could not be told by index
                        self.fallback_rows.add(r)
                    rows.append(r)
                    indexes.append(i)
                    values.append(element)
            found = self.elements[collection] = (rows, indexes, values)
        return found

    def expr(self, col: Col, frame: Frame) -> tuple[pl.Expr, Mask]:
        """The column's value and mask as expressions over `frame` (joined in if needed)."""
        pl = self.pl
        if col.literal is not None:
            return col.literal, self._none()
        if col.frame != frame and (col.value, frame) not in self.present:
            self.flush(col.frame)
            keys = self.keys(col.frame)
            names = [col.value, *col.mask.values()]
            part = self._data(col.frame, [pl.col(n) for n in names]).select(*keys, *names)
            joined = (
                self.frame(frame)
                .select(keys)
                .join(part, on=keys, how="left", maintain_order="left")
            )
            self.columns[frame].update((n, joined[n]) for n in names)
            self.present.add((col.value, frame))
        return pl.col(col.value), {k: pl.col(m) for k, m in col.mask.items()}

    def _store(
        self, frame: Frame, value: pl.Expr, masks: Mask, den: int = 1, number: bool = False
    ) -> Col:
        """A node's value and mask, queued in its frame (computed at the next `flush`);
        the mask is cleared where the value is known."""
        pl = self.pl
        n = next(self.counter)
        name = f"v{n}"
        mask_names = {k: f"m{n}_{i}" for i, k in enumerate(masks)}
        self._queue(frame, name, value, number)
        unknown = pl.col(name).is_null()
        for k, m in masks.items():
            cleared = pl.when(unknown).then(m).otherwise(0).cast(pl.UInt64)
            self._queue(frame, mask_names[k], cleared, False)
        self.present.add((name, frame))
        return Col(frame, name, mask_names, den)

    def _queue(self, frame: Frame, name: str, value: pl.Expr, number: bool) -> None:
        deps = frozenset(value.meta.root_names())
        self.pending.setdefault(frame, []).append((name, value, deps, number))

    def flush(self, frame: Frame) -> None:
        """Compute the frame's queued columns, in waves: each wave is every column whose
        inputs are there, in one polars call (one call per node was most of the time)."""
        pl = self.pl
        pending = self.pending.pop(frame, [])
        self.frame(frame)
        stored = self.columns[frame]
        waiting = {name for name, _, _, _ in pending}
        while pending:
            ready = [p for p in pending if not p[2] & waiting]
            assert ready, "queued columns depend on each other"  # the IR is acyclic
            pending = [p for p in pending if p[2] & waiting]
            data = self._data(frame, [e for _, e, _, _ in ready])
            # with_columns, not select: a literal is broadcast to the frame's height
            data = data.with_columns(e.alias(n) for n, e, _, _ in ready)
            for name, _, _, _ in ready:
                stored[name] = data[name]
                waiting.discard(name)
            numbers = [pl.col(n).abs() > LIMIT for n, _, _, number in ready if number]
            if numbers:
                # Past LIMIT the next product could leave Int128: the record goes to the
                # direct backend (its later columns are never read).
                too_big = data.filter(pl.any_horizontal(numbers))["r"]
                self.fallback_rows.update(too_big.to_list())

    def _none(self) -> Mask:
        """Nothing missing."""
        return {w: self.pl.lit(0, dtype=self.pl.UInt64) for w in range(self.labels.words)}

    def _bit(self, label: str) -> Mask:
        pl = self.pl
        bit = self.labels.bits[label]
        return {
            w: pl.lit((1 << (bit % 64)) if w == bit // 64 else 0, dtype=pl.UInt64)
            for w in range(self.labels.words)
        }

    def _union(self, masks: list[Mask]) -> Mask:
        out: Mask = {}
        for mask in masks:
            for k, m in mask.items():
                out[k] = out[k] | m if k in out else m
        return out

    def _choose(self, test: pl.Expr, chosen: Mask, other: Mask) -> Mask:
        """`chosen` where `test` holds, `other` elsewhere (a key one lacks: nothing)."""
        pl = self.pl
        zero = pl.lit(0, dtype=pl.UInt64)
        return {
            k: pl.when(test).then(chosen.get(k, zero)).otherwise(other.get(k, zero))
            for k in {**chosen, **other}
        }

    def _const(self, node: ir.Const) -> Col:
        pl = self.pl
        value = node.value
        if isinstance(value, frozenset):
            return Col((), "", {}, literal=pl.lit(None), const=value)
        if node.type in NUMERIC:
            q = Fraction(value)  # type: ignore[arg-type]
            if abs(q.numerator) > LIMIT:
                raise Unvectorisable("a constant past the numerators' range")
            return Col((), "", {}, q.denominator, pl.lit(q.numerator, dtype=pl.Int128), q)
        return Col((), "", {}, 1, pl.lit(value, dtype=dtype_of(node.type)), value)

    # ---- nodes

    def _compute(self, node: ir.Node) -> Col:
        pl = self.pl
        frame = ir.free_vars(node)
        match node:
            case ir.Const():
                return self._const(node)
            case ir.Unknown(reason=reason):
                if node.type == SYMBOL_SET:
                    raise Unvectorisable("an unknown set outside `in`")
                return self._store((), pl.lit(None, dtype=dtype_of(node.type)), self._bit(reason))
            case ir.Field(path=path):
                values = [record.scalars.get(path) for record in self.records]
                loaded = load(values, list(range(len(values))), node.type, "x")
                self.fallback_rows |= loaded.fallback_rows
                return self._store((), pl.lit(loaded.series), self._bit(path), loaded.den)
            case ir.ElemField(var=var, field=name):
                rows, _, elements = self._elements(var.collection)
                if name is None:
                    values = list(elements)
                    mask = self._none()
                else:
                    values = [e.get(name) for e in elements]  # type: ignore[attr-defined]
                    index = pl.col(self.keys((var,))[-1]).cast(pl.UInt64)
                    mask = {
                        **self._none(),
                        (var.collection, name): pl.lit(2, dtype=pl.UInt64).pow(index),
                    }
                loaded = load(values, rows, node.type, "x")
                self.fallback_rows |= loaded.fallback_rows
                return self._store((var,), pl.lit(loaded.series), mask, loaded.den)
            case ir.Arith(op=op, left=a, right=b):
                return self._arith(node, op, a, b, frame)
            case ir.Neg(operand=a):
                ca = self.col(a)
                va, ma = self.expr(ca, frame)
                return self._store(frame, -va, ma, ca.den, number=True)
            case ir.Compare(op=op, left=a, right=b):
                (va, ma), (vb, mb) = self._aligned(a, b, frame)
                value = _COMPARE[op](va, vb)
                return self._store(frame, value, self._union([ma, mb]))
            case ir.Logic(op=op, args=args):
                parts = [self.expr(self.col(x), frame) for x in args]
                value = parts[0][0]
                for v, _ in parts[1:]:
                    value = (value & v) if op == "and" else (value | v)
                return self._store(frame, value, self._union([m for _, m in parts]))
            case ir.Not(operand=a):
                va, ma = self.expr(self.col(a), frame)
                return self._store(frame, ~va, ma)
            case ir.If(condition=c, then=a, otherwise=b):
                vc, mc = self.expr(self.col(c), frame)
                (va, ma), (vb, mb) = self._aligned(a, b, frame)
                value = pl.when(vc.is_null()).then(None).when(vc).then(va).otherwise(vb)
                masks = self._choose(vc.is_null(), mc, self._choose(vc, ma, mb))
                return self._store(frame, value, masks, self._den(a, b), node.type in NUMERIC)
            case ir.Coalesce(first=a, fallback=b):
                (va, _), (vb, mb) = self._aligned(a, b, frame)
                return self._store(
                    frame, pl.coalesce(va, vb), mb, self._den(a, b), node.type in NUMERIC
                )
            case ir.Member(operand=a, values=values, negated=negated):
                return self._member(a, values, negated, frame)
            case ir.Builtin(name=name, args=args):
                return self._builtin(node, name, args, frame)
            case ir.Aggregate():
                return self._aggregate(node, frame)
            case ir.AsOf() | ir.ParamRef() | ir.DefRef():
                raise TypeError(f"{type(node).__name__} is resolved before evaluation")
            case _:
                assert_never(node)

    def _den(self, *nodes: ir.Node) -> int:
        """The common denominator of quantities (1 for any other type)."""
        if nodes[0].type not in NUMERIC:
            return 1
        return math.lcm(*(self.col(n).den for n in nodes))

    def _aligned(self, a: ir.Node, b: ir.Node, frame: Frame) -> list[tuple[pl.Expr, Mask]]:
        """Both operands over `frame`, quantities brought to one denominator."""
        den = self._den(a, b)
        return [self._scaled(a, frame, den), self._scaled(b, frame, den)]

    def _scaled(self, node: ir.Node, frame: Frame, den: int) -> tuple[pl.Expr, Mask]:
        col = self.col(node)
        value, mask = self.expr(col, frame)
        if node.type in NUMERIC and den != col.den:
            value = value * pl_int(self.pl, den // col.den)
        return value, mask

    def _arith(self, node: ir.Node, op: str, a: ir.Node, b: ir.Node, frame: Frame) -> Col:
        pl = self.pl
        if a.type == DATE:
            cb = self.col(b)
            va, ma = self.expr(self.col(a), frame)
            vb, mb = self.expr(cb, frame)
            sign = 1 if op == "+" else -1
            # Whole months, floored as the direct backend's add_months takes them.
            step = (vb // pl_int(pl, cb.den) * sign).cast(pl.Int64)
            offset = pl.format("{}mo", step)
            return self._store(frame, va.dt.offset_by(offset), self._union([ma, mb]))
        ca, cb = self.col(a), self.col(b)
        if op in "+-":
            den = math.lcm(ca.den, cb.den)
            (va, ma), (vb, mb) = self._aligned(a, b, frame)
            value = va + vb if op == "+" else va - vb
            return self._store(frame, value, self._union([ma, mb]), den, number=True)
        va, ma = self.expr(ca, frame)
        if op == "*":
            vb, mb = self.expr(cb, frame)
            den = ca.den * cb.den
            if den > MAX_DEN:
                raise Unvectorisable("a product whose denominator passes 2^62")
            return self._store(frame, va * vb, self._union([ma, mb]), den, number=True)
        divisor = cb.const
        if not isinstance(divisor, Fraction):
            raise Unvectorisable("a division by something other than a constant")
        if divisor == 0:  # undefined: unknown, needing only what the dividend needs
            return self._store(frame, pl.lit(None, dtype=pl.Int128), ma, 1)
        sign = 1 if divisor > 0 else -1
        den = ca.den * abs(divisor.numerator)
        if den > MAX_DEN or divisor.denominator > MAX_SCALE:
            raise Unvectorisable("a division whose denominator passes 2^62")
        return self._store(frame, va * pl_int(pl, sign * divisor.denominator), ma, den, number=True)

    def _member(self, a: ir.Node, values: ir.Node, negated: bool, frame: Frame) -> Col:
        pl = self.pl
        va, ma = self.expr(self.col(a), frame)
        if isinstance(values, ir.Unknown):  # an unknown set decides nothing
            return self._store(
                frame, pl.lit(None, dtype=pl.Boolean), self._union([ma, self._bit(values.reason)])
            )
        if not isinstance(values, ir.Const) or not isinstance(values.value, frozenset):
            raise Unvectorisable("membership in something other than a constant set")
        test = va.is_in(pl.lit(pl.Series(sorted(values.value), dtype=pl.String)).implode())
        test = ~test if negated else test
        return self._store(frame, pl.when(va.is_null()).then(None).otherwise(test), ma)

    def _builtin(self, node: ir.Node, name: str, args: tuple[ir.Node, ...], frame: Frame) -> Col:
        pl = self.pl
        if name in ("min", "max"):
            den = self._den(*args)
            parts = [self._scaled(x, frame, den) for x in args]
            values = [v for v, _ in parts]
            pick = pl.min_horizontal(values) if name == "min" else pl.max_horizontal(values)
            any_null = pl.any_horizontal([v.is_null() for v in values])
            value = pl.when(any_null).then(None).otherwise(pick)
            return self._store(frame, value, self._union([m for _, m in parts]), den, True)
        parts = [self.expr(self.col(x), frame) for x in args]
        masks = self._union([m for _, m in parts])
        values = [v for v, _ in parts]
        if name == "floor":
            den = self.col(args[0]).den
            return self._store(frame, values[0] // pl_int(pl, den), masks, 1, True)
        if name == "first_of_next_month":
            return self._store(frame, values[0].dt.month_start().dt.offset_by("1mo"), masks)
        if name == "months_between":
            a, b = values
            value = pl.when(b < a).then(-_months_upto(b, a)).otherwise(_months_upto(a, b))
            return self._store(frame, value.cast(pl.Int128), masks, 1, True)
        if name == "year":
            return self._store(frame, values[0].dt.year().cast(pl.Int128), masks, 1, True)
        if name == "starts_with":
            return self._store(frame, values[0].str.starts_with(values[1]), masks)
        raise Unvectorisable(f"the built-in {name}()")

    def _aggregate(self, node: ir.Aggregate, frame: Frame) -> Col:
        pl = self.pl
        kind, var = node.kind, node.var
        inner: Frame = tuple(sorted((*frame, var), key=lambda v: v.depth))
        if inner[-1] != var:
            raise Unvectorisable("a comprehension over a variable bound outside it")
        self.frame(inner)
        vb, mb = self.expr(self.col(node.body), inner)
        if node.where is None:
            keep = pl.lit(True)
            mw = self._none()
        else:
            keep, mw = self.expr(self.col(node.where), inner)
        # An element whose `where` is false is skipped, one whose `where` is unknown
        # can only make the aggregate unknown (direct.py's _compile_aggregate).
        keep_true = keep.fill_null(False)
        keep_not_false = keep.fill_null(True)
        n = next(self.counter)
        hit, unknown, total = f"h{n}", f"u{n}", f"t{n}"
        if kind in ("any", "all"):
            wanted = kind == "any"
            hit_e = keep_true & (vb == wanted).fill_null(False)
            unknown_e = keep_not_false & ~hit_e & (vb != (not wanted)).fill_null(True)
            total_e = pl.lit(0, dtype=pl.Int128)
        elif kind == "count":
            hit_e = pl.lit(False)
            counted = keep_true & vb.fill_null(False)
            unknown_e = keep_not_false & ~counted & vb.ne(False).fill_null(True)
            total_e = counted.cast(pl.Int128)
        elif kind in ("sum", "maximum", "minimum"):
            hit_e = pl.lit(False)
            skip = ~keep_not_false
            unknown_e = ~skip & (keep.is_null() | vb.is_null())
            total_e = pl.when(skip | unknown_e).then(None).otherwise(vb)
        else:
            raise Unvectorisable(f"the aggregate {kind}")
        masks_e = self._union([mw, self._choose(keep_not_false, mb, {})])
        fold = {"sum": "sum", "count": "sum", "maximum": "max", "minimum": "min"}.get(kind, "sum")
        mask_names = {k: f"a{n}_{i}" for i, k in enumerate(masks_e)}
        keys = self.keys(frame)
        per_element = [hit_e, unknown_e, total_e, *masks_e.values()]
        self.flush(inner)
        grouped = (
            self._data(inner, per_element)
            .with_columns(
                *keys,
                hit_e.alias(hit),
                unknown_e.alias(unknown),
                total_e.alias(total),
                *(m.alias(mask_names[k]) for k, m in masks_e.items()),
            )
            .group_by(keys)
            .agg(
                pl.col(hit).any(),
                pl.col(unknown).any(),
                getattr(pl.col(total), fold)(),
                *(pl.col(name).bitwise_or() for name in mask_names.values()),
            )
        )
        joined = self.frame(frame).join(grouped, on=keys, how="left", maintain_order="left")
        self.columns[frame].update(
            (name, joined[name]) for name in (hit, unknown, total, *mask_names.values())
        )
        has = self._has(var.collection)
        vh, _ = self.expr(has, frame)
        hit_c, unknown_c = pl.col(hit).fill_null(False), pl.col(unknown).fill_null(False)
        if kind in ("any", "all"):
            decided = pl.lit(kind == "all")
            value = (
                pl.when(~vh)
                .then(None)
                .when(hit_c)
                .then(pl.lit(kind == "any"))
                .when(unknown_c)
                .then(None)
                .otherwise(decided)
            )
        elif kind in ("sum", "count"):
            zero = pl.lit(0, dtype=pl.Int128)
            value = pl.when(~vh | unknown_c).then(None).otherwise(pl.col(total).fill_null(zero))
        else:
            value = pl.when(~vh | unknown_c).then(None).otherwise(pl.col(total))
        found = {k: pl.col(name).fill_null(0) for k, name in mask_names.items()}
        masks = self._choose(~vh, self._bit(var.collection), found)
        den = 1 if kind == "count" or node.type not in NUMERIC else self.col(node.body).den
        return self._store(frame, value, masks, den, node.type in NUMERIC)

    def _has(self, collection: str) -> Col:
        """Whether each record gives the list (absent: the aggregate is unknown)."""
        found = self.has_cols.get(collection)
        if found is None:
            pl = self.pl
            given = [collection in record.collections for record in self.records]
            series = pl.Series("x", given, dtype=pl.Boolean)
            found = self.has_cols[collection] = self._store((), pl.lit(series), self._none())
        return found


def pl_int(pl: object, value: int) -> pl.Expr:
    return pl.lit(value, dtype=pl.Int128)  # type: ignore[attr-defined]


def _months_upto(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """Whole months from `a` to a later `b` (dsl.builtins.months_between)."""
    import polars as pl

    months = (b.dt.year() - a.dt.year()).cast(pl.Int64) * 12 + (
        b.dt.month().cast(pl.Int64) - a.dt.month().cast(pl.Int64)
    )
    landed_day = pl.min_horizontal(a.dt.day(), b.dt.month_end().dt.day())
    return months - (landed_day > b.dt.day()).cast(pl.Int64)


_COMPARE = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}

__all__ = ["Col", "Evaluator", "Labels", "Unvectorisable", "collect_labels"]
