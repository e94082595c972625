"""The built-in functions of the rule language, each declared once: its name, how it is
typed, its implementation on plain Python values and the grounder function the ASP
program calls. The checker types calls from here; every backend looks a built-in up
here by name (docs/architecture.md, "One registry"). No clingo: the ASP side is the
name of a method of `solver.asp.arith.Functions`, and a test checks that each exists.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from dsl.types import BOOL, DATE, MONTHS, NUMBER, NUMERIC, SYMBOL_SET, TEXT, Type


def add_months(d: dt.date, months: int) -> dt.date:
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(d.day, last))


def months_between(a: dt.date, b: dt.date) -> int:
    """Whole months from a to b (negative when b is earlier): 2024-01-31 → 2024-02-29 is 0."""
    if b < a:
        return -months_between(b, a)
    months = (b.year - a.year) * 12 + (b.month - a.month)
    if add_months(a, months) > b:
        months -= 1
    return months


def first_of_next_month(d: dt.date) -> dt.date:
    return add_months(dt.date(d.year, d.month, 1), 1)


def starts_with_any(text: str, prefixes: frozenset) -> bool:
    """True when `text` starts with one of `prefixes` (an empty set: never)."""
    return any(text.startswith(p) for p in prefixes)


@dataclass(frozen=True, slots=True)
class BuiltinFunction:
    name: str
    usage: str  # shown when a call does not type
    # The result type for these argument types; None when the call is not defined.
    result: Callable[[list[Type]], Type | None]
    # On known values (Fractions, dates, strings), for the backends that evaluate in
    # Python (solver.native.direct, solver.native.csp, solver.search).
    apply: Callable[[list], object]
    asp: str  # the grounder function (`@name`) in solver.asp.arith.Functions


def _same_type(types: list[Type]) -> Type | None:
    if len(types) >= 2 and len(set(types)) == 1 and types[0] in (*NUMERIC, DATE):
        return types[0]
    return None


def _exactly(wanted: list[Type], result: Type) -> Callable[[list[Type]], Type | None]:
    return lambda types: result if types == wanted else None


BUILTINS: dict[str, BuiltinFunction] = {
    f.name: f
    for f in (
        BuiltinFunction("min", "min(a, b, ...) with arguments of one type", _same_type, min, "min"),
        BuiltinFunction("max", "max(a, b, ...) with arguments of one type", _same_type, max, "max"),
        BuiltinFunction(
            "months_between",
            "months_between(date, date) -> months",
            _exactly([DATE, DATE], MONTHS),
            lambda v: Fraction(months_between(v[0], v[1])),
            "months_between",
        ),
        BuiltinFunction(
            "first_of_next_month",
            "first_of_next_month(date) -> date",
            _exactly([DATE], DATE),
            lambda v: first_of_next_month(v[0]),
            "first_of_next_month",
        ),
        BuiltinFunction(
            "starts_with",
            'starts_with(text, "prefix") -> bool',
            _exactly([TEXT, TEXT], BOOL),
            lambda v: v[0].startswith(v[1]),
            "starts_with",
        ),
        # Compiled to a prefix membership (`ir.Member(prefix=True)`), not to a call: every
        # backend handles it where it handles `in` (docs/language.md, Built-in functions).
        BuiltinFunction(
            "starts_with_any",
            'starts_with_any(text, {"prefix", ...}) -> bool',
            _exactly([TEXT, SYMBOL_SET], BOOL),
            lambda v: starts_with_any(v[0], v[1]),
            "starts_with",
        ),
        BuiltinFunction(
            "floor",
            "floor(quantity)",
            lambda types: types[0] if len(types) == 1 and types[0] in NUMERIC else None,
            lambda v: Fraction(v[0].__floor__()),
            "floor",
        ),
        BuiltinFunction(
            "year",
            "year(date) -> number",
            _exactly([DATE], NUMBER),
            lambda v: Fraction(v[0].year),
            "year",
        ),
    )
}


def apply_builtin(name: str, values: list) -> object:
    """A built-in function on known values. An unknown name is a ValueError."""
    function = BUILTINS.get(name)
    if function is None:
        raise ValueError(f"built-in {name}() is not supported")
    return function.apply(values)
