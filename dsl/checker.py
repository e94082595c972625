"""AST → IR: resolve names, check types and units, dates and cycles; inline functions.

Every problem becomes a Diagnostic; the checker goes on after an error so one run reports
as much as it can. `check` raises RuleError when any error was found.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

from dsl import ast, ir
from dsl import vocabulary as vocab
from dsl.builtins import BUILTINS
from dsl.codes import (
    BAD_PERIOD,
    BAD_PROPERTY,
    CYCLE,
    DIVISION_BY_ZERO,
    DUPLICATE,
    INCOMPLETE_PROGRAMME,
    MISSING_LABEL,
    MISSING_SOURCE,
    NAME_IN_USE,
    NEGATIVE_AMOUNT,
    NO_PROGRAMME,
    NO_VALUE,
    NOT_CONSTANT,
    PROFILE_NOT_NAMED,
    RESERVED_NAME,
    TOO_DEEP,
    TOO_LARGE,
    TYPE_MISMATCH,
    UNKNOWN_NAME,
    UNKNOWN_TYPE,
    UNKNOWN_VALUE,
)
from dsl.diagnostics import Diagnostic as Diag
from dsl.diagnostics import RuleError, did_you_mean
from dsl.errors import N_, InternalError
from dsl.limits import MAX_DIGITS, constant_values, inlined_depth, too_large
from dsl.parser import MAX_DEPTH
from dsl.types import (
    BOOL,
    BY_NAME,
    DATE,
    MONEY,
    MONTHS,
    NUMBER,
    NUMERIC,
    PERCENT,
    SYMBOL,
    SYMBOL_SET,
    TEXT,
    Type,
    arithmetic_result,
    comparable,
)

LANGS = vocab.LANGS
LITERAL_TYPES = {
    "number": NUMBER,
    "money": MONEY,
    "percent": PERCENT,
    "months": MONTHS,
    "date": DATE,
    "symbol": SYMBOL,
    "text": TEXT,
    "bool": BOOL,
}
META_VALUES = {
    "regions": vocab.REGIONS,
    "instrument": frozenset(vocab.INSTRUMENTS),
    "regime": frozenset(vocab.PROGRAMME_REGIMES),
    "themes": frozenset(vocab.THEMES),
}
# A programme's metadata keys: a `for every programme` property may read them (`regions`).
PROGRAMME_META = ("agency", *META_VALUES)


class _Poison(InternalError):
    """An expression could not be typed; its error is already recorded."""


class _NoAmount(InternalError):
    """A `for every programme` property reads `amount` of a programme without one: that
    programme has no copy of it (a property about grants says nothing of a programme that
    grants no amount)."""


@dataclass
class _Block:
    node: ast.Block
    sources: dict[str, ast.SourceDecl] = field(default_factory=dict)
    params: dict[str, ast.Param] = field(default_factory=dict)
    lets: dict[str, ast.Let] = field(default_factory=dict)
    fns: dict[str, ast.Fn] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [*self.params, *self.lets, *self.fns]


@dataclass
class _Scope:
    """What a bare name may mean inside one expression."""

    block: _Block
    locals: dict[str, ir.Node] = field(default_factory=dict)  # fn arguments
    vars: dict[str, ir.Var] = field(default_factory=dict)  # comprehension variables
    # In a property only: the checked programmes, whose answers it may read; the names
    # of its two profiles, if any; and the programmes it reads (filled while checking).
    programmes: dict[str, ir.Programme] | None = None
    profiles: tuple[str, ...] = ()
    named: bool = False  # inside `a.…`: the profile is named
    read: set[str] = field(default_factory=set)
    # In a `for every programme` property: the programme this copy is about.
    own: ir.Programme | None = None


class Checker:
    def __init__(self, files: list[ast.RuleFile]) -> None:
        self.files = files
        self.errors: list[Diag] = []
        self.warnings: list[Diag] = []
        self.blocks: dict[str, _Block] = {}
        self.definitions: dict[str, ir.Definition] = {}
        self.params: dict[str, ir.Param] = {}
        self.in_progress: list[str] = []  # lets being checked, for cycle reports
        self.failed: set[str] = set()
        self.fn_stack: list[str] = []
        self.quiet = 0  # >0 while re-checking inlined function bodies
        self.depths: dict[int, tuple[ir.Node, int]] = {}  # inlined depth by node identity
        self.at: ast.Span | None = None  # the item being checked (for a stack overflow)

    # ---- diagnostics
    def error(self, code: str, message: str, span: ast.Span, hints: tuple[str, ...] = ()) -> None:
        if self.quiet:
            return
        diag = Diag(code, message, span, hints)
        if diag not in self.errors:
            self.errors.append(diag)

    def warn(self, code: str, message: str, span: ast.Span) -> None:
        self.warnings.append(Diag(code, message, span, severity="warning"))

    # ---- entry point
    def run(self) -> ir.Catalogue:
        self._collect()
        for block in self.blocks.values():
            for name in block.params:
                self._param(block, name)
        for block in self.blocks.values():
            for name in block.lets:
                self._definition(block, name)
            for fn in block.fns.values():
                self._check_fn_standalone(block, fn)
        programmes = {}
        for block in self.blocks.values():
            if block.node.kind == "programme":
                programmes[block.node.name] = self._programme(block)
        self._check_param_coverage(programmes)
        properties: dict[str, ir.Property] = {}
        for block in self.blocks.values():
            for item in block.node.items:
                if isinstance(item, ast.Property):
                    for prop in self._properties(block, item, programmes, properties):
                        properties[prop.qname] = prop
        labels = {name: self._labels(b.node.items) for name, b in self.blocks.items()}
        return ir.Catalogue(self.definitions, self.params, programmes, labels, properties)

    def _collect(self) -> None:
        for file in self.files:
            for node in file.blocks:
                if node.name in self.blocks:
                    first = self.blocks[node.name].node.span
                    self.error(
                        DUPLICATE,
                        N_("duplicate block '{name}'", name=node.name),
                        node.span,
                        (
                            N_(
                                "first defined at {place}",
                                place=f"{first.file}:{first.line}:{first.column}",
                            ),
                        ),
                    )
                    continue
                block = _Block(node)
                self.blocks[node.name] = block
                for item in node.items:
                    self._collect_item(block, item)

    def _collect_item(self, block: _Block, item: ast.Item) -> None:
        table: dict | None = None
        name = getattr(item, "name", None)
        if isinstance(item, ast.SourceDecl):
            table = block.sources
        elif isinstance(item, ast.Param):
            table = block.params
        elif isinstance(item, ast.Let):
            table = block.lets
        elif isinstance(item, ast.Fn):
            table = block.fns
        if table is None or name is None:
            return
        if name in table or (table is not block.sources and name in block.names):
            self.error(
                DUPLICATE,
                N_("duplicate name '{name}' in '{name2}'", name=name, name2=block.node.name),
                item.span,
            )
            return
        if name in vocab.COLLECTIONS or name in ("company", "project", vocab.AS_OF):
            self.error(
                RESERVED_NAME, N_("'{name}' is reserved for profile data", name=name), item.span
            )
            return
        table[name] = item

    # ---- declarations
    def _labels(self, items) -> dict[str, str]:
        out: dict[str, str] = {}
        for item in items:
            if isinstance(item, ast.Labels):
                for lang, text in item.texts:
                    out[lang] = text
        return out

    def _require_labels(self, what: str, labels: dict[str, str], span: ast.Span) -> None:
        missing = [lang for lang in LANGS if lang not in labels]
        if missing:
            self.warn(
                MISSING_LABEL,
                N_("{what} has no label in {langs}", what=what, langs=", ".join(missing)),
                span,
            )

    def _sources(self, block: _Block, refs) -> tuple[ir.Source, ...]:
        out = []
        for ref in refs:
            decl = block.sources.get(ref.name)
            if decl is None:
                self.error(
                    UNKNOWN_NAME,
                    N_("unknown source '{name}'", name=ref.name),
                    ref.span,
                    did_you_mean(ref.name, block.sources),
                )
                continue
            fields = dict(decl.fields)
            date = fields.get("date")
            out.append(
                ir.Source(
                    decl.name,
                    _str_or_none(fields.get("url")),
                    _str_or_none(fields.get("title")),
                    date if isinstance(date, dt.date) else None,
                    ref.locator,
                )
            )
        return tuple(out)

    def _type(self, name: str, span: ast.Span) -> Type | None:
        t = BY_NAME.get(name)
        if t is None:
            self.error(
                UNKNOWN_TYPE,
                N_("unknown type '{name}'", name=name),
                span,
                did_you_mean(name, BY_NAME),
            )
        return t

    def _param(self, block: _Block, name: str) -> ir.Param | None:
        qname = f"{block.node.name}.{name}"
        if qname in self.params:
            return self.params[qname]
        node = block.params[name]
        declared = self._type(node.type_name, node.span)
        if declared is None:
            return None
        versions = []
        scope = _Scope(block)
        for version in node.versions:
            if isinstance(version.value, ast.UnknownValue):
                note = version.value.note or "not given by the sources"
                unknown = ir.Unknown(declared, f"{qname}: {note}")
                src = self._sources(block, [version.source]) if version.source else ()
                period = ir.Period(version.period.start, version.period.end)
                versions.append(
                    (version, ir.ParamVersion(period, unknown, src[0] if src else None))
                )
                continue
            try:
                value = self._expr(version.value, scope)
            except _Poison:
                continue
            if not isinstance(value, ir.Const):
                self.error(
                    NOT_CONSTANT,
                    N_("a parameter value must be a constant or unknown"),
                    version.value.span,
                )
                continue
            if value.type != declared:
                self.error(
                    TYPE_MISMATCH,
                    N_(
                        "parameter '{name}' is declared {declared} but this value is {type}",
                        name=name,
                        declared=declared,
                        type=value.type,
                    ),
                    version.value.span,
                )
                continue
            if declared == PERCENT and isinstance(value.value, Fraction) and value.value < 0:
                self.error(
                    NEGATIVE_AMOUNT,
                    N_("rate '{name}' must not be negative", name=name),
                    version.value.span,
                )
                continue
            src = self._sources(block, [version.source]) if version.source else ()
            period = ir.Period(version.period.start, version.period.end)
            if period.start and period.end and period.start > period.end:
                self.error(
                    BAD_PERIOD,
                    N_("period {period} ends before it starts", period=period),
                    version.period.span,
                )
            versions.append((version, ir.ParamVersion(period, value, src[0] if src else None)))
        versions.sort(key=lambda pair: pair[1].period.start or dt.date.min)
        for (_, earlier), (later_node, later) in pairwise(versions):
            if earlier.period.end is None or (
                later.period.start is not None and later.period.start <= earlier.period.end
            ):
                self.error(
                    BAD_PERIOD,
                    N_(
                        "versions of parameter '{name}' overlap: {period} and {period2}",
                        name=name,
                        period=earlier.period,
                        period2=later.period,
                    ),
                    later_node.period.span,
                )
        if not versions and node.versions:
            return None
        if not node.versions:
            self.error(
                NO_VALUE, N_("parameter '{name}' has no value at any date", name=name), node.span
            )
            return None
        labels = self._labels(node.labels)
        sources = self._sources(block, node.sources)
        if not sources and not all(v.source for _, v in versions):
            self.warn(MISSING_SOURCE, N_("parameter '{name}' has no source", name=name), node.span)
        param = ir.Param(qname, declared, labels, sources, tuple(v for _, v in versions), node.span)
        self.params[qname] = param
        return param

    def _definition(self, block: _Block, name: str) -> ir.Definition | None:
        qname = f"{block.node.name}.{name}"
        if qname in self.definitions:
            return self.definitions[qname]
        if qname in self.failed:
            return None
        node = block.lets[name]
        if qname in self.in_progress:
            chain = [*self.in_progress[self.in_progress.index(qname) :], qname]
            self.error(
                CYCLE, N_("circular definition: {chain}", chain=" -> ".join(chain)), node.span
            )
            self.failed.add(qname)
            return None
        declared = self._type(node.type_name, node.span)
        self.in_progress.append(qname)
        try:
            self.at = node.span
            expr = self._expr(node.value, _Scope(block))
        except _Poison:
            self.failed.add(qname)
            return None
        finally:
            self.in_progress.pop()
        if qname in self.failed:
            return None
        if not self._shallow(expr, node.value.span):
            self.failed.add(qname)
            return None
        if declared is not None and expr.type != declared:
            self.error(
                TYPE_MISMATCH,
                N_(
                    "'{name}' is declared {declared} but its value is {type}",
                    name=name,
                    declared=declared,
                    type=expr.type,
                ),
                node.value.span,
            )
            self.failed.add(qname)
            return None
        definition = ir.Definition(
            qname,
            expr.type,
            expr,
            self._labels(node.labels),
            self._sources(block, node.sources),
            node.span,
        )
        self.definitions[qname] = definition
        return definition

    def _check_fn_standalone(self, block: _Block, fn: ast.Fn) -> None:
        """Type-check a function body once with placeholder arguments, so errors in
        functions nobody calls are reported too."""
        scope = _Scope(block)
        for p in fn.params:
            t = self._type(p.type_name, p.span)
            if t is None:
                return
            scope.locals[p.name] = ir.Field(t, f"<argument {p.name}>")
        declared = self._type(fn.type_name, fn.span)
        self.fn_stack.append(fn.name)
        try:
            body = self._expr(fn.body, scope)
        except _Poison:
            return
        finally:
            self.fn_stack.pop()
        if declared is not None and body.type != declared:
            self.error(
                TYPE_MISMATCH,
                N_(
                    "function '{name}' is declared {declared} but returns {type}",
                    name=fn.name,
                    declared=declared,
                    type=body.type,
                ),
                fn.body.span,
            )

    def _programme(self, block: _Block) -> ir.Programme:
        node = block.node
        meta: dict[str, tuple[str, ...]] = {}
        valid = ir.ALWAYS
        calls = []
        changeable: list[str] = []
        conditions: list[ir.Condition] = []
        amount = None
        limits: list[ir.Limit] = []
        labels = self._labels(node.items)
        self._require_labels(N_("programme '{name}'", name=node.name), labels, node.span)
        for item in node.items:
            if isinstance(item, ast.Meta):
                self._meta(item, meta)
            elif isinstance(item, ast.Valid):
                valid = ir.Period(item.period.start, item.period.end)
            elif isinstance(item, ast.Changeable):
                changeable.extend(self._changeable(item))
            elif isinstance(item, ast.CallWindow):
                calls.append(
                    ir.CallWindow(ir.Period(item.period.start, item.period.end), item.note)
                )
            elif isinstance(item, ast.Condition):
                cond = self._condition(block, item, {c.name for c in conditions})
                if cond is not None:
                    conditions.append(cond)
            elif isinstance(item, ast.Amount):
                if amount is not None:
                    self.error(DUPLICATE, N_("a programme has at most one amount"), item.span)
                    continue
                amount = self._amount(block, item)
            elif isinstance(item, ast.Limit):
                limit = self._limit(block, item, {lim.name for lim in limits})
                if limit is not None:
                    limits.append(limit)
        if not any(isinstance(i, ast.Condition) for i in node.items):
            self.error(
                INCOMPLETE_PROGRAMME,
                N_("programme '{name}' has no condition", name=node.name),
                node.span,
            )
        if limits and not any(isinstance(i, ast.Amount) for i in node.items):
            self.error(
                INCOMPLETE_PROGRAMME,
                N_("programme '{name}' has a limit but no amount", name=node.name),
                node.span,
            )
        if amount is not None and limits:
            # The grant is the smallest of the amount and its limits.
            limited = ir.Builtin(MONEY, "min", (amount.expr, *(lim.expr for lim in limits)))
            amount = ir.Amount(limited, amount.labels, amount.sources, amount.expr, tuple(limits))
        return ir.Programme(
            node.name,
            labels,
            meta,
            valid,
            self._sources(block, [ast.SourceRef(n, None, node.span) for n in block.sources]),
            tuple(conditions),
            amount,
            tuple(calls),
            node.span.file,
            tuple(changeable),
        )

    def _changeable(self, item: ast.Changeable) -> list[str]:
        paths = []
        for path in item.paths:
            dotted = path.dotted
            head, _, last = dotted.rpartition(".")
            is_element_field = head in vocab.COLLECTIONS and last in vocab.COLLECTIONS[head].fields
            if vocab.field_type(dotted) is None and not is_element_field:
                candidates = [
                    *vocab.SCALARS,
                    *(f"{c}.{f}" for c, coll in vocab.COLLECTIONS.items() for f in coll.fields),
                ]
                self.error(
                    UNKNOWN_NAME,
                    N_("'{dotted}' is not a profile field", dotted=dotted),
                    path.span,
                    did_you_mean(dotted, candidates),
                )
                continue
            paths.append(dotted)
        return paths

    def _meta(self, item: ast.Meta, meta: dict[str, tuple[str, ...]]) -> None:
        allowed = META_VALUES.get(item.key)
        if allowed is not None:
            for value in item.values:
                if value not in allowed:
                    self.error(
                        UNKNOWN_VALUE,
                        N_("unknown {key} value '{value}'", key=item.key, value=value),
                        item.span,
                        did_you_mean(value, allowed)
                        or (f"expected one of {', '.join(sorted(allowed))}",),
                    )
        meta[item.key] = item.values

    def _condition(
        self, block: _Block, item: ast.Condition, taken: set[str]
    ) -> ir.Condition | None:
        if item.name in taken:
            self.error(DUPLICATE, N_("duplicate condition '{name}'", name=item.name), item.span)
            return None
        labels = self._labels(item.labels)
        self._require_labels(N_("condition '{name}'", name=item.name), labels, item.span)
        sources = self._sources(block, item.sources)
        if not item.sources:
            self.warn(
                MISSING_SOURCE, N_("condition '{name}' has no source", name=item.name), item.span
            )
        try:
            self.at = item.span
            expr = self._expr(item.require, _Scope(block))
        except _Poison:
            return None
        if not self._shallow(expr, item.require.span):
            return None
        if expr.type != BOOL:
            self.error(
                TYPE_MISMATCH,
                N_("a condition must be true or false, not {type}", type=expr.type),
                item.require.span,
            )
            return None
        return ir.Condition(item.name, expr, labels, sources, item.span)

    def _amount(self, block: _Block, item: ast.Amount) -> ir.Amount | None:
        try:
            self.at = item.span
            expr = self._expr(item.value, _Scope(block))
        except _Poison:
            return None
        if expr.type != MONEY:
            self.error(
                TYPE_MISMATCH,
                N_("an amount must be money, not {type}", type=expr.type),
                item.value.span,
            )
            return None
        if not self._shallow(expr, item.value.span) or self._negative(expr, "amount", item):
            return None
        return ir.Amount(expr, self._labels(item.labels), self._sources(block, item.sources))

    def _limit(self, block: _Block, item: ast.Limit, taken: set[str]) -> ir.Limit | None:
        if item.name in taken:
            self.error(DUPLICATE, N_("duplicate limit '{name}'", name=item.name), item.span)
            return None
        labels = self._labels(item.labels)
        self._require_labels(N_("limit '{name}'", name=item.name), labels, item.span)
        sources = self._sources(block, item.sources)
        if not item.sources:
            self.warn(MISSING_SOURCE, N_("limit '{name}' has no source", name=item.name), item.span)
        try:
            self.at = item.span
            expr = self._expr(item.value, _Scope(block))
        except _Poison:
            return None
        if expr.type != MONEY:
            self.error(
                TYPE_MISMATCH,
                N_("a limit must be money, not {type}", type=expr.type),
                item.value.span,
            )
            return None
        if not self._shallow(expr, item.value.span) or self._negative(expr, "limit", item):
            return None
        return ir.Limit(item.name, expr, labels, sources, item.span)

    def _shallow(self, expr: ir.Node, span: ast.Span) -> bool:
        """False (and E104) when `expr`, definitions inlined, nests deeper than the limit."""
        depth = inlined_depth(expr, self.definitions, self.depths)
        if depth <= MAX_DEPTH:
            return True
        self.error(
            TOO_DEEP,
            N_(
                "with its definitions and functions inlined this expression nests {depth} levels "
                "deep; the limit is {MAX_DEPTH}",
                depth=depth,
                MAX_DEPTH=MAX_DEPTH,
            ),
            span,
        )
        return False

    def _constants(self, expr: ir.Node) -> frozenset[Fraction] | None:
        return constant_values(expr, self.params, self.definitions)

    def _negative(self, expr: ir.Node, what: str, item: ast.Amount | ast.Limit) -> bool:
        """True (and E305) when a constant amount or limit is below zero at some date."""
        values = self._constants(expr)
        if values is None or min(values) >= 0:
            return False
        self.error(
            NEGATIVE_AMOUNT,
            N_(
                "{what} is negative ({value} EUR); a grant or a cap cannot be",
                what=what,
                value=_figure(min(values)),
            ),
            item.value.span,
        )
        return True

    def _check_param_coverage(self, programmes: dict[str, ir.Programme]) -> None:
        """A parameter a programme uses must have a value on every day the programme is valid."""
        catalogue = ir.Catalogue(self.definitions, self.params, programmes, {})
        memo: dict[str, frozenset[str]] = {}
        for prog in programmes.values():
            roots = [c.expr for c in prog.conditions]
            if prog.amount:
                roots.append(prog.amount.expr)
            used: set[str] = set()
            for root in roots:
                used |= ir.params_used(root, catalogue, memo)
            for qname in sorted(used):
                gap = _first_gap(self.params[qname], prog.valid)
                if gap is not None:
                    self.error(
                        NO_VALUE,
                        N_(
                            "parameter '{qname}' has no value {gap}, where programme '{id}' is "
                            "valid ({valid})",
                            qname=qname,
                            gap=gap,
                            id=prog.id,
                            valid=prog.valid,
                        ),
                        self.params[qname].span,
                    )

    # ---- expressions
    def _expr(self, node: ast.Expr, scope: _Scope) -> ir.Node:
        method = getattr(self, f"_x_{type(node).__name__}")
        return method(node, scope)

    def _x_Literal(self, node: ast.Literal, scope: _Scope) -> ir.Node:
        return ir.Const(LITERAL_TYPES[node.kind], node.value)

    def _x_SetLiteral(self, node: ast.SetLiteral, scope: _Scope) -> ir.Node:
        values = []
        for lit in node.values:
            if lit.kind not in ("symbol", "text"):
                self.error(TYPE_MISMATCH, N_("a set holds 'symbols' or \"texts\" only"), lit.span)
                raise _Poison
            values.append(str(lit.value))
        return ir.Const(SYMBOL_SET, frozenset(values))

    def _x_Path(self, node: ast.Path, scope: _Scope) -> ir.Node:
        if scope.profiles and not scope.named and node.parts[0] not in scope.vars:
            return self._profile_path(node, scope)
        parts = node.parts
        head = parts[0]
        if len(parts) == 1:
            return self._bare_name(head, node, scope)
        if head in scope.vars:
            return self._elem_field(scope.vars[head], parts[1:], node)
        if head in ("company", "project"):
            return self._profile_field(node)
        if head in self.blocks:
            if len(parts) != 2:
                self.error(
                    UNKNOWN_NAME, N_("unknown name '{dotted}'", dotted=node.dotted), node.span
                )
                raise _Poison
            if scope.programmes is not None and head in scope.programmes:
                answer = self._answer(scope.programmes[head], parts[1], node, scope)
                if answer is not None:
                    return answer
            return self._block_member(self.blocks[head], parts[1], node)
        candidates = [*scope.block.names, *self.blocks, "company", "project", *scope.vars]
        self.error(
            UNKNOWN_NAME,
            N_("unknown name '{head}'", head=head),
            node.span,
            did_you_mean(head, candidates),
        )
        raise _Poison

    def _bare_name(self, name: str, node: ast.Path, scope: _Scope) -> ir.Node:
        if name in scope.locals:
            return scope.locals[name]
        if name in scope.vars:
            var = scope.vars[name]
            coll = vocab.COLLECTIONS[var.collection]
            if coll.scalar is None:
                self.error(
                    TYPE_MISMATCH,
                    N_(
                        "'{name}' is an element of {collection}; use one of its fields",
                        name=name,
                        collection=var.collection,
                    ),
                    node.span,
                    did_you_mean(name, coll.fields) or (f"fields: {', '.join(coll.fields)}",),
                )
                raise _Poison
            return ir.ElemField(coll.scalar, var, None)
        if name == vocab.AS_OF:
            return ir.AsOf()
        if name in scope.block.params or name in scope.block.lets:
            return self._block_member(scope.block, name, node)
        if scope.own is not None and name in PROGRAMME_META:
            # `for every programme`: its metadata (`company.region in regions`).
            return ir.Const(SYMBOL_SET, frozenset(scope.own.meta.get(name, ())))
        own = scope.own
        if own is None and scope.programmes:
            own = scope.programmes.get(scope.block.node.name)
        if own is not None:
            answer = self._answer(own, name, node, scope)
            if answer is not None:
                return answer
        if name in scope.block.fns:
            self.error(
                TYPE_MISMATCH,
                N_("'{name}' is a function; call it with arguments", name=name),
                node.span,
            )
            raise _Poison
        candidates = [*scope.block.names, *scope.locals, *scope.vars, vocab.AS_OF]
        if own is not None:
            candidates += ["eligible", "status", "amount", *(c.name for c in own.conditions)]
        self.error(
            UNKNOWN_NAME,
            N_("unknown name '{name}'", name=name),
            node.span,
            did_you_mean(name, candidates),
        )
        raise _Poison

    # ---- properties

    def _properties(
        self,
        block: _Block,
        item: ast.Property,
        programmes: dict[str, ir.Programme],
        taken: dict[str, ir.Property],
    ) -> list[ir.Property]:
        """The property, or with `for every programme` one copy per programme it is about
        (`block.name[programme]`), each checked with that programme's answers."""
        qname = f"{block.node.name}.{item.name}"
        if qname in taken or any(q.startswith(qname + "[") for q in taken):
            self.error(DUPLICATE, f"duplicate property '{item.name}'", item.span)
            return []
        # What every copy shares, checked (and warned about) once.
        labels = self._labels(item.labels)
        self._require_labels(f"property '{item.name}'", labels, item.span)
        sources = self._sources(block, item.sources)
        if not item.sources and item.rationale is None:
            self.warn(
                MISSING_SOURCE, f"property '{item.name}' has neither a source nor a rationale",
                item.span,
            )
        differ = self._differ(item)
        if differ is None:
            return []
        shared = (labels, sources, differ)
        if item.every is None:
            prop = self._property(block, item, programmes, shared, qname, None)
            return [] if prop is None else [prop]
        if block.node.kind != "properties":
            self.error(
                BAD_PROPERTY,
                "'for every programme' belongs in a 'properties' block: a property in a "
                "programme is about that programme",
                item.every.span,
            )
            return []
        for wanted in item.every.filters:
            self._meta(wanted, {})  # known values only, as in a programme
        chosen = [p for _, p in sorted(programmes.items()) if _matches(p, item.every.filters)]
        excluded = item.every.excluded
        if excluded is not None:
            for name, span in zip(excluded.names, excluded.spans, strict=True):
                if name not in programmes:
                    self.error(
                        UNKNOWN_NAME,
                        N_("unknown programme '{name}'", name=name),
                        span,
                        did_you_mean(name, programmes),
                    )
            chosen = [p for p in chosen if p.id not in excluded.names]
        if not chosen:
            self.warn(
                NO_PROGRAMME,
                f"property '{item.name}' is about no programme: none has that metadata",
                item.every.span,
            )
        out = []
        for prog in chosen:
            try:
                prop = self._property(
                    block, item, programmes, shared, f"{qname}[{prog.id}]", prog
                )
            except _NoAmount:
                continue
            if prop is not None:
                out.append(prop)
        return out

    def _property(
        self,
        block: _Block,
        item: ast.Property,
        programmes: dict[str, ir.Programme],
        shared: tuple[dict[str, str], tuple[ir.Source, ...], tuple[str, ...]],
        qname: str,
        own: ir.Programme | None,
    ) -> ir.Property | None:
        """One property (or one programme's copy): its `assume` and `ensure` typed, with
        `own`'s answers as the bare names when it is a copy."""
        labels, sources, differ = shared
        scope = _Scope(block, programmes=programmes, profiles=item.profiles, own=own)
        if own is not None:
            scope.read.add(own.id)
        try:
            self.at = item.span
            assume = None
            if item.assume is not None:
                assume = self._expr(item.assume, scope)
                self._expect(assume, BOOL, item.assume.span, "'assume'")
            ensure = self._expr(item.ensure, scope)
            self._expect(ensure, BOOL, item.ensure.span, "'ensure'")
        except _Poison:
            return None
        # No inlined-depth check (E104) here: a property adds a level or two around the
        # programme answers it reads, which were checked where they are defined; what is
        # written in the property itself was measured by the parser.
        read = tuple(sorted(scope.read))
        kind = "two" if item.profiles else "cross" if len(read) > 1 else "one"
        return ir.Property(
            qname, kind, labels, sources, item.rationale, read, differ, assume, ensure,
            block.node.span.file, item.span,
        )

    def _differ(self, item: ast.Property) -> tuple[str, ...] | None:
        """What may differ between the two profiles: profile fields, element fields or
        whole lists (the second profile has one element more), never a definition, whose
        value follows from the fields."""
        if not item.profiles:
            if item.differ:
                self.error(
                    BAD_PROPERTY, "'differ' needs two profiles: add 'profiles a, b'",
                    item.differ[0].span,
                )
                return None
            return ()
        a, b = item.profiles
        if a == b or {a, b} & {"company", "project", *self.blocks}:
            self.error(
                BAD_PROPERTY,
                f"the two profiles need two names of their own, not '{a}' and '{b}'",
                item.span,
            )
            return None
        if not item.differ:
            self.error(
                BAD_PROPERTY,
                "a property over two profiles says what differs between them ('differ …')",
                item.span,
            )
            return None
        out = []
        for path in item.differ:
            dotted = path.dotted
            head, _, last = dotted.rpartition(".")
            element = head in vocab.COLLECTIONS and last in vocab.COLLECTIONS[head].fields
            if dotted in vocab.SCALARS or dotted in vocab.COLLECTIONS or element:
                out.append(dotted)
                continue
            self.error(
                BAD_PROPERTY,
                f"cannot differ in '{dotted}': only profile fields and lists can",
                path.span,
                did_you_mean(dotted, vocab.all_field_names()),
            )
            return None
        return tuple(out)

    def _profile_path(self, node: ast.Path, scope: _Scope) -> ir.Node:
        """A name in a property over two profiles: `a.…` or `b.…` reads that profile; any
        other name may not read a profile at all (constants, parameters)."""
        head, *rest = node.parts
        if head not in scope.profiles:
            result = self._x_Path(node, dataclasses.replace(scope, named=True))
            if _reads_profile(result, self.definitions):
                a, b = scope.profiles
                self.error(
                    PROFILE_NOT_NAMED,
                    f"'{node.dotted}' reads a profile: say which, '{a}.{node.dotted}' or "
                    f"'{b}.{node.dotted}'",
                    node.span,
                )
                raise _Poison
            return result
        if not rest:
            self.error(
                TYPE_MISMATCH, f"'{head}' is a profile; use one of its fields or answers",
                node.span,
            )
            raise _Poison
        inner = ast.Path(tuple(rest), node.span)
        result = self._x_Path(inner, dataclasses.replace(scope, named=True))
        if head == scope.profiles[1]:
            return _second(result, self.definitions)
        return result

    def _answer(
        self, prog: ir.Programme, name: str, node: ast.Path, scope: _Scope
    ) -> ir.Node | None:
        """A programme's answer in a property: `eligible` (bool), `status` ('eligible',
        'ineligible' or 'unknown'), `amount` (the grant; 0 EUR when ineligible) or one of
        its conditions (bool). None for any other name."""
        conds = {c.name: c.expr for c in prog.conditions}
        if name not in ("eligible", "status", "amount") and name not in conds:
            return None
        scope.read.add(prog.id)
        if name in conds:
            return conds[name]
        eligible = _eligible(prog)
        if name == "eligible":
            return eligible
        if name == "status":
            yes, no = ir.Const(SYMBOL, "eligible"), ir.Const(SYMBOL, "ineligible")
            decided = ir.If(SYMBOL, eligible, yes, no)
            return ir.Coalesce(SYMBOL, decided, ir.Const(SYMBOL, "unknown"))
        if prog.amount is None:
            if prog is scope.own:
                raise _NoAmount
            self.error(UNKNOWN_NAME, f"programme '{prog.id}' has no amount", node.span)
            raise _Poison
        failed = ir.Coalesce(BOOL, ir.Not(eligible), ir.Const(BOOL, False))
        return ir.If(MONEY, failed, ir.Const(MONEY, Fraction(0)), prog.amount.expr)

    def _block_member(self, block: _Block, name: str, node: ast.Path) -> ir.Node:
        if name in block.params:
            param = self._param(block, name)
            if param is None:
                raise _Poison
            return ir.ParamRef(param.type, param.qname)
        if name in block.lets:
            qname = f"{block.node.name}.{name}"
            definition = self._definition(block, name)
            if definition is None:
                if qname in self.in_progress:
                    chain = [*self.in_progress[self.in_progress.index(qname) :], qname]
                    self.error(
                        CYCLE,
                        N_("circular definition: {chain}", chain=" -> ".join(chain)),
                        node.span,
                    )
                    self.failed.add(qname)
                raise _Poison
            return ir.DefRef(definition.type, definition.qname)
        self.error(
            UNKNOWN_NAME,
            N_("'{name}' has no '{name2}'", name=block.node.name, name2=name),
            node.span,
            did_you_mean(name, [*block.params, *block.lets]),
        )
        raise _Poison

    def _profile_field(self, node: ast.Path) -> ir.Node:
        dotted = node.dotted
        t = vocab.field_type(dotted)
        if t is not None:
            return ir.Field(t, dotted)
        if dotted in vocab.COLLECTIONS:
            self.error(
                TYPE_MISMATCH,
                N_(
                    "'{dotted}' is a list; use it in sum(...), any(...), count(...) and the like",
                    dotted=dotted,
                ),
                node.span,
            )
        else:
            self.error(
                UNKNOWN_NAME,
                N_("unknown profile field '{dotted}'", dotted=dotted),
                node.span,
                did_you_mean(dotted, vocab.all_field_names()),
            )
        raise _Poison

    def _elem_field(self, var: ir.Var, rest: tuple[str, ...], node: ast.Path) -> ir.Node:
        coll = vocab.COLLECTIONS[var.collection]
        if len(rest) != 1 or rest[0] not in coll.fields:
            name = ".".join(rest)
            self.error(
                UNKNOWN_NAME,
                N_(
                    "elements of {collection} have no field '{name}'",
                    collection=var.collection,
                    name=name,
                ),
                node.span,
                did_you_mean(name, coll.fields),
            )
            raise _Poison
        return ir.ElemField(coll.fields[rest[0]], var, rest[0])

    def _x_Unary(self, node: ast.Unary, scope: _Scope) -> ir.Node:
        operand = self._expr(node.operand, scope)
        if node.op == "not":
            self._expect(operand, BOOL, node.operand.span, "'not'")
            return ir.Not(operand)
        if operand.type not in NUMERIC:
            self.error(TYPE_MISMATCH, N_("cannot negate {type}", type=operand.type), node.span)
            raise _Poison
        if isinstance(operand, ir.Const) and isinstance(operand.value, Fraction):
            return ir.Const(operand.type, -operand.value)
        return ir.Neg(operand.type, operand)

    def _expect(self, node: ir.Node, t: Type, span: ast.Span, where: str) -> None:
        if node.type != t:
            self.error(
                TYPE_MISMATCH,
                N_("{where} needs {t}, not {type}", where=where, t=t, type=node.type),
                span,
            )
            raise _Poison

    def _x_Binary(self, node: ast.Binary, scope: _Scope) -> ir.Node:
        left = self._expr(node.left, scope)
        right = self._expr(node.right, scope)
        op = node.op
        if op in ("and", "or"):
            self._expect(left, BOOL, node.left.span, f"'{op}'")
            self._expect(right, BOOL, node.right.span, f"'{op}'")
            args: list[ir.Node] = []
            for side in (left, right):  # flatten chains into one n-ary node
                args.extend(side.args if isinstance(side, ir.Logic) and side.op == op else [side])
            return ir.Logic(op, tuple(args))
        if op == "??":
            if left.type != right.type:
                self.error(
                    TYPE_MISMATCH,
                    N_(
                        "'??' joins {type} with {type2}; they must agree",
                        type=left.type,
                        type2=right.type,
                    ),
                    node.span,
                )
                raise _Poison
            return ir.Coalesce(left.type, left, right)
        if op in ("+", "-", "*", "/"):
            result = arithmetic_result(op, left.type, right.type)
            if result is None:
                self.error(
                    TYPE_MISMATCH,
                    N_(
                        "cannot compute {type} {op} {type2}",
                        type=left.type,
                        op=op,
                        type2=right.type,
                    ),
                    node.span,
                    _unit_hint(left, right),
                )
                raise _Poison
            if op == "/" and 0 in (self._constants(right) or ()):
                self.error(
                    DIVISION_BY_ZERO,
                    N_(
                        "division by zero (the divisor is 0, at least in one version of its "
                        "parameters)"
                    ),
                    node.right.span,
                )
                raise _Poison
            arith = ir.Arith(result, op, left, right)
            values = self._constants(arith)
            if values is not None and any(too_large(v) for v in values):
                self.error(
                    TOO_LARGE,
                    N_("this constant has more than {MAX_DIGITS} digits", MAX_DIGITS=MAX_DIGITS),
                    node.span,
                )
                raise _Poison
            return arith
        if not comparable(left.type, right.type, op):
            self.error(
                TYPE_MISMATCH,
                N_(
                    "cannot compare {type} with {type2} using '{op}'",
                    type=left.type,
                    type2=right.type,
                    op=op,
                ),
                node.span,
                _unit_hint(left, right),
            )
            raise _Poison
        self._check_symbol_values(left, right, node.right.span)
        self._check_symbol_values(right, left, node.left.span)
        return ir.Compare(op, left, right)

    def _check_symbol_values(self, field_node: ir.Node, value: ir.Node, span: ast.Span) -> None:
        """`company.region = 'flandres'` is an error: that value can never occur."""
        allowed = _closed_values(field_node)
        if allowed is None or not isinstance(value, ir.Const):
            return
        values = value.value if isinstance(value.value, frozenset) else {value.value}
        for v in sorted(values):
            if v not in allowed:
                self.error(
                    UNKNOWN_VALUE,
                    N_("'{v}' is not a possible value here", v=v),
                    span,
                    did_you_mean(str(v), allowed)
                    or (f"expected one of {', '.join(sorted(allowed))}",),
                )

    def _x_InSet(self, node: ast.InSet, scope: _Scope) -> ir.Node:
        operand = self._expr(node.operand, scope)
        values = self._expr(node.values, scope)
        if values.type != SYMBOL_SET:
            self.error(
                TYPE_MISMATCH,
                N_("'in' needs a set, not {type}", type=values.type),
                node.values.span,
            )
            raise _Poison
        if operand.type not in (SYMBOL, TEXT):
            self.error(
                TYPE_MISMATCH,
                N_("only symbols and texts can be in a set, not {type}", type=operand.type),
                node.operand.span,
            )
            raise _Poison
        self._check_symbol_values(operand, values, node.values.span)
        return ir.Member(operand, values, node.negated)

    def _x_If(self, node: ast.If, scope: _Scope) -> ir.Node:
        cond = self._expr(node.condition, scope)
        self._expect(cond, BOOL, node.condition.span, "'if'")
        then = self._expr(node.then, scope)
        otherwise = self._expr(node.otherwise, scope)
        if then.type != otherwise.type:
            self.error(
                TYPE_MISMATCH,
                N_(
                    "the branches of 'if' disagree: {type} and {type2}",
                    type=then.type,
                    type2=otherwise.type,
                ),
                node.span,
            )
            raise _Poison
        if isinstance(cond, ir.Const):
            return then if cond.value else otherwise
        return ir.If(then.type, cond, then, otherwise)

    def _x_Call(self, node: ast.Call, scope: _Scope) -> ir.Node:
        if node.name in scope.block.fns:
            return self._inline(scope.block.fns[node.name], node, scope)
        if "." in node.name:  # a function of another block: eu_gber.intensity(...)
            block_name, fn_name = node.name.split(".", 1)
            block = self.blocks.get(block_name)
            if block is None or fn_name not in block.fns:
                candidates = [f"{b}.{f}" for b, blk in self.blocks.items() for f in blk.fns]
                self.error(
                    UNKNOWN_NAME,
                    N_("unknown function '{name}'", name=node.name),
                    node.span,
                    did_you_mean(node.name, candidates),
                )
                raise _Poison
            return self._inline(block.fns[fn_name], node, scope, block)
        args = tuple(self._expr(a, scope) for a in node.args)
        name = node.name
        if name not in BUILTINS:
            self.error(
                UNKNOWN_NAME,
                N_("unknown function '{name}'", name=name),
                node.span,
                did_you_mean(name, [*BUILTINS, *scope.block.fns]),
            )
            raise _Poison
        types = [a.type for a in args]
        result = BUILTINS[name].result(types)
        if result is None:
            self.error(
                TYPE_MISMATCH,
                N_("{name}({names}) is not defined", name=name, names=", ".join(map(str, types))),
                node.span,
                (f"usage: {BUILTINS[name].usage}",),
            )
            raise _Poison
        if name == "starts_with_any":
            self._constant_set(args[1], node.args[1].span)
            return ir.Member(args[0], args[1], False, BOOL, prefix=True)
        return ir.Builtin(result, name, args)

    def _constant_set(self, value: ir.Node, span: ast.Span) -> None:
        """A set handed to `starts_with_any` or to a function: every backend tests
        membership in a set known before the profile, so it must be a set literal or a
        `set` parameter (or a function's own argument, checked at each call)."""
        placeholder = isinstance(value, ir.Field) and value.path.startswith("<argument")
        if not isinstance(value, ir.Const | ir.ParamRef) and not placeholder:
            self.error(
                TYPE_MISMATCH, N_("a set here must be a set literal or a set parameter"), span
            )
            raise _Poison

    def _inline(
        self, fn: ast.Fn, node: ast.Call, scope: _Scope, home: _Block | None = None
    ) -> ir.Node:
        if fn.name in self.fn_stack:
            chain = [*self.fn_stack[self.fn_stack.index(fn.name) :], fn.name]
            self.error(
                CYCLE, N_("recursive function: {chain}", chain=" -> ".join(chain)), node.span
            )
            raise _Poison
        if len(node.args) != len(fn.params):
            self.error(
                TYPE_MISMATCH,
                N_(
                    "'{name}' takes {params} argument(s), got {args}",
                    name=fn.name,
                    params=len(fn.params),
                    args=len(node.args),
                ),
                node.span,
            )
            raise _Poison
        # The body resolves names in the function's own block, arguments in the caller's.
        inner = _Scope(home or scope.block, {}, dict(scope.vars))
        for param, arg in zip(fn.params, node.args, strict=True):
            value = self._expr(arg, scope)
            expected = BY_NAME.get(param.type_name)
            if expected is None:
                raise _Poison
            if value.type != expected:
                self.error(
                    TYPE_MISMATCH,
                    N_(
                        "argument '{name}' of '{name2}' must be {expected}, not {type}",
                        name=param.name,
                        name2=fn.name,
                        expected=expected,
                        type=value.type,
                    ),
                    arg.span,
                )
                raise _Poison
            if expected == SYMBOL_SET:
                self._constant_set(value, arg.span)
            inner.locals[param.name] = value
        self.fn_stack.append(fn.name)
        self.quiet += 1  # the body's own errors were reported by the standalone check
        try:
            return self._expr(fn.body, inner)
        finally:
            self.quiet -= 1
            self.fn_stack.pop()

    def _x_Aggregate(self, node: ast.Aggregate, scope: _Scope) -> ir.Node:
        if scope.profiles and not scope.named:
            # Over two profiles the list says whose it is: `for c in b.project.costs`.
            head, *rest = node.collection.parts
            if head not in scope.profiles:
                self.error(
                    PROFILE_NOT_NAMED,
                    f"'{node.collection.dotted}' is a profile's list: say which, "
                    f"'{scope.profiles[0]}.{node.collection.dotted}' or "
                    f"'{scope.profiles[1]}.{node.collection.dotted}'",
                    node.collection.span,
                )
                raise _Poison
            own = ast.Path(tuple(rest), node.collection.span)
            plain = dataclasses.replace(node, collection=own)
            result = self._x_Aggregate(plain, dataclasses.replace(scope, named=True))
            return _second(result, self.definitions) if head == scope.profiles[1] else result
        coll_name = node.collection.dotted
        if coll_name not in vocab.COLLECTIONS:
            self.error(
                UNKNOWN_NAME,
                N_("'{coll_name}' is not a list in the profile", coll_name=coll_name),
                node.collection.span,
                did_you_mean(coll_name, vocab.COLLECTIONS),
            )
            raise _Poison
        if node.var in scope.vars or node.var in scope.locals:
            self.error(
                NAME_IN_USE,
                N_("'{var}' is already in use here; pick another name", var=node.var),
                node.span,
            )
            raise _Poison
        var = ir.Var(node.var, coll_name, len(scope.vars))
        inner = dataclasses.replace(scope, vars={**scope.vars, node.var: var})
        body = self._expr(node.body, inner)
        where = None
        if node.where is not None:
            where = self._expr(node.where, inner)
            self._expect(where, BOOL, node.where.span, "'where'")
        kind = node.kind
        if kind in ("any", "all", "count"):
            self._expect(body, BOOL, node.body.span, f"'{kind}'")
            result = NUMBER if kind == "count" else BOOL
        elif kind == "sum":
            if body.type not in NUMERIC:
                self.error(TYPE_MISMATCH, N_("cannot sum {type}", type=body.type), node.body.span)
                raise _Poison
            result = body.type
        else:
            if body.type not in (*NUMERIC, DATE):
                self.error(
                    TYPE_MISMATCH,
                    N_("cannot take the {kind} of {type}", kind=kind, type=body.type),
                    node.body.span,
                )
                raise _Poison
            result = body.type
        return ir.Aggregate(result, kind, var, body, where)


def _eligible(prog: ir.Programme) -> ir.Node:
    """True when every condition holds and the programme is valid on `as_of`."""
    parts: list[ir.Node] = []
    if prog.valid.start is not None:
        parts.append(ir.Compare("<=", ir.Const(DATE, prog.valid.start), ir.AsOf()))
    if prog.valid.end is not None:
        parts.append(ir.Compare("<=", ir.AsOf(), ir.Const(DATE, prog.valid.end)))
    parts += [c.expr for c in prog.conditions]
    return parts[0] if len(parts) == 1 else ir.Logic("and", tuple(parts))


def _reads_profile(node: ir.Node, definitions: dict[str, ir.Definition]) -> bool:
    stack, seen = [node], set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, ir.Field | ir.ElemField | ir.Aggregate):
            return True
        if isinstance(n, ir.DefRef) and n.qname in definitions:
            stack.append(definitions[n.qname].expr)
        stack.extend(ir.children(n))
    return False


def _second(node: ir.Node, definitions: dict[str, ir.Definition]) -> ir.Node:
    """The expression read on the second profile: its fields and lists `b:`-prefixed, the
    definitions it reaches inlined (they read the first profile's fields otherwise)."""
    memo: dict[int, tuple[ir.Node, ir.Node]] = {}

    def var(v: ir.Var) -> ir.Var:
        return ir.Var(v.name, ir.SECOND + v.collection, v.depth)

    def one(n: ir.Node) -> ir.Node:
        match n:
            case ir.DefRef(qname=q):
                return ir.transform(definitions[q].expr, one, memo)
            case ir.Field(type=t, path=p):
                return ir.Field(t, ir.SECOND + p)
            case ir.ElemField(type=t, var=v, field=f):
                return ir.ElemField(t, var(v), f)
            case ir.Aggregate():
                return ir.Aggregate(n.type, n.kind, var(n.var), n.body, n.where)
        return n

    return ir.transform(node, one, memo)


def _unit_hint(left: ir.Node, right: ir.Node) -> tuple[str, ...]:
    """Suggest a unit when a bare number literal meets a quantity with a unit."""
    for bare, other in ((left, right), (right, left)):
        if isinstance(bare, ir.Const) and bare.type == NUMBER and other.type in _UNITS:
            example = f"{bare.value} {_UNITS[other.type]}"
            return (N_("write the number with its unit, e.g. {example}", example=example),)
    return ()


_UNITS = {MONEY: "EUR", MONTHS: "months", PERCENT: "%"}


def _closed_values(node: ir.Node) -> frozenset[str] | None:
    if isinstance(node, ir.Field):
        return vocab.SYMBOL_VALUES.get(node.path)
    if isinstance(node, ir.ElemField) and node.field is not None:
        return vocab.SYMBOL_VALUES.get(f"{node.var.collection}.{node.field}")
    return None


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _first_gap(param: ir.Param, valid: ir.Period) -> str | None:
    """The first stretch of `valid` that no version of `param` covers, described in words."""
    day = valid.start or dt.date.min
    for version in param.versions:
        start = version.period.start or dt.date.min
        if start > day:
            gap_end = start - dt.timedelta(days=1)
            if valid.end is not None and gap_end > valid.end:
                gap_end = valid.end
            return _describe_gap(day, gap_end)
        end = version.period.end
        if end is None:
            return None
        if end >= day:
            day = end + dt.timedelta(days=1)
        if valid.end is not None and day > valid.end:
            return None
    return _describe_gap(day, valid.end)


def _describe_gap(start: dt.date, end: dt.date | None) -> str:
    if start == dt.date.min:
        return N_("up to {end}", end=str(end)) if end is not None else N_("any date")
    if end is None:
        return N_("from {start} on", start=str(start))
    return N_("{start} to {end}", start=str(start), end=str(end))


def _figure(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{Decimal(value.numerator) / Decimal(value.denominator):.2f}"


def check(files: list[ast.RuleFile], sources: dict[str, str]) -> tuple[ir.Catalogue, list[Diag]]:
    """Check parsed rule files together; return the catalogue and the warnings."""
    checker = Checker(files)
    try:
        catalogue = checker.run()
    except RecursionError:
        # Each expression is within MAX_DEPTH, but definitions and functions that call
        # each other in a long chain are checked recursively: refuse, located at the item.
        span = checker.at or ast.Span(files[0].path if files else "<text>", 0, 0, 0, 0)
        message = N_(
            "definitions or functions nest too deeply through each other; the limit is "
            "{limit} levels once inlined",
            limit=MAX_DEPTH,
        )
        raise RuleError([*checker.errors, Diag(TOO_DEEP, message, span)], sources) from None
    if checker.errors:
        raise RuleError(checker.errors, sources)
    return catalogue, checker.warnings


def _matches(prog: ir.Programme, filters: tuple[ast.Meta, ...]) -> bool:
    """Whether a programme's metadata has, for every key filtered, one of the values."""
    return all(any(v in prog.meta.get(f.key, ()) for v in f.values) for f in filters)
