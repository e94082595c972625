"""`subsidia diff`: kinds of changed answers between two versions, with solver-found examples."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policy.cli import app
from policy.diff import diff
from policy.engine import DEFAULT_RULES

ROOT = Path(__file__).resolve().parent.parent
VOUCHER = ROOT / "docs/examples/innovation_voucher.rules"
DAY = dt.date(2026, 3, 1)


@pytest.fixture
def versions(tmp_path: Path) -> tuple[Path, Path]:
    """The tutorial's voucher, and a version with a higher minimum and a lower rate."""
    old, new = tmp_path / "old.rules", tmp_path / "new.rules"
    text = VOUCHER.read_text(encoding="utf-8")
    old.write_text(text, encoding="utf-8")
    changed = text.replace("= 2500 EUR", "= 5000 EUR").replace(
        '2026-01-01.. = 60% source amendment "art. 1"',
        '2026-01-01.. = 50% source amendment "art. 1"',
    )
    assert changed.count("5000 EUR") == 1 and "= 50%" in changed
    new.write_text(changed, encoding="utf-8")
    return old, new


def _cents(x: Fraction) -> Decimal:
    return (Decimal((x * 100).__floor__()) / 100).quantize(Decimal("0.01"), ROUND_FLOOR)


def test_each_kind_of_change_has_an_example_that_shows_it(versions: tuple[Path, Path]) -> None:
    pid, differences = diff(*versions, None, DAY, DEFAULT_RULES)
    assert pid == "innovation_voucher"
    kinds = {(d.old_status, d.new_status) for d in differences}
    assert kinds == {("eligible", "eligible"), ("eligible", "ineligible")}
    for d in differences:
        assert d.assumed == {"eu_sme.is_sme": True}
        assert d.record.scalars["company.region"] in ("flanders", "brussels")
        costs = sum(
            c["amount"]
            for c in d.record.collections["project.costs"]
            if c["category"] in ("advice", "subcontracting")
        )
        assert d.old_amount == _cents(min(costs * Fraction(60, 100), Fraction(10_000)))
        if d.new_status == "eligible":  # the lower rate
            assert costs >= 5_000
            assert d.new_amount == _cents(min(costs * Fraction(50, 100), Fraction(10_000)))
            assert d.new_amount < d.old_amount
        else:  # the higher minimum
            assert 2_500 <= costs < 5_000
            assert d.new_amount is None


def test_identical_versions_have_no_difference(versions: tuple[Path, Path]) -> None:
    old, _ = versions
    assert diff(old, old, None, DAY, DEFAULT_RULES) == ("innovation_voucher", [])


def test_command_output_and_exit_codes(versions: tuple[Path, Path]) -> None:
    runner = CliRunner()
    old, new = versions
    result = runner.invoke(app, ["diff", str(old), str(new), "--as-of", "2026-03-01"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "innovation_voucher on 2026-03-01: 2 example(s) of a changed answer"
    assert any(line.startswith("example ") and "→ ineligible" in line for line in lines)
    assert "  assuming eu_sme.is_sme = true (a shared definition, left free)" in lines
    assert not any("Fraction" in line for line in lines)
    same = runner.invoke(app, ["diff", str(old), str(old), "--as-of", "2026-03-01"])
    assert (same.exit_code, same.stdout) == (
        0,
        "innovation_voucher: no profile changes status or amount on 2026-03-01\n",
    )
    other = runner.invoke(app, ["diff", str(old), str(new), "--programme", "kmo_portefeuille"])
    assert other.exit_code == 0  # in both catalogues, unchanged
    missing = runner.invoke(app, ["diff", str(old), str(new), "--programme", "nope"])
    assert missing.exit_code == 2
    assert "programme 'nope' is not in both versions" in missing.stderr
