"""`subsidia show`, `compare`, generated programme pages, and call windows in answers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from policy import engine
from policy.authoring.describe import expr_text, programme_markdown, write_programme_pages
from tests.cli import invoke

ROOT = Path(__file__).parent.parent


def test_programme_pages_are_up_to_date(tmp_path: Path) -> None:
    """docs/programmes/ is generated; regenerate with `subsidia docs` when this fails."""
    cat = engine.catalogue()
    write_programme_pages(cat, tmp_path)
    committed = ROOT / "docs/programmes"
    fresh = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.iterdir()}
    stored = {p.name: p.read_text(encoding="utf-8") for p in committed.glob("*.md")}
    assert fresh == stored, "docs/programmes is stale: run `subsidia docs`"


def test_show_renders_conditions_parameters_versions_and_sources() -> None:
    text = programme_markdown(engine.catalogue(), "kmo_groeisubsidie", "nl")
    assert text.startswith("# Kmo-groeisubsidie")
    assert "Uitbatingszetel in het Vlaamse Gewest" in text
    row = "| `cooldown` | Wachttijd na een vorige kmo-groeisubsidie | 36 months |"
    assert row + " 2021-01-01..2024-12-31" in text
    assert "24 months | 2025-01-01.." in text
    assert "`company.region = 'flanders'`" in text
    assert "https://www.vlaio.be/" in text


def test_show_and_compare_commands() -> None:
    shown = invoke("show", "kmo_groeisubsidie", "--lang", "fr")
    assert shown.exit_code == 0 and "Subvention de croissance PME" in shown.stdout
    missing = invoke("show", "kmo_groei")
    assert missing.exit_code == 2 and "did you mean 'kmo_groeisubsidie'" in missing.output
    compared = invoke(
        "compare", "kmo_groeisubsidie", "kmo_groeisubsidie", "--as-of", "2026-03-01"
    )
    assert compared.exit_code == 0 and "50 %" in compared.stdout


def test_expressions_print_in_rule_notation() -> None:
    cat = engine.catalogue()
    amount = cat.programmes["kmo_groeisubsidie"].amount
    assert amount is not None and amount.base is not None
    assert expr_text(amount.base) == (
        "min(min(kmo_groeisubsidie.rate * kmo_groeisubsidie.advice_cost, "
        "kmo_groeisubsidie.advice_cap) + kmo_groeisubsidie.hire_grant, kmo_groeisubsidie.total_cap)"
    )
    # The grant: the amount and its `limit de_minimis`, whichever is smaller.
    assert expr_text(amount.expr) == f"min({expr_text(amount.base)}, eu_de_minimis.headroom)"


def test_call_windows_in_answers() -> None:
    prog = engine.catalogue().programmes["kmo_groeisubsidie"]
    assert engine.call_status(prog, dt.date(2025, 7, 15)) == "call open until 2025-09-01"
    assert engine.call_status(prog, dt.date(2025, 9, 2)) == "next call opens on 2025-11-20"
    assert engine.call_status(prog, dt.date(2026, 3, 1)) == "no call known after 2025-12-15"
