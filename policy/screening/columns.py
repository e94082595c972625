"""A table row as a profile: columns named by field paths, cells as text.

A screening table has one row per company and one column per profile field, named by its
dotted path (`company.staff`, `project.theme`). How a cell is read follows the field's
kind in the profile model (policy/inputs/profile.py), so the table format cannot drift
from the profile format:

- a scalar field: the cell's text, validated as in a profile file (numbers are read
  from the text as exact decimals; `true`/`false` for flags; dates `YYYY-MM-DD`);
- a list of scalars (`company.nace`): `;`-separated values;
- a list of records (`company.enterprises`, `project.costs`, ...): a JSON list in the
  cell, numbers read as exact decimals.

An empty cell is a field not given. A row with any `project.*` cell filled has a project.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from dsl.errors import N_
from policy.errors import InputError
from policy.inputs.model import ListOf, Nested, Scalar, fields_of
from policy.inputs.profile import Flag, Profile

__all__ = [
    "Columns",
    "cell_text",
    "read_mapping",
    "record_data",
    "record_kinds",
    "row_profile_data",
    "table_columns",
]

# How a column is read: one value, a `;`-separated list, or a JSON list of records.
SCALAR, SCALAR_LIST, RECORD_LIST, FLAG = "scalar", "scalar list", "record list", "flag"


def _how(kind: object) -> str:
    if isinstance(kind, ListOf):
        return SCALAR_LIST if isinstance(kind.item, Scalar) else RECORD_LIST
    return FLAG if kind is Flag else SCALAR


def _field_kinds() -> dict[str, str]:
    """Every field path a table column may name, with how its cells are read."""
    kinds: dict[str, str] = {}
    for section, section_field in fields_of(Profile).items():
        assert isinstance(section_field.kind, Nested)
        for name, field in fields_of(section_field.kind.model).items():
            kinds[f"{section}.{name}"] = _how(field.kind)
    return kinds


FIELD_KINDS = _field_kinds()


def record_kinds(list_path: str) -> dict[str, str]:
    """The columns of a separate table for the list of records at `list_path`
    (`company.accounts`): `company.id` and the record's own fields, with how their
    cells are read (docs/screening.md, "Lists of records as separate tables")."""
    section, name = list_path.split(".", 1)
    section_kind = fields_of(Profile)[section].kind
    assert isinstance(section_kind, Nested)
    kind = fields_of(section_kind.model)[name].kind
    assert isinstance(kind, ListOf) and isinstance(kind.item, Nested)
    kinds = {"company.id": SCALAR}
    kinds.update({n: _how(f.kind) for n, f in fields_of(kind.item.model).items()})
    return kinds


@dataclass(frozen=True)
class Columns:
    """A table's header resolved: for each column position, the field path it fills
    (None: ignored, as the mapping file said)."""

    paths: tuple[str | None, ...]


def table_columns(
    headers: list[str],
    mapping: Mapping[str, str | None],
    file: str,
    record: str | None = None,
) -> Columns:
    """The field paths of a table's headers, renamed by `mapping`; an unknown or doubled
    header is an `InputError` naming the file and the column. With `record` (a list path
    such as `company.accounts`), the headers name that record's fields and `company.id`."""
    kinds = FIELD_KINDS if record is None else record_kinds(record)
    paths: list[str | None] = []
    seen: dict[str, str] = {}
    for position, header in enumerate(headers, start=1):
        name = header.strip()
        path = mapping[name] if name in mapping else name
        where = f"column {position} ({name!r})" if name else f"column {position}"
        if path is None:
            paths.append(None)
            continue
        if path not in kinds:
            if record is not None:
                raise InputError(where, _unknown_record_column(path, record, kinds), file)
            raise InputError(where, _unknown_column(path, bool(mapping)), file)
        if path in seen:
            raise InputError(
                where, N_("{path} is already given by {seen}", path=path, seen=seen[path]), file
            )
        seen[path] = where
        paths.append(path)
    if "company.id" not in seen:
        raise InputError("", N_("no company.id column: every row needs the company's id"), file)
    return Columns(tuple(paths))


def _unknown_column(name: str, mapped: bool) -> str:
    if not name:
        return N_("a column without a header; name it by a field path, like company.staff")
    close = difflib.get_close_matches(name, list(FIELD_KINDS), n=1)
    hint = N_("; did you mean {close!r}?", close=close[0]) if close else ""
    how = "" if mapped else N_(" (or rename it with --mapping)")
    return N_("{name!r} is not a profile field path{hint}{how}", name=name, hint=hint, how=how)


def _unknown_record_column(name: str, record: str, kinds: Mapping[str, str]) -> str:
    close = difflib.get_close_matches(name, list(kinds), n=1)
    hint = N_("; did you mean {close!r}?", close=close[0]) if close else ""
    return N_(
        "{name!r} is not a field of {record} (nor company.id){hint}",
        name=name,
        record=record,
        hint=hint,
    )


def cell_text(value: object) -> str | None:
    """A cell as text, whatever type the file stored it as: None for an empty cell.

    Spreadsheet and Parquet cells can be numbers, dates or booleans; they are turned
    back into the text a CSV would hold. A float is read by its shortest repr (0.1 is
    "0.1"), as profile files read floats; an integer, a Decimal or a date exactly.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if value == value else "nan"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()  # a spreadsheet date is a midnight date-time
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def row_profile_data(columns: Columns, cells: tuple[object, ...]) -> dict[str, object]:
    """The profile data (as a profile file parses to) of one row's cells as the reader
    gave them; an `InputError` naming the column's field path for a cell that cannot be
    read at all (bad JSON)."""
    sections: dict[str, dict[str, object]] = {}
    for path, cell in zip(columns.paths, cells, strict=True):
        if path is None:
            continue
        value = _cell_value(path, cell)
        if value is not None:
            section, name = path.split(".", 1)
            sections.setdefault(section, {})[name] = value
    sections.setdefault("company", {})
    return dict(sections)


def record_data(columns: Columns, kinds: Mapping[str, str], cells: tuple[object, ...]) -> dict:
    """One row of a separate table as a record (`company.id` included), read as the
    profile's cells are; an `InputError` naming the field for a cell that cannot be read."""
    record: dict[str, object] = {}
    for path, cell in zip(columns.paths, cells, strict=True):
        if path is not None:
            value = _cell_value(path, cell, kinds[path])
            if value is not None:
                record[path] = value
    return record


def _cell_value(path: str, cell: object, how: str | None = None) -> object:
    how = how or FIELD_KINDS[path]
    if isinstance(cell, list | tuple):
        # A Parquet list column: its items as they are (records are validated as such).
        return [cell_text(item) for item in cell] if how == SCALAR_LIST else list(cell)
    text = cell_text(cell)
    if text is None:
        return None
    if how == FLAG:
        lowered = text.lower()
        return {"true": True, "false": False}.get(lowered, text)
    if how == SCALAR_LIST:
        return [item.strip() for item in text.split(";") if item.strip()]
    if how == RECORD_LIST:
        return _json_list(path, text)
    return text


def _json_list(path: str, text: str) -> object:
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=Decimal)
    except json.JSONDecodeError as exc:
        message = N_(
            "invalid JSON in the cell at column {column}: {problem}",
            column=exc.colno,
            problem=exc.msg,
        )
        raise InputError(path, message) from None
    except (ValueError, RecursionError) as exc:
        raise InputError(path, N_("invalid JSON in the cell: {exc}", exc=exc)) from None


def read_mapping(path: Path) -> dict[str, str | None]:
    """A mapping file (YAML or JSON): the user's column headers to field paths, or to
    null for a column to ignore."""
    from policy.inputs.loading import read_profile_data

    data = read_profile_data(path)
    name = str(path)
    if not isinstance(data, dict) or not data:
        raise InputError(
            "", N_("expected a mapping of column headers to field paths (or null)"), name
        )
    mapping: dict[str, str | None] = {}
    for header, target in data.items():
        where = str(header)
        if target is not None and (not isinstance(target, str) or target not in FIELD_KINDS):
            close = difflib.get_close_matches(str(target), list(FIELD_KINDS), n=1)
            hint = N_("; did you mean {close!r}?", close=close[0]) if close else ""
            message = N_("{target!r} is not a profile field path{hint}", target=target, hint=hint)
            raise InputError(where, message, name)
        mapping[where.strip()] = target
    return mapping
