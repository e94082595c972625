"""The progress bar of `subsidia screen`: rich's, on stderr, only when it is a terminal."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from policy.output.formatting import Formatter


@contextlib.contextmanager
def progress_display(f: Formatter) -> Iterator[Callable[[int, int | None], None] | None]:
    """A `progress(rows done, total)` callback drawing a bar on a terminal, its words in
    `f`'s language; None when stderr is a pipe or a file (nothing is drawn, and the total
    is not counted)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from policy.output.console import console

    bar = Progress(
        TextColumn(f.gettext("screening"), markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(f.gettext("rows"), markup=False),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console(stderr=True),
        transient=True,
    )
    task = bar.add_task("screening", total=None)

    def update(done: int, total: int | None) -> None:
        bar.update(task, completed=done, total=max(total, done) if total is not None else None)

    with bar:
        yield update
