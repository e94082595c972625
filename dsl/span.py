"""Source positions, kept apart so the IR and diagnostics need not import the AST."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    file: str
    line: int
    column: int
    end_line: int
    end_column: int


NO_SPAN = Span("<none>", 0, 0, 0, 0)
