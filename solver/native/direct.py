"""A second backend: the IR evaluated directly in Python, with the same three-valued semantics.

It exists for two reasons. Batch screening of whole registries needs per-decision speed that
a grounder cannot give (clingo grounds ~1,000 rules per profile; see docs/performance.md), and
two independent backends over one IR let hypothesis test the compiler differentially: every
generated profile must get the same answer from both (tests/test_backend_agreement.py).

`None` stands for unknown throughout. Missing-field lists follow the ASP encoding exactly:
an undecided node needs what its undecided children need (with `if`, `??` and `where`
looking only at the branch that matters).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, assert_never

from dsl import ir
from dsl.types import DATE
from solver.answer import Answer, ProgrammeAnswer
from solver.builtins import add_months, apply_builtin, starts_with_any
from solver.native.resolve import COMPARE as _CMP
from solver.native.resolve import ResolvedProgrammes
from solver.record import Evaluated, InputRecord

Env = tuple  # element bindings: ((var, element_dict_or_value), ...)


@dataclass(slots=True)
class Context:
    record: InputRecord
    memo: dict[int, object]  # per record: values of nodes without list variables
    compiled: Compiled  # the program's closures
    # per record: the missing fields of nodes outside any list element (a shared
    # definition is reached from many conditions; without this its walk repeats each time)
    missing: dict[int, set[str]] = field(default_factory=dict)
    defaulted: dict[int, set[str]] = field(default_factory=dict)  # the same for defaults


class DirectProgram(ResolvedProgrammes):
    """The catalogue's programmes at one date, ready to evaluate records in Python."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The closures are owned by the program and die with it: a long-running process
        # that reloads its rules does not keep the old ones.
        self.compiled = Compiled()
        super().__init__(*args, **kwargs)

    def context(self, record: InputRecord) -> Context:
        """A fresh evaluation context for one record, sharing this program's closures."""
        return Context(record, {}, self.compiled)

    # ---- evaluation
    def evaluate(self, records: list[InputRecord], missing: bool = True) -> list[Answer]:
        """Each record's answer; `missing=False` skips listing what unknown answers need
        (the quiz's lookahead wants statuses only)."""
        answers = []
        for record in records:
            ctx = self.context(record)
            answer = Answer()
            for pid in self.programmes:
                answer.programmes[pid] = self.programme_answer(ctx, pid, missing)
            for qname, node in self.exports.items():
                value = evaluate_node(node, ctx, ())
                if value is not None:
                    answer.exports[qname] = value
            answers.append(answer)
        return answers

    def programme_answer(self, ctx: Context, pid: str, missing: bool = True) -> ProgrammeAnswer:
        """One programme's answer for the context's record (also the vector backend's
        fallback for a programme it does not vectorise)."""
        result = ProgrammeAnswer("unknown")
        decided_all = True
        for name, node in self.conditions[pid]:
            value = evaluate_node(node, ctx, ())
            if value is None:
                decided_all = False
                if missing:
                    result.missing[name] = _missing(node, ctx, ())
            else:
                result.conditions[name] = "yes" if value else "no"
        if "no" in result.conditions.values():
            result.status = "ineligible"
        elif decided_all:
            result.status = "eligible"
        amount_node = self.amounts[pid]
        if amount_node is not None:
            amount = evaluate_node(amount_node, ctx, ())
            if amount is None:
                if missing:
                    result.missing["amount"] = _missing(amount_node, ctx, ())
            else:
                result.amount = amount
        for part_name, part_node in self.parts[pid]:
            value = evaluate_node(part_node, ctx, ())
            if value is not None:
                result.parts[part_name] = value
        return result

    def condition(self, record: InputRecord, pid: str, name: str) -> tuple[object, set[str]]:
        """One condition of one programme for `record`: its value (None: unknown) and,
        when unknown, the fields it misses."""
        ctx = self.context(record)
        node = dict(self.conditions[pid])[name]
        value = evaluate_node(node, ctx, ())
        return value, (_missing(node, ctx, ()) if value is None else set())

    def open_fields(self, record: InputRecord) -> dict[str, set[str]]:
        """Per programme, the absent fields its status could still turn on: what its
        unknown conditions miss, and every field a default (`a ?? b`) stood in for where
        the default decided a condition (a profile that omits a field means the default;
        a quiz that has not asked about it does not)."""
        ctx = self.context(record)
        out: dict[str, set[str]] = {}
        for pid in self.programmes:
            values = [(node, evaluate_node(node, ctx, ())) for _, node in self.conditions[pid]]
            failed = [node for node, value in values if value is False]
            fields: set[str] = set()
            if failed:
                # Ineligible: only if every failed condition rests on a default can an
                # answer turn it around.
                each = [_defaulted(node, ctx, ()) for node in failed]
                if all(each):
                    fields = set().union(*each)
            else:
                for node, value in values:
                    if value is None:
                        fields |= _missing(node, ctx, ())
                    fields |= _defaulted(node, ctx, ())
            out[pid] = fields
        return out


def _defaulted(node: ir.Node, ctx: Context, env: Env) -> set[str]:
    """The absent fields under `node` whose default (`a ?? b`) was taken."""
    if env:
        return _find_defaulted(node, ctx, env)
    found = ctx.defaulted.get(id(node))
    if found is None:
        found = ctx.defaulted[id(node)] = _find_defaulted(node, ctx, env)
    return set(found)


def _find_defaulted(node: ir.Node, ctx: Context, env: Env) -> set[str]:
    match node:
        case ir.If(condition=c, then=a, otherwise=b):
            v = evaluate_node(c, ctx, env)
            if v is not None:  # only the branch taken counts
                return _defaulted(c, ctx, env) | _defaulted(a if v else b, ctx, env)
        case ir.Coalesce(first=a, fallback=b):
            if evaluate_node(a, ctx, env) is None:
                return _missing(a, ctx, env) | _defaulted(b, ctx, env)
            return _defaulted(a, ctx, env)
        case ir.Aggregate(var=var, body=body, where=where):
            found: set[str] = set()
            for element in ctx.record.collections.get(var.collection) or ():
                inner = (*env, (var, element))
                if where is not None:
                    found |= _defaulted(where, ctx, inner)
                found |= _defaulted(body, ctx, inner)
            return found
    found = set()
    for child in ir.children(node):
        found |= _defaulted(child, ctx, env)
    return found


def _lookup_elem(env: Env, var: ir.Var) -> Evaluated:
    for bound, element in reversed(env):  # innermost binding first
        if bound is var or bound == var:  # equal variables are often one object
            return element
    raise KeyError(var)  # pragma: no cover - the checker binds every variable


Fn = Callable[[Context, Env], Evaluated]
_UNSET = object()  # not in the per-record memo yet (None is a value: unknown)


class Compiled:
    """Each node's closure, keyed by identity (the entry keeps the node, so its id cannot
    be reused while the entry exists). Owned by one program, never a module global."""

    __slots__ = ("fns",)

    def __init__(self) -> None:
        self.fns: dict[int, tuple[ir.Node, Fn]] = {}

    def sub(self, node: ir.Node) -> Fn:
        entry = self.fns.get(id(node))
        return entry[1] if entry is not None else self._compile(node)

    def _compile(self, node: ir.Node) -> Fn:
        """A closure computing the node; nodes without list variables are memoised per
        record, since definitions are shared by many conditions."""
        fn = _compile_node(node, self.sub)
        if not ir.free_vars(node) and not isinstance(node, ir.Const):
            slot = id(node)
            inner = fn

            def fn(ctx: Context, env: Env, inner: Fn = inner, slot: int = slot) -> Evaluated:
                memo = ctx.memo
                value = memo.get(slot, _UNSET)
                if value is _UNSET:
                    # No list variable is free here: evaluate outside any enclosing
                    # comprehension, whose bindings could otherwise shadow this node's own.
                    value = memo[slot] = inner(ctx, ())
                return value

        self.fns[id(node)] = (node, fn)
        return fn


def evaluate_node(node: ir.Node, ctx: Context, env: Env) -> Evaluated:
    """The node's value: a Fraction, date, str, bool, frozenset, or None for unknown."""
    return ctx.compiled.sub(node)(ctx, env)


def _compile_node(node: ir.Node, _sub: Callable[[ir.Node], Fn]) -> Fn:
    match node:
        case ir.Const(value=v):
            return lambda ctx, env: v
        case ir.Unknown():
            return lambda ctx, env: None
        case ir.Field(path=path):
            return lambda ctx, env: ctx.record.scalars.get(path)
        case ir.ElemField(var=var, field=None):
            return lambda ctx, env: _lookup_elem(env, var)
        case ir.ElemField(var=var, field=name):
            return lambda ctx, env: _lookup_elem(env, var).get(name)
        case ir.Arith(op=op, left=a, right=b):
            fa, fb = _sub(a), _sub(b)
            return _arith(op, fa, fb, a.type == DATE)
        case ir.Neg(operand=a):
            fa = _sub(a)

            def neg(ctx: Context, env: Env) -> Evaluated:
                x = fa(ctx, env)
                return None if x is None else -x

            return neg
        case ir.Compare(op=op, left=a, right=b):
            fa, fb, cmp = _sub(a), _sub(b), _CMP[op]

            def compare(ctx: Context, env: Env) -> Evaluated:
                x = fa(ctx, env)
                if x is None:
                    return None
                y = fb(ctx, env)
                return None if y is None else cmp(x, y)

            return compare
        case ir.Logic(op=op, args=args):
            fns = [_sub(a) for a in args]
            stop = op != "and"  # the value that decides: False for and, True for or

            def logic(ctx: Context, env: Env) -> Evaluated:
                result: bool | None = not stop
                for f in fns:
                    v = f(ctx, env)
                    if v is stop:
                        return stop
                    if v is None:
                        result = None
                return result

            return logic
        case ir.Not(operand=a):
            fa = _sub(a)

            def not_(ctx: Context, env: Env) -> Evaluated:
                v = fa(ctx, env)
                return None if v is None else not v

            return not_
        case ir.If(condition=c, then=a, otherwise=b):
            fc, fa, fb = _sub(c), _sub(a), _sub(b)

            def if_(ctx: Context, env: Env) -> Evaluated:
                v = fc(ctx, env)
                if v is None:
                    return None
                return fa(ctx, env) if v else fb(ctx, env)

            return if_
        case ir.Coalesce(first=a, fallback=b):
            fa, fb = _sub(a), _sub(b)

            def coalesce(ctx: Context, env: Env) -> Evaluated:
                v = fa(ctx, env)
                return fb(ctx, env) if v is None else v

            return coalesce
        case ir.Member(operand=a, values=values, negated=negated, prefix=prefix):
            fa, fs = _sub(a), _sub(values)

            def member(ctx: Context, env: Env) -> Evaluated:
                v, s = fa(ctx, env), fs(ctx, env)
                if v is None or s is None:  # an unknown set decides nothing
                    return None
                inside = starts_with_any(v, s) if prefix else v in s
                return inside is not negated

            return member
        case ir.Builtin(name=name, args=args):
            fns = [_sub(a) for a in args]

            def builtin(ctx: Context, env: Env) -> Evaluated:
                values = [f(ctx, env) for f in fns]
                if None in values:
                    return None
                return apply_builtin(name, values)

            return builtin
        case ir.Aggregate():
            return _compile_aggregate(node, _sub)
        case ir.AsOf() | ir.ParamRef() | ir.DefRef():
            raise TypeError(f"{type(node).__name__} is resolved before evaluation")
        case _:
            assert_never(node)


def _arith(op: str, fa: Fn, fb: Fn, dates: bool) -> Fn:
    def arith(ctx: Context, env: Env) -> Evaluated:
        x = fa(ctx, env)
        if x is None:
            return None
        y = fb(ctx, env)
        if y is None:
            return None
        if dates:
            months = int(y.__floor__())
            return add_months(x, months if op == "+" else -months)
        if op == "+":
            return x + y
        if op == "-":
            return x - y
        if op == "*":
            return x * y
        return None if y == 0 else x / y

    return arith


def _compile_aggregate(node: ir.Aggregate, _sub: Callable[[ir.Node], Fn]) -> Fn:
    var, kind, collection = node.var, node.kind, node.var.collection
    fbody = _sub(node.body)
    fwhere = _sub(node.where) if node.where is not None else None

    def aggregate(ctx: Context, env: Env) -> Evaluated:
        elements = ctx.record.collections.get(collection)
        if elements is None:
            return None
        total: Evaluated = Fraction(0)
        best: Evaluated = None
        unknown = False
        hit = False
        for element in elements:
            inner = (*env, (var, element))
            keep = True if fwhere is None else fwhere(ctx, inner)
            if keep is False:
                continue
            body = fbody(ctx, inner)
            if kind == "any" or kind == "all":
                wanted = kind == "any"
                if keep is True and body is wanted:
                    hit = True
                elif body is not (not wanted):  # excused neither by `where` nor by the body
                    unknown = True
            elif kind == "count":
                if keep is True and body is True:
                    total += 1
                elif body is not False:
                    unknown = True
            elif keep is None or body is None:
                unknown = True
            elif kind == "sum":
                total += body
            elif best is None:
                best = body
            else:
                best = max(best, body) if kind == "maximum" else min(best, body)
        if kind == "any" or kind == "all":
            if hit:
                return kind == "any"
            return None if unknown else kind == "all"
        if unknown:
            return None
        return total if kind in ("sum", "count") else best

    return aggregate


# ---- missing fields, mirroring the m/… rules of solver.asp


def _missing(node: ir.Node, ctx: Context, env: Env) -> set[str]:
    if env:
        return _find_missing(node, ctx, env)
    found = ctx.missing.get(id(node))
    if found is None:
        found = ctx.missing[id(node)] = _find_missing(node, ctx, env)
    return set(found)


def _find_missing(node: ir.Node, ctx: Context, env: Env) -> set[str]:
    if evaluate_node(node, ctx, env) is not None:
        return set()
    match node:
        case ir.Unknown(reason=reason):
            return {reason}
        case ir.Field(path=path):
            return {path} if path not in ctx.record.scalars else set()
        case ir.ElemField(var=var, field=name):
            element = _lookup_elem(env, var)
            if name is None or not isinstance(element, dict) or name in element:
                return set()
            index = _index_of(ctx, var, element)
            return {f"{var.collection}[{index}].{name}"}
        case ir.If(condition=c, then=a, otherwise=b):
            v = evaluate_node(c, ctx, env)
            if v is None:
                return _missing(c, ctx, env)
            return _missing(a if v else b, ctx, env)
        case ir.Coalesce(fallback=b):
            return _missing(b, ctx, env)
        case ir.Member(operand=a, values=values):
            return _missing(a, ctx, env) | _missing(values, ctx, env)
        case ir.Aggregate(var=var, body=body, where=where):
            elements = ctx.record.collections.get(var.collection)
            if elements is None:
                return {var.collection}
            found: set[str] = set()
            for element in elements:
                inner = (*env, (var, element))
                if where is not None:
                    found |= _missing(where, ctx, inner)
                    if evaluate_node(where, ctx, inner) is False:
                        continue
                found |= _missing(body, ctx, inner)
            return found
    found = set()
    for child in ir.children(node):
        found |= _missing(child, ctx, env)
    return found


def _index_of(ctx: Context, var: ir.Var, element: object) -> int:
    for i, candidate in enumerate(ctx.record.collections.get(var.collection) or ()):
        if candidate is element:
            return i
    return -1  # pragma: no cover
