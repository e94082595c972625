"""A whole screening: an input file in, one row per company × programme out.

The input is read in chunks (policy/screening/reading.py); each chunk is validated and
checked (policy/screening/work.py) in this process or, with several workers, in a pool
of spawned processes, at most two chunks per worker in flight; results are written in
input order as they come back (policy/screening/writing.py), so the output does not
depend on the number of workers and memory stays bounded. Both files (results, rejected
rows) are written atomically: an error or an interrupt leaves neither behind.
"""

from __future__ import annotations

import os
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from dsl.errors import N_
from policy.errors import InputError
from policy.screening.reading import Chunk, open_reader
from policy.screening.work import (
    ERROR_COLUMNS,
    OUTPUT_COLUMNS,
    ChunkResult,
    Rejected,
    Settings,
    screen_chunk,
)
from policy.screening.writing import TableWriter, open_writer

if TYPE_CHECKING:
    from policy.screening.cluster import ClusterOptions
    from policy.screening.tables import TableSpec

__all__ = ["CHUNK_ROWS", "STATUSES", "ScreenSummary", "run_screen"]

# Rows per chunk: two engine batches (policy.api.BATCH) per task sent to a worker.
CHUNK_ROWS = 512
# The fewest rows a chunk is cut down to so that the workers share a file: about 2 s of
# checking against the whole catalogue, more than a spawned worker's start-up (~1 s).
MIN_SHARE = 1_000
# Rejected rows the summary keeps to show when no errors file is asked for.
SHOWN_ERRORS = 10
STATUSES = ("eligible", "unknown", "ineligible")

Progress = Callable[[int, int | None], None]


@dataclass(slots=True)
class ScreenSummary:
    """What a screening did: counts, and where the results went."""

    output: Path
    errors_file: Path | None
    rows: int = 0  # input rows read
    screened: int = 0  # companies checked
    rejected: int = 0  # rows that failed validation
    written: int = 0  # output rows (company × programme)
    workers: int = 1  # processes that checked (1: this one)
    fallback: int = 0  # programme answers the vector backend left to the direct one
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)  # (programme, status)
    first_errors: list[Rejected] = field(default_factory=list)

    def summary_rows(self) -> list[tuple[object, ...]]:
        """The summary sheet: statuses per programme, then the totals."""
        programmes = list(dict.fromkeys(p for p, _ in self.counts))
        rows: list[tuple[object, ...]] = [("programme", *STATUSES)]
        for pid in programmes:
            rows.append((pid, *(self.counts[(pid, s)] for s in STATUSES)))
        rows.append(())
        rows.append(("companies screened", self.screened))
        rows.append(("rows rejected (errors)", self.rejected))
        return rows


def run_screen(
    source: Path,
    output: Path,
    settings: Settings,
    *,
    workers: int | None = None,
    errors: Path | None = None,
    mapping: Path | None = None,
    progress: Progress | None = None,
    chunk_rows: int = CHUNK_ROWS,
    cluster: ClusterOptions | None = None,
    tables: Sequence[TableSpec] = (),
) -> ScreenSummary:
    """Screen every row of `source` into `output`; rejected rows into `errors` (else
    only counted, the first few kept in the summary). With `cluster`, the rows are
    screened on Dask (policy/screening/cluster.py) and written here the same way. With
    `tables`, lists of records come from those tables (policy/screening/tables.py) and
    the errors file says which file each rejected row is in."""
    from policy.screening.columns import read_mapping

    if output.resolve() == source.resolve():
        raise InputError("--out", N_("is the input file; write the results elsewhere"))
    if errors is not None and errors.resolve() in (output.resolve(), source.resolve()):
        raise InputError("--errors", N_("must be another file than the input and --out"))
    columns = read_mapping(mapping) if mapping is not None else {}
    if cluster is not None:
        from policy.screening.cluster import DaskInput

        on_dask = DaskInput(source, columns, chunk_rows, cluster)
    reader = on_dask if cluster is not None else open_reader(source, columns, chunk_rows)
    side = None
    if tables:
        from policy.screening.tables import SideTables

        written = {output.resolve(), *([errors.resolve()] if errors is not None else [])}
        if any(t.path.resolve() in written for t in tables):
            raise InputError("--table", N_("must be another file than --out and --errors"))
        side = SideTables(tables, reader)
    input_name = None if side is None else str(source)
    pool_size = workers or os.cpu_count() or 1
    shared = cluster is None and pool_size > 1  # chunks cut to give every worker a share
    total = reader.total() if progress is not None or shared else None
    if shared and total:
        reader.chunk_size = shared_chunk(reader.chunk_size, total, pool_size)
    writer = open_writer(output, OUTPUT_COLUMNS)
    error_writer: TableWriter | None = None
    try:
        if errors is not None:
            error_columns = ("file", *ERROR_COLUMNS) if side is not None else ERROR_COLUMNS
            error_writer = open_writer(errors, error_columns, integers=("row",), what="--errors")
        summary = ScreenSummary(output, errors)
        if progress is not None:
            progress(0, total)
        if cluster is not None:
            results = on_dask.results(settings, side)
        else:
            chunks = reader.chunks() if side is None else side.join(reader.chunks())
            results = _results(chunks, settings, pool_size, summary)
        for result in results:
            _record(result, summary, writer, error_writer, input_name)
            if progress is not None:
                progress(summary.rows, total)
        if side is not None:  # table rows no company took, or that could not be read
            leftovers = ChunkResult([], side.leftovers(), 0)
            summary.rows -= len(leftovers.rejected)  # not rows of the input
            _record(leftovers, summary, writer, error_writer, input_name)
        if cluster is not None:
            summary.workers = on_dask.workers
        if error_writer is not None:
            error_writer.commit()
        writer.commit(summary.summary_rows())
    except BaseException:
        writer.abort()
        if error_writer is not None:
            error_writer.abort()
            if error_writer.done:  # committed just before the output failed
                error_writer.path.unlink(missing_ok=True)
        raise
    return summary


def shared_chunk(chunk_rows: int, total: int, workers: int) -> int:
    """Rows per chunk so that every worker gets a share of an input of `total` rows: at
    most `chunk_rows` (the backend's batch), and no larger than an even share per worker,
    but not below `MIN_SHARE`. The vector backend's batch (10,000 rows, for its fixed cost
    per batch) would otherwise make a 10,000-row file one chunk, screened by one worker
    while the others wait; a file below `MIN_SHARE` rows stays one chunk, checked in this
    process without starting any worker."""
    share = max(-(-total // max(workers, 1)), MIN_SHARE)
    return max(1, min(chunk_rows, share))


def _record(
    result: ChunkResult,
    summary: ScreenSummary,
    writer: TableWriter,
    error_writer: TableWriter | None,
    input_name: str | None = None,
) -> None:
    summary.rows += result.screened + len(result.rejected)
    summary.screened += result.screened
    summary.rejected += len(result.rejected)
    summary.written += len(result.rows)
    summary.fallback += result.fallback
    summary.counts.update((pid, status) for _, pid, status, _, _ in result.rows)
    room = SHOWN_ERRORS - len(summary.first_errors)
    summary.first_errors.extend(result.rejected[: max(room, 0)])
    writer.write(result.rows)
    if error_writer is not None:
        error_writer.write([_error_row(r, input_name) for r in result.rejected])


def _error_row(rejected: Rejected, input_name: str | None) -> tuple[object, ...]:
    """A rejected row in the errors file; with --table (`input_name` given), the file
    the row is in comes first."""
    row = (rejected.row, rejected.field, rejected.message)
    return row if input_name is None else (rejected.file or input_name, *row)


def _results(
    chunks: Iterator[Chunk], settings: Settings, workers: int, summary: ScreenSummary
) -> Iterator[ChunkResult]:
    """Each chunk's result, in input order. The pool starts only when a second chunk
    exists: a small file is screened in this process, without the processes' start-up."""
    first = next(chunks, None)
    if first is None:
        return
    second = next(chunks, None) if workers > 1 else None
    if second is None:
        yield screen_chunk(first, settings)
        for chunk in chunks:
            yield screen_chunk(chunk, settings)
        return
    yield from _in_pool(_prepend([first, second], chunks), settings, workers, summary)


def _prepend(head: list[Chunk], rest: Iterator[Chunk]) -> Iterator[Chunk]:
    yield from head
    yield from rest


def _in_pool(
    chunks: Iterator[Chunk], settings: Settings, workers: int, summary: ScreenSummary
) -> Iterator[ChunkResult]:
    import multiprocessing

    # spawn, not fork: the same on every platform, and safe with the threads of the
    # progress display; each worker loads the catalogue from its disk cache once.
    context = multiprocessing.get_context("spawn")
    summary.workers = workers
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_ignore_interrupts)
    pending: deque[Future[ChunkResult]] = deque()
    try:
        for chunk in chunks:
            pending.append(pool.submit(screen_chunk, chunk, settings))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def _ignore_interrupts() -> None:
    # Ctrl-C reaches the whole process group: the main process stops the pool and cleans
    # up; the workers must not print their own tracebacks meanwhile.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
