"""Exact linear algebra for solver output: solve a sparse square system over `Fraction`s.

HiGHS computes in floating point. An optimal basis, however, is combinatorial: which
columns are basic and at which bound each non-basic column and row sits. Solving the basis
equations again with fractions gives the exact vertex (and the exact duals) that the float
solution approximates, so money never goes through a float.
"""

from __future__ import annotations

from fractions import Fraction

from dsl.errors import InternalError

Row = dict[int, Fraction]


class SingularSystem(InternalError, ValueError):
    """The equations have no unique solution (a degenerate or inconsistent basis)."""


def solve_square(equations: list[tuple[Row, Fraction]], unknowns: list[int]) -> dict[int, Fraction]:
    """The unique solution of `Σ coeff·x[col] = rhs` for each equation, over `unknowns`.

    Gauss-Jordan elimination on sparse rows; each new equation is reduced by the pivots
    found so far, gets its own pivot, and that pivot is then eliminated from the earlier
    rows (found through a column index, so untouched rows cost nothing).
    """
    wanted = set(unknowns)
    if len(equations) != len(wanted):
        raise SingularSystem(f"{len(equations)} equations for {len(wanted)} unknowns")
    pivot_rows: dict[int, tuple[Row, Fraction]] = {}  # pivot column -> (row, rhs)
    holders: dict[int, set[int]] = {}  # column -> pivot columns whose rows contain it
    for coeffs, rhs in equations:
        row = {c: v for c, v in coeffs.items() if v}
        if not set(row) <= wanted:
            raise SingularSystem("an equation uses a column that is not an unknown")
        for col in [c for c in row if c in pivot_rows]:
            factor = row.get(col)
            if not factor:
                continue
            prow, prhs = pivot_rows[col]
            for c, v in prow.items():
                value = row.get(c, Fraction(0)) - factor * v
                if value:
                    row[c] = value
                else:
                    row.pop(c, None)
            rhs -= factor * prhs
        free = [c for c in row if c not in pivot_rows]
        if not free:
            raise SingularSystem("dependent equations")
        # The sparsest column keeps fill-in small.
        pivot = min(free, key=lambda c: (len(holders.get(c, ())), c))
        scale = row[pivot]
        row = {c: v / scale for c, v in row.items()}
        rhs /= scale
        for other in list(holders.get(pivot, ())):
            orow, orhs = pivot_rows[other]
            factor = orow.pop(pivot)
            for c, v in row.items():
                if c == pivot:
                    continue
                value = orow.get(c, Fraction(0)) - factor * v
                if value:
                    if c not in orow:
                        holders.setdefault(c, set()).add(other)
                    orow[c] = value
                else:
                    if c in orow:
                        del orow[c]
                        holders[c].discard(other)
            pivot_rows[other] = (orow, orhs - factor * rhs)
        holders.pop(pivot, None)
        pivot_rows[pivot] = (row, rhs)
        for c in row:
            if c != pivot:
                holders.setdefault(c, set()).add(pivot)
    if set(pivot_rows) != wanted:
        raise SingularSystem("not every unknown is determined")
    return {col: rhs for col, (row, rhs) in pivot_rows.items()}
