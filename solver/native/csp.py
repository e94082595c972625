"""A third backend: eligibility posed as a constraint problem for python-constraint.

For each profile and programme the IR is compiled into a constraint network over the
*three-valued truth* of every condition node: one variable per condition-node instance (a
node inside a comprehension gets one variable per list element it is evaluated for), with
domain {true, false, unknown}, and one constraint per instance relating it to the nodes it
is built from — the Kleene tables (`and`, `or`, `not`), the excuse rules of `any`/`all`,
`if` following only the branch its condition selects, `??` falling back when the first
value is unknown. Comparisons, membership and `starts_with` relate their truth to value
terms (numbers, dates, symbols): those are computed exactly from the profile's values and,
where a term itself depends on conditions (`if` values, `where` filters, `count`), from the
truth variables those conditions have in the same constraint's scope. A field the profile
does not give is the unknown value; nothing is guessed.

Every relation is functional (a node's truth follows from its parts), so the network has
exactly one solution, and it is the strong-Kleene evaluation the ASP encoding computes.
`solve` asks python-constraint for solutions and insists on exactly one: none or two would
mean an inconsistent encoding, reported as `CompilerBug` rather than a wrong answer.

Why not "eligible = every completion of the unknown fields satisfies the conditions"? That
is a different semantics (supervaluation) from the engine's: `x < 10 or x >= 10` is
unknown for clingo when x is missing but true over all completions, and `a ?? b` or
`if c then …` with c unknown have no meaning over completions at all. A backend meant to
test the ASP compiler differentially has to answer the same question, so the unknown
value is part of the domain instead.

A node whose parts are all decided (true or false) and whose own relation then gives true
or false is fixed as it is created, with that one value in its domain and no constraint:
the same relation computes it, but the solver is left only the undecided part of the
network (the unknown fields and what reads them). Without this, large networks whose
inputs are all given (the SME status carried over a long accounts history) cost the
solver minutes in some variable orders.

Variables are ordered bottom-up (parts before the node built from them): with forward
checking, each node's domain has shrunk to its one consistent value when its turn comes,
so the search never backtracks; any order would give the same, single, solution.

Nodes this backend does not know raise `UnsupportedByCsp` (never a guessed answer).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any, assert_never

from constraint import FunctionConstraint, OptimizedBacktrackingSolver, Problem

from dsl import ir
from dsl.errors import InternalError
from dsl.types import BOOL, DATE
from solver.answer import Answer, CompilerBug, ProgrammeAnswer
from solver.builtins import BUILTINS, add_months, apply_builtin, starts_with_any
from solver.native.resolve import COMPARE as _CMP
from solver.native.resolve import ResolvedProgrammes
from solver.record import Evaluated, InputRecord

Truth = bool | None  # None: unknown
Env = tuple[tuple[ir.Var, int], ...]  # list variable -> element index, outermost first


class UnsupportedByCsp(InternalError, ValueError):
    """The rules use a construct the constraint backend does not compile."""


_TRUTHS: list[Truth] = [True, False, None]
_UNSET = object()


class _BottomUp(OptimizedBacktrackingSolver):
    """python-constraint's backtracking search with forward checking, visiting variables in
    the order they were created (parts first) instead of by degree."""

    def getSortedVariables(self, domains: dict, vconstraints: dict) -> list:
        return sorted(domains)


_SUPPORTED = (
    ir.Arith,
    ir.Neg,
    ir.Compare,
    ir.Logic,
    ir.Not,
    ir.If,
    ir.Coalesce,
    ir.Member,
    ir.Builtin,
    ir.Aggregate,
    ir.Const,
    ir.Unknown,
    ir.Field,
    ir.ElemField,
)
_AGGREGATES = ("sum", "count", "any", "all", "maximum", "minimum")


def _admit(node: ir.Node) -> None:
    """Refuse, before any solving, what this backend cannot pose as constraints."""
    if not isinstance(node, _SUPPORTED):
        raise UnsupportedByCsp(f"IR node {type(node).__name__} is not supported")
    if isinstance(node, ir.Builtin) and node.name not in BUILTINS:
        raise UnsupportedByCsp(f"built-in {node.name}() is not supported")
    if isinstance(node, ir.Aggregate) and node.kind not in _AGGREGATES:
        raise UnsupportedByCsp(f"aggregate {node.kind} is not supported")


class CspProgram(ResolvedProgrammes):
    """The catalogue's programmes at one date, evaluated by solving one constraint
    network per profile and programme."""

    admit = staticmethod(_admit)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Owned by the program, so it dies with it: whether a node reads a condition.
        self.conditional: dict[int, tuple[ir.Node, bool]] = {}
        super().__init__(*args, **kwargs)

    # ---- evaluation
    def evaluate(self, records: list[InputRecord]) -> list[Answer]:
        answers = []
        for record in records:
            answer = Answer()
            for pid in self.programmes:
                answer.programmes[pid] = self._programme(record, pid)
            if self.exports:
                network = _Network(record, self.conditional)
                for node in self.exports.values():
                    network.scope(node, ())
                solution = network.solve()
                for qname, node in self.exports.items():
                    value = network.term(node, (), solution)
                    if value is not None:
                        answer.exports[qname] = value
            answers.append(answer)
        return answers

    def _programme(self, record: InputRecord, pid: str) -> ProgrammeAnswer:
        network = _Network(record, self.conditional)
        roots = [(name, network.truth_var(node, ())) for name, node in self.conditions[pid]]
        amount_node = self.amounts[pid]
        for node in [amount_node] if amount_node is not None else []:
            network.scope(node, ())
        for _, node in self.parts[pid]:
            network.scope(node, ())
        solution = network.solve()
        result = ProgrammeAnswer("unknown")
        for (name, var), (_, node) in zip(roots, self.conditions[pid], strict=True):
            value = solution[var]
            if value is None:
                result.missing[name] = network.missing(node, (), solution)
            else:
                result.conditions[name] = "yes" if value else "no"
        if "no" in result.conditions.values():
            result.status = "ineligible"
        elif len(result.conditions) == len(roots):
            result.status = "eligible"
        if amount_node is not None:
            amount = network.term(amount_node, (), solution)
            if amount is None:
                result.missing["amount"] = network.missing(amount_node, (), solution)
            else:
                result.amount = amount
        for part_name, node in self.parts[pid]:
            value = network.term(node, (), solution)
            if value is not None:
                result.parts[part_name] = value
        return result


class _Network:
    """One profile's constraint problem: truth variables for condition-node instances."""

    def __init__(self, record: InputRecord, conditional: dict[int, tuple[ir.Node, bool]]) -> None:
        self.record = record
        self.conditional = conditional
        self.problem = Problem(_BottomUp())
        self.vars: dict[tuple[int, Env], int] = {}
        self._fixed_terms: dict[tuple[int, Env], Evaluated] = {}
        self._scopes: dict[tuple[int, Env], list[int]] = {}
        # Truth variables fixed while building: a node whose parts are all decided and whose
        # own truth, computed by its relation from them, is true or false. Only nodes that
        # are unknown, or read one that is, are posed as constraints: the three-valued
        # relations are still what computes every truth value, but the solver searches
        # only the undecided part of the network (docs/architecture.md, "The constraint
        # backend fixes what is decided").
        self.decided: dict[int, Truth] = {}

    # ---- building
    def truth_var(self, node: ir.Node, env: Env) -> int:
        """The variable for a condition node evaluated under `env` (created on first use)."""
        key = (id(node), _restrict(node, env))
        var = self.vars.get(key)
        if var is not None:
            return var
        parts = self._parts(node, key[1])  # created first: lower numbers, solved first
        var = len(self.vars)
        self.vars[key] = var
        relation = self._relation(node, key[1])
        if all(part in self.decided for part in parts):
            # Every part is decided: the relation gives the truth directly. When that truth
            # is known, the node is fixed instead of posed (see `decided`).
            truth = relation(self.decided)
            if truth is True or truth is False:
                self.decided[var] = truth
                self.problem.addVariable(var, [truth])
                return var
        self.problem.addVariable(var, list(_TRUTHS))
        scope = [var, *parts]

        known: dict[tuple[Truth, ...], Truth] = {}  # forward checking asks once per value

        def holds(value: Truth, *values: Truth) -> bool:
            truth = known.get(values, _UNSET)
            if truth is _UNSET:
                truth = known[values] = relation(dict(zip(parts, values, strict=True)))
            return value is truth

        self.problem.addConstraint(FunctionConstraint(holds), scope)
        return var

    def _parts(self, node: ir.Node, env: Env) -> list[int]:
        """The truth variables a condition node's relation reads, in a fixed order."""
        if isinstance(node, ir.Logic | ir.Not | ir.If | ir.Coalesce):
            return _unique(self.truth_var(child, env) for child in ir.children(node))
        if isinstance(node, ir.Aggregate):  # any / all
            return _unique(self._element_vars(node, env))
        if isinstance(node, ir.Compare | ir.Member | ir.Builtin):
            return _unique(v for child in ir.children(node) for v in self.scope(child, env))
        if isinstance(node, ir.Const | ir.Unknown | ir.Field | ir.ElemField):
            return []
        raise UnsupportedByCsp(f"condition node {type(node).__name__} is not supported")

    def _element_vars(self, node: ir.Aggregate, env: Env) -> Iterator[int]:
        for inner in self._elements(node, env) or ():
            if node.where is not None:
                yield from self._truth_or_scope(node.where, inner)
            yield from self._truth_or_scope(node.body, inner)

    def _truth_or_scope(self, node: ir.Node, env: Env) -> list[int]:
        return [self.truth_var(node, env)] if node.type == BOOL else self.scope(node, env)

    def scope(self, node: ir.Node, env: Env) -> list[int]:
        """The truth variables a value term reads (creating them)."""
        if node.type == BOOL:
            return [self.truth_var(node, env)]
        if not _has_condition(node, self.conditional):
            return []
        key = (id(node), _restrict(node, env))
        found = self._scopes.get(key)
        if found is None:
            if isinstance(node, ir.Aggregate):
                found = _unique(self._element_vars(node, key[1]))
            else:
                found = _unique(v for c in ir.children(node) for v in self.scope(c, key[1]))
            self._scopes[key] = found
        return found

    def _elements(self, node: ir.Aggregate, env: Env) -> list[Env] | None:
        elements = self.record.collections.get(node.var.collection)
        if elements is None:
            return None
        return [(*env, (node.var, i)) for i in range(len(elements))]

    # ---- relations: the truth a node must have, given the truth of its parts
    def _relation(self, node: ir.Node, env: Env) -> Callable[[dict[int, Truth]], Truth]:
        match node:
            case ir.Logic(op="and", args=args):
                vs = [self.vars[(id(a), _restrict(a, env))] for a in args]
                return lambda a: _kleene_and([a[v] for v in vs])
            case ir.Logic(op="or", args=args):
                vs = [self.vars[(id(a), _restrict(a, env))] for a in args]
                return lambda a: _kleene_not(_kleene_and([_kleene_not(a[v]) for v in vs]))
            case ir.Not(operand=x):
                v = self.vars[(id(x), _restrict(x, env))]
                return lambda a: _kleene_not(a[v])
            case ir.If(condition=c, then=t, otherwise=o):
                vc, vt, vo = (self.vars[(id(n), _restrict(n, env))] for n in (c, t, o))
                return lambda a: None if a[vc] is None else (a[vt] if a[vc] else a[vo])
            case ir.Coalesce(first=f, fallback=b):
                vf, vb = (self.vars[(id(n), _restrict(n, env))] for n in (f, b))
                return lambda a: a[vb] if a[vf] is None else a[vf]
            case ir.Aggregate(kind="any" | "all"):
                return lambda a: self._quantify(node, env, a)
            case ir.Aggregate():
                raise UnsupportedByCsp(f"aggregate {node.kind} as a condition")
            case ir.Logic():
                raise UnsupportedByCsp(f"logic operator {node.op}")
        # Leaves and value-level tests: the truth is the value computed from the parts.
        return lambda a: self._term(node, env, a)

    def _quantify(self, node: ir.Aggregate, env: Env, a: dict[int, Truth]) -> Truth:
        """`any`/`all`: an element counts when its `where` is true and its body decides;
        it is excused when its `where` is false or its body has the neutral value."""
        elements = self._elements(node, env)
        if elements is None:
            return None
        wanted = node.kind == "any"
        hit = unknown = False
        for inner in elements:
            keep = True if node.where is None else self.term(node.where, inner, a)
            if keep is False:
                continue
            body = self.term(node.body, inner, a)
            if keep is True and body is wanted:
                hit = True
            elif body is not (not wanted):
                unknown = True
        if hit:
            return wanted
        return None if unknown else not wanted

    # ---- value terms, exact, read from the profile and the truth variables in scope
    def term(self, node: ir.Node, env: Env, a: dict[int, Truth]) -> Evaluated:
        """A node's value under `env`: Fraction, date, str, bool, frozenset, or None."""
        key = (id(node), _restrict(node, env))
        if node.type == BOOL:  # a condition: its truth variable, which must be in scope
            var = self.vars.get(key)
            if var is None or var not in a:
                raise CompilerBug(f"truth of {type(node).__name__} read outside its scope")
            return a[var]
        if key in self._fixed_terms:
            return self._fixed_terms[key]
        value = self._term(node, key[1], a)
        # Reads no truth variable: depends on the profile alone.
        if not _has_condition(node, self.conditional):
            self._fixed_terms[key] = value
        return value

    def _term(self, node: ir.Node, env: Env, a: dict[int, Truth]) -> Evaluated:
        t = self.term
        match node:
            case ir.Const(value=value):
                return value
            case ir.Unknown():
                return None
            case ir.Field(path=path):
                return self.record.scalars.get(path)
            case ir.ElemField(var=var, field=name):
                element = self._element(var, env)
                return element if name is None else element.get(name)
            case ir.Arith(op=op, left=x, right=y):
                return _arith(op, t(x, env, a), t(y, env, a), x.type == DATE)
            case ir.Neg(operand=x):
                value = t(x, env, a)
                return None if value is None else -value
            case ir.Compare(op=op, left=x, right=y):
                left, right = t(x, env, a), t(y, env, a)
                return None if left is None or right is None else _CMP[op](left, right)
            case ir.Member(operand=x, values=s, negated=negated, prefix=prefix):
                value, members = t(x, env, a), t(s, env, a)
                if value is None or members is None:
                    return None
                if prefix:
                    return starts_with_any(value, members) != negated
                return (value in members) != negated
            case ir.Builtin(name=name, args=args):
                values = [t(x, env, a) for x in args]
                return None if None in values else _builtin(name, values)
            case ir.If(condition=c, then=x, otherwise=y):
                test = t(c, env, a)
                return None if test is None else t(x if test else y, env, a)
            case ir.Coalesce(first=x, fallback=y):
                value = t(x, env, a)
                return t(y, env, a) if value is None else value
            case ir.Aggregate():
                return self._fold(node, env, a)
            case ir.AsOf() | ir.ParamRef() | ir.DefRef():
                raise UnsupportedByCsp(f"value node {type(node).__name__} is not supported")
            case ir.Logic() | ir.Not():
                # Conditions are read through their truth variable (`term` above).
                raise CompilerBug(f"truth of {type(node).__name__} evaluated as a term")
            case _:
                assert_never(node)

    def _fold(self, node: ir.Aggregate, env: Env, a: dict[int, Truth]) -> Evaluated:
        elements = self._elements(node, env)
        if elements is None:
            return None
        total, best, unknown = Fraction(0), None, False
        for inner in elements:
            keep = True if node.where is None else self.term(node.where, inner, a)
            if keep is False:
                continue
            body = self.term(node.body, inner, a)
            if node.kind == "count":
                if keep is True and body is True:
                    total += 1
                elif body is not False:
                    unknown = True
            elif keep is None or body is None:
                unknown = True
            elif node.kind == "sum":
                total += body
            elif best is None:
                best = body
            else:
                best = max(best, body) if node.kind == "maximum" else min(best, body)
        if unknown:
            return None
        return total if node.kind in ("sum", "count") else best

    def _element(self, var: ir.Var, env: Env) -> Evaluated:
        for bound, index in reversed(env):
            if bound == var:
                return self.record.collections[var.collection][index]
        raise CompilerBug(f"list variable {var.name} is not bound")  # pragma: no cover

    # ---- solving
    def solve(self) -> dict[int, Truth]:
        """The network's single solution; anything else is an encoding error."""
        if not self.vars:
            return {}
        solutions = self.problem.getSolutionIter()
        first = next(solutions, None)
        if first is None:
            raise CompilerBug("the constraint network has no solution")
        if next(solutions, None) is not None:
            raise CompilerBug("the constraint network has more than one solution")
        return first

    # ---- what an undecided node needs, as the m/… rules of solver.asp derive it
    def missing(self, node: ir.Node, env: Env, a: dict[int, Truth]) -> set[str]:
        if self.term(node, env, a) is not None:
            return set()
        env = _restrict(node, env)
        match node:
            case ir.Unknown(reason=reason):
                return {reason}
            case ir.Field(path=path):
                return set() if path in self.record.scalars else {path}
            case ir.ElemField(var=var, field=name):
                element = self._element(var, env)
                if name is None or not isinstance(element, dict) or name in element:
                    return set()
                index = next(i for bound, i in reversed(env) if bound == var)
                return {f"{var.collection}[{index}].{name}"}
            case ir.If(condition=c, then=x, otherwise=y):
                test = self.term(c, env, a)
                if test is None:
                    return self.missing(c, env, a)
                return self.missing(x if test else y, env, a)
            case ir.Coalesce(fallback=y):
                return self.missing(y, env, a)
            case ir.Member(operand=x, values=values):
                # A set the sources do not give: its reason, as the other backends report.
                return self.missing(x, env, a) | self.missing(values, env, a)
            case ir.Aggregate(var=var, body=body, where=where):
                elements = self._elements(node, env)
                if elements is None:
                    return {var.collection}
                found: set[str] = set()
                for inner in elements:
                    if where is not None:
                        found |= self.missing(where, inner, a)
                        if self.term(where, inner, a) is False:
                            continue
                    found |= self.missing(body, inner, a)
                return found
        found = set()
        for child in ir.children(node):
            found |= self.missing(child, env, a)
        return found


# ---- helpers


def _kleene_and(values: list[Truth]) -> Truth:
    if any(v is False for v in values):
        return False
    return True if all(v is True for v in values) else None


def _kleene_not(value: Truth) -> Truth:
    return None if value is None else not value


def _unique(items: Iterator[int] | list[int]) -> list[int]:
    return list(dict.fromkeys(items))


def _has_condition(node: ir.Node, memo: dict[int, tuple[ir.Node, bool]]) -> bool:
    """Whether a value term reads a condition's truth (memoised by identity in `memo`,
    which belongs to one program)."""
    entry = memo.get(id(node))
    if entry is not None:
        return entry[1]
    found = any(c.type == BOOL or _has_condition(c, memo) for c in ir.children(node))
    memo[id(node)] = (node, found)
    return found


def _restrict(node: ir.Node, env: Env) -> Env:
    free = ir.free_vars(node)
    return tuple(pair for pair in env if pair[0] in free)


def _arith(op: str, x: Evaluated, y: Evaluated, dates: bool) -> Evaluated:
    if x is None or y is None:
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
    if op == "/":
        return None if y == 0 else x / y
    raise UnsupportedByCsp(f"arithmetic operator {op}")


def _builtin(name: str, values: list) -> Evaluated:
    try:
        return apply_builtin(name, values)
    except ValueError:
        raise UnsupportedByCsp(f"built-in {name}() is not supported") from None
