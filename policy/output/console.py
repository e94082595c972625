"""Terminal output through rich, imported only when something is printed (`--json` never
needs it). rich's Console decides the width (COLUMNS, else the terminal's, else 80) and
colours (only on a terminal; never with NO_COLOR; always with FORCE_COLOR)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console, RenderableType


def console(**options: Any) -> Console:
    from rich.console import Console

    # User data is text: an id such as "[/]" or "[bold]x" or ":x:" prints as written, so
    # no markup and no emoji codes in any string rich renders (table cells, titles, status).
    # Styling is done with Text objects and styles, never with markup in strings.
    return Console(**{"highlight": False, "markup": False, "emoji": False, **options})


def render(parts: list[RenderableType], width: int = 80) -> str:
    """`parts` as plain text at `width` columns, for tests and benchmarks."""
    import io

    out = io.StringIO()
    console(file=out, width=width, color_system=None, force_terminal=False).print(*parts, sep="\n")
    return out.getvalue()
