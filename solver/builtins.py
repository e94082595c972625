"""The built-in functions on plain Python values (dates, Fractions, strings), shared by
the backends that evaluate in Python (solver.direct, solver.csp) and by the grounder's
functions in solver.arith. No clingo here: the Python backends load without it."""

from __future__ import annotations

import calendar
import datetime as dt
from fractions import Fraction


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


def apply_builtin(name: str, values: list) -> object:
    """A built-in function on known values, for the backends that evaluate in Python
    (solver.direct, solver.csp); the ASP backend calls `solver.arith.Functions` instead.
    An unknown name is a ValueError."""
    if name == "min":
        return min(values)
    if name == "max":
        return max(values)
    if name == "months_between":
        return Fraction(months_between(values[0], values[1]))
    if name == "first_of_next_month":
        d = values[0]
        return add_months(dt.date(d.year, d.month, 1), 1)
    if name == "starts_with":
        return values[0].startswith(values[1])
    if name == "floor":
        return Fraction(values[0].__floor__())
    if name == "year":
        return Fraction(values[0].year)
    raise ValueError(f"built-in {name}() is not supported")
