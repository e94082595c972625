"""`subsidia explain`: proof trees, failing conditions, solver-made counterfactuals."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction
from pathlib import Path

from typer.testing import CliRunner

from policy.cli import app
from policy.explain import explain
from solver.record import InputRecord

DAY = dt.date(2026, 3, 1)
ROOT = Path(__file__).parent.parent


def _record(advice: int, granted: dt.date | None) -> InputRecord:
    aid = (
        [{"programme": "kmo_groeisubsidie", "granted": granted, "amount": Fraction(25_000),
          "regime": "de_minimis"}]
        if granted else []
    )  # fmt: skip
    return InputRecord(
        {
            "company.region": "flanders",
            "company.legal_form": "bv",
            "company.staff": Fraction(12),
            "company.turnover": Fraction(1_800_000),
            "company.equity": Fraction(1),
            "project.theme": "digitalisation",
            "project.submitted": dt.date(2026, 3, 10),
            "project.start": dt.date(2026, 4, 1),
        },
        {
            "company.enterprises": [],
            "company.accounts": [],
            "company.aid": aid,
            "project.costs": [{"category": "advice", "amount": Fraction(advice)}],
        },
    )


def test_counterfactual_raises_the_contract_and_waits_for_the_cooldown() -> None:
    ex = explain(_record(18_000, dt.date(2024, 9, 15)), "kmo_groeisubsidie", DAY)
    assert ex.status == "ineligible"
    assert set(ex.failing) == {
        "minimum_project_amount",
        "advice_contracts_minimum",
        "cooldown_elapsed",
    }
    best = ex.suggestions[0]
    changes = {c.field: c.new for c in best.counterfactual.changes}
    # The smallest changes: the contract to exactly €20,000, submission on the day the
    # 24-month waiting period ends (and the start after it, as the rules require).
    assert changes["project.costs[0].amount"] == Fraction(20_000)
    assert changes["project.submitted"] == dt.date(2026, 9, 15)
    assert changes["project.start"] >= dt.date(2026, 10, 1)
    assert best.status == "eligible" and best.amount == "10000.00"


def test_eligible_decision_has_a_tree_and_no_counterfactuals() -> None:
    ex = explain(_record(30_000, None), "kmo_groeisubsidie", DAY)
    assert ex.status == "eligible" and ex.amount == "15000.00"
    assert not ex.suggestions
    cooldown = next(n for n in ex.tree if n.name == "cooldown_elapsed")
    params = {c.name: c for c in cooldown.children if c.kind == "parameter"}
    assert params["kmo_groeisubsidie.cooldown"].value == "24 months"
    assert "2025-01-01.." in params["kmo_groeisubsidie.cooldown"].detail


def test_region_is_not_changeable_so_no_counterfactual_moves_the_company() -> None:
    record = _record(30_000, None)
    record.scalars["company.region"] = "wallonia"
    ex = explain(record, "kmo_groeisubsidie", DAY)
    assert ex.status == "ineligible" and ex.failing == ["flemish_seat"]
    assert ex.suggestions == []


def test_explain_command_json(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "company: {id: x, region: flanders, legal_form: bv, staff: 5, turnover: 100000,"
        " equity: -10}\nproject: {theme: innovation, submitted: 2026-03-10,"
        " start: 2026-04-01, costs: [{category: advice, amount: 25000}]}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app,
        ["explain", str(profile), "--programme", "kmo_groeisubsidie", "--as-of", "2026-03-01",
         "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["failing"] == ["no_negative_equity"]
    (cf,) = data["counterfactuals"][:1]
    assert cf["changes"] == [{"field": "company.equity", "from": "-10", "to": "0"}]
    assert cf["status_after"] == "eligible"
