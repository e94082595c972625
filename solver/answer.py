"""What a backend answers for each record: status, conditions, missing fields, amounts.

Kept free of clingo so the Python-evaluating backends load without it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from dsl.errors import InternalError
from solver.record import Evaluated


class CompilerBug(InternalError, RuntimeError):
    """clingo rejected or complained about a generated program: a bug in subsidia."""


@dataclass(slots=True)
class ProgrammeAnswer:
    status: str  # eligible | ineligible | unknown
    conditions: dict[str, str] = field(default_factory=dict)  # name -> yes | no | unknown
    missing: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    amount: Fraction | None = None
    # The amount before its limits (key "") and each limit's value, when known.
    parts: dict[str, Fraction] = field(default_factory=dict)


@dataclass(slots=True)
class Answer:
    programmes: dict[str, ProgrammeAnswer] = field(default_factory=dict)
    exports: dict[str, Evaluated] = field(default_factory=dict)
