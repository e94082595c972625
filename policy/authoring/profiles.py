"""From the solver's view of a profile back to a profile file: a record (typed values by
field path, as the rules read them) becomes a mapping in the profile format
(docs/profile.md) that `subsidia check` loads.

A witness of the solver names only the fields the rules read; a profile needs more (a
company id, a category and an amount on every cost line, an id and direction on every
enterprise). `profile_of` fills in what the format requires with neutral values, and the
caller verifies that the loaded profile still shows what the witness showed: a filled-in
value never silently changes an answer that is reported.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

from dsl import vocabulary as vocab
from dsl.types import PERCENT
from solver.record import ENTERPRISE_AID, InputRecord, Value

COMPANY_ID = "0000.000.000"  # an id that names no real company
SALARY = Fraction(40_000)  # a hire line's gross salary when a witness does not give one
# Fields the format takes only as whole numbers.
WHOLE = frozenset({"company.accounts.year", "company.enterprises.inhabitants"})


def figure(value: Fraction, percent: bool = False) -> int | str:
    """A profile number: an int when whole, else an exact decimal text (profile numbers may
    be numeric strings); a fraction without a finite decimal is rounded up to 1/10^6."""
    if percent:
        value *= 100
    if value.denominator == 1:
        return value.numerator
    shown = Decimal(value.numerator) / Decimal(value.denominator)
    if Fraction(shown) != value:
        scaled = value * 10**6
        shown = Decimal(-((-scaled.numerator) // scaled.denominator)) / Decimal(10**6)
    return format(shown.normalize(), "f")


def _plain(value: Value, kind: Any, key: str) -> Any:
    if isinstance(value, bool) or isinstance(value, str):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if key in WHOLE:
        return int(value)
    return figure(value, kind == PERCENT)


def profile_of(record: InputRecord, as_of: dt.date) -> dict[str, Any]:
    """A complete, loadable profile with the record's values (see the module docstring)."""
    company: dict[str, Any] = {"id": COMPANY_ID}
    project: dict[str, Any] | None = None
    for path, value in sorted(record.scalars.items()):
        if path not in vocab.SCALARS:
            continue
        section, name = path.split(".")
        shown = _plain(value, vocab.SCALARS[path], path)
        if section == "company":
            company[name] = shown
        else:
            project = project if project is not None else {}
            project[name] = shown
    lists: dict[str, list[Any]] = {}
    for coll, elements in record.collections.items():
        spec = vocab.COLLECTIONS.get(coll)
        if spec is None or coll == ENTERPRISE_AID:
            continue
        rows: list[Any] = []
        for element in elements:
            if spec.scalar is not None:
                # mypy, ignored below: a list of scalars (spec.scalar) holds values, not mappings
                rows.append(_plain(element, spec.scalar, coll))  # type: ignore[arg-type]
            else:
                rows.append(
                    {
                        name: _plain(v, spec.fields[name], f"{coll}.{name}")
                        # mypy, ignored below: a list of elements holds mappings
                        for name, v in element.items()  # type: ignore[union-attr]
                        if name in spec.fields
                    }
                )
        lists[coll] = rows
    company["nace"] = [n for n in lists.get("company.nace", []) if _nace_like(n)]
    company["accounts"] = _accounts(lists.get("company.accounts", []), as_of)
    company["aid"] = [_aid(a, as_of) for a in lists.get("company.aid", [])]
    company["enterprises"] = _enterprises(
        lists.get("company.enterprises", []), record.collections.get(ENTERPRISE_AID, []), as_of
    )
    for key in ("nace", "accounts", "aid", "enterprises"):
        if not company[key]:
            del company[key]
    if "project.costs" in lists or "project.partners" in lists:
        project = project if project is not None else {}
    if project is not None:
        costs = [_cost(c) for c in lists.get("project.costs", [])]
        partners = _partners(lists.get("project.partners", []))
        if costs:
            project["costs"] = costs
        if partners:
            project["partners"] = partners
    profile: dict[str, Any] = {"company": company}
    if project is not None:
        profile["project"] = project
    return profile


def loadable(profile: dict[str, Any], tries: int = 30) -> dict[str, Any] | None:
    """The profile with each field the loader refuses left out (a witness's zero months of
    employment, a share above 100 %), until it loads; None when a required field is at
    fault. Leaving a field out makes it unknown: the caller verifies the answer again."""
    import copy
    import re

    from policy.errors import InputError
    from policy.inputs.loading import parse_profile

    profile = copy.deepcopy(profile)
    for _ in range(tries):
        try:
            parse_profile(copy.deepcopy(profile))
            return profile
        except InputError as err:
            steps = [int(x) if x.isdigit() else x for x in re.findall(r"[^.\[\]]+", err.path)]
            if len(steps) < 2:
                return None
            parent: Any = profile
            try:
                for step in steps[:-1]:
                    parent = parent[step]
                if steps[-1] in ("id", "category", "year", "share", "direction") or not isinstance(
                    parent, dict
                ):
                    return None
                del parent[steps[-1]]
            except (KeyError, IndexError, TypeError):
                return None
    return None


def _nace_like(value: Any) -> bool:
    digits = str(value).replace(".", "").replace(" ", "")
    return digits.isdigit() and 1 <= len(digits) <= 5


def _accounts(rows: list[dict[str, Any]], as_of: dt.date) -> list[dict[str, Any]]:
    seen: set[int] = set()
    out = []
    for i, row in enumerate(rows):
        year = row.get("year", as_of.year - 1 - i)
        while year in seen:  # years are unique in a profile
            year -= 1
        seen.add(year)
        out.append({**row, "year": year})
    return out


def _aid(row: dict[str, Any], as_of: dt.date) -> dict[str, Any]:
    return {
        "programme": row.get("programme", "other"),
        "granted": row.get("granted", as_of.isoformat()),
        "amount": row.get("amount", 0),
        "regime": row.get("regime", "other"),
    }


def _enterprises(
    rows: list[dict[str, Any]], aid: list[Any], as_of: dt.date
) -> list[dict[str, Any]]:
    out = []
    for i, row in enumerate(rows):
        out.append({"direction": "holds", "share": 0, **row, "id": f"{row.get('id', 'e')}-{i + 1}"})
    # The related enterprises' aid sits under the enterprise it names (the first one when
    # the witness names none of them); ids were made unique above, so match on the prefix.
    for entry in aid:
        if not out or not isinstance(entry, dict):
            break
        given = {
            k: _plain(v, vocab.COLLECTIONS[ENTERPRISE_AID].fields[k], "")
            for k, v in entry.items()
            if k != "enterprise"
        }
        owner = next(
            (e for e in out if e["id"].rsplit("-", 1)[0] == entry.get("enterprise")), out[0]
        )
        owner.setdefault("aid", []).append(_aid(given, as_of))
    return out


def _cost(row: dict[str, Any]) -> dict[str, Any]:
    line = {"category": "other", **row}
    category = line["category"]
    if category != "equipment":
        line.pop("depreciation_months", None)
    if category == "hire":
        line.setdefault("gross_salary", line.get("amount", figure(SALARY)))
        line.pop("amount", None)
        line.pop("recoverable_vat", None)
    elif category == "personnel":
        if "gross_salary" in line and "amount" in line:
            line.pop("gross_salary")
        elif "gross_salary" not in line:
            line.setdefault("amount", 0)
    elif category != "personnel":
        line.setdefault("amount", 0)
        line.pop("gross_salary", None)
    if "gross_salary" not in line:
        line.pop("employer_contributions", None)
    if "recoverable_vat" in line:
        if "amount" not in line or Fraction(line["recoverable_vat"]) > Fraction(line["amount"]):
            line.pop("recoverable_vat")
    return line


def _partners(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**row, "id": f"{row.get('id', 'p')}-{i + 1}"} for i, row in enumerate(rows)]
