"""Exact arithmetic for the grounder: the `@name(...)` functions compiled programs call.

clingo integers are 32-bit, too small for turnovers in cents, so every quantity travels
through the ASP program as a string holding an exact rational ("1596/1000" or "-5").
Dates travel as clingo numbers (proleptic ordinals), which fit and compare natively.
Every function here is total over well-typed input; an undefined result (division by
zero) returns no symbol, so the node stays unknown rather than wrong.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from clingo import Number, String, Symbol, SymbolType

from solver.builtins import add_months, months_between

NONE = "none"  # fold seed for maximum/minimum of possibly empty lists

_cache: dict[str, Fraction] = {}


def q(sym: Symbol) -> Fraction:
    """The rational a string symbol holds (memoised: the same values recur a lot)."""
    text = sym.string
    value = _cache.get(text)
    if value is None:
        value = Fraction(text)
        if len(_cache) < 200_000:
            _cache[text] = value
    return value


def encode(value: Fraction) -> str:
    return str(value)


def qsym(value: Fraction) -> Symbol:
    return String(str(value))


def day(sym: Symbol) -> dt.date:
    return dt.date.fromordinal(sym.number)


class Functions:
    """The context object handed to `Control.ground`."""

    def add(self, a: Symbol, b: Symbol) -> Symbol:
        return qsym(q(a) + q(b))

    def sub(self, a: Symbol, b: Symbol) -> Symbol:
        return qsym(q(a) - q(b))

    def mul(self, a: Symbol, b: Symbol) -> Symbol:
        return qsym(q(a) * q(b))

    def div(self, a: Symbol, b: Symbol) -> list[Symbol]:
        divisor = q(b)
        return [] if divisor == 0 else [qsym(q(a) / divisor)]

    def neg(self, a: Symbol) -> Symbol:
        return qsym(-q(a))

    def floor(self, a: Symbol) -> Symbol:
        return qsym(Fraction(q(a).__floor__()))

    def cmp(self, a: Symbol, b: Symbol) -> Symbol:
        x, y = q(a), q(b)
        return Number((x > y) - (x < y))

    def min(self, *args: Symbol) -> Symbol:
        return _pick(args, min)

    def max(self, *args: Symbol) -> Symbol:
        return _pick(args, max)

    def max2(self, a: Symbol, b: Symbol) -> Symbol:
        return _fold(a, b, max)

    def min2(self, a: Symbol, b: Symbol) -> Symbol:
        return _fold(a, b, min)

    def months_between(self, a: Symbol, b: Symbol) -> Symbol:
        return qsym(Fraction(months_between(day(a), day(b))))

    def first_of_next_month(self, a: Symbol) -> Symbol:
        d = day(a)
        return Number(add_months(dt.date(d.year, d.month, 1), 1).toordinal())

    def add_months(self, a: Symbol, m: Symbol) -> Symbol:
        return Number(add_months(day(a), int(q(m).__floor__())).toordinal())

    def sub_months(self, a: Symbol, m: Symbol) -> Symbol:
        return Number(add_months(day(a), -int(q(m).__floor__())).toordinal())

    def year(self, a: Symbol) -> Symbol:
        return qsym(Fraction(day(a).year))

    def starts_with(self, a: Symbol, b: Symbol) -> Symbol:
        return Number(int(a.string.startswith(b.string)))


def _pick(args: tuple[Symbol, ...], choose) -> Symbol:
    if args[0].type == SymbolType.Number:  # dates
        return Number(choose(a.number for a in args))
    return qsym(choose(q(a) for a in args))


def _fold(acc: Symbol, item: Symbol, choose) -> Symbol:
    if acc.type == SymbolType.String and acc.string == NONE:
        return item
    if item.type == SymbolType.String and item.string == NONE:
        return acc
    return _pick((acc, item), choose)
