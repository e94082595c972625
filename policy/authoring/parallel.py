"""Independent checks spread over the machine's cores (`subsidia test`'s properties).

The workers are forked: each starts with the parent's checked catalogue, imports and
compiled programs, so a worker costs a fork, not a second start-up (interpreter, imports,
the catalogue: about 0.7 s each). The function and its items are never pickled, only the
results. Where fork is not available (Windows), or with one core or one item, everything
runs in this process, in order.

`SUBSIDIA_JOBS=N` sets the number of worker processes (`1`: none, all in this process).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")
JOBS_ENV = "SUBSIDIA_JOBS"

# What the forked workers run: set just before the fork, read by `_call` in the child.
_WORK: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def jobs() -> int:
    """Worker processes to use: `SUBSIDIA_JOBS`, else the cores this process may run on."""
    chosen = os.environ.get(JOBS_ENV, "").strip()
    if chosen.isdigit() and int(chosen) > 0:
        return int(chosen)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def fork_map(
    fn: Callable[[T], R],
    items: Sequence[T],
    workers: int | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> list[R]:
    """`[fn(x) for x in items]`, the items shared out among forked workers, one at a time
    in the order given (put the longest first). `meanwhile` runs in this process while
    the workers work (or before them, when there are none)."""
    global _WORK
    count = min(workers or jobs(), len(items))
    if count < 2 or "fork" not in multiprocessing.get_all_start_methods():
        if meanwhile is not None:
            meanwhile()
        return [fn(item) for item in items]
    _WORK = (fn, items)
    # What the workers inherit (the catalogue, compiled programs, imports) is moved out of
    # the collector's reach before the fork: a collection in a worker would otherwise
    # touch every inherited object, and each page it touches is copied into the worker.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(count) as pool:
            pending = pool.map_async(_call, range(len(items)), chunksize=1)
            if meanwhile is not None:
                meanwhile()
            return pending.get()
    finally:
        gc.unfreeze()
        _WORK = None


def _call(index: int) -> Any:
    assert _WORK is not None  # set by fork_map before the fork
    fn, items = _WORK
    return fn(items[index])
