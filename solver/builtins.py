"""The built-in functions on plain Python values, shared by the backends that evaluate in
Python (solver.native.direct, solver.native.csp) and by the grounder's functions in
solver.asp.arith. They are declared once, in dsl.builtins; this module re-exports them."""

from __future__ import annotations

from dsl.builtins import (
    BUILTINS,
    add_months,
    apply_builtin,
    first_of_next_month,
    months_between,
    starts_with_any,
)

__all__ = [
    "BUILTINS",
    "add_months",
    "apply_builtin",
    "first_of_next_month",
    "months_between",
    "starts_with_any",
]
