"""Screening on Dask: partitioned Parquet read by a cluster's workers (docs/screening.md).

The input (one Parquet file, or a folder of Parquet parts) is a `dask.dataframe`; each
partition is screened on a worker by `screen_partition`, which cuts it into the same
`Chunk`s the single-process reader makes and runs the same `screen_chunk` on them. The
results come back to this process in partition order and are written here by the same
atomic writers (policy/screening/run.py), so the output is the single-process output.

Only this process writes: the workers need the input at the same path (shared storage)
and subsidia installed; the output needs to be reachable by this process only.
dask and distributed are imported here only, and only for a `--dask` run.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from dsl.errors import N_
from policy.errors import InputError
from policy.screening.columns import Columns, table_columns
from policy.screening.reading import Chunk, Reader, SideRecord
from policy.screening.tables import SideTables, join_chunk
from policy.screening.work import ChunkResult, Settings, screen_chunk

__all__ = ["ClusterOptions", "DaskInput", "screen_partition"]

# Seconds to wait for a scheduler given by its address before giving up.
CONNECT_TIMEOUT = 20


@dataclass(frozen=True, slots=True)
class ClusterOptions:
    """Where to screen: the scheduler at `scheduler` (`tcp://host:8786`), or a
    LocalCluster of `workers` processes (default: every core) when it is None."""

    scheduler: str | None = None
    workers: int | None = None


class DaskInput(Reader):
    """A Parquet file or folder whose header is checked; `results()` screens it on Dask."""

    def __init__(
        self,
        path: Path,
        mapping: Mapping[str, str | None],
        chunk_rows: int,
        options: ClusterOptions,
    ) -> None:
        super().__init__(path, chunk_rows)
        _require_dask()
        self.options = options
        self.workers = 0  # the cluster's worker processes, once connected
        self.parts = _parquet_parts(path)
        import polars as pl

        try:
            names = pl.scan_parquet(self.parts).collect_schema().names()
        except (pl.exceptions.PolarsError, OSError) as exc:
            message = N_("not a Parquet file: {value}", value=_first_line(exc))
            raise InputError("", message, self.name) from None
        self.columns = table_columns(list(names), mapping, self.name)

    def total(self) -> int | None:
        import polars as pl

        return int(pl.scan_parquet(self.parts).select(pl.len()).collect().item())

    def results(self, settings: Settings, side: SideTables | None = None) -> Iterator[ChunkResult]:
        """Every partition's result in input order, row numbers counted across them.
        At most two partitions per worker thread are in flight, so memory stays bounded.
        With `side` (--table), the tables' records, read here, are sent to every worker
        once; each partition joins its rows' records there, and the company ids that
        took records come back, so that `side.leftovers()` is what one process gives."""
        import dask
        import dask.dataframe as dd

        frame = dd.read_parquet(
            [str(p) for p in self.parts], dtype_backend="pyarrow", index=False
        )
        partitions = frame.to_delayed()
        screen = dask.delayed(screen_partition, pure=True)
        with _client(self.options) as client:
            threads = max(sum(client.nthreads().values()), 1)
            self.workers = len(client.nthreads())
            joins = None
            if side is not None:  # one copy per worker, not one per partition
                (records,) = client.scatter([side.by_company], broadcast=True)
                joins = (records, side.id_column)
            pending: deque[Any] = deque()
            offset = 0
            for part in partitions:
                task = screen(part, self.columns, settings, self.chunk_size, joins)
                pending.append(client.compute(task))
                if len(pending) >= 2 * threads:
                    result = self._result(pending.popleft(), side)
                    yield _shifted(result, offset)
                    offset += result.screened + len(result.rejected)
            while pending:
                result = self._result(pending.popleft(), side)
                yield _shifted(result, offset)
                offset += result.screened + len(result.rejected)

    def _result(self, future: Any, side: SideTables | None) -> ChunkResult:
        """A partition's result; a part that a worker cannot read (not Parquet, or
        another schema than the first part's) is an `InputError` naming the input."""
        import pyarrow as pa

        try:
            result: ChunkResult = future.result()
        except (OSError, ValueError, pa.ArrowException) as exc:
            message = N_("cannot read the Parquet file: {value}", value=_first_line(exc))
            raise InputError("", message, self.name) from None
        if side is not None:
            side.matched |= result.matched
        return result


def screen_partition(
    frame: Any,
    columns: Columns,
    settings: Settings,
    chunk_rows: int,
    joins: tuple[dict[str, list[SideRecord]], int] | None = None,
) -> ChunkResult:
    """One partition (a pandas DataFrame of Arrow types), on a worker: cut into chunks as
    the single-process reader cuts a file (cells as polars gives them, exactly as from
    `scan_parquet`), each screened by `screen_chunk`; rows numbered from 1 within it.
    `joins`: the tables' records by company id and the input's company.id column."""
    import polars as pl
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=False)
    rows = list(enumerate(pl.from_arrow(table).iter_rows(), start=1))  # type: ignore[union-attr]
    results = []
    matched: set[str] = set()
    for start in range(0, len(rows), chunk_rows):
        chunk = Chunk(columns, list(rows[start : start + chunk_rows]))
        if joins is not None:
            chunk, took = join_chunk(chunk, *joins)
            matched |= took
        results.append(screen_chunk(chunk, settings))
    return ChunkResult(
        [row for r in results for row in r.rows],
        [rejected for r in results for rejected in r.rejected],
        sum(r.screened for r in results),
        sum(r.fallback for r in results),
        frozenset(matched),
    )


def _shifted(result: ChunkResult, offset: int) -> ChunkResult:
    """A partition's result with its row numbers counted from the start of the input."""
    if not offset or not result.rejected:
        return result
    moved = [replace(r, row=r.row + offset) for r in result.rejected]
    return replace(result, rejected=moved)


def _require_dask() -> None:
    """The `dask` extra, or one message saying how to install it."""
    import importlib.util

    if any(importlib.util.find_spec(m) is None for m in ("dask", "distributed", "pyarrow")):
        message = N_("needs dask, distributed and pyarrow: pip install 'subsidia[dask]'")
        raise InputError("--dask", message)


def _parquet_parts(path: Path) -> list[Path]:
    """The Parquet files of the input: the file itself, or a folder's `*.parquet` files
    in name order (the order of the output)."""
    if not path.exists():
        raise InputError("", N_("no such file or folder"), str(path))
    if path.is_dir():
        parts = sorted(p for p in path.glob("*.parquet") if p.is_file())
        if not parts:
            raise InputError("", N_("the folder holds no .parquet files"), str(path))
        return parts
    if path.suffix.lower() != ".parquet":
        message = N_("--dask reads Parquet: a .parquet file or a folder of them")
        raise InputError("", message, str(path))
    return [path]


class _client:
    """A distributed Client on the scheduler at the address, or on a LocalCluster this
    run starts and stops."""

    def __init__(self, options: ClusterOptions) -> None:
        self.options = options
        self.cluster: Any = None
        self.client: Any = None

    def __enter__(self) -> Any:
        from distributed import Client, LocalCluster

        address = self.options.scheduler
        if address is None:
            workers = self.options.workers or os.cpu_count() or 1
            # One thread per worker process: the checks are pure Python (the GIL). No
            # dashboard (a port and a web server nobody asked for); only errors logged, not
            # the nannies' notices about workers slow to stop.
            self.cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self.client = Client(self.cluster)
            return self.client
        try:
            self.client = Client(address, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            message = N_(
                "cannot connect to the Dask scheduler at {address}: {reason}",
                address=address,
                reason=_first_line(exc),
            )
            raise InputError("--scheduler", message) from None
        return self.client

    def __exit__(self, *exc: object) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

