"""The checked, backend-neutral intermediate representation of rule files.

Every expression node is typed and every name resolved; user functions are inlined.
Nodes are frozen and hashable so a backend can share equal sub-expressions. Nothing
here knows about clingo: any backend (ASP, constraint solver, plain Python) reads this.

One traversal serves every consumer: `children` (the only place that knows which fields
of a node are sub-expressions), `walk` (each distinct node once, pre- or post-order),
`map_children` and `transform` (rebuild bottom-up, sharing equal results). A consumer
that dispatches on the node kind ends its `match` with `assert_never`, so a new kind of
node is a type error in every dispatch that forgets it (docs/architecture.md, "One
traversal").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field, fields, is_dataclass
from fractions import Fraction
from typing import Literal, TypeVar, assert_never, cast

from dsl.span import NO_SPAN, Span
from dsl.types import BOOL, DATE, Type

ConstValue = Fraction | dt.date | str | bool | frozenset[str]


class _Cached:
    """Per-node caches that live and die with the node (never pickled: they are slots
    outside the dataclass fields). `_hash`: a frozen dataclass hashes the tuple of its
    fields, so an uncached hash walks the whole subtree at every level; cached, hashing a
    node costs its own fields once, and equal nodes can key a dict. `_free`: `free_vars`."""

    __slots__ = ("_free", "_hash")
    _free: tuple[Var, ...]
    _hash: int


@dataclass(frozen=True, slots=True)
class Var:
    """A comprehension variable: its name, the list it ranges over and its nesting depth."""

    name: str
    collection: str
    depth: int


@dataclass(frozen=True, slots=True)
class Const(_Cached):
    type: Type
    value: ConstValue


@dataclass(frozen=True, slots=True)
class Unknown(_Cached):
    """A value the rules do not know (a parameter the sources do not give)."""

    type: Type
    reason: str  # shown as what the answer is missing, e.g. "baekeland_mandate.rate: ..."


@dataclass(frozen=True, slots=True)
class Field(_Cached):
    type: Type
    path: str  # company.staff


@dataclass(frozen=True, slots=True)
class ElemField(_Cached):
    type: Type
    var: Var
    field: str | None  # None: the element itself (lists of scalars)


@dataclass(frozen=True, slots=True)
class AsOf(_Cached):
    type: Type = DATE


@dataclass(frozen=True, slots=True)
class ParamRef(_Cached):
    type: Type
    qname: str  # block.param


@dataclass(frozen=True, slots=True)
class DefRef(_Cached):
    type: Type
    qname: str  # block.let


@dataclass(frozen=True, slots=True)
class Arith(_Cached):
    type: Type
    op: str  # + - * /
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Neg(_Cached):
    type: Type
    operand: Node


@dataclass(frozen=True, slots=True)
class Compare(_Cached):
    op: str  # < <= > >= = !=
    left: Node
    right: Node
    type: Type = BOOL


@dataclass(frozen=True, slots=True)
class Logic(_Cached):
    op: str  # and | or
    args: tuple[Node, ...]
    type: Type = BOOL


@dataclass(frozen=True, slots=True)
class Not(_Cached):
    operand: Node
    type: Type = BOOL


@dataclass(frozen=True, slots=True)
class If(_Cached):
    type: Type
    condition: Node
    then: Node
    otherwise: Node


@dataclass(frozen=True, slots=True)
class Coalesce(_Cached):
    type: Type
    first: Node
    fallback: Node


@dataclass(frozen=True, slots=True)
class Member(_Cached):
    operand: Node
    values: Node  # a set-typed Const or ParamRef
    negated: bool
    type: Type = BOOL
    # `starts_with_any(t, S)`: true when the text starts with one of the set's texts
    # (NACE codes and their classes), instead of being one of them.
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class Builtin(_Cached):
    type: Type
    name: str  # min max months_between first_of_next_month starts_with floor year
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Aggregate(_Cached):
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


EXPRESSION_KINDS: tuple[type, ...] = (
    Const,
    Unknown,
    Field,
    ElemField,
    AsOf,
    ParamRef,
    DefRef,
    Arith,
    Neg,
    Compare,
    Logic,
    Not,
    If,
    Coalesce,
    Member,
    Builtin,
    Aggregate,
)


def children(node: Node) -> tuple[Node, ...]:
    """Direct sub-expressions (aggregate bodies included), in field order."""
    match node:
        case Const() | Unknown() | Field() | ElemField() | AsOf() | ParamRef() | DefRef():
            return ()
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
        case _:
            assert_never(node)


def map_children(node: Node, fn: Callable[[Node], Node]) -> Node:
    """The node with `fn` applied to each direct sub-expression; the node itself when
    nothing changed (so unchanged subtrees stay shared)."""
    old = children(node)
    if not old:
        return node
    new = tuple(fn(c) for c in old)
    if all(a is b for a, b in zip(old, new, strict=True)):
        return node
    match node:
        case Arith():
            return Arith(node.type, node.op, new[0], new[1])
        case Compare():
            return Compare(node.op, new[0], new[1], node.type)
        case Neg():
            return Neg(node.type, new[0])
        case Not():
            return Not(new[0], node.type)
        case Logic():
            return Logic(node.op, new, node.type)
        case Builtin():
            return Builtin(node.type, node.name, new)
        case If():
            return If(node.type, new[0], new[1], new[2])
        case Coalesce():
            return Coalesce(node.type, new[0], new[1])
        case Member():
            return Member(new[0], new[1], node.negated, node.type, node.prefix)
        case Aggregate():
            return Aggregate(
                node.type, node.kind, node.var, new[0], None if node.where is None else new[1]
            )
        case Const() | Unknown() | Field() | ElemField() | AsOf() | ParamRef() | DefRef():
            return node  # pragma: no cover - leaves returned above
        case _:
            assert_never(node)


def walk(
    node: Node, order: Literal["pre", "post"] = "pre", catalogue: Catalogue | None = None
) -> Iterator[Node]:
    """Every distinct node under `node` (itself included), each once.

    Expressions are DAGs (equal sub-expressions are shared), so a node reached twice is
    yielded the first time only; "post" yields children before their parent. With a
    `catalogue`, a `DefRef` is followed into its definition's expression (after the
    DefRef itself), so the walk sees what the node reaches through definitions.
    Iterative: deep expressions do not hit the recursion limit.
    """

    def below(n: Node) -> tuple[Node, ...]:
        kids = children(n)
        if catalogue is not None and isinstance(n, DefRef):
            return (*kids, catalogue.definitions[n.qname].expr)
        return kids

    seen: set[int] = set()
    if order == "pre":
        stack = [node]
        while stack:
            n = stack.pop()
            if id(n) in seen:
                continue
            seen.add(id(n))
            yield n
            stack.extend(reversed(below(n)))
        return
    todo: list[tuple[Node, bool]] = [(node, False)]
    while todo:
        n, expanded = todo.pop()
        if expanded:
            yield n
            continue
        if id(n) in seen:
            continue
        seen.add(id(n))
        todo.append((n, True))
        todo.extend((c, False) for c in reversed(below(n)) if id(c) not in seen)


def transform(
    node: Node, fn: Callable[[Node], Node], memo: dict[int, tuple[Node, Node]] | None = None
) -> Node:
    """Rebuild bottom-up: each node's children are transformed first, then `fn` gets the
    node rebuilt over them (Lark's Transformer, sqlglot's `transform`).

    Results are memoised by identity in `memo` (pass one dict to share it between calls,
    e.g. over one catalogue; it belongs to the caller and dies with it), so a shared
    sub-expression is transformed once and its result stays shared. The entry keeps the
    input alive, so its id cannot be reused while the memo exists.
    """
    memo = {} if memo is None else memo

    def go(n: Node) -> Node:
        entry = memo.get(id(n))
        if entry is not None:
            return entry[1]
        result = fn(map_children(n, go))
        memo[id(n)] = (n, result)
        return result

    return go(node)


def free_vars(node: Node) -> tuple[Var, ...]:
    """Comprehension variables a node depends on, outermost first (cached on the node)."""
    try:
        return node._free
    except AttributeError:
        pass
    if isinstance(node, ElemField):
        result: tuple[Var, ...] = (node.var,)
    else:
        found: set[Var] = set()
        for child in children(node):
            found.update(free_vars(child))
        if isinstance(node, Aggregate):
            found.discard(node.var)
        result = tuple(sorted(found, key=lambda v: v.depth))
    object.__setattr__(node, "_free", result)
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


@dataclass(frozen=True, slots=True)
class Property:
    """A statement about the rules checked against profiles (docs/properties.md).

    `assume` and `ensure` are ordinary expressions: a programme's answer is written out in
    its conditions (`eligible` is all of them and the validity on `as_of`), so every backend
    evaluates a property as it evaluates a condition. Over two profiles, the second
    profile's fields are `b:`-prefixed paths (`b:company.staff`, lists `b:project.costs`),
    definitions on its side inlined, so one record holding both profiles answers it."""

    qname: str  # block.property
    kind: str  # one | two | cross (one profile, several programmes)
    labels: dict[str, str] = field(hash=False, compare=False)
    sources: tuple[Source, ...]
    rationale: str | None
    programmes: tuple[str, ...]  # the programmes whose answers it reads
    differ: tuple[str, ...]  # over two profiles: the paths that may differ
    assume: Node | None
    ensure: Node
    file: str
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


SECOND = "b:"  # the prefix of the second profile's paths in a property over two profiles


T = TypeVar("T")
_MISSING = object()


class Derived:
    """What is computed from one catalogue and reused (a programme's cost categories, a
    programme compiled at a date): kept on the catalogue, so it dies with it instead of
    living in a module global keyed by `id()`. Bounded per kind; never pickled (a copy of
    the catalogue, in the disk cache or a worker process, starts empty)."""

    __slots__ = ("__weakref__", "_kinds")

    def __init__(self) -> None:
        self._kinds: dict[str, dict[Hashable, object]] = {}

    def get(self, kind: str, key: Hashable, build: Callable[[], T], kept: int = 64) -> T:
        """The value of `kind` for `key`, built on first use; a kind holding `kept` values
        starts over (a long-running process asks for ever new dates)."""
        memo = self._kinds.setdefault(kind, {})
        found = memo.get(key, _MISSING)
        if found is _MISSING:
            found = build()
            if len(memo) >= kept:
                memo.clear()
            memo[key] = found
        return cast(T, found)

    def __len__(self) -> int:
        return sum(len(memo) for memo in self._kinds.values())

    def __reduce__(self) -> tuple[type[Derived], tuple[()]]:
        return (Derived, ())


@dataclass(slots=True)
class Catalogue:
    """Everything the rule files define, checked and resolved; `derived` keeps what is
    computed from it (`Derived`)."""

    definitions: dict[str, Definition]
    params: dict[str, Param]
    programmes: dict[str, Programme]
    blocks: dict[str, dict[str, str]]  # block name -> labels (definitions blocks too)
    properties: dict[str, Property] = field(default_factory=dict)  # by qualified name
    derived: Derived = field(default_factory=Derived, init=False, compare=False, repr=False)


def params_used(
    node: Node, catalogue: Catalogue, memo: dict[str, frozenset[str]] | None = None
) -> set[str]:
    """Qualified names of the parameters an expression reaches, through definitions.

    `memo` keeps each definition's parameters; pass one dict to calls over the same
    catalogue so a definition used by many conditions is walked once.
    """
    memo = {} if memo is None else memo
    found: set[str] = set()
    for n in walk(node):
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
    return found


def _fast_setstate(cls: type) -> None:
    """Give a frozen slotted dataclass a quicker `__setstate__`: the generated one calls
    `dataclasses.fields()` for every object, which made loading the cached catalogue (a few
    thousand nodes) a noticeable part of a single `subsidia check`."""
    names = tuple(f.name for f in fields(cls))

    def __setstate__(self: object, state: list[object]) -> None:
        for name, value in zip(names, state, strict=True):
            object.__setattr__(self, name, value)

    # mypy, ignored below: set on the class once it exists: a decorator mypy cannot follow
    cls.__setstate__ = __setstate__  # type: ignore[attr-defined]


def _cache_hash(cls: type) -> None:
    """Compute the dataclass's own hash once per node and keep it in the `_hash` slot."""
    # mypy, ignored below: the dataclass's generated __hash__, typed by mypy as object's
    generated: Callable[[object], int] = cls.__hash__  # type: ignore[assignment]

    def __hash__(self: _Cached) -> int:
        try:
            return self._hash
        except AttributeError:
            value = generated(self)
            object.__setattr__(self, "_hash", value)
            return value

    # mypy, ignored below: the cached hash replaces the generated one on the class
    cls.__hash__ = __hash__  # type: ignore[method-assign,assignment]


for _cls in list(globals().values()):
    generated = getattr(_cls, "__dict__", {}).get("__setstate__")
    if (
        isinstance(_cls, type)
        and is_dataclass(_cls)
        and getattr(generated, "__name__", "") == "_dataclass_setstate"
    ):
        _fast_setstate(_cls)
for _cls in EXPRESSION_KINDS:
    _cache_hash(_cls)
