"""Lists of records as separate tables joined on `company.id` (`--table LIST=FILE`).

A table for `company.accounts` has one row per account year: a `company.id` column and
columns named by the record's own fields (`year`, `staff`, `turnover`, ...), in any of
the four formats (JSON Lines: one object per line with the same keys). Its rows are read
whole before the screening starts and kept by company id, in the table's order; as the
input streams past, each company row gets its records (policy/screening/work.py joins
them into the profile). A row whose company.id no row of the input has, a row without
one, and a row that cannot be read at all are reported as rejected, naming the table,
its row and the field; a record whose cells are wrong rejects its company, naming the
record's table and row (docs/screening.md, "Lists of records as separate tables").
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from dsl.errors import N_
from policy.errors import InputError
from policy.screening.columns import FIELD_KINDS, RECORD_LIST, cell_text, record_data, record_kinds
from policy.screening.reading import Chunk, Reader, SideRecord, open_reader
from policy.screening.work import Rejected

__all__ = [
    "RECORD_LISTS",
    "SideTables",
    "TableSpec",
    "join_chunk",
    "parse_table",
    "rejected_row",
]

RECORD_LISTS = tuple(path for path, how in FIELD_KINDS.items() if how == RECORD_LIST)
# Rows read at a time from a table (they are all kept; this only bounds the reader).
TABLE_CHUNK = 4096
# `company.accounts[2].turnover`: which record of which list a validation error is about.
RECORD_PATH = re.compile(r"^([a-z_]+\.[a-z_]+)\[(\d+)\]")


@dataclass(frozen=True, slots=True)
class TableSpec:
    """`--table company.accounts=accounts.csv`: the list and the file holding it."""

    list_path: str
    path: Path


def parse_table(text: str) -> TableSpec:
    """A `--table` value; an `InputError` on `--table` for anything else."""
    list_path, sep, file = text.partition("=")
    list_path = list_path.strip()
    if not sep or not file.strip():
        message = N_(
            "expected LIST=FILE, like company.accounts=accounts.csv, not {value!r}", value=text
        )
        raise InputError("--table", message)
    if list_path not in RECORD_LISTS:
        close = difflib.get_close_matches(list_path, RECORD_LISTS, n=1)
        hint = N_("; did you mean {close!r}?", close=close[0]) if close else ""
        message = N_(
            "{value!r} is not a list of records; expected one of {expected}{hint}",
            value=list_path,
            expected=", ".join(RECORD_LISTS),
            hint=hint,
        )
        raise InputError("--table", message)
    return TableSpec(list_path, Path(file.strip()))


class SideTables:
    """The tables read and indexed by company id; `join` gives each input chunk its rows'
    records, `leftovers` the rows no company took and those that could not be read."""

    def __init__(self, specs: Sequence[TableSpec], main: Reader) -> None:
        columns = getattr(main, "columns", None)
        if columns is None:
            message = N_("--table joins tables; JSON Lines input holds whole profiles")
            raise InputError("", message, main.name)
        self.id_column = columns.paths.index("company.id")
        seen: set[str] = set()
        for spec in specs:
            if spec.list_path in seen:
                message = N_("{path} is given by two tables", path=spec.list_path)
                raise InputError("--table", message)
            if spec.list_path in columns.paths:
                message = N_(
                    "{path} is a column of {input} and a --table; give it once",
                    path=spec.list_path,
                    input=main.name,
                )
                raise InputError("--table", message)
            seen.add(spec.list_path)
        self.by_company: dict[str, list[SideRecord]] = {}
        self.unreadable: list[Rejected] = []
        for spec in specs:
            self._read(spec)
        self.matched: set[str] = set()

    def _read(self, spec: TableSpec) -> None:
        reader = open_reader(spec.path, {}, TABLE_CHUNK, spec.list_path)
        kinds = record_kinds(spec.list_path)
        file = str(spec.path)
        for chunk in reader.chunks():
            for number, payload in chunk.rows:
                try:
                    company, data, error = _record(chunk, payload, kinds)
                except InputError as err:
                    self.unreadable.append(Rejected(number, err.path, err.message, file))
                    continue
                if company is None:
                    message = N_("is required: the company the record belongs to")
                    self.unreadable.append(Rejected(number, "company.id", message, file))
                    continue
                record = SideRecord(spec.list_path, file, number, data, error)
                self.by_company.setdefault(company, []).append(record)

    def join(self, chunks: Iterator[Chunk]) -> Iterator[Chunk]:
        """The chunks with their rows' records (every row of a company id gets them)."""
        for chunk in chunks:
            joined, matched = join_chunk(chunk, self.by_company, self.id_column)
            self.matched |= matched
            yield joined

    def leftovers(self) -> list[Rejected]:
        """The table rows no input row took, and those that could not be read, by table
        and row."""
        unmatched = [
            Rejected(
                r.row,
                "company.id",
                N_("no row of the input has company.id {value!r}", value=company),
                r.file,
            )
            for company, records in self.by_company.items()
            if company not in self.matched
            for r in records
        ]
        return sorted([*self.unreadable, *unmatched], key=lambda r: (r.file or "", r.row))


def join_chunk(
    chunk: Chunk, by_company: dict[str, list[SideRecord]], id_column: int
) -> tuple[Chunk, set[str]]:
    """`chunk` with its rows' records from the tables (`by_company`: the tables' records
    by company id), and the company ids that took records. Run where the chunk is
    screened: in this process, or on a Dask worker."""
    joined: dict[int, list[SideRecord]] = {}
    matched: set[str] = set()
    for number, cells in chunk.rows:
        assert isinstance(cells, tuple)
        company = cell_text(cells[id_column])
        records = by_company.get(company) if company else None
        if records:
            joined[number] = records
            matched.add(company or "")
    return (replace(chunk, joined=joined) if joined else chunk), matched


def _record(
    chunk: Chunk, payload: object, kinds: dict[str, str]
) -> tuple[str | None, dict[str, object], tuple[str, str] | None]:
    """A table row's company id, its record, and the field and message of a cell that
    could not be read (the record is then kept, to reject its company)."""
    if chunk.columns is None:  # JSON Lines: one object per line
        from policy.inputs.loading import decode_text, parse_text

        assert isinstance(payload, bytes)
        try:
            data = parse_text(decode_text(payload.rstrip(b"\r\n"), None), None, as_json=True)
        except InputError as err:
            raise InputError(err.path.removeprefix("line 1, "), err.message) from None
        if not isinstance(data, dict):
            raise InputError("", N_("expected a JSON object: a record and its company.id"))
        company = data.pop("company.id", None)
        text = None if isinstance(company, dict | list) else cell_text(company)
        return text, data, None
    assert isinstance(payload, tuple)
    company = cell_text(payload[chunk.columns.paths.index("company.id")])
    try:
        data = record_data(chunk.columns, kinds, payload)
    except InputError as err:
        return company, {}, (err.path, err.message)
    data.pop("company.id", None)
    return company, data, None


def join_records(data: dict[str, object], records: Sequence[SideRecord]) -> None:
    """Put a row's records from the tables into its profile data, in table order; a
    record with a cell that could not be read is an `InputError` on its path."""
    for record in records:
        section_name, name = record.list_path.split(".", 1)
        section = data.setdefault(section_name, {})
        assert isinstance(section, dict)
        items = section.setdefault(name, [])
        if record.error is not None:
            field, message = record.error
            raise InputError(f"{record.list_path}[{len(items)}].{field}", message)
        items.append(dict(record.data))


def rejected_row(chunk: Chunk, number: int, err: InputError) -> Rejected:
    """A row's validation error as a rejected row: about a record from a table, it names
    the table and the record's row there; otherwise the input's row."""
    match = RECORD_PATH.match(err.path)
    records = chunk.joined.get(number) if chunk.joined else None
    if match and records:
        list_path, index = match.group(1), int(match.group(2))
        of_list = [r for r in records if r.list_path == list_path]
        if index < len(of_list):
            return Rejected(of_list[index].row, err.path, err.message, of_list[index].file)
    return Rejected(number, err.path, err.message)
