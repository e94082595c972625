"""Writing a screening's results (or rejected rows) as CSV, Parquet, Excel or JSON Lines,
chunk by chunk, atomically.

Everything is written to a temporary file in the output's own folder, renamed over the
output only by `commit()`; `abort()` (on an error or an interrupt) deletes it. So the
output is either the whole answer or untouched: never half-written. CSV, JSON Lines and
Parquet go through polars, Excel through openpyxl's streaming (write-only) mode.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from dsl.errors import N_
from policy.screening.reading import format_of

if TYPE_CHECKING:
    import polars as pl

__all__ = ["TableWriter", "open_writer"]

# Excel's last row; a longer result continues on a second sheet.
EXCEL_ROWS = 1_048_576
# Parquet results are gathered into parts of this many rows, joined into one file at the end.
PARQUET_PART_ROWS = 200_000


class TableWriter:
    """Rows of `columns` (text, except the integer columns named in `integers`) into `path`."""

    def __init__(self, path: Path, columns: Sequence[str], integers: Sequence[str] = ()) -> None:
        self.path = path
        self.columns = tuple(columns)
        self.integers = frozenset(integers)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(handle)
        self.temp = Path(temp)
        self.done = False

    def write(self, rows: Sequence[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    def finish(self, summary: Sequence[tuple[Any, ...]]) -> None:
        """Complete the temporary file (`summary`: the rows of Excel's summary sheet)."""

    def commit(self, summary: Sequence[tuple[Any, ...]] = ()) -> None:
        """Finish the file and put it in place of the output."""
        try:
            self.finish(summary)
            _default_permissions(self.temp)
            os.replace(self.temp, self.path)
            self.done = True
        finally:
            if not self.done:
                self.abort()

    def abort(self) -> None:
        """Remove everything written so far; the output is left as it was."""
        with contextlib.suppress(FileNotFoundError):
            self.temp.unlink()

    def frame(self, rows: Sequence[tuple[Any, ...]]) -> pl.DataFrame:
        import polars as pl

        schema = {c: pl.Int64 if c in self.integers else pl.String for c in self.columns}
        return pl.DataFrame(list(rows), schema=schema, orient="row")


def _default_permissions(path: Path) -> None:
    # mkstemp creates the file readable by its owner only; an output gets the usual mode.
    umask = os.umask(0)
    os.umask(umask)
    path.chmod(0o666 & ~umask)


class _StreamWriter(TableWriter):
    """CSV or JSON Lines: each chunk appended to the open temporary file."""

    def __init__(self, path: Path, columns: Sequence[str], integers: Sequence[str] = ()) -> None:
        super().__init__(path, columns, integers)
        self.file: IO[bytes] | None = self.temp.open("wb")
        self.header = True

    def write(self, rows: Sequence[tuple[Any, ...]]) -> None:
        assert self.file is not None
        if rows or self.header:
            self._append(self.frame(rows), self.file)
            self.header = False

    def _append(self, frame: pl.DataFrame, file: IO[bytes]) -> None:
        raise NotImplementedError

    def finish(self, summary: Sequence[tuple[Any, ...]]) -> None:
        self.write([])
        self._close()

    def _close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None

    def abort(self) -> None:
        self._close()
        super().abort()


class CsvWriter(_StreamWriter):
    def _append(self, frame: pl.DataFrame, file: IO[bytes]) -> None:
        frame.write_csv(file, include_header=self.header)


class JsonLinesWriter(_StreamWriter):
    def _append(self, frame: pl.DataFrame, file: IO[bytes]) -> None:
        if frame.height:
            frame.write_ndjson(file)


class ParquetWriter(TableWriter):
    """Rows gathered into part files in a temporary folder beside the output, joined by
    polars' streaming engine into one file at the end (memory stays bounded)."""

    def __init__(self, path: Path, columns: Sequence[str], integers: Sequence[str] = ()) -> None:
        super().__init__(path, columns, integers)
        self.parts = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.parts."))
        self.pending: list[tuple[Any, ...]] = []
        self.count = 0

    def write(self, rows: Sequence[tuple[Any, ...]]) -> None:
        self.pending.extend(rows)
        if len(self.pending) >= PARQUET_PART_ROWS:
            self._flush()

    def _flush(self) -> None:
        self.frame(self.pending).write_parquet(self.parts / f"{self.count:06d}.parquet")
        self.count += 1
        self.pending = []

    def finish(self, summary: Sequence[tuple[Any, ...]]) -> None:
        import polars as pl

        if self.pending or not self.count:
            self._flush()
        pl.scan_parquet(self.parts / "*.parquet").sink_parquet(self.temp)
        shutil.rmtree(self.parts, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.parts, ignore_errors=True)
        super().abort()


class ExcelWriter(TableWriter):
    """A workbook with the rows on a "results" sheet (continued on "results 2", … past
    Excel's row limit) and, with `commit(summary)`, a "summary" sheet first."""

    def __init__(self, path: Path, columns: Sequence[str], integers: Sequence[str] = ()) -> None:
        super().__init__(path, columns, integers)
        from openpyxl import Workbook

        self.book = Workbook(write_only=True)
        self.summary = self.book.create_sheet("summary")
        self.sheets = 0
        self._new_sheet()

    def _new_sheet(self) -> None:
        self.sheets += 1
        title = "results" if self.sheets == 1 else f"results {self.sheets}"
        self.sheet = self.book.create_sheet(title)
        self.sheet.append(list(self.columns))
        self.used = 1

    def write(self, rows: Sequence[tuple[Any, ...]]) -> None:
        for row in rows:
            if self.used == EXCEL_ROWS:
                self._new_sheet()
            self.sheet.append(list(row))
            self.used += 1

    def finish(self, summary: Sequence[tuple[Any, ...]]) -> None:
        if summary:
            for row in summary:
                self.summary.append(list(row))
        else:
            self.book.remove(self.summary)
        self.book.save(self.temp)

    def abort(self) -> None:
        # Close the sheets' streams (openpyxl deletes their scratch files at exit).
        for sheet in self.book.worksheets:
            with contextlib.suppress(Exception):
                sheet.close()
        super().abort()


WRITERS: dict[str, type[TableWriter]] = {
    ".csv": CsvWriter,
    ".jsonl": JsonLinesWriter,
    ".parquet": ParquetWriter,
    ".xlsx": ExcelWriter,
}


def open_writer(
    path: Path, columns: Sequence[str], integers: Sequence[str] = (), what: str = "--out"
) -> TableWriter:
    """A writer for `path` by its extension (an `InputError` for another extension or a
    folder that does not exist)."""
    from policy.errors import InputError

    writer = WRITERS[format_of(path, what)]
    if not path.parent.is_dir():
        raise InputError("", N_("its folder does not exist"), str(path))
    if path.is_dir():
        raise InputError("", N_("is a directory"), str(path))
    return writer(path, columns, integers)
