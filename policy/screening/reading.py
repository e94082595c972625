"""Reading a screening input in chunks: CSV, Parquet, Excel or JSON Lines, by extension.

A reader checks the whole file's shape first (it exists, it is of its format, its header
names profile fields), so a bad file is one `InputError` before anything is written; then
it yields `Chunk`s of rows, never the whole file. Rows are not validated here: that is
the workers' job (policy/screening/work.py), each row on its own.

Each row carries the number a user finds it by: the spreadsheet row for CSV and Excel
(the header is row 1), the line for JSON Lines, the position (from 1) for Parquet.
Cells are read as text (CSV) or as the file stores them (Parquet, Excel), and never
through a float unless the file itself holds a float.
"""

from __future__ import annotations

import csv
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from dsl.errors import N_
from policy.errors import InputError
from policy.inputs.loading import at
from policy.screening.columns import Columns, table_columns

if TYPE_CHECKING:
    import polars as pl

__all__ = ["FORMATS", "Chunk", "Reader", "SideRecord", "open_reader"]

FORMATS = (".csv", ".parquet", ".jsonl", ".xlsx")


@dataclass(frozen=True, slots=True)
class SideRecord:
    """A row of a separate table of records (policy/screening/tables.py): the list it
    joins (`company.accounts`), where it is, and the record, or the field and message
    of the cell that could not be read."""

    list_path: str
    file: str
    row: int
    data: dict[str, object]
    error: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Chunk:
    """Rows to screen: `(row number, cells)` for a table (`columns` says what each cell
    is), `(line number, JSON text)` for JSON Lines (`columns` is None); `joined`: the
    records of separate tables for a row number, in table order."""

    columns: Columns | None
    rows: list[tuple[int, object]]
    joined: dict[int, list[SideRecord]] | None = None


class Reader:
    """An input file whose shape is checked; `chunks()` streams its rows."""

    def __init__(self, path: Path, chunk_size: int) -> None:
        self.path = path
        self.name = str(path)
        self.chunk_size = chunk_size

    def chunks(self) -> Iterator[Chunk]:
        raise NotImplementedError

    def total(self) -> int | None:
        """How many rows there are, if the file says so cheaply (for the progress bar)."""
        return None


def format_of(path: Path, what: str) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        expected = ", ".join(FORMATS[:-1]) + " or " + FORMATS[-1]
        raise InputError(
            "",
            N_(
                "{what} must be a {expected} file, not {value}",
                what=what,
                expected=expected,
                value=suffix or "no extension",
            ),
            str(path),
        )
    return suffix


def open_reader(
    path: Path, mapping: Mapping[str, str | None], chunk_size: int, record: str | None = None
) -> Reader:
    """The reader of `path` by its extension, its header already checked; with `record`
    (`company.accounts`), a separate table of that list's records (policy/screening/tables.py)."""
    suffix = format_of(path, "the input")
    if not path.exists():
        raise InputError("", N_("no such file"), str(path))
    if path.is_dir():
        raise InputError("", N_("is a directory, not a file"), str(path))
    if suffix == ".jsonl":
        if mapping:
            raise InputError(
                "", N_("--mapping renames table columns; JSON Lines has none"), str(path)
            )
        return JsonLinesReader(path, chunk_size)
    reader_class = {".csv": CsvReader, ".parquet": ParquetReader, ".xlsx": ExcelReader}[suffix]
    return reader_class(path, chunk_size, mapping, record)


def _count_lines(path: Path) -> int:
    lines = 0
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            lines += block.count(b"\n")
    return lines


# --- CSV --------------------------------------------------------------------------------


class CsvReader(Reader):
    """CSV through the standard csv module, a record at a time: every cell stays text
    (numbers exact) and memory holds one chunk. (polars' CSV reader loads the whole file
    before its first batch: 224 MiB for a 224 MB file, docs/screening.md.)"""

    def __init__(
        self,
        path: Path,
        chunk_size: int,
        mapping: Mapping[str, str | None],
        record: str | None = None,
    ) -> None:
        super().__init__(path, chunk_size)
        records = self._records()
        try:
            headers = next(records, None)
        finally:
            records.close()
        if not headers:
            raise InputError("", N_("the file is empty; expected a header row"), self.name)
        self.columns = table_columns(headers, mapping, self.name, record)

    def _lines(self, f: IO[bytes]) -> Iterator[str]:
        """The file's lines as text, or the line and column of the first byte not UTF-8."""
        for number, raw in enumerate(f, start=1):
            try:
                yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(
                    at(number, exc.start + 1), N_("not UTF-8 text"), self.name
                ) from None

    def _records(self) -> Generator[list[str], None, None]:
        with self.path.open("rb") as f:
            reader = csv.reader(self._lines(f), strict=True)
            try:
                yield from reader
            except csv.Error as exc:
                where = f"line {reader.line_num}"
                raise InputError(where, N_("invalid CSV: {exc}", exc=exc), self.name) from None

    def chunks(self) -> Iterator[Chunk]:
        width = len(self.columns.paths)
        records = self._records()
        next(records)  # the header
        rows: list[tuple[int, object]] = []
        number = 1  # the spreadsheet row: the header is row 1
        try:
            for record in records:
                number += 1
                if not record:
                    continue  # a blank line
                if len(record) != width:
                    message = N_(
                        "{count} fields where the header has {width}",
                        count=len(record),
                        width=width,
                    )
                    raise InputError(f"row {number}", message, self.name)
                rows.append((number, tuple(record)))
                if len(rows) == self.chunk_size:
                    yield Chunk(self.columns, rows)
                    rows = []
        finally:
            records.close()
        if rows:
            yield Chunk(self.columns, rows)

    def total(self) -> int | None:
        return max(_count_lines(self.path) - 1, 0)


# --- Parquet -----------------------------------------------------------------------------


class ParquetReader(Reader):
    """Parquet through polars, in batches; cells as the file types them (exact decimals
    and integers, dates, booleans, text; list columns as lists)."""

    def __init__(
        self,
        path: Path,
        chunk_size: int,
        mapping: Mapping[str, str | None],
        record: str | None = None,
    ) -> None:
        super().__init__(path, chunk_size)
        import polars as pl

        try:
            schema = self._frame().collect_schema()
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise InputError(
                "", N_("not a Parquet file: {value}", value=_first_line(exc)), self.name
            ) from None
        self.columns = table_columns(list(schema.names()), mapping, self.name, record)

    def _frame(self) -> pl.LazyFrame:
        import polars as pl

        return pl.scan_parquet(self.path)

    def chunks(self) -> Iterator[Chunk]:
        import polars as pl

        number = 0
        try:
            for batch in self._frame().collect_batches(
                chunk_size=self.chunk_size, engine="streaming"
            ):
                rows: list[tuple[int, object]] = []
                for cells in batch.iter_rows():
                    number += 1
                    rows.append((number, cells))
                yield Chunk(self.columns, rows)
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise InputError(
                "", N_("cannot read the Parquet file: {value}", value=_first_line(exc)), self.name
            ) from None

    def total(self) -> int | None:
        import polars as pl

        return int(self._frame().select(pl.len()).collect().item())


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# --- Excel -------------------------------------------------------------------------------


class ExcelReader(Reader):
    """The first sheet of an .xlsx workbook through openpyxl's streaming (read-only) mode."""

    def __init__(
        self,
        path: Path,
        chunk_size: int,
        mapping: Mapping[str, str | None],
        record: str | None = None,
    ) -> None:
        super().__init__(path, chunk_size)
        rows = self._rows()
        try:
            header = next(rows)
        except StopIteration:
            raise InputError(
                "", N_("the first sheet is empty; expected a header row"), self.name
            ) from None
        finally:
            rows.close()
        while header and header[-1] is None:  # cells formatted but empty at the right
            header = header[:-1]
        self.width = len(header)
        headers = ["" if h is None else str(h) for h in header]
        self.columns = table_columns(headers, mapping, self.name, record)

    def _rows(self) -> Generator[tuple[object, ...], None, None]:
        from zipfile import BadZipFile

        from openpyxl import load_workbook

        try:
            book = load_workbook(self.path, read_only=True, data_only=True)
        except (BadZipFile, OSError, ValueError, KeyError) as exc:
            raise InputError(
                "", N_("not an Excel workbook (.xlsx): {value}", value=_first_line(exc)), self.name
            ) from None
        try:
            sheet = book.worksheets[0]
            yield from sheet.iter_rows(values_only=True)
        finally:
            book.close()

    def chunks(self) -> Iterator[Chunk]:
        rows: list[tuple[int, object]] = []
        source = self._rows()
        next(source)  # the header
        for number, cells in enumerate(source, start=2):
            cells = tuple(cells[: self.width]) + (None,) * (self.width - len(cells))
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue  # an empty row: spreadsheets end in them
            rows.append((number, cells))
            if len(rows) == self.chunk_size:
                yield Chunk(self.columns, rows)
                rows = []
        if rows:
            yield Chunk(self.columns, rows)

    def total(self) -> int | None:
        from openpyxl import load_workbook

        book = load_workbook(self.path, read_only=True)
        try:
            rows = book.worksheets[0].max_row
        finally:
            book.close()
        return None if rows is None else max(rows - 1, 0)


# --- JSON Lines ----------------------------------------------------------------------------


class JsonLinesReader(Reader):
    """One whole profile per line, as JSON; blank lines are skipped. Lines are parsed by
    the workers with the profile reader (exact decimals, located errors)."""

    def chunks(self) -> Iterator[Chunk]:
        rows: list[tuple[int, object]] = []
        with self.path.open("rb") as f:
            for number, line in enumerate(f, start=1):
                if number == 1 and line.startswith(b"\xef\xbb\xbf"):
                    line = line[3:]
                if not line.strip():
                    continue
                rows.append((number, line))
                if len(rows) == self.chunk_size:
                    yield Chunk(None, rows)
                    rows = []
        if rows:
            yield Chunk(None, rows)

    def total(self) -> int | None:
        return _count_lines(self.path)
