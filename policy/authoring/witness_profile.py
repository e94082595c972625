"""Witnesses as profiles: what `lint` and `diff` show is a file `subsidia check` loads.

A witness search picks each field a rule reads from its candidate values, one field at a
time: a cost line can get an amount and a gross salary whatever its category, and no
company id (no rule reads it). `profile_data` turns such a record into the profile format
(nested sections, percentages 0-100, ISO dates, a company id, an id for each partner and
related enterprise and a programme for each earlier aid where no rule read one, each cost
line with only the fields its category allows), and `loadable` validates it and
recomputes the record the way `subsidia check` does (costing included), so a caller keeps
a witness only when the profile itself shows what the finding says.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from dsl import ir
from dsl import vocabulary as vocab
from dsl.types import PERCENT
from policy import engine
from policy.errors import InputError
from solver.record import ENTERPRISE_AID, InputRecord, Value
from solver.search.candidates import FRESH

COMPANY_ID = "0000.000.000"  # any id: no rule reads it, and the profile format needs one
COSTS = "project.costs"
_AMOUNT_ONLY = ("amount", "recoverable_vat")
_SALARY_ONLY = ("gross_salary", "employer_contributions")


def profile_data(record: InputRecord) -> dict[str, object]:
    """The record in the profile format (as YAML or JSON would read it)."""
    data: dict[str, dict[str, object]] = {"company": {"id": COMPANY_ID}}
    for path in [p for p in vocab.SCALARS if p in record.scalars]:  # the profile's order
        section, _, name = path.partition(".")
        data.setdefault(section, {})[name] = _value(record.scalars[path], vocab.SCALARS[path])
    for coll in [c for c in vocab.COLLECTIONS if c in record.collections]:
        elements = record.collections[coll]
        if coll == ENTERPRISE_AID:
            continue  # nested in the enterprises in a profile; flattened in the record
        section, _, name = coll.partition(".")
        spec = vocab.COLLECTIONS[coll]
        items: list[object] = []
        ids = _Ids(element.get("id") for element in elements if isinstance(element, dict))
        for element in elements:
            if isinstance(element, dict):
                fields = {k: _value(element[k], t) for k, t in spec.fields.items() if k in element}
                if "id" in spec.fields and "id" not in fields:
                    fields = {"id": ids.new(name), **fields}
                if "programme" in spec.fields and "programme" not in fields:
                    fields = {"programme": FRESH, **fields}
                items.append(_cost_line(fields) if coll == COSTS else fields)
            else:
                items.append(_value(element, spec.scalar))
        data.setdefault(section, {})[name] = items
    return dict(data)


class _Ids:
    """Ids for the elements of one list that have none, unlike the ids it has."""

    def __init__(self, taken: object) -> None:
        self.taken = {str(t) for t in taken if t is not None}  # type: ignore[attr-defined]

    def new(self, list_name: str) -> str:
        stem = list_name.removesuffix("s")  # partners -> partner1, enterprises -> enterprise1
        n = 1
        while f"{stem}{n}" in self.taken:
            n += 1
        self.taken.add(f"{stem}{n}")
        return f"{stem}{n}"


def _cost_line(line: dict[str, object]) -> dict[str, object]:
    """Only the fields the line's category allows (policy/inputs/profile.py `CostLine`): a
    hire is costed from its salary, a personnel line from either, the others by amount."""
    category = str(line.pop("category", None) or "other")
    line = {"category": category, **line}
    if category == "hire" or (category == "personnel" and "gross_salary" in line):
        for name in _AMOUNT_ONLY:
            line.pop(name, None)
        line.setdefault("gross_salary", Decimal(0))
    else:
        for name in _SALARY_ONLY:
            line.pop(name, None)
        line.setdefault("amount", Decimal(0))
    if category != "equipment":
        line.pop("depreciation_months", None)
    return line


def _value(value: Value, type_: object) -> object:
    if isinstance(value, Fraction):
        return Decimal(engine.exact_decimal(value * 100 if type_ == PERCENT else value))
    if isinstance(value, dt.date):
        return _Day(value.isoformat())  # text, as the profile reader gives dates
    return value


class _Day(str):
    """A date as profile data holds it (text), written bare in YAML."""


def loadable(
    record: InputRecord, catalogue: ir.Catalogue, day: dt.date
) -> tuple[dict[str, object], InputRecord] | None:
    """The witness as profile data and the record `subsidia check` computes from it; None
    when the profile format cannot say what the witness assumes."""
    from policy.api import profile_record
    from policy.inputs.loading import parse_profile

    data = profile_data(record)
    try:
        profile = parse_profile(data)
        return data, profile_record(catalogue, profile, day)
    except InputError:
        return None


def profile_yaml(data: dict[str, object]) -> list[str]:
    """The profile as YAML lines, sections in profile order, numbers exact and bare."""
    import yaml

    class _Dumper(yaml.SafeDumper):
        pass

    def decimal(dumper: yaml.SafeDumper, number: Decimal) -> yaml.Node:
        text = format(number, "f")
        tag = "float" if "." in text else "int"
        return dumper.represent_scalar(f"tag:yaml.org,2002:{tag}", text)

    _Dumper.add_representer(Decimal, decimal)
    _Dumper.add_representer(
        _Day, lambda dumper, day: dumper.represent_scalar("tag:yaml.org,2002:timestamp", day)
    )
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
    return text.splitlines()
