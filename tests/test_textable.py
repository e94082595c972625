"""The plain-text tables of `subsidia check` (policy/output/textable.py).

The check's output for every example profile is golden-tested at 80 columns. When the
renderer replaced rich, its output matched rich's at 19 widths from 30 to 128 columns for
all four examples (rich's trailing spaces aside); the properties below hold for any text
and width.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy.output.textable import (
    Column,
    Painter,
    Piece,
    cells,
    paragraph,
    plain,
    table,
    terminal,
    wrap,
)
from tests.cli import invoke
from tests.golden_files import GOLDEN, assert_golden

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples" / "profiles").glob("*.yaml"))
NO_COLOUR = Painter(False)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_check_table_matches_golden(path: Path) -> None:
    result = invoke("check", str(path.relative_to(ROOT)), "--as-of", "2026-03-01")
    assert result.exit_code == 0, result.output
    assert_golden(GOLDEN / "check" / f"{path.stem}.txt", result.stdout)


def test_narrow_terminal_keeps_every_line_within_the_width() -> None:
    result = invoke("check", "examples/profiles/flemish_growth.yaml", columns=50)
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 50
    assert any("…" in line for line in lines)  # long ids are cut, not overflowing


def _line_text(line: list[Piece]) -> str:
    return "".join(p.text for p in line)


def test_wrap_breaks_between_words_and_cuts_long_words() -> None:
    lines = wrap(plain("the quick brown fox"), 10)
    assert [_line_text(line) for line in lines] == ["the quick", "brown fox"]
    assert [_line_text(line) for line in wrap(plain("project.research_category"), 10)] == [
        "project.r…"
    ]
    assert [_line_text(line) for line in wrap(plain("a\n\nb"), 10)] == ["a", "", "b"]


def test_wrap_keeps_styles_per_piece() -> None:
    lines = wrap([Piece("✓ met", "green"), Piece(" (needs x)", "dim")], 40)
    assert [(p.text, p.style) for p in lines[0] if p.text.strip()] == [
        ("✓", "green"),
        ("met", "green"),
        ("(needs", "dim"),
        ("x)", "dim"),
    ]


def test_columns_right_justify_and_box() -> None:
    out = table([Column("a"), Column("n", right=True)], [[plain("x"), plain("12")]], 80, NO_COLOUR)
    assert out.splitlines() == [
        "┏━━━┳━━━━┓",
        "┃ a ┃  n ┃",
        "┡━━━╇━━━━┩",
        "│ x │ 12 │",
        "└───┴────┘",
    ]


def test_wide_columns_give_way_first() -> None:
    rows = [[plain("word " * 20), plain("€1.00"), plain("other " * 20)]]
    out = table([Column("a"), Column("b", right=True), Column("c")], rows, 41, NO_COLOUR)
    first = out.splitlines()[0]
    assert len(first) == 41
    # The short column keeps its width; the two long ones share the rest equally.
    assert [len(part) for part in first[1:-1].split("┳")] == [15, 7, 15]


def test_a_cut_shared_by_equal_columns_rounds_half_to_even() -> None:
    rows = [[plain("x" * 20), plain("y" * 20), plain("z" * 20)]]
    out = table([Column("a"), Column("b"), Column("c")], rows, 68, NO_COLOUR)
    assert [len(part) - 2 for part in out.splitlines()[0][1:-1].split("┳")] == [19, 20, 19]


def test_paragraphs_fold_long_words_and_headers_sit_at_the_bottom() -> None:
    lines = paragraph(plain("see cheques_entreprises.accompagnement_cap now"), 12, NO_COLOUR)
    assert lines.splitlines() == ["see", "cheques_entr", "eprises.acco", "mpagnement_c", "ap now"]
    out = table([Column("a"), Column("long header")], [[plain("x"), plain("y")]], 14, NO_COLOUR)
    assert out.splitlines()[1:3] == ["┃   ┃ long   ┃", "┃ a ┃ header ┃"]


def test_wide_characters_take_two_cells() -> None:
    assert cells("日本") == 4 and cells("é") == 1 and cells("e\u0301") == 1
    out = table([Column("名前")], [[plain("日本語")]], 40, NO_COLOUR)
    assert out.splitlines()[0] == "┏━━━━━━━━┓"  # 6 cells of text and 2 of padding
    assert out.splitlines()[3] == "│ 日本語 │"


def test_colour_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Painter(True)("ok", "green") == "\x1b[32mok\x1b[0m"
    assert Painter(False)("ok", "green") == "ok"
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert terminal()[1].colour
    monkeypatch.setenv("NO_COLOR", "1")
    assert not terminal()[1].colour


texts = st.lists(
    st.builds(
        Piece,
        st.text(alphabet=st.sampled_from("ab €✓-.\n"), max_size=30),
        st.sampled_from(["", "dim", "green"]),
    ),
    max_size=4,
)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.lists(texts, min_size=3, max_size=3), max_size=4),
    width=st.integers(min_value=20, max_value=120),
)
def test_tables_never_exceed_the_width_and_keep_every_word(
    rows: list[list[list[Piece]]], width: int
) -> None:
    columns = [Column("x"), Column("y", right=True), Column("z")]
    out = table(columns, rows, width, NO_COLOUR)
    lines = out.splitlines()
    assert all(len(line) == len(lines[0]) <= width for line in lines)
    widths = [len(part) - 2 for part in lines[0][1:-1].split("┳")]
    body = [line[1:-1].split("│") for line in lines if line.startswith("│")]
    for i, w in enumerate(widths):
        shown = " ".join(parts[i] for parts in body).split()
        for row in rows:
            for word in "".join(p.text for p in row[i]).split():
                # A word is shown whole, or cut with an ellipsis when longer than its column.
                assert (word if len(word) <= w else word[: w - 1] + "…") in shown


@settings(max_examples=100, deadline=None)
@given(text=texts, width=st.integers(min_value=5, max_value=60))
def test_paragraph_lines_fit(text: list[Piece], width: int) -> None:
    out = paragraph(text, width, NO_COLOUR)
    assert all(len(line) <= width for line in out.splitlines())
    # Nothing is lost: long words fold onto the next lines instead of being cut.
    assert "".join(out.split()) == "".join("".join(p.text for p in text).split())
