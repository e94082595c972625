"""Plain-text tables for `subsidia check`, drawn like rich's default table.

Why not rich here: importing rich and rendering the check's table took ~0.1 s of a single
`subsidia check` that must answer in under 0.5 s (docs/architecture.md, "The check table
is drawn without rich"). The other commands keep rich.

Text is a list of `Piece`s, each with a style (`dim`, `green`, `red`, `yellow`, `bold`);
styles become ANSI colours only on a terminal, and never with NO_COLOR set.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass

_ANSI = {"bold": "1", "dim": "2", "italic": "3", "red": "31", "green": "32", "yellow": "33"}
_ELLIPSIS = "…"


@dataclass(frozen=True)
class Piece:
    """A run of text in one style; may hold line breaks."""

    text: str
    style: str = ""


Text = list[Piece]


def plain(text: str, style: str = "") -> Text:
    return [Piece(text, style)]


class Painter:
    """Turns styled pieces into output text, with or without ANSI colours."""

    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def __call__(self, text: str, style: str) -> str:
        if not self.colour or not style or not text:
            return text
        codes = ";".join(_ANSI[s] for s in style.split() if s in _ANSI)
        return f"\x1b[{codes}m{text}\x1b[0m" if codes else text


def terminal() -> tuple[int, Painter]:
    """The output width (COLUMNS, the terminal's, else 80) and a painter for stdout."""
    width = shutil.get_terminal_size((80, 24)).columns
    forced = bool(os.environ.get("FORCE_COLOR"))
    colour = not os.environ.get("NO_COLOR") and (forced or sys.stdout.isatty())
    if os.environ.get("TERM") == "dumb" and not forced:
        colour = False
    return max(width, 20), Painter(colour)


# --- wrapping -----------------------------------------------------------------------------

_Word = list[Piece]  # a word may change style midway ("✓ SME" is one style, but not always)
_Line = list[Piece]


def _lines_of(text: Text) -> list[list[_Word]]:
    """The text split at line breaks, each line into words (runs without spaces)."""
    lines: list[list[_Word]] = [[]]
    word: _Word = []
    for piece in text:
        for i, line in enumerate(piece.text.split("\n")):
            if i:
                if word:
                    lines[-1].append(word)
                lines.append([])
                word = []
            for j, chunk in enumerate(line.split(" ")):
                if j and word:
                    lines[-1].append(word)
                    word = []
                if chunk:
                    word.append(Piece(chunk, piece.style))
    if word:
        lines[-1].append(word)
    return lines


def _length(word: _Word) -> int:
    return sum(len(p.text) for p in word)


def _truncate(word: _Word, width: int) -> _Word:
    out: _Word = []
    room = width - 1
    for piece in word:
        if room <= 0:
            break
        out.append(Piece(piece.text[:room], piece.style))
        room -= len(piece.text[:room])
    style = word[-1].style if word else ""
    return [*out, Piece(_ELLIPSIS, style)]


def wrap(text: Text, width: int) -> list[_Line]:
    """Lines of at most `width` characters, broken between words; a word longer than a
    line is cut with an ellipsis."""
    out: list[_Line] = []
    for words in _lines_of(text):
        line: _Line = []
        used = 0
        for word in words:
            size = _length(word)
            if size > width:
                word, size = _truncate(word, width), width
            if line and used + 1 + size > width:
                out.append(line)
                line, used = [], 0
            if line:
                line.append(Piece(" ", word[0].style))
                used += 1
            line.extend(word)
            used += size
        out.append(line)
    return out


def paragraph(text: Text, width: int, paint: Painter) -> str:
    """Text wrapped to `width`, as output lines."""
    return "".join(_paint_line(line, paint) + "\n" for line in wrap(text, width))


def _paint_line(line: _Line, paint: Painter) -> str:
    # Runs of one style are painted together: one colour code per run, not per word.
    out: list[str] = []
    run: list[str] = []
    style = ""
    for piece in line:
        if piece.style != style and run:
            out.append(paint("".join(run), style))
            run = []
        style = piece.style
        run.append(piece.text)
    if run:
        out.append(paint("".join(run), style))
    return "".join(out)


# --- tables -------------------------------------------------------------------------------


@dataclass
class Column:
    header: str
    right: bool = False  # right-justified (amounts)


def _natural(text: Text) -> int:
    """The width of the text's longest line, unwrapped."""
    lines = [line for line in _lines_of(text) if line]
    return max((sum(_length(w) for w in line) + len(line) - 1 for line in lines), default=0)


def _widths(columns: list[Column], rows: list[list[Text]], room: int) -> list[int]:
    """Each column its longest line if all fit; else the widest columns give way first,
    one character at a time, so that wide columns end up equally wide."""
    widths = []
    for i, column in enumerate(columns):
        natural = [_natural(row[i]) for row in rows]
        widths.append(max([len(column.header), *natural]))
    while sum(widths) > room:
        widest = max(widths)
        if widest <= 1:
            break
        widths[widths.index(widest)] -= 1
    return widths


def table(
    columns: list[Column],
    rows: list[list[Text]],
    width: int,
    paint: Painter,
    *,
    title: str = "",
    row_lines: bool = False,
) -> str:
    """A boxed table no wider than `width`: heavy header, a rule between rows if
    `row_lines`."""
    room = width - 3 * len(columns) - 1  # borders and one space of padding each side
    widths = _widths(columns, rows, room)
    total = sum(widths) + 3 * len(columns) + 1
    out: list[str] = []
    if title:
        for line in wrap(plain(title), total):
            text = "".join(p.text for p in line)
            pad = total - len(text)
            out.append(" " * (pad // 2) + paint(text, "italic"))
    out.append(_rule("┏", "━", "┳", "┓", widths))
    header = [[Piece(c.header, "bold")] for c in columns]
    out.extend(_row(header, columns, widths, "┃", paint))
    out.append(_rule("┡", "━", "╇", "┩", widths))
    for index, row in enumerate(rows):
        if index and row_lines:
            out.append(_rule("├", "─", "┼", "┤", widths))
        out.extend(_row(row, columns, widths, "│", paint))
    out.append(_rule("└", "─", "┴", "┘", widths))
    return "".join(line + "\n" for line in out)


def _rule(left: str, fill: str, cross: str, right: str, widths: list[int]) -> str:
    return left + cross.join(fill * (w + 2) for w in widths) + right


def _row(
    cells: list[Text], columns: list[Column], widths: list[int], bar: str, paint: Painter
) -> list[str]:
    wrapped = [wrap(cell, w) for cell, w in zip(cells, widths, strict=True)]
    height = max(len(lines) for lines in wrapped)
    out = []
    for n in range(height):
        parts = []
        for lines, column, w in zip(wrapped, columns, widths, strict=True):
            line = lines[n] if n < len(lines) else []
            gap = " " * (w - sum(len(p.text) for p in line))
            body = _paint_line(line, paint)
            parts.append(f" {gap}{body} " if column.right else f" {body}{gap} ")
        out.append(bar + bar.join(parts) + bar)
    return out
