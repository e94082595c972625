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

from clingo import Function, Number, String, Symbol, SymbolType

from solver.builtins import add_months, months_between

NONE = "none"  # fold seed for maximum/minimum of possibly empty lists


# `cmp`'s three answers, -1, 0 and 1, as clingo numbers.
_SIGNS = (Number(-1), Number(0), Number(1))
# The largest clingo number (32-bit): the whole part of every value too large to rank.
KEY_LIMIT = 2**31 - 1
# Binary places of the fractional part a sort key keeps.
KEY_PLACES = 29


def sort_key(value: Fraction) -> tuple[int, int]:
    """Two clingo numbers whose pair orders values as they are ordered (clingo compares
    tuples lexicographically), so the grounder compares them natively: the whole part,
    and the fractional part to 2^-29, doubled, plus one when that is not exact. Equal keys
    with an even second number are equal values; equal odd ones (two values within one
    2^-29 interval, or beyond ±(2^31 - 1), where the key is clamped) need `cmp`. The key
    never decreases as the value grows, so different keys order their values."""
    whole = value.numerator // value.denominator
    if abs(whole) >= KEY_LIMIT:
        return (KEY_LIMIT if whole > 0 else -KEY_LIMIT, 1)
    scaled = (value - whole) * 2**KEY_PLACES
    part = scaled.numerator // scaled.denominator
    return whole, 2 * part + (scaled.denominator != 1)


def q(sym: Symbol) -> Fraction:
    """The rational a string symbol holds."""
    return Fraction(sym.string)


def encode(value: Fraction) -> str:
    return str(value)


def qsym(value: Fraction) -> Symbol:
    return String(str(value))


def day(sym: Symbol) -> dt.date:
    return dt.date.fromordinal(sym.number)


class Functions:
    """The context object handed to `Control.ground`.

    Each built-in of dsl.builtins names its method here (`BuiltinFunction.asp`). The
    rationals parsed are memoised per instance (the same values recur a lot within one
    grounding: a property's search over candidate values computes tens of thousands), so
    the memo dies with the grounding rather than living in the module.

    The memo is keyed by the symbol's handle (`Symbol._rep`), not its text: clingo
    interns every symbol for the life of the process, so equal symbols have one handle, and
    reading the handle costs a fortieth of reading the text back from clingo (which was
    the largest single cost of grounding a property's search).
    """

    def __init__(self) -> None:
        self._cache: dict[int, Fraction] = {}

    def q(self, sym: Symbol) -> Fraction:
        key = sym._rep
        value = self._cache.get(key)
        if value is None:
            value = self._cache[key] = Fraction(sym.string)
        return value

    def add(self, a: Symbol, b: Symbol) -> Symbol:
        return qsym(self.q(a) + self.q(b))

    def sub(self, a: Symbol, b: Symbol) -> Symbol:
        return qsym(self.q(a) - self.q(b))

    def mul(self, a: Symbol, b: Symbol) -> Symbol:
        return qsym(self.q(a) * self.q(b))

    def div(self, a: Symbol, b: Symbol) -> list[Symbol]:
        divisor = self.q(b)
        return [] if divisor == 0 else [qsym(self.q(a) / divisor)]

    def neg(self, a: Symbol) -> Symbol:
        return qsym(-self.q(a))

    def floor(self, a: Symbol) -> Symbol:
        return qsym(Fraction(self.q(a).__floor__()))

    def key(self, a: Symbol) -> Symbol:
        return Function("", [Number(n) for n in sort_key(self.q(a))])

    def cmp(self, a: Symbol, b: Symbol) -> Symbol:
        # Only for two different values whose sort keys are equal (see `sort_key`): none
        # in a cold `subsidia test`. Cross-multiplied integers, not Fraction comparisons.
        x, y = self.q(a), self.q(b)
        left, right = x.numerator * y.denominator, y.numerator * x.denominator
        return _SIGNS[(left > right) - (left < right) + 1]

    def min(self, *args: Symbol) -> Symbol:
        return _pick(args, min, self.q)

    def max(self, *args: Symbol) -> Symbol:
        return _pick(args, max, self.q)

    def max2(self, a: Symbol, b: Symbol) -> Symbol:
        return _fold(a, b, max, self.q)

    def min2(self, a: Symbol, b: Symbol) -> Symbol:
        return _fold(a, b, min, self.q)

    def months_between(self, a: Symbol, b: Symbol) -> Symbol:
        return qsym(Fraction(months_between(day(a), day(b))))

    def first_of_next_month(self, a: Symbol) -> Symbol:
        d = day(a)
        return Number(add_months(dt.date(d.year, d.month, 1), 1).toordinal())

    def add_months(self, a: Symbol, m: Symbol) -> Symbol:
        return Number(add_months(day(a), int(self.q(m).__floor__())).toordinal())

    def sub_months(self, a: Symbol, m: Symbol) -> Symbol:
        return Number(add_months(day(a), -int(self.q(m).__floor__())).toordinal())

    def year(self, a: Symbol) -> Symbol:
        return qsym(Fraction(day(a).year))

    def starts_with(self, a: Symbol, b: Symbol) -> Symbol:
        return Number(int(a.string.startswith(b.string)))


def _pick(args: tuple[Symbol, ...], choose, q=q) -> Symbol:
    if args[0].type == SymbolType.Number:  # dates
        return Number(choose(a.number for a in args))
    return qsym(choose(q(a) for a in args))


def _fold(acc: Symbol, item: Symbol, choose, q=q) -> Symbol:
    if acc.type == SymbolType.String and acc.string == NONE:
        return item
    if item.type == SymbolType.String and item.string == NONE:
        return acc
    return _pick((acc, item), choose, q)
