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
from fractions import Fraction

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


def cells(text: str) -> int:
    """How many terminal cells `text` takes: wide (East Asian) characters two, combining
    marks none."""
    if text.isascii():
        return len(text)
    import unicodedata

    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


def _lines_of(text: Text) -> list[list[_Word]]:
    """The text split at line breaks, each line into words (runs without spaces; runs of
    spaces count as one)."""
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
    return sum(cells(p.text) for p in word)


def _split(word: _Word, width: int) -> tuple[_Word, _Word]:
    """The longest head of `word` that fits in `width` cells (at least one character), and
    the rest."""
    head: _Word = []
    used = 0
    for index, piece in enumerate(word):
        for at, char in enumerate(piece.text):
            size = cells(char)
            if used + size > width and (head or at):
                head.append(Piece(piece.text[:at], piece.style))
                rest = [Piece(piece.text[at:], piece.style), *word[index + 1 :]]
                return [p for p in head if p.text], [p for p in rest if p.text]
            used += size
        head.append(piece)
    return head, []


def _cut(word: _Word, width: int) -> _Word:
    head, _ = _split(word, width - 1)
    return [*head, Piece(_ELLIPSIS, word[-1].style)]


def wrap(text: Text, width: int, fold: bool = False) -> list[_Line]:
    """Lines of at most `width` cells, broken between words. A word longer than a line is
    cut with an ellipsis (table cells), or with `fold` continued on the next lines."""
    out: list[_Line] = []
    for words in _lines_of(text):
        line: _Line = []
        used = 0
        for word in words:
            size = _length(word)
            if line and used + 1 + size > width:
                out.append(line)
                line, used = [], 0
            if size > width and fold:
                # The line was ended above; whole lines of the word, the rest goes on.
                while _length(word) > width:
                    head, word = _split(word, width)
                    out.append(head)
                size = _length(word)
            elif size > width:
                word, size = _cut(word, width), width
            if line:
                line.append(Piece(" ", word[0].style))
                used += 1
            line.extend(word)
            used += size
        out.append(line)
    return out


def paragraph(text: Text, width: int, paint: Painter) -> str:
    """Text wrapped to `width`, as output lines; long words fold onto the next line."""
    return "".join(_paint_line(line, paint) + "\n" for line in wrap(text, width, fold=True))


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
    """Each column its longest line if all fit. Else the widest columns give way first:
    they shrink together to the next widest, and so on, until the table fits; the cut is
    shared in proportion, rounded half to even (this is how rich sizes its tables)."""
    widths = [
        max([cells(column.header), *(_natural(row[i]) for row in rows)])
        for i, column in enumerate(columns)
    ]
    while (excess := sum(widths) - room) > 0:
        widest = max(widths)
        runner_up = max((w for w in widths if w != widest), default=0)
        at_max = [1 if w == widest else 0 for w in widths]
        widths = _share_cut(excess, at_max, [min(excess, widest - runner_up)] * len(widths), widths)
    if (excess := sum(widths) - room) > 0:  # only when every column is down to nothing
        widths = _share_cut(excess, [1] * len(widths), widths, widths)
    return widths


def _share_cut(total: int, weights: list[int], limits: list[int], widths: list[int]) -> list[int]:
    """`widths` less `total` shared out by `weights`, no column losing more than its limit."""
    weights = [w if limit else 0 for w, limit in zip(weights, limits, strict=True)]
    left, weight_left = total, sum(weights)
    out = []
    for weight, limit, width in zip(weights, limits, widths, strict=True):
        if weight and weight_left:
            cut = min(limit, round(Fraction(weight * left, weight_left)))
            out.append(width - cut)
            left -= cut
            weight_left -= weight
        else:
            out.append(width)
    return out


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
            pad = total - cells(text)
            out.append(" " * (pad // 2) + paint(text, "italic"))
    out.append(_rule("┏", "━", "┳", "┓", widths))
    header = [[Piece(c.header, "bold")] for c in columns]
    out.extend(_row(header, columns, widths, "┃", paint, bottom=True))
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
    texts: list[Text],
    columns: list[Column],
    widths: list[int],
    bar: str,
    paint: Painter,
    bottom: bool = False,
) -> list[str]:
    """One row's lines; cells shorter than the row sit at its top (headers: at its bottom)."""
    wrapped = [wrap(text, w) for text, w in zip(texts, widths, strict=True)]
    height = max(len(lines) for lines in wrapped)
    if bottom:
        wrapped = [[[]] * (height - len(lines)) + lines for lines in wrapped]
    out = []
    for n in range(height):
        parts = []
        for lines, column, w in zip(wrapped, columns, widths, strict=True):
            line = lines[n] if n < len(lines) else []
            gap = " " * (w - sum(cells(p.text) for p in line))
            body = _paint_line(line, paint)
            parts.append(f" {gap}{body} " if column.right else f" {body}{gap} ")
        out.append(bar + bar.join(parts) + bar)
    return out
