"""The checked, backend-neutral intermediate representation of rule files.

Every expression node is typed and every name resolved; user functions are inlined.
Nodes are frozen and hashable so a backend can share equal sub-expressions. Nothing
here knows about clingo: any backend (ASP, constraint solver, plain Python) reads this.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields, is_dataclass
from fractions import Fraction

from dsl.span import NO_SPAN, Span
from dsl.types import BOOL, DATE, Type

ConstValue = Fraction | dt.date | str | bool | frozenset[str]


@dataclass(frozen=True, slots=True)
class Var:
    """A comprehension variable: its name, the list it ranges over and its nesting depth."""

    name: str
    collection: str
    depth: int


@dataclass(frozen=True, slots=True)
class Const:
    type: Type
    value: ConstValue


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value the rules do not know (a parameter the sources do not give)."""

    type: Type
    reason: str  # shown as what the answer is missing, e.g. "baekeland_mandate.rate: ..."


@dataclass(frozen=True, slots=True)
class Field:
    type: Type
    path: str  # company.staff


@dataclass(frozen=True, slots=True)
class ElemField:
    type: Type
    var: Var
    field: str | None  # None: the element itself (lists of scalars)


@dataclass(frozen=True, slots=True)
class AsOf:
    type: Type = DATE


@dataclass(frozen=True, slots=True)
class ParamRef:
    type: Type
    qname: str  # block.param


@dataclass(frozen=True, slots=True)
class DefRef:
    type: Type
    qname: str  # block.let


@dataclass(frozen=True, slots=True)
class Arith:
    type: Type
    op: str  # + - * /
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Neg:
    type: Type
    operand: Node


@dataclass(frozen=True, slots=True)
class Compare:
    op: str  # < <= > >= = !=
    left: Node
    right: Node
    type: Type = BOOL


@dataclass(frozen=True, slots=True)
class Logic:
    op: str  # and | or
    args: tuple[Node, ...]
    type: Type = BOOL


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node
    type: Type = BOOL


@dataclass(frozen=True, slots=True)
class If:
    type: Type
    condition: Node
    then: Node
    otherwise: Node


@dataclass(frozen=True, slots=True)
class Coalesce:
    type: Type
    first: Node
    fallback: Node


@dataclass(frozen=True, slots=True)
class Member:
    operand: Node
    values: Node  # a set-typed Const or ParamRef
    negated: bool
    type: Type = BOOL


@dataclass(frozen=True, slots=True)
class Builtin:
    type: Type
    name: str  # min max months_between first_of_next_month starts_with floor
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Aggregate:
    type: Type
    kind: str  # sum count any all maximum minimum
    var: Var
    body: Node
    where: Node | None


Node = (
    Const
    | Unknown
    | Field
    | ElemField
    | AsOf
    | ParamRef
    | DefRef
    | Arith
    | Neg
    | Compare
    | Logic
    | Not
    | If
    | Coalesce
    | Member
    | Builtin
    | Aggregate
)


def children(node: Node) -> tuple[Node, ...]:
    """Direct sub-expressions (aggregate bodies included)."""
    match node:
        case Arith(left=a, right=b) | Compare(left=a, right=b):
            return (a, b)
        case Neg(operand=a) | Not(operand=a):
            return (a,)
        case Logic(args=args) | Builtin(args=args):
            return args
        case If(condition=c, then=t, otherwise=o):
            return (c, t, o)
        case Coalesce(first=a, fallback=b):
            return (a, b)
        case Member(operand=a, values=v):
            return (a, v)
        case Aggregate(body=b, where=w):
            return (b,) if w is None else (b, w)
    return ()


# Keyed by identity: a frozen node hashes by walking its whole subtree, and shared
# sub-expressions make that walk exponential in the depth of the DAG. The node is kept in
# the entry so its id cannot be reused while the entry exists.
_free_vars_memo: dict[int, tuple[Node, tuple[Var, ...]]] = {}


def free_vars(node: Node) -> tuple[Var, ...]:
    """Comprehension variables a node depends on, outermost first."""
    entry = _free_vars_memo.get(id(node))
    if entry is not None:
        return entry[1]
    if isinstance(node, ElemField):
        result: tuple[Var, ...] = (node.var,)
    else:
        found: set[Var] = set()
        for child in children(node):
            found.update(free_vars(child))
        if isinstance(node, Aggregate):
            found.discard(node.var)
        result = tuple(sorted(found, key=lambda v: v.depth))
    _free_vars_memo[id(node)] = (node, result)
    return result


# ---- declarations


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    url: str | None
    title: str | None
    date: dt.date | None
    locator: str | None = None


@dataclass(frozen=True, slots=True)
class Period:
    start: dt.date | None
    end: dt.date | None  # inclusive

    def contains(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def __str__(self) -> str:
        return f"{self.start or ''}..{self.end or ''}"


ALWAYS = Period(None, None)


@dataclass(frozen=True, slots=True)
class ParamVersion:
    period: Period
    value: Const | Unknown
    source: Source | None


@dataclass(frozen=True, slots=True)
class Param:
    qname: str
    type: Type
    labels: dict[str, str] = field(hash=False, compare=False)
    sources: tuple[Source, ...]
    versions: tuple[ParamVersion, ...]
    span: Span = field(default=NO_SPAN, compare=False, repr=False)

    def version_at(self, day: dt.date) -> ParamVersion | None:
        for version in self.versions:
            if version.period.contains(day):
                return version
        return None


@dataclass(frozen=True, slots=True)
class Definition:
    qname: str
    type: Type
    expr: Node
    labels: dict[str, str] = field(hash=False, compare=False)
    sources: tuple[Source, ...]
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Condition:
    name: str
    expr: Node
    labels: dict[str, str] = field(hash=False, compare=False)
    sources: tuple[Source, ...]
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Limit:
    """A named ceiling on a programme's amount (`limit NAME { = ... }`)."""

    name: str
    expr: Node
    labels: dict[str, str] = field(hash=False, compare=False)
    sources: tuple[Source, ...]
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Amount:
    # The grant: with limits, `min(base, limit, ...)`, so every consumer of `expr` sees the
    # limited amount; `base` and `limits` let an answer say which limit bit.
    expr: Node
    labels: dict[str, str] = field(hash=False, compare=False)
    sources: tuple[Source, ...]
    base: Node | None = None  # the amount before the limits; None when there are none
    limits: tuple[Limit, ...] = ()


BASE_PART = ""  # the name under which backends report the amount before its limits


def amount_parts(amount: Amount) -> list[tuple[str, Node]]:
    """What a backend reports besides the amount: the base and each limit, by name."""
    if amount.base is None:
        return []
    return [(BASE_PART, amount.base), *((lim.name, lim.expr) for lim in amount.limits)]


@dataclass(frozen=True, slots=True)
class CallWindow:
    period: Period
    note: str | None


@dataclass(frozen=True, slots=True)
class Programme:
    id: str
    labels: dict[str, str] = field(hash=False, compare=False)
    meta: dict[str, tuple[str, ...]] = field(hash=False, compare=False)
    valid: Period
    sources: tuple[Source, ...]
    conditions: tuple[Condition, ...]
    amount: Amount | None
    calls: tuple[CallWindow, ...]
    file: str
    # Profile fields an applicant may change (scalars like `project.submitted`, list fields
    # like `project.costs.amount`), for counterfactuals.
    changeable: tuple[str, ...] = ()


@dataclass(slots=True)
class Catalogue:
    """Everything the rule files define, checked and resolved."""

    definitions: dict[str, Definition]
    params: dict[str, Param]
    programmes: dict[str, Programme]
    blocks: dict[str, dict[str, str]]  # block name -> labels (definitions blocks too)


def params_used(
    node: Node, catalogue: Catalogue, memo: dict[str, frozenset[str]] | None = None
) -> set[str]:
    """Qualified names of the parameters an expression reaches, through definitions.

    `memo` keeps each definition's parameters; pass one dict to calls over the same
    catalogue so a definition used by many conditions is walked once.
    """
    memo = {} if memo is None else memo
    found: set[str] = set()
    # Expressions are DAGs (equal sub-expressions are shared): visit each node once.
    visited: set[int] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if id(n) in visited:
            continue
        visited.add(id(n))
        if isinstance(n, ParamRef):
            found.add(n.qname)
        elif isinstance(n, DefRef):
            reached = memo.get(n.qname)
            if reached is None:
                # Definitions cannot be circular (the checker rejects it), so this ends.
                reached = frozenset(
                    params_used(catalogue.definitions[n.qname].expr, catalogue, memo)
                )
                memo[n.qname] = reached
            found |= reached
        stack.extend(children(n))
    return found


def _fast_setstate(cls: type) -> None:
    """Give a frozen slotted dataclass a quicker `__setstate__`: the generated one calls
    `dataclasses.fields()` for every object, which made loading the cached catalogue (a few
    thousand nodes) a noticeable part of a single `subsidia check`."""
    names = tuple(f.name for f in fields(cls))

    def __setstate__(self: object, state: list[object]) -> None:
        for name, value in zip(names, state, strict=True):
            object.__setattr__(self, name, value)

    cls.__setstate__ = __setstate__  # type: ignore[attr-defined]


for _cls in list(globals().values()):
    generated = getattr(_cls, "__dict__", {}).get("__setstate__")
    if (
        isinstance(_cls, type)
        and is_dataclass(_cls)
        and getattr(generated, "__name__", "") == "_dataclass_setstate"
    ):
        _fast_setstate(_cls)
