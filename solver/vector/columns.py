"""Records as columns: profile values turned into polars columns, exactly.

Quantities become scaled integers (`Int128` numerators over one denominator per column,
the least common multiple of the column's denominators), dates `Date`, symbols and texts
`String`, flags `Boolean`; an absent field is null. A value whose denominator would make
the column's scale too large is left null and its row is handed to the direct backend
(`Loaded.fallback_rows`): exactness is never traded for a vectorised answer.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

from dsl.types import BOOL, DATE, NUMERIC, Type

if TYPE_CHECKING:
    import polars as pl

# Largest denominator a column may take: past it the values are not a money/percent
# figure any profile gives, and the scaled numerators would leave too little headroom.
MAX_SCALE = 10**12
# Every stored numerator stays within ±LIMIT, so a product of two of them fits Int128
# (2^62 · 2^62 < 2^127); a result beyond LIMIT sends its row to the direct backend.
LIMIT = 2**62


@dataclass(slots=True)
class Loaded:
    """A column built from Python values: the series, its scale, the rows it gave up on."""

    series: pl.Series
    den: int = 1
    fallback_rows: set[int] = field(default_factory=set)


def dtype_of(kind: Type) -> pl.DataType:
    import polars as pl

    if kind in NUMERIC:
        return pl.Int128()
    if kind == DATE:
        return pl.Date()
    if kind == BOOL:
        return pl.Boolean()
    return pl.String()


def load(values: Sequence[object], rows: Sequence[int], kind: Type, name: str) -> Loaded:
    """`values` (None: absent) of rows `rows` as one column of type `kind`."""
    import polars as pl

    if kind not in NUMERIC:
        return Loaded(pl.Series(name, list(values), dtype=dtype_of(kind)))
    # Integers only below: building Fractions per value was most of the loading time.
    den = 1
    for d in sorted({v.denominator for v in values if v is not None}):  # type: ignore[attr-defined]
        wider = math.lcm(den, d)
        if wider > MAX_SCALE:
            break
        den = wider
    numerators: list[int | None] = []
    fallback: set[int] = set()
    for value, row in zip(values, rows, strict=True):
        if value is None:
            numerators.append(None)
            continue
        assert isinstance(value, (Fraction, int))
        times, rest = divmod(den, value.denominator)
        numerator = value.numerator * times
        if rest or abs(numerator) > LIMIT:
            numerators.append(None)
            fallback.add(row)
        else:
            numerators.append(numerator)
    return Loaded(pl.Series(name, numerators, dtype=pl.Int128()), den, fallback)


def python_value(value: object, kind: Type, den: int) -> object:
    """A column's cell as the direct backend's value (numbers as exact Fractions)."""
    if value is None:
        return None
    if kind in NUMERIC:
        return Fraction(value, den)  # type: ignore[call-overload]
    if kind == DATE:
        assert isinstance(value, dt.date)
    return value
