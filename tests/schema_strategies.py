"""Hypothesis strategies for profiles, derived from the profile JSON Schema.

`profiles()` walks policy/inputs/schema/profile.schema.json and builds a strategy from it: an
object becomes a dictionary with its required properties and any subset of the others
(no extra keys: the schema forbids them), `anyOf` a choice between its branches, `$ref`
the referenced definition, an enum one of its values, a date an ISO string, a number a
value within the schema's bounds (an int or an exact Decimal, as the loaders produce), a
patterned string a string matching the pattern. Nothing about the profile is written here:
a new field in the schema is generated without touching this file.

Values drawn uniformly from a schema's ranges would almost never land on a rule's edge (a
staff of exactly 10, a submission on the day a cooldown ends). So free values are biased
towards the constants of the rule catalogue — numbers (and percentages of them), dates,
symbols — and their neighbours, read from the checked IR, so the generator also follows
the rules as they change.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path

from hypothesis import strategies as st

from dsl import ir

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "policy/inputs/schema/profile.schema.json"
FIRST_DAY, LAST_DAY = dt.date(1990, 1, 1), dt.date(2035, 12, 31)
LARGEST = 10**9  # numbers beyond any threshold of the rules; keeps arithmetic small
MAX_ITEMS = (3, 2, 1)  # list lengths by nesting depth


class Hints:
    """Constants of the rule catalogue: where the rules' edges are."""

    def __init__(self, catalogue: ir.Catalogue | None = None) -> None:
        self.numbers: set[Fraction] = set()
        self.dates: set[dt.date] = set()
        self.strings: set[str] = set()
        if catalogue is not None:
            self._read(catalogue)

    def _read(self, catalogue: ir.Catalogue) -> None:
        nodes: list[ir.Node] = [d.expr for d in catalogue.definitions.values()]
        for prog in catalogue.programmes.values():
            nodes.extend(c.expr for c in prog.conditions)
            if prog.amount is not None:
                nodes.append(prog.amount.expr)
            self._period(prog.valid)
            for window in prog.calls:
                self._period(window.period)
        for param in catalogue.params.values():
            for version in param.versions:
                self._period(version.period)
                if isinstance(version.value, ir.Const):
                    self._value(version.value.value)
        seen: set[int] = set()  # definitions are shared by many expressions: read once
        for root in nodes:
            for node in ir.walk(root):
                if id(node) not in seen and isinstance(node, ir.Const):
                    self._value(node.value)
                seen.add(id(node))

    def _period(self, period: ir.Period) -> None:
        self.dates.update(d for d in (period.start, period.end) if d is not None)

    def _value(self, value: ir.ConstValue) -> None:
        if isinstance(value, bool):
            return
        if isinstance(value, Fraction):
            self.numbers.add(value)
            if 0 < value <= 1:  # a rate: profiles give percentages
                self.numbers.add(value * 100)
        elif isinstance(value, dt.date):
            self.dates.add(value)
        elif isinstance(value, str):
            self.strings.add(value)
        elif isinstance(value, frozenset):
            self.strings.update(value)


@cache
def load_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


def profiles(
    hints: Hints | None = None, schema: dict | None = None, complete: bool | None = None
) -> st.SearchStrategy[dict]:
    """Profiles as the loaders produce them (dicts, Decimals, ISO date strings).

    `complete=True` gives every property a non-null value (the profiles that can be
    decided, eligible ones among them), `False` leaves any optional property out or null,
    `None` (default) mixes both.
    """
    root = schema or load_schema()
    if complete is None:
        return st.one_of(profiles(hints, root, True), profiles(hints, root, False))
    return _Builder(root, hints or Hints(), complete).build(root, depth=0)


class _Builder:
    def __init__(self, root: dict, hints: Hints, complete: bool) -> None:
        self.root = root
        self.hints = hints
        self.complete = complete

    def build(self, node: dict, depth: int) -> st.SearchStrategy:
        if "$ref" in node:
            return self.build(self._ref(node["$ref"]), depth)
        if "anyOf" in node:
            branches = node["anyOf"]
            if self.complete:
                branches = [b for b in branches if b.get("type") != "null"] or branches
            return st.one_of(*(self.build(branch, depth) for branch in branches))
        if "enum" in node:
            return st.sampled_from(node["enum"])
        kind = node.get("type")
        if kind == "object":
            return self._object(node, depth)
        if kind == "array":
            items = self.build(node.get("items", {}), depth + 1)
            return st.lists(items, max_size=MAX_ITEMS[min(depth, len(MAX_ITEMS) - 1)])
        if kind == "string":
            return self._string(node)
        if kind in ("number", "integer"):
            return self._number(node, integral=kind == "integer")
        if kind == "boolean":
            return st.booleans()
        if kind == "null":
            return st.none()
        raise NotImplementedError(f"schema construct {sorted(node)} is not generated")

    def _ref(self, ref: str) -> dict:
        target: object = self.root
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]  # type: ignore[index]
        return target  # type: ignore[return-value]

    def _object(self, node: dict, depth: int) -> st.SearchStrategy[dict]:
        properties = node.get("properties", {})
        required = set(properties if self.complete else node.get("required", ()))
        return st.fixed_dictionaries(
            {k: self.build(v, depth) for k, v in properties.items() if k in required},
            optional={k: self.build(v, depth) for k, v in properties.items() if k not in required},
        )

    def _string(self, node: dict) -> st.SearchStrategy[str]:
        if node.get("format") == "date":
            near = sorted({d + dt.timedelta(days=k) for d in self.hints.dates for k in (-1, 0, 1)})
            near = [d for d in near if FIRST_DAY <= d <= LAST_DAY]
            days = st.dates(FIRST_DAY, LAST_DAY)
            if near:
                days = st.one_of(days, st.sampled_from(near))
            return days.map(dt.date.isoformat)
        pattern = node.get("pattern")
        if pattern is not None:
            return self._patterned(pattern)
        least = node.get("minLength", 0)
        free = st.text(min_size=least, max_size=12)
        known = sorted(s for s in self.hints.strings if len(s) >= least)
        return st.one_of(free, st.sampled_from(known)) if known else free

    def _patterned(self, pattern: str) -> st.SearchStrategy[str]:
        """Strings matching `pattern`: the hints that match it (numbers written out, codes)
        and strings generated from the pattern itself."""
        written = [_decimal_text(n) for n in self.hints.numbers]
        known = sorted(s for s in {*written, *self.hints.strings} if re.fullmatch(pattern, s))
        # A generated exponent such as 1e99999999 would be a valid but absurd number.
        # JSON Schema patterns are ECMA-262 regexes, where \d is an ASCII digit.
        ascii_text = st.characters(codec="ascii")
        free = st.from_regex(pattern, fullmatch=True, alphabet=ascii_text).filter(
            lambda s: len(s) <= 16 and not re.search(r"[eE][+-]?\d{3}", s)
        )
        return st.one_of(free, st.sampled_from(known)) if known else free

    def _number(self, node: dict, integral: bool) -> st.SearchStrategy[int | Decimal]:
        low = node.get("minimum", node.get("exclusiveMinimum", -LARGEST))
        high = node.get("maximum", node.get("exclusiveMaximum", LARGEST))

        def allowed(x: int | Decimal) -> bool:
            if "exclusiveMinimum" in node and not x > node["exclusiveMinimum"]:
                return False
            if "exclusiveMaximum" in node and not x < node["exclusiveMaximum"]:
                return False
            return low <= x <= high

        whole = st.integers(int(low), int(high))
        candidates = [whole]
        cent = Decimal("0.01")
        near = {
            v + d
            for n in self.hints.numbers
            if (v := _decimal(n)) is not None
            for d in (Decimal(0), cent, -cent, Decimal(1), Decimal(-1))
        }
        if integral:
            near = {v for v in near if v == v.to_integral_value()}
        else:
            candidates.append(st.decimals(low, high, places=2, allow_nan=False))
        picks = sorted(int(v) if integral else v for v in near if allowed(v))
        if picks:
            candidates.append(st.sampled_from(picks))
        return st.one_of(*candidates).filter(allowed)


def _decimal(value: Fraction) -> Decimal | None:
    """The Decimal equal to `value`, when it has a short decimal expansion."""
    d = Decimal(value.numerator) / Decimal(value.denominator)
    return d if Fraction(d) == value and abs(d.as_tuple().exponent) <= 6 else None  # type: ignore[arg-type]


def _decimal_text(value: Fraction) -> str:
    d = _decimal(value)
    return "" if d is None else format(d, "f")
