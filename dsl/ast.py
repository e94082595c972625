"""Syntax tree of rule files: structure only, positions kept out of equality."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

from dsl.span import NO_SPAN, Span


def _span() -> Span:
    return field(default=NO_SPAN, compare=False, repr=False)


# ---- expressions


@dataclass(frozen=True, slots=True)
class Literal:
    kind: str  # number | money | percent | months | date | symbol | text | bool
    value: Fraction | dt.date | str | bool
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class UnknownValue:
    """`unknown "note"`: a parameter value the sources do not give."""

    note: str | None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Path:
    parts: tuple[str, ...]
    span: Span = _span()

    @property
    def dotted(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "-" | "not"
    operand: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Binary:
    op: str  # + - * / ?? and or, comparisons
    left: Expr
    right: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class SetLiteral:
    values: tuple[Literal, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class InSet:
    operand: Expr
    values: Expr
    negated: bool
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class If:
    condition: Expr
    then: Expr
    otherwise: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Expr, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Aggregate:
    kind: str  # sum | count | any | all | maximum | minimum
    body: Expr
    var: str
    collection: Path
    where: Expr | None
    span: Span = _span()


Expr = Literal | SetLiteral | Path | Unary | Binary | InSet | If | Call | Aggregate


# ---- declarations


@dataclass(frozen=True, slots=True)
class Period:
    start: dt.date | None
    end: dt.date | None  # inclusive
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class SourceRef:
    name: str
    locator: str | None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Labels:
    texts: tuple[tuple[str, str], ...]  # (lang, text)
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class SourceDecl:
    name: str
    fields: tuple[tuple[str, str | dt.date], ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Meta:
    key: str
    values: tuple[str, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Valid:
    period: Period
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Changeable:
    paths: tuple[Path, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class CallWindow:
    period: Period
    note: str | None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Version:
    period: Period
    value: Expr | UnknownValue
    source: SourceRef | None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type_name: str
    labels: tuple[Labels, ...]
    sources: tuple[SourceRef, ...]
    versions: tuple[Version, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Let:
    name: str
    type_name: str
    labels: tuple[Labels, ...]
    sources: tuple[SourceRef, ...]
    value: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class FnParam:
    name: str
    type_name: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Fn:
    name: str
    params: tuple[FnParam, ...]
    type_name: str
    body: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Condition:
    name: str
    labels: tuple[Labels, ...]
    sources: tuple[SourceRef, ...]
    require: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Amount:
    labels: tuple[Labels, ...]
    sources: tuple[SourceRef, ...]
    value: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Limit:
    """A named ceiling on the programme's amount (`limit de_minimis { = ... }`)."""

    name: str
    labels: tuple[Labels, ...]
    sources: tuple[SourceRef, ...]
    value: Expr
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Property:
    """`property NAME { ... ensure EXPR }`: a statement the rules must make true for every
    profile (or pair of profiles), checked by `subsidia test` (docs/properties.md)."""

    name: str
    labels: tuple[Labels, ...]
    sources: tuple[SourceRef, ...]
    rationale: str | None
    profiles: tuple[str, ...]  # () over one profile; (a, b) over two
    differ: tuple[Path, ...]  # with two profiles: what may differ between them
    assume: Expr | None
    ensure: Expr
    span: Span = _span()
    # Where the `rationale`, `profiles` and `differ` lines are (for the formatter's comments).
    rationale_span: Span = _span()
    profiles_span: Span = _span()
    differ_span: Span = _span()
    every: Every | None = None  # `for every programme with …`: once per programme


@dataclass(frozen=True, slots=True)
class Every:
    """`for every programme [with KEY VALUE, … [and KEY …]] [except PROGRAMME, …]`: a
    property stated once for each programme whose metadata has one of the values for every
    key given, but the programmes named after `except`."""

    filters: tuple[Meta, ...]
    span: Span = _span()
    excluded: Excluded | None = None


@dataclass(frozen=True, slots=True)
class Excluded:
    """`except PROGRAMME, …` in `for every programme`: the programmes left out, each with
    where its name is written."""

    names: tuple[str, ...]
    spans: tuple[Span, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Rationale:
    text: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Profiles:
    names: tuple[str, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Differ:
    paths: tuple[Path, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Assume:
    expr: Expr
    span: Span = _span()


Item = (
    Labels
    | SourceDecl
    | Meta
    | Valid
    | Changeable
    | CallWindow
    | Param
    | Let
    | Fn
    | Condition
    | Amount
    | Limit
    | Property
)


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # definitions | programme | properties
    name: str
    items: tuple[Item, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class RuleFile:
    path: str
    blocks: tuple[Block, ...]
