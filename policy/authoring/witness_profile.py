"""`diff`'s examples as profile files: a witness made into a profile, recomputed the way
`subsidia check` computes it, and written out as YAML.

The profile itself comes from policy/authoring/profiles.py (`profile_of`, the one converter
lint, the properties and diff share: a company id, ids on partners and enterprises, each
cost line with only the fields its category allows, ...). `loadable` adds what diff needs
on top: the record `subsidia check` computes from that profile (costing included), so a
caller keeps a witness only when the profile itself shows the change.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

from dsl import ir
from dsl import vocabulary as vocab
from dsl.types import DATE, NUMERIC
from policy.authoring.profiles import loadable as loadable_profile
from policy.authoring.profiles import profile_of
from policy.errors import InputError
from solver.record import ENTERPRISE_AID, InputRecord


def loadable(
    record: InputRecord, catalogue: ir.Catalogue, day: dt.date
) -> tuple[dict[str, Any], InputRecord] | None:
    """The witness as profile data and the record `subsidia check` computes from it; None
    when the profile format cannot say what the witness assumes."""
    from policy.api import profile_record
    from policy.inputs.loading import parse_profile

    data = loadable_profile(profile_of(record, day))
    if data is None:
        return None
    try:
        return data, profile_record(catalogue, parse_profile(copy.deepcopy(data)), day)
    except InputError:
        return None


def profile_yaml(data: dict[str, Any]) -> list[str]:
    """The profile as YAML lines: sections and fields in the profile format's order,
    numbers exact and bare, dates bare."""
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
    text = yaml.dump(_typed(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True)
    return text.splitlines()


class _Day(str):
    """A date as profile data holds it (text), written bare in YAML."""


def _typed(data: dict[str, Any]) -> dict[str, Any]:
    """The profile with its numbers as Decimals and its dates as `_Day`s (profile data
    writes numbers as ints or decimal text, dates as text, like a NACE code's text: only
    the field's type tells them apart), each mapping in the format's field order."""
    out: dict[str, Any] = {}
    for section in ("company", "project"):
        if section not in data:
            continue
        fields: dict[str, Any] = {}
        values = data[section]
        for path, kind in vocab.SCALARS.items():
            head, _, name = path.partition(".")
            if head == section and name in values:
                fields[name] = _leaf(values[name], kind)
        for coll, spec in vocab.COLLECTIONS.items():
            head, _, name = coll.partition(".")
            if head != section or name not in values or coll == ENTERPRISE_AID:
                continue
            if spec.scalar is not None:
                fields[name] = [_leaf(v, spec.scalar) for v in values[name]]
            else:
                fields[name] = [_element(row, coll) for row in values[name]]
        fields.update((k, v) for k, v in values.items() if k not in fields)
        out[section] = fields
    out.update((k, v) for k, v in data.items() if k not in out)
    return out


def _element(row: dict[str, Any], coll: str) -> dict[str, Any]:
    spec = vocab.COLLECTIONS[coll].fields
    element = {name: _leaf(row[name], kind) for name, kind in spec.items() if name in row}
    if "aid" in row and coll == "company.enterprises":  # its own aid, nested
        element["aid"] = [_element(a, "company.aid") for a in row["aid"]]
    element.update((k, v) for k, v in row.items() if k not in element)
    return element


def _leaf(value: Any, kind: object) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if kind in NUMERIC and isinstance(value, int | str):
        return Decimal(str(value))
    if kind == DATE and isinstance(value, str):
        return _Day(value)
    return value
