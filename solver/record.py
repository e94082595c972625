"""The solver's view of one profile: typed values by field path, nothing about files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

# Quantities are exact rationals (percent as a fraction of one: 30 % is 3/10);
# symbols and texts are str; dates are datetime.date; flags are bool.
Value = Fraction | dt.date | str | bool

# What an evaluator computes for a node of the IR: a Value, a set of symbols, a list's
# element, or None for unknown. `Any` to Python's type checker on purpose: the rule
# language's checker (dsl/checker.py) has typed every node before it is evaluated, so the
# evaluators apply `+`, `<` or `in` to the operands as they come (money + money, never
# text + date) without checking their Python types again in their innermost loop.
Evaluated = Any


@dataclass(slots=True)
class InputRecord:
    """One company (and optional project) as typed values.

    `scalars` holds only the fields the profile gives; an absent key means "not known".
    `collections` maps a list path (`company.enterprises`) to its elements: a dict of the
    element's given fields, or a bare value for lists of scalars (`company.nace`).
    An absent key means the list is not known (no project given); an empty list means none.
    The profile layer maps an omitted company list (`aid`) to an empty one: omitting it
    states there was none.
    """

    scalars: dict[str, Value] = field(default_factory=dict)
    collections: dict[str, list[dict[str, Value]] | list[Value]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The related enterprises' aid is nested in `company.enterprises` in a profile and
        # flattened here: a record that gives the enterprises but not their aid has none.
        if ENTERPRISES in self.collections and ENTERPRISE_AID not in self.collections:
            self.collections[ENTERPRISE_AID] = []


ENTERPRISES = "company.enterprises"
ENTERPRISE_AID = "company.enterprises.aid"
