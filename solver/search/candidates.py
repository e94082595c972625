"""Candidate values for the witness searches of lint and diff: for each profile field, the
values at which the rules can change their answer about it.

A field's candidates come from what the rules compare it with, not from every constant of
its type: a number gets each boundary it is compared with (through sums, constant factors
and offsets, `min`/`max` against a constant: `min(rate * advice_cost, cap)` gives advice
costs the boundary `cap / rate`), one step on either side, and 0; a symbol or text gets
the constants it is tested against and one value none of them is (two when it is compared
with another field, so that a join can both match and not match). The grounder's work
grows with the product of the candidates of the fields an amount combines, so each value
that cannot change an answer costs time and never shows anything new.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from fractions import Fraction
from itertools import product

from dsl import ir
from dsl import vocabulary as vocab
from dsl.types import BOOL, DATE, MONEY, MONTHS, NUMBER, NUMERIC, PERCENT, SYMBOL, TEXT, Type
from solver.builtins import add_months, apply_builtin

MAX_BOUNDS = 8  # boundaries per numeric field, at most: 3 candidates each
PAIR_BOUNDS = 3  # for an element field when lists have two elements (sums square them)
MAX_COMBINATIONS = 64  # values a constant expression may take before it counts as variable
FRESH = "other"  # the neutral symbol: equal to no constant the rules test
STEP = {MONEY: Fraction(1, 100), PERCENT: Fraction(1, 10_000), MONTHS: Fraction(1)}
ConstSet = frozenset


def field_key(node: ir.Field | ir.ElemField) -> str:
    """`company.staff`; an element field as `project.costs.amount`; a plain-value list's
    element as the list's path."""
    if isinstance(node, ir.Field):
        return node.path
    return node.var.collection if node.field is None else f"{node.var.collection}.{node.field}"


class Analysis:
    """What each field is compared with, gathered once over a set of expressions."""

    def __init__(self, catalogue: ir.Catalogue, day: dt.date) -> None:
        self.catalogue, self.day = catalogue, day
        self.targets: dict[str, dict[Fraction, int]] = {}  # field key -> boundary -> depth
        self.symbols: dict[str, set[str]] = {}  # field key -> constants tested against
        # Union-find forests over the fields compared with each other: symbols, quantities.
        self.parent: dict[str, str] = {}
        self.numeric_parent: dict[str, str] = {}
        self.pool: dict[Type, set] = {}  # every constant by type, for relative comparisons
        self.relative: set[str] = set()  # fields compared with other fields
        self._const: dict[int, tuple[ir.Node, ConstSet | None]] = {}
        self._pushed: dict[tuple[int, Fraction], int] = {}
        self._seen: set[int] = set()
        self._alive: list[ir.Node] = []  # ids identify nodes only while the nodes live
        # What the expressions read: scalar fields (free definitions' `@block.x` too, with
        # their types), and per list the element fields ("" for a plain-value list).
        self.scalars: dict[str, Type] = {}
        self.lists: dict[str, set[str]] = {}

    # ---- walking

    def add(self, root: ir.Node) -> None:
        stack = [root]
        while stack:
            node = stack.pop()
            if id(node) in self._seen:
                continue
            self._seen.add(id(node))
            self._keep(node)
            self._visit(node)
            stack.extend(self._below(node))

    def _keep(self, node: ir.Node) -> None:
        self._alive.append(node)

    def _below(self, node: ir.Node) -> Iterator[ir.Node]:
        if isinstance(node, ir.DefRef):
            yield self.catalogue.definitions[node.qname].expr
        elif isinstance(node, ir.ParamRef):
            version = self.catalogue.params[node.qname].version_at(self.day)
            if version is not None:
                yield version.value
        yield from ir.children(node)

    def _visit(self, node: ir.Node) -> None:
        if isinstance(node, ir.Field):
            self.scalars[node.path] = node.type
        elif isinstance(node, ir.ElemField):
            self.lists.setdefault(node.var.collection, set()).add(node.field or "")
        elif isinstance(node, ir.Aggregate):
            self.lists.setdefault(node.var.collection, set())
        elif isinstance(node, ir.Const):
            if isinstance(node.value, frozenset):
                self.pool.setdefault(SYMBOL, set()).update(node.value)
            elif not isinstance(node.value, bool):
                self.pool.setdefault(node.type, set()).add(node.value)
        elif isinstance(node, ir.Compare):
            if node.left.type in NUMERIC:
                self._numeric_pair(node.left, node.right)
            elif node.left.type in (SYMBOL, TEXT, BOOL):
                self._symbol_pair(node.left, node.right)
        elif isinstance(node, ir.Member):
            fields, _ = self.flows(node.operand)
            sets = self.const_values(node.values) or frozenset()
            for key in fields:
                for values in sets:
                    self.symbols.setdefault(key, set()).update(values)
        elif isinstance(node, ir.Builtin) and node.name in ("min", "max"):
            known = [self.const_values(a) for a in node.args]
            bounds = frozenset().union(*(k for k in known if k is not None))
            for arg, k in zip(node.args, known, strict=True):
                if k is None:
                    for t in bounds:
                        self.push(arg, t)
        elif isinstance(node, ir.Builtin) and node.name == "starts_with":
            self._symbol_pair(node.args[0], node.args[1])

    def _numeric_pair(self, left: ir.Node, right: ir.Node) -> None:
        known = self.const_values(left), self.const_values(right)
        for side, other in ((left, known[1]), (right, known[0])):
            if other is not None:
                for t in other:
                    if isinstance(t, Fraction):
                        self.push(side, t)
        if known == (None, None):  # two varying sides: boundaries relative to each other
            keys = sorted(self.leaves(left, left.type) | self.leaves(right, left.type))
            for key in keys:
                self.relative.add(key)
                self._union(self.numeric_parent, keys[0], key)

    def _symbol_pair(self, left: ir.Node, right: ir.Node) -> None:
        (lf, lc), (rf, rc) = self.flows(left), self.flows(right)
        for fields, consts in ((lf, rc), (rf, lc)):
            for key in fields:
                self.symbols.setdefault(key, set()).update(
                    c for c in consts if isinstance(c, str)
                )
        if lf and rf:  # a join: the two sides need values in common
            first, *rest = sorted(lf | rf)
            for key in rest:
                self._union(self.parent, first, key)

    # ---- constants

    def const_values(self, node: ir.Node) -> ConstSet | None:
        """The values a field-free expression can take (over the branches of its `if`s);
        None when it depends on the profile."""
        entry = self._const.get(id(node))
        if entry is not None and entry[0] is node:
            return entry[1]
        self._const[id(node)] = (node, None)  # a cycle cannot occur; this guards anyway
        result = self._const_values(node)
        self._const[id(node)] = (node, result)
        return result

    def _const_values(self, node: ir.Node) -> ConstSet | None:
        match node:
            case ir.Const(value=v):
                return frozenset({v})
            case ir.Unknown():
                return frozenset()
            case ir.AsOf():
                return frozenset({self.day})
            case ir.ParamRef(qname=q):
                version = self.catalogue.params[q].version_at(self.day)
                return frozenset() if version is None else self.const_values(version.value)
            case ir.DefRef(qname=q):
                return self.const_values(self.catalogue.definitions[q].expr)
            case ir.If(then=a, otherwise=b) | ir.Coalesce(first=a, fallback=b):
                x, y = self.const_values(a), self.const_values(b)
                return None if x is None or y is None else x | y
            case ir.Neg(operand=a):
                x = self.const_values(a)
                return None if x is None else frozenset(-v for v in x)
            case ir.Arith(op=op, left=a, right=b):
                return self._combine(lambda u, v: _arith(op, u, v), a, b)
            case ir.Builtin(name=name, args=args):
                return self._combine(lambda *vs: apply_builtin(name, list(vs)), *args)
        return None

    def _combine(self, fn, *args: ir.Node) -> ConstSet | None:
        found = [self.const_values(a) for a in args]
        known = [k for k in found if k is not None]
        if len(known) < len(found):
            return None
        if math.prod(len(k) for k in known) > MAX_COMBINATIONS:
            return None
        out = set()
        for values in product(*known):
            try:
                out.add(fn(*values))
            except (ArithmeticError, TypeError, ValueError):
                continue
        return frozenset(v for v in out if v is not None)

    # ---- numeric boundaries, pushed down to the fields

    def push(self, node: ir.Node, t: Fraction, depth: int = 0) -> None:
        """Record that the answer may change where `node` crosses `t`, for the fields that
        decide `node`'s value. `depth` counts the constant factors and offsets taken out
        on the way down: the fewer, the more directly the rules state the boundary."""
        if node.type not in NUMERIC or self._pushed.get((id(node), t), depth + 1) <= depth:
            return
        self._pushed[(id(node), t)] = depth
        self._keep(node)
        match node:
            case ir.Field() | ir.ElemField():
                known = self.targets.setdefault(field_key(node), {})
                known[t] = min(depth, known.get(t, depth))
            case ir.DefRef(qname=q):
                self.push(self.catalogue.definitions[q].expr, t, depth)
            case ir.Neg(operand=a):
                self.push(a, -t, depth)
            case ir.Arith(op=op, left=a, right=b):
                self._push_arith(op, a, b, t, depth)
            case ir.Builtin(name="min" | "max" | "floor", args=args):
                for arg in args:
                    self.push(arg, t, depth)
            case ir.If(then=a, otherwise=b) | ir.Coalesce(first=a, fallback=b):
                self.push(a, t, depth)
                self.push(b, t, depth)
            case ir.Aggregate(kind="sum" | "maximum" | "minimum", body=body):
                self.push(body, t, depth)  # one element carrying it, the others zero

    def _push_arith(self, op: str, a: ir.Node, b: ir.Node, t: Fraction, depth: int) -> None:
        ka, kb = self.const_values(a), self.const_values(b)
        if ka is not None and kb is not None:
            return
        nums = [v for v in (kb if kb is not None else ka) or () if isinstance(v, Fraction)]
        varying = b if kb is None else a  # the side to push into, when one is constant
        if op in "+-":
            sign = 1 if op == "+" else -1
            if ka is None and kb is None:  # the other side zero
                self.push(a, t, depth)
                self.push(b, sign * t, depth)
            for v in nums:
                goal = t - sign * v if varying is a else sign * (t - v)
                self.push(varying, goal, depth + (v != 0))
        elif op == "*":
            if ka is None and kb is None:  # each where the other factor is one (100 %)
                self.push(a, t, depth + 1)
                self.push(b, t, depth + 1)
            for v in nums:
                if v:
                    self.push(varying, t / v, depth + (abs(v) != 1))
        elif op == "/":
            # A quotient of two varying terms has no boundary of its own for either: their
            # values come from their other comparisons (or every constant).
            for v in nums:
                if varying is a:
                    self.push(a, t * v, depth + (abs(v) != 1))
                elif t:
                    self.push(b, v / t, depth + 1)

    # ---- symbols

    def flows(self, node: ir.Node) -> tuple[set[str], set]:
        """The fields whose value can be `node`'s value, and the constants that can."""
        fields: set[str] = set()
        consts: set = set()
        stack = [node]
        while stack:
            n = stack.pop()
            match n:
                case ir.Field() | ir.ElemField():
                    fields.add(field_key(n))
                case ir.If(then=a, otherwise=b) | ir.Coalesce(first=a, fallback=b):
                    stack += [a, b]
                case ir.DefRef(qname=q):
                    stack.append(self.catalogue.definitions[q].expr)
                case _:
                    consts |= self.const_values(n) or frozenset()
        return fields, consts

    def leaves(self, node: ir.Node, kind: Type) -> set[str]:
        """Every field of the type an expression reads, through definitions."""
        found: set[str] = set()
        stack = [node]
        seen: set[int] = set()
        while stack:
            n = stack.pop()
            if id(n) in seen:
                continue
            seen.add(id(n))
            if isinstance(n, ir.Field | ir.ElemField) and n.type == kind:
                found.add(field_key(n))
            stack.extend(self._below(n))
        return found

    @staticmethod
    def _find(parent: dict[str, str], key: str) -> str:
        while parent.get(key, key) != key:
            key = parent[key]
        return key

    def _union(self, parent: dict[str, str], a: str, b: str) -> None:
        ra, rb = self._find(parent, a), self._find(parent, b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    def _group(self, parent: dict[str, str], key: str) -> list[str]:
        root = self._find(parent, key)
        return sorted({k for k in parent if self._find(parent, k) == root} | {key, root})

    # ---- the candidates

    def symbol_values(self, key: str) -> list[str]:
        """The constants the field (or any field compared with it) is tested against, and
        fresh values: one none of them is, two for a field compared with another field."""
        group = self._group(self.parent, key)
        tested = set().union(*(self.symbols.get(k, set()) for k in group))
        fresh_count = 2 if len(group) > 1 else 1
        closed = _closed(key)
        if closed is not None:
            values = tested & closed
            spare = sorted(closed - tested, key=lambda v: (v != FRESH, v))
            return sorted(values | set(spare[:fresh_count]))
        # Open: what its group tests, the spare values of closed members, fresh names.
        values = set(tested)
        for k in group:
            other = _closed(k)
            if other is not None:
                values |= set(sorted(other - tested, key=lambda v: (v != FRESH, v))[:2])
        names = (FRESH, *(f"{FRESH}_{i}" for i in range(2, 10)))
        values |= set([n for n in names if n not in tested][:fresh_count])
        return sorted(values)

    def numeric_values(
        self,
        key: str,
        kind: Type,
        signed: bool,
        natural: frozenset = frozenset(),
        limit: int = MAX_BOUNDS,
    ) -> list[Fraction]:
        """Up to `limit` boundaries, the most directly stated first, each with a step either
        side (or its two neighbours on the step grid); 0; and the `natural` values (a free
        definition's own constants, as they are). A field with no boundary gets every
        constant of its type instead, or, compared only with other numbers, two recent
        years."""
        step = STEP.get(kind, Fraction(1, 10))
        plain = sorted((v for v in natural if isinstance(v, Fraction)), key=abs, reverse=True)
        values: set[Fraction] = {Fraction(0), *plain[:limit]}  # the largest: a ceiling, say
        # A field compared with another one shares that one's boundaries, one step removed.
        bounds: dict[Fraction, int] = {}
        for k in self._group(self.numeric_parent, key):
            for t, d in self.targets.get(k, {}).items():
                d += k != key
                bounds[t] = min(d, bounds.get(t, d))
        if not (bounds or natural):
            if key in self.relative and kind == NUMBER:  # years, compared with other years
                values |= {Fraction(self.day.year - 1), Fraction(self.day.year - 2)}
            else:  # nothing to go by: every constant of its type
                bounds = {v: 0 for v in self.pool.get(kind, set()) if isinstance(v, Fraction)}
        share = kind == PERCENT and not signed  # 0 to 100 %, both ends possible
        possible = [t for t in bounds if (signed or t >= 0) and not (share and t > 1)]
        for t in sorted(possible, key=lambda t: (bounds[t], abs(t), t))[:limit]:
            low = (t / step).__floor__() * step
            values |= {t - step, t, t + step} if low == t else {low, low + step}
        if share:
            values = {v for v in values if v <= 1} | {Fraction(1)}
        return sorted(v for v in values if signed or v >= 0)

    def date_values(self) -> list[dt.date]:
        day = self.day
        dates = {day, add_months(day, -1), add_months(day, 1)}
        for d in self.pool.get(DATE, set()):
            dates |= {d - dt.timedelta(days=1), d}
        for m in self.pool.get(MONTHS, set()):
            dates.add(add_months(day, -int(m)))
            dates.add(add_months(day, -int(m)) + dt.timedelta(days=1))
        return sorted(dates)

    def definition_constants(self, qname: str, kind: Type) -> frozenset:
        """For a definition left free: the constants it can evaluate to (its `if`
        branches), or for a quantity those of its type it computes with (a ceiling)."""
        expr = self.catalogue.definitions[qname].expr
        if kind not in NUMERIC:
            return frozenset(self.flows(expr)[1])
        inner = Analysis(self.catalogue, self.day)
        inner.add(expr)
        return frozenset(inner.pool.get(kind, set()))


def _closed(key: str) -> frozenset[str] | None:
    return vocab.SYMBOL_VALUES.get(key)


def _arith(op: str, u, v):
    if isinstance(u, dt.date):
        return add_months(u, int(v) if op == "+" else -int(v))
    if op == "+":
        return u + v
    if op == "-":
        return u - v
    if op == "*":
        return u * v
    return u / v
