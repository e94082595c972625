"""`subsidia check` as text: rich tables, every word in the chosen language, nothing cut."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from policy.output.formatting import cents, formatter
from tests.cli import invoke
from tests.golden_files import GOLDEN, assert_golden

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples" / "profiles").glob("*.yaml"))
DAY = "2026-03-01"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_check_table_matches_golden(path: Path) -> None:
    result = invoke("check", str(path.relative_to(ROOT)), "--as-of", DAY)
    assert result.exit_code == 0, result.output
    assert_golden(GOLDEN / "check" / f"{path.stem}.txt", result.stdout)


# Words of the English frame that must not survive a translation. Rule labels come from
# the rule files; ids and field paths (`project.costs[1].amount`) are the reader's input
# and stay as they are, so they are removed before looking.
ENGLISH = [
    "eligible", "ineligible", "unknown", "needs", "programme", "amount", "status",
    "as of", "deciding", "conditions", "call", "staff", "turnover", "balance sheet",
    "limited by", "best combination", "alone", "rule versions", "parameters used",
    "not in force", "valid", "to decide", "awu", "march",
]  # fmt: skip
_IDENTIFIER = re.compile(r"[\w\[\]]+(?:[._][\w\[\]]+)+")


@pytest.mark.parametrize("lang", ["nl", "fr"])
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_no_english_word_is_left(path: Path, lang: str) -> None:
    result = invoke("check", str(path), "--as-of", DAY, "--lang", lang, "--verbose", columns=200)
    assert result.exit_code == 0, result.output
    text = _IDENTIFIER.sub(" ", result.stdout).lower()
    # The rule versions are identifiers and ISO periods only; their title is translated.
    left = [w for w in ENGLISH if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]
    if lang == "fr":  # French shares these words with English
        left = [w for w in left if w not in ("programme", "conditions", "parameters used")]
    assert left == [], f"English left in --lang {lang}: {left}"


def test_field_paths_wrap_and_are_never_cut() -> None:
    for columns in (50, 80):
        result = invoke("check", str(EXAMPLES[1]), "--as-of", DAY, columns=columns)
        lines = result.stdout.splitlines()
        assert max(len(line) for line in lines) <= columns
        assert "…" not in result.stdout
    # Every field a programme needs is printed whole in the list below the table.
    needed = invoke("check", str(EXAMPLES[1]), "--as-of", DAY).stdout
    assert "• project.research_category (" in needed


def test_rule_versions_only_with_verbose() -> None:
    quiet = invoke("check", str(EXAMPLES[1]), "--as-of", DAY).stdout
    loud = invoke("check", str(EXAMPLES[1]), "--as-of", DAY, "--verbose").stdout
    assert "kmo_groeisubsidie.cooldown [2025-01-01..]" in loud
    assert "Rule versions used" in loud and "Rule versions used" not in quiet
    assert "--verbose lists the dated versions" in quiet
    assert len(loud.splitlines()) > len(quiet.splitlines()) + 20


def test_colour_follows_no_color_and_force_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in invoke("check", str(EXAMPLES[1]), "--as-of", DAY).stdout
    monkeypatch.delenv("FORCE_COLOR")
    assert "\x1b[" not in invoke("check", str(EXAMPLES[1]), "--as-of", DAY).stdout
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("FORCE_COLOR", "1")
    # NO_COLOR drops colours (green, red, yellow); bold and dim may stay (no-color.org).
    assert not re.search(r"\x1b\[[0-9;]*3[1-3]m", invoke("check", str(EXAMPLES[1])).stdout)


def test_money_rounds_down_to_the_cent_exactly() -> None:
    # 50 % of €49,999.99872 (docs/language.md, "Exactness and rounding").
    half = Fraction("49999.99872") / 2
    assert cents(half) == Decimal("24999.99")
    assert cents(Fraction(-1, 3)) == Decimal("-0.34")  # towards minus infinity, as floor
    # A figure no float can hold: 10^17 + 1 cent survives.
    assert formatter("en").money(Fraction(10**17 * 100 + 1, 100)) == "€100,000,000,000,000,000.01"
    assert formatter("en").money(half) == "€24,999.99"
    assert formatter("nl").money(half) == "€\xa024.999,99"
    assert formatter("fr").money(half) == "24\u202f999,99\xa0€"
    assert formatter("fr").money(None) == "indéterminé"


def test_percent_and_dates_per_language() -> None:
    import datetime as dt

    assert formatter("en").percent(Fraction(1, 8)) == "12.5%"
    assert formatter("nl").percent(Fraction(1, 8)) == "12,5%"
    assert formatter("fr").percent(Fraction(1, 3)) == "33,3333\xa0%"
    day = dt.date(2026, 3, 1)
    assert [formatter(lang).date(day) for lang in ("en", "nl", "fr")] == [
        "1 March 2026",
        "1 maart 2026",
        "1 mars 2026",
    ]


def test_every_message_is_translated() -> None:
    from babel.messages.pofile import read_po

    with (ROOT / "policy/locale/subsidia.pot").open("rb") as fh:
        template = {m.id for m in read_po(fh) if m.id}
    for lang in ("nl", "fr"):
        with (ROOT / f"policy/locale/{lang}/LC_MESSAGES/subsidia.po").open("rb") as fh:
            catalog = {m.id: m.string for m in read_po(fh) if m.id}
        assert set(catalog) == template, f"{lang}: run `make messages`"
        assert all(catalog.values()), f"{lang}: untranslated messages"


@pytest.mark.parametrize(
    ("args", "english"),
    [
        (
            ["budget", "tests/fixtures/budget/kmo_groeisubsidie_project.yaml", "--as-of", DAY],
            ["Eligible costs", "Financing", "grant", "co-financing", "Payment schedule",
             "recoverable VAT", "incurred", "before the start", "limited by", "March"],
        ),
        (
            ["plan", "examples/scenarios/bel_coo_consortium.yaml"],
            ["Work split", "work package", "proven optimal", "total", "region", "effort"],
        ),
    ],
    ids=["budget", "plan"],
)  # fmt: skip
def test_budget_and_plan_tables_follow_the_language(args: list[str], english: list[str]) -> None:
    result = invoke(*args, "--lang", "nl", columns=200)
    assert result.exit_code == 0, result.output
    text = _IDENTIFIER.sub(" ", result.stdout)
    left = [w for w in english if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]
    assert left == [], f"English left: {left}"
    assert "€\xa0" in result.stdout  # Dutch amounts: "€ 35.000,00"
