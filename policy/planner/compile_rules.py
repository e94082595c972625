"""The programme's own conditions and amount, compiled into the planner's linear model.

Each candidate is compiled as the applicant, over the split it does not know yet: its own
costs (`own`), each other candidate's costs (`cost j`) and membership (`member j`). What
does not depend on the split (regions, categories, rates chosen by size or research
category, parameters, static flags) is evaluated for that candidate by the direct
evaluator, the engine's Python backend, on the resolved IR; what does is compiled:

- `sum(c.amount for c in project.costs)` is the candidate's costs; a sum over the lines of
  some categories is all of them or none (the planner's lines are never hire lines, which
  the rules cost from a salary: a scenario refuses them); sums and counts over
  `project.partners` become sums of the other candidates' cost and membership columns;
- `any`/`all` over the partners with a body fixed per partner (their region, category)
  become counts of members; `all` with a body on the split holds for each member;
- comparisons of linear expressions are rows; `min` of an amount is several upper bounds
  (the model maximises); `min(..) >= k` is a conjunction;
- `if` on a condition the split decides is a decision list (first true guard wins), whose
  guard becomes the model's bonus binary.

The result is then recognised as the model's row families (`solver.milp.model`): the rate
and cap of the grant, the bonus rate and what it needs, the minimum aid, the largest share
of the costs, the two-regions rule. A construct outside that fragment is refused by name
(`Refused`): the candidate is left out with the construct and the condition named, never
planned on a guess. The engine re-checks every split the planner shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from dsl import ir
from dsl.errors import InternalError
from dsl.vocabulary import COST_CATEGORIES
from policy.inputs.scenario import NOT_FIXED
from solver.native.direct import Context, DirectProgram, evaluate_node

PARTNERS = "project.partners"
COSTS = "project.costs"
Symbol = tuple[str, ...]
OWN: Symbol = ("own",)
# Σ of every other candidate's costs / memberships: a sum or count over all the partners
# with the same body for each stays one term, so a candidate's rows do not grow with the
# number of candidates (a share rule over 400 candidates is 3 terms, not 401).
COST_ALL: Symbol = ("cost_all",)
MEMBER_ALL: Symbol = ("member_all",)
ZERO = Fraction(0)
ONE = Fraction(1)
# The categories of the lines a plan gives a candidate (its personnel and the scenario's
# fixed lines).
PLANNED_CATEGORIES = tuple(c for c in COST_CATEGORIES if c not in NOT_FIXED)


def cost(j: str) -> Symbol:
    return ("cost", j)


def member(j: str) -> Symbol:
    return ("member", j)


class Refused(InternalError):
    """A construct the linear model cannot express (its name is the message); caught here,
    where the candidate is left out with it, never shown as an error."""


# --- symbolic values -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Lin:
    """Σ coefficient × symbol + const."""

    terms: tuple[tuple[Symbol, Fraction], ...] = ()
    const: Fraction = ZERO

    @staticmethod
    def of(terms: dict[Symbol, Fraction], const: Fraction = ZERO) -> Lin:
        return Lin(tuple(sorted((s, v) for s, v in terms.items() if v)), const)

    def as_dict(self) -> dict[Symbol, Fraction]:
        return dict(self.terms)

    def plus(self, other: Lin, k: Fraction = Fraction(1)) -> Lin:
        terms = self.as_dict()
        for s, v in other.terms:
            terms[s] = terms.get(s, ZERO) + k * v
        return Lin.of(terms, self.const + k * other.const)

    def scale(self, k: Fraction) -> Lin:
        return Lin.of({s: k * v for s, v in self.terms}, k * self.const)

    @property
    def is_const(self) -> bool:
        return not self.terms


@dataclass(frozen=True, slots=True)
class Min:
    args: tuple[Num, ...]


@dataclass(frozen=True, slots=True)
class Max:
    args: tuple[Num, ...]


@dataclass(frozen=True, slots=True)
class Dec:
    """A decision list: the value of the first case whose guard holds (the last is `True`)."""

    cases: tuple[tuple[Bool, Num], ...]


Num = Lin | Min | Max | Dec


@dataclass(frozen=True, slots=True)
class Row:
    lin: Lin
    op: str  # lin op 0: "<=", ">=" or "="


@dataclass(frozen=True, slots=True)
class And:
    args: tuple[Bool, ...]


@dataclass(frozen=True, slots=True)
class Or:
    args: tuple[Bool, ...]


@dataclass(frozen=True, slots=True)
class Guarded:
    """For each candidate j of `ids`: j is not a member, or `form` holds with the
    placeholder partner (`ANY`) read as j."""

    ids: frozenset[str]
    form: Bool


# The partner an aggregate's body is compiled for once, standing for every candidate with
# the same static facts (region, category, rate): its columns are renamed per candidate.
ANY = "\x00partner"


@dataclass(frozen=True, slots=True)
class BoolDec:
    cases: tuple[tuple[Bool, Bool], ...]


Bool = bool | Row | And | Or | Guarded | BoolDec


def conj(args: Iterable[Bool]) -> Bool:
    out: dict[Bool, None] = {}  # ordered, without repeats
    for a in args:
        if a is False:
            return False
        if a is True:
            continue
        out.update(dict.fromkeys(a.args if isinstance(a, And) else (a,)))
    if not out:
        return True
    return next(iter(out)) if len(out) == 1 else And(tuple(out))


def disj(args: Iterable[Bool]) -> Bool:
    out: dict[Bool, None] = {}
    for a in args:
        if a is True:
            return True
        if a is False:
            continue
        out.update(dict.fromkeys(a.args if isinstance(a, Or) else (a,)))
    if not out:
        return False
    return next(iter(out)) if len(out) == 1 else Or(tuple(out))


def atoms(form: Bool) -> frozenset[Bool]:
    return frozenset(form.args) if isinstance(form, And) else frozenset((form,))


def decision(cases: Iterable[tuple[Bool, Num]]) -> Num:
    """A decision list, pruned: false guards dropped, cases after a true guard dropped,
    and a case whose guard implies an earlier one's (a superset of its conjuncts) dropped,
    since the earlier case is taken whenever it could apply."""
    flat: list[tuple[Bool, Num]] = []
    for guard, value in cases:
        if isinstance(value, Dec):
            flat += [(conj((guard, g)), v) for g, v in value.cases]
        else:
            flat.append((guard, value))
    out: list[tuple[Bool, Num]] = []
    for guard, value in flat:
        if guard is False:
            continue
        if any(atoms(guard) >= atoms(g) for g, _ in out):
            continue
        out.append((guard, value))
        if guard is True:
            break
    if len(out) == 1 and out[0][0] is True:
        return out[0][1]
    return Dec(tuple(out))


def const(value: Fraction) -> Lin:
    return Lin((), value)


def combine(a: Num, b: Num, op: str) -> Num:
    """a + b or a − b, distributed over decision lists and min/max."""
    if isinstance(a, Dec):
        return decision((g, combine(v, b, op)) for g, v in a.cases)
    if isinstance(b, Dec):
        return decision((g, combine(a, v, op)) for g, v in b.cases)
    if isinstance(a, Lin) and isinstance(b, Lin):
        return a.plus(b, Fraction(1) if op == "+" else Fraction(-1))
    if isinstance(b, Lin):
        parts = tuple(combine(x, b, op) for x in a.args)  # type: ignore[union-attr]
        return Min(parts) if isinstance(a, Min) else Max(parts)
    if isinstance(a, Lin) and op == "+":
        return combine(b, a, "+")
    if isinstance(a, Lin):  # k − min(...) = max(k − ...)
        parts = tuple(combine(a, x, "-") for x in b.args)
        return Max(parts) if isinstance(b, Min) else Min(parts)
    raise Refused("a sum of two minimums or maximums on the split")


def scale(a: Num, k: Fraction) -> Num:
    if isinstance(a, Lin):
        return a.scale(k)
    if isinstance(a, Dec):
        return decision((g, scale(v, k)) for g, v in a.cases)
    parts = tuple(scale(x, k) for x in a.args)
    if (k >= 0) == isinstance(a, Min):
        return Min(parts)
    return Max(parts)


def constant_of(a: Num) -> Fraction | None:
    return a.const if isinstance(a, Lin) and a.is_const else None


def product(a: Num, b: Num) -> Num:
    ka, kb = constant_of(a), constant_of(b)
    if kb is not None:
        return scale(a, kb)
    if ka is not None:
        return scale(b, ka)
    if isinstance(a, Dec):
        return decision((g, product(v, b)) for g, v in a.cases)
    if isinstance(b, Dec):
        return decision((g, product(a, v)) for g, v in b.cases)
    if isinstance(a, Min | Max) and all(constant_of(x) is not None for x in a.args):
        # min of constants times a linear term: the constants are folded first (fold)
        raise Refused("a product of a minimum and a split quantity")
    raise Refused("a product of two quantities the split decides")


def fold(a: Num) -> Num:
    """min/max of constants folded to a constant, decision lists taken outside."""
    if isinstance(a, Min | Max):
        args = tuple(fold(x) for x in a.args)
        for index, arg in enumerate(args):
            if isinstance(arg, Dec):  # min(if g then u else v, w) = if g then min(u, w) ...
                return decision(
                    (g, fold(type(a)((*args[:index], v, *args[index + 1 :])))) for g, v in arg.cases
                )
        consts = [constant_of(x) for x in args]
        if all(c is not None for c in consts):
            pick = min if isinstance(a, Min) else max
            return const(pick(c for c in consts if c is not None))
        return Min(args) if isinstance(a, Min) else Max(args)
    if isinstance(a, Dec):
        return decision((g, fold(v)) for g, v in a.cases)
    return a


def compare(d: Num, op: str) -> Bool:
    """d op 0."""
    if op in ("<", ">", "!="):
        raise Refused(f"a strict comparison ({op}) on what the split decides")
    if isinstance(d, Lin):
        if d.is_const:
            return {"<=": d.const <= 0, ">=": d.const >= 0, "=": d.const == 0}[op]
        return Row(d, op)
    if isinstance(d, Dec):
        cases = [(g, compare(v, op)) for g, v in d.cases]
        if all(v == cases[0][1] for _, v in cases):
            return cases[0][1]
        return BoolDec(tuple(cases))
    if op == "=":
        raise Refused("an equality with a minimum or maximum on the split")
    parts = [compare(x, op) for x in d.args]
    # min(..) >= 0 and max(..) <= 0: every part; min(..) <= 0 and max(..) >= 0: some part.
    every = isinstance(d, Min) == (op == ">=")
    return conj(parts) if every else disj(parts)


# --- the compiler ---------------------------------------------------------------------------

Env = tuple  # ((var, element dict), ...), as solver.native.direct


def _dynamic(node: ir.Node) -> bool:
    for n in ir.walk(node):
        if isinstance(n, ir.Aggregate) and n.var.collection in (PARTNERS, COSTS):
            return True
        if isinstance(n, ir.Field) and n.path in (PARTNERS, COSTS):
            return True
        if isinstance(n, ir.ElemField) and n.var.collection == PARTNERS and n.field == "costs":
            return True
    return False


@dataclass(slots=True)
class Other:
    """Another candidate, as the partner element the engine would see."""

    id: str
    element: dict[str, object]
    sme: bool
    region: str | None
    signature: tuple[object, ...] = ()  # its static facts: the element without id and costs

    def __post_init__(self) -> None:
        self.signature = tuple(
            sorted((k, v) for k, v in self.element.items() if k not in ("id", "costs"))
        )


@dataclass(slots=True)
class Compiler:
    """One candidate as the applicant; `others`: the candidates it may be planned with."""

    program: DirectProgram
    ctx: Context
    others: list[Other]
    # Per node of the resolved program, shared by every candidate's compiler (pass the
    # same dicts): whether it depends on the split, whether it reads a partner's id.
    dynamic: dict[int, bool] = field(default_factory=dict)
    reads_id: dict[int, bool] = field(default_factory=dict)
    values: dict[tuple[object, ...], object] = field(default_factory=dict)
    closed: dict[int, Num] = field(default_factory=dict)  # numbers without free variables
    grouped: list[tuple[list[str], dict[str, object]]] | None = None  # others by static facts

    def is_dynamic(self, node: ir.Node) -> bool:
        found = self.dynamic.get(id(node))
        if found is None:
            found = self.dynamic[id(node)] = _dynamic(node)
        return found

    def value(self, node: ir.Node, env: Env) -> object:
        # A partner's static facts (region, category, rate) are few: the value is shared
        # by every partner with the same ones, unless the node reads the partner's id.
        reads_id = self.is_reading_id(node)
        key = (
            id(node),
            *(
                (id(var), tuple((k, v) for k, v in el.items() if reads_id or k != "id"))
                for var, el in env
            ),
        )
        if key in self.values:
            return self.values[key]
        found = self.values[key] = self._value(node, env)
        return found

    def _value(self, node: ir.Node, env: Env) -> object:
        found = evaluate_node(node, self.ctx, env)
        if found is None:
            raise Refused(f"unknown for this candidate: {_describe(node)}")
        return found

    # ---- numbers
    def num(self, node: ir.Node, env: Env) -> Num:
        if not self.is_dynamic(node):
            found = self.value(node, env)
            if not isinstance(found, Fraction):
                raise Refused(f"not a number: {_describe(node)}")
            return const(found)
        if not ir.free_vars(node):
            done = self.closed.get(id(node))
            if done is None:
                done = self.closed[id(node)] = self._num(node, ())
            return done
        return self._num(node, env)

    def _num(self, node: ir.Node, env: Env) -> Num:
        match node:
            case ir.ElemField(var=var, field="costs") if var.collection == PARTNERS:
                return Lin.of({cost(_lookup(env, var)["id"]): Fraction(1)})  # type: ignore[index]
            case ir.Arith(op=op, left=left, right=right):
                a, b = self.num(left, env), self.num(right, env)
                if op in "+-":
                    return combine(a, b, op)
                if op == "*":
                    return product(fold(a), fold(b))
                k = constant_of(fold(b))
                if op == "/" and k:
                    return scale(a, 1 / k)
                raise Refused("a division by a quantity the split decides")
            case ir.Neg(operand=operand):
                return scale(self.num(operand, env), Fraction(-1))
            case ir.If(condition=cond, then=then, otherwise=otherwise):
                if not self.is_dynamic(cond):
                    return self.num(then if self.value(cond, env) else otherwise, env)
                guard = self.bool(cond, env)
                return decision(((guard, self.num(then, env)), (True, self.num(otherwise, env))))
            case ir.Builtin(name="min" | "max", args=args):
                nums = tuple(self.num(a, env) for a in args)
                return fold(Min(nums) if node.name == "min" else Max(nums))
            case ir.Aggregate(kind="sum", var=var, body=body, where=None) if (
                var.collection == COSTS
                and isinstance(body, ir.ElemField)
                and body.var == var
                and body.field == "amount"
            ):
                return Lin.of({OWN: Fraction(1)})
            case ir.Aggregate(kind="sum", var=var, body=body, where=where) if (
                var.collection == COSTS and where is not None
            ):
                picked = {
                    bool(self.value(where, (*env, (var, {"category": category}))))
                    for category in PLANNED_CATEGORIES
                }
                if picked == {False}:
                    return const(ZERO)  # e.g. the hire lines: a plan has none
                unfiltered = ir.Aggregate(node.type, "sum", var, body, None)
                if picked == {True}:
                    return self._num(unfiltered, env)
                raise Refused("a sum over the costs of some categories on what the split decides")
            case ir.Aggregate(kind="sum" | "count", var=var) if var.collection == PARTNERS:
                terms: dict[Symbol, Fraction] = {}
                shapes = set()
                groups: list[tuple[list[str], Fraction, Fraction]] = []
                seen = 0
                for ids, who, inner in self.groups(node, env):
                    seen += len(ids)
                    if node.kind == "count":
                        if self.is_dynamic(node.body):
                            raise Refused("a count over the partners of a condition on the split")
                        k, per = ZERO, Fraction(bool(self.value(node.body, inner)))
                    else:
                        body = fold(self.num(node.body, inner))
                        if not isinstance(body, Lin):
                            raise Refused("a sum over the partners of a minimum or a condition")
                        found = body.as_dict()
                        if set(found) - {cost(who)}:
                            raise Refused("a sum over the partners reading other than their costs")
                        k, per = found.get(cost(who), ZERO), body.const
                    shapes.add((k, per))
                    groups.append((ids, k, per))
                if seen == len(self.others) and len(shapes) == 1:
                    ((k, per),) = shapes
                    return Lin.of({COST_ALL: k, MEMBER_ALL: per})
                for ids, k, per in groups:
                    # a partner's costs are zero when it is not a member; its constant
                    # counts only when it is one
                    for j in ids:
                        terms[cost(j)] = k
                        terms[member(j)] = per
                return Lin.of(terms)
        raise Refused(f"{_describe(node)} on what the split decides")

    def groups(self, node: ir.Aggregate, env: Env) -> Iterable[tuple[list[str], str, Env]]:
        """The partners an aggregate runs over, grouped by their static facts: (their ids,
        the id the body is compiled for, the body's bindings). One group per partner when
        the aggregate reads the partners' ids."""
        shared = not self.is_reading_id(node)
        if shared:
            if self.grouped is None:
                self.grouped = group(self.others)
            grouped = self.grouped
        else:
            grouped = [([o.id], o.element) for o in self.others]
        for ids, element in grouped:
            who = ANY if shared else ids[0]
            inner = (*env, (node.var, {**element, "id": who} if shared else element))
            if node.where is not None:
                if self.is_dynamic(node.where):
                    raise Refused("a `where` over the partners on what the split decides")
                if not self.value(node.where, inner):
                    continue
            yield ids, who, inner

    def is_reading_id(self, node: ir.Node) -> bool:
        found = self.reads_id.get(id(node))
        if found is None:
            found = self.reads_id[id(node)] = any(
                isinstance(n, ir.ElemField) and n.field == "id" for n in ir.walk(node)
            )
        return found

    # ---- conditions
    def bool(self, node: ir.Node, env: Env) -> Bool:
        if not self.is_dynamic(node):
            return bool(self.value(node, env))
        match node:
            case ir.Logic(op="and", args=args):
                return conj(self.bool(a, env) for a in args)
            case ir.Logic(op="or", args=args):
                return disj(self.bool(a, env) for a in args)
            case ir.Compare(op=op, left=left, right=right):
                return compare(fold(combine(self.num(left, env), self.num(right, env), "-")), op)
            case ir.Aggregate(kind="any" | "all", var=var, body=body) if var.collection == PARTNERS:
                if node.kind == "any":
                    who = {}
                    for ids, _, inner in self.groups(node, env):
                        if self.is_dynamic(body):
                            raise Refused("`any` over the partners of a condition on the split")
                        if self.value(body, inner):
                            who.update(dict.fromkeys(map(member, ids), ONE))
                    # No candidate qualifies: kept as a row (0 ≥ 1) so the rule is named
                    # (e.g. two regions among candidates of one region), not just false.
                    if who and len(who) == len(self.others):
                        who = {MEMBER_ALL: Fraction(1)}
                    return Row(Lin.of(who, Fraction(-1)), ">=")
                parts: list[Bool] = []
                for ids, _, inner in self.groups(node, env):
                    form = self.bool(body, inner)
                    if form is False:
                        parts += [Row(Lin.of({member(j): Fraction(1)}), "<=") for j in ids]
                    elif form is not True:
                        parts.append(Guarded(frozenset(ids), form))
                return conj(parts)
        raise Refused(f"{_describe(node)} on what the split decides")


def group(others: list[Other]) -> list[tuple[list[str], dict[str, object]]]:
    """The candidates by their static facts (hashed once for all compilers: `without`)."""
    found: dict[tuple[object, ...], tuple[list[str], dict[str, object]]] = {}
    for other in others:
        if other.signature not in found:
            found[other.signature] = ([], other.element)
        found[other.signature][0].append(other.id)
    return list(found.values())


def without(
    grouped: list[tuple[list[str], dict[str, object]]], me: str
) -> list[tuple[list[str], dict[str, object]]]:
    """The groups of every candidate, less one."""
    out = []
    for ids, element in grouped:
        rest = [i for i in ids if i != me] if me in ids else ids
        if rest:
            out.append((rest, element))
    return out


def _lookup(env: Env, var: ir.Var) -> object:
    for bound, element in reversed(env):
        if bound is var or bound == var:
            return element
    raise KeyError(var)  # pragma: no cover - the checker binds every variable


def _describe(node: ir.Node) -> str:
    match node:
        case ir.Aggregate(kind=kind, var=var):
            return f"{kind} over {var.collection}"
        case ir.Builtin(name=name):
            return f"{name}(...)"
        case ir.Field(path=path):
            return path
        case ir.ElemField(var=var, field=name):
            return f"{var.name}.{name}"
    return type(node).__name__.lower()


# --- the compiled forms recognised as the model's row families -------------------------------


@dataclass(slots=True)
class CandidateRules:
    """What one candidate's compiled conditions and amount put in the model."""

    rate: Fraction  # with the bonus, where there is one
    solo_rate: Fraction | None = None  # without it; None: no bonus
    cap: Fraction | None = None
    bonus_share: Fraction | None = None  # the bonus needs no firm above this share
    bonus_needs_sme: bool = False
    minimum_aid: Fraction = ZERO
    aid_rate: Fraction | None = None  # the rate the minimum aid is tested at, when not `rate`
    # A bonus the candidate earns alone when one of these partners joins (Innoviris's
    # cooperation with any partner; Wallonia's with a partner outside Wallonia), not the
    # consortium-wide bonus of `bonus_share`.
    bonus_partners: frozenset[str] | None = None
    # condition name -> the consortium rule it is: ("count", {"regions", "members"} or
    # either), ("share", s), ("minimum_aid",)
    rules: dict[str, tuple[object, ...]] = field(default_factory=dict)


def grant_cases(amount: Num) -> list[tuple[Bool, Fraction, Fraction | None]]:
    """The amount as (guard, rate on own costs, cap) cases."""
    out = []
    for guard, value in amount.cases if isinstance(amount, Dec) else ((True, amount),):
        known = _constant(guard)
        if known is False:
            continue  # a bonus no partner of these candidates can give
        if known is True:
            guard = True
        value = fold(value)
        parts = value.args if isinstance(value, Min) else (value,)
        rates, caps = [], []
        for part in parts:
            if not isinstance(part, Lin):
                raise Refused("an amount other than a rate on the costs with caps")
            if part.is_const:
                caps.append(part.const)
            elif part.const == 0 and [s for s, _ in part.terms] == [OWN]:
                rates.append(part.terms[0][1])
            else:
                raise Refused("an amount reading other than the applicant's own costs")
        if not rates:
            raise Refused("an amount with no rate on the applicant's costs")
        # Costs are never negative, so min(r1·c, r2·c) is the lowest rate on c (a limit such
        # as a GBER intensity beside the programme's own rate).
        out.append((guard, min(rates), min(caps) if caps else None))
        if guard is True:
            break  # the cases after it are never reached
    return out


def _constant(form: Bool) -> bool | None:
    """A guard's truth when no member decides it (a row of constants), else None."""
    if isinstance(form, bool):
        return form
    if isinstance(form, Row) and form.lin.is_const:
        v = form.lin.const
        return {"<=": v <= 0, ">=": v >= 0, "=": v == 0}[form.op]
    return None


def share_of(lin: Lin, subject: Symbol, others: list[Other]) -> Fraction | None:
    """s when `lin ≤ 0` reads subject ≤ s × (own costs + every other candidate's costs)."""
    terms = lin.as_dict()
    if lin.const or any(sym[0] in ("member", "member_all") for sym in terms):
        return None
    s = -terms.get(OWN, ZERO) if subject != OWN else -terms.get(COST_ALL, ZERO)
    if COST_ALL not in terms and others:
        # the partners' costs one by one
        s = -terms.get(cost(others[0].id), ZERO) + (1 if subject == cost(others[0].id) else 0)
        wanted = {OWN: -s, **{cost(o.id): -s for o in others}}
    else:
        wanted = {OWN: -s, COST_ALL: -s} if others else {OWN: -s}
    if s <= 0:
        return None
    wanted[subject] = wanted.get(subject, ZERO) + 1
    return s if {k: v for k, v in wanted.items() if v} == terms else None


def members_of(lin: Lin, others: list[Other]) -> frozenset[str] | None:
    """The candidates a `Σ member ≥ 1` row counts, or None when it is not such a row."""
    who = set()
    for sym, k in lin.terms:
        if k != 1:
            return None
        if sym == MEMBER_ALL:
            who |= {o.id for o in others}
        elif sym[0] == "member":
            who.add(sym[1])
        else:
            return None
    return frozenset(who)


def classify(atom: Bool, me: str, others: list[Other]) -> tuple[object, ...]:
    """One conjunct of a compiled condition, as the model rule it is."""
    if isinstance(atom, Guarded) and isinstance(atom.form, Row) and atom.form.op == "<=":
        subject = ANY if cost(ANY) in atom.form.lin.as_dict() else next(iter(atom.ids))
        s = share_of(atom.form.lin, cost(subject), others)
        if s is not None and (subject == ANY or len(atom.ids) == 1):
            return ("share_of", atom.ids, s)
    if isinstance(atom, Row):
        terms = atom.lin.as_dict()
        if atom.op == "<=" and atom.lin.const == 0 and len(terms) == 1:
            ((sym, k),) = terms.items()
            if sym[0] == "member" and k > 0:
                return ("exclude", sym[1])
        if atom.op == "<=":
            s = share_of(atom.lin, OWN, others)
            if s is not None:
                return ("share_of", frozenset((me,)), s)
        who = members_of(atom.lin, others)
        if atom.op == ">=" and atom.lin.const == -1 and who is not None:
            return ("count", who)
        if atom.op == ">=" and list(terms) == [OWN] and atom.lin.const <= 0:
            return ("aid", terms[OWN], -atom.lin.const)
    raise Refused("a condition outside the planner's model")


def shares(tags: list[tuple[object, ...]], me: str, others: list[Other]) -> Fraction | None:
    """The common share when the tags are exactly one share row for every firm."""
    rows = [t for t in tags if t[0] == "share_of"]
    covered = [j for t in rows for j in t[1]]  # type: ignore[attr-defined]
    values = {t[2] for t in rows}
    if len(values) != 1 or len(covered) != len(others) + 1:
        return None
    if set(covered) != {me, *(o.id for o in others)}:
        return None
    return values.pop()  # type: ignore[return-value]


def recognise(
    me: str,
    sme: bool,
    region: str | None,
    others: list[Other],
    amount: Num,
    conditions: list[tuple[str, Bool]],
) -> CandidateRules:
    cases = grant_cases(amount)
    if len(cases) > 2:
        raise Refused("an amount with more than one rate bonus")
    guard, rate, cap = cases[0]
    out = CandidateRules(rate, cap=cap)
    if len(cases) == 2:
        _, solo, solo_cap = cases[1]
        if solo_cap != cap:
            raise Refused("a cap that depends on the bonus")
        tags = [classify(a, me, others) for a in atoms(guard)]
        out.solo_rate, out.bonus_share = solo, shares(tags, me, others)
        if len(tags) == 1 and tags[0][0] == "count":
            # One of these partners joining gives this candidate its bonus.
            out.bonus_partners = tags[0][1]  # type: ignore[assignment]
            tags = []
        elif out.bonus_share is None:
            raise Refused("a bonus on other than two firms none above a share of the costs")
        everyone = frozenset(o.id for o in others)
        smes = frozenset(o.id for o in others if o.sme)
        counts = [t[1] for t in tags if t[0] == "count"]
        rest = [t for t in tags if t[0] not in ("count", "share_of")]
        if tags and (everyone not in counts or rest):
            raise Refused("a bonus on other than two firms none above a share of the costs")
        for who in counts:
            if who == everyone:
                continue
            if who != smes or sme:
                raise Refused("a bonus that needs other than an SME among the firms")
            out.bonus_needs_sme = True
    for name, form in conditions:
        if isinstance(form, BoolDec):
            aid = _bonus_aid(form, guard, out)
            out.minimum_aid = max(out.minimum_aid, aid)
            out.rules[name] = ("minimum_aid",)
            continue
        if form is False and not others:
            # Alone among the eligible candidates: a condition on the partners cannot hold.
            # Kept as the consortium's count rule, which the model then finds infeasible
            # and names (with the other rules that cannot be met), rather than a refusal.
            out.rules[name] = ("count", frozenset({"regions", "members"}))
            continue
        if form is False:
            raise Refused(f"{name} cannot hold with these candidates")
        tags = [classify(a, me, others) for a in atoms(form)] if form is not True else []
        share = shares(tags, me, others)
        for tag in tags:
            if tag[0] == "count":
                # The same row can read as both rules (two candidates of two regions);
                # the consortium-wide reading is settled across candidates (derive_terms).
                kinds = set()
                if tag[1] == frozenset(o.id for o in others if o.region != region) and region:
                    kinds.add("regions")
                if tag[1] == frozenset(o.id for o in others):
                    kinds.add("members")
                if not kinds:
                    raise Refused(f"{name}: a count of members the model does not have")
                out.rules[name] = ("count", frozenset(kinds))
            elif tag[0] == "aid":
                tested, need = tag[1], tag[2]
                if out.solo_rate is not None or out.minimum_aid:
                    raise Refused(f"{name}: a second minimum aid")
                out.minimum_aid = need  # type: ignore[assignment]
                if tested != rate:
                    out.aid_rate = tested  # type: ignore[assignment]
                out.rules[name] = ("minimum_aid",)
            elif tag[0] == "exclude":
                raise Refused(f"{name}: excludes candidate {tag[1]} from a consortium")
            elif tag[0] == "share_of":
                if share is None:
                    raise Refused(f"{name}: a share rule that does not hold for every firm")
                out.rules[name] = ("share", share)
    return out


def _bonus_aid(form: BoolDec, guard: Bool, terms: CandidateRules) -> Fraction:
    """A minimum aid tested at the rate in force: with the bonus under its guard, else solo."""
    if len(form.cases) != 2 or form.cases[0][0] != guard or terms.solo_rate is None:
        raise Refused("a condition that depends on the bonus other than the minimum aid")
    needs = []
    for (_, part), tested in zip(form.cases, (terms.rate, terms.solo_rate), strict=True):
        if not isinstance(part, Row):
            raise Refused("a condition that depends on the bonus other than the minimum aid")
        terms_ = part.lin.as_dict()
        if part.op != ">=" or list(terms_) != [OWN] or terms_[OWN] != tested:
            raise Refused("a condition that depends on the bonus other than the minimum aid")
        needs.append(-part.lin.const)
    if needs[0] != needs[1]:
        raise Refused("a minimum aid that depends on the bonus")
    return needs[0]


# --- the compiled forms on one split (tests hold them against the engine) -------------------


def value_of(a: Num, split: dict[Symbol, Fraction], j: str = ANY) -> Fraction:
    """The compiled number on a split: symbols absent from `split` are zero (not members);
    the placeholder partner reads as candidate `j`."""
    if isinstance(a, Lin):
        return a.const + sum((k * _at(s, split, j) for s, k in a.terms), ZERO)
    if isinstance(a, Dec):
        return next(value_of(v, split, j) for g, v in a.cases if holds(g, split, j))
    values = [value_of(x, split, j) for x in a.args]
    return min(values) if isinstance(a, Min) else max(values)


def holds(form: Bool, split: dict[Symbol, Fraction], j: str = ANY) -> bool:
    if isinstance(form, bool):
        return form
    if isinstance(form, Row):
        v = value_of(form.lin, split, j)
        return {"<=": v <= 0, ">=": v >= 0, "=": v == 0}[form.op]
    if isinstance(form, And):
        return all(holds(x, split, j) for x in form.args)
    if isinstance(form, Or):
        return any(holds(x, split, j) for x in form.args)
    if isinstance(form, Guarded):
        return all(not split.get(member(i)) or holds(form.form, split, i) for i in form.ids)
    return next(holds(v, split, j) for g, v in form.cases if holds(g, split, j))


def _at(symbol: Symbol, split: dict[Symbol, Fraction], j: str) -> Fraction:
    if symbol in (COST_ALL, MEMBER_ALL):
        kind = "cost" if symbol == COST_ALL else "member"
        return sum((v for s, v in split.items() if s[0] == kind), ZERO)
    if len(symbol) == 2 and symbol[1] == ANY:
        symbol = (symbol[0], j)
    return split.get(symbol, ZERO)
