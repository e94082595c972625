"""`subsidia budget`: eligible costs by category, grant, co-financing and the cash flow.

The costing rules are tested on a test programme (tests/fixtures/budget/budgeted.rules,
with a flat-rate overhead, a subcontracting cap and two tranches) evaluated with the real
programmes/eu/ definitions; the worked example is the real Kmo-groeisubsidie (golden files).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy.funding.budget import build
from policy.inputs.loading import parse_profile
from tests.cli import invoke
from tests.golden_files import GOLDEN, assert_golden

ROOT = Path(__file__).parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "budget"
WORKED = FIXTURES / "kmo_groeisubsidie_project.yaml"
AS_OF = dt.date(2026, 3, 1)


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("budget_rules")
    shutil.copytree(ROOT / "programmes" / "eu", folder / "eu")
    shutil.copy(FIXTURES / "budgeted.rules", folder)
    return folder


def _profile(costs: list[dict], **project):
    return parse_profile(
        {
            "company": {"id": "t", "region": "flanders", "staff": 20},
            "project": {"start": "2026-04-01", "duration_months": 12, **project, "costs": costs},
        }
    )


# personnel (60,000 + 15,000) × 50 % = 37,500; overhead 20 % of it = 7,500 (the 5,000
# overhead line gives way); equipment 30,000 over 12 of 60 months = 6,000; travel 2,000;
# advice 12,100 less 2,100 recoverable VAT = 10,000; other line before the start: out.
# Others 63,000, so subcontracting at most 30/70 × 63,000 = 27,000 (of 40,000).
COSTS = [
    {"category": "personnel", "gross_salary": 60000, "employer_contributions": 15000,
     "time_share": 50},
    {"category": "overhead", "amount": 5000},
    {"category": "equipment", "amount": 30000, "depreciation_months": 60},
    {"category": "travel", "amount": 2000},
    {"category": "advice", "amount": 12100, "recoverable_vat": 2100},
    {"category": "other", "amount": 8000, "incurred": "2026-03-15"},
    {"category": "subcontracting", "amount": 40000},
]  # fmt: skip


def test_costing_rules_caps_and_tranches(rules: Path) -> None:
    budget = build(_profile(COSTS), "budgeted", AS_OF, rules)
    eligible = {c: e for c, (_, e) in budget.by_category.items()}
    assert eligible == {
        "personnel": 37500,
        "equipment": 6000,
        "subcontracting": 27000,
        "travel": 2000,
        "overhead": 7500,
        "advice": 10000,
        "other": 0,
    }
    assert budget.eligible_total == 90000
    assert budget.result.amount == Decimal("45000.00")  # 50 % of the eligible costs
    assert budget.cofinancing == Decimal("45000.00")
    assert [(t.share, t.amount, t.cumulative) for t in budget.tranches] == [
        (Fraction(2, 5), Decimal("18000.00"), Decimal("18000.00")),
        (Fraction(3, 5), Decimal("27000.00"), Decimal("45000.00")),
    ]
    notes = {line.index: line.notes for line in budget.lines}
    assert notes[5] == ["incurred 15 March 2026, before the start on 1 April 2026"]
    assert notes[1] == ["replaced by the flat rate (budgeted.overhead_rate)"]
    assert "subcontracting limited to €27,000.00 (-€13,000.00)" in budget.notes[0]


def test_subcontracting_below_the_cap_is_untouched(rules: Path) -> None:
    costs = [
        {"category": "travel", "amount": 70000},
        {"category": "subcontracting", "amount": 30000},
    ]
    budget = build(_profile(costs), "budgeted", AS_OF, rules)
    assert budget.by_category["subcontracting"] == (30000, 30000)  # exactly 30 %
    assert budget.notes == []


def test_tranches_round_down_and_the_last_takes_the_remainder(rules: Path) -> None:
    budget = build(_profile([{"category": "travel", "amount": "0.07"}]), "budgeted", AS_OF, rules)
    assert budget.result.amount == Decimal("0.03")  # 50 % of 0.07 = 0.035, rounded down
    assert [t.amount for t in budget.tranches] == [Decimal("0.01"), Decimal("0.02")]


def test_worked_example_matches_golden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    args = ["budget", str(WORKED.relative_to(ROOT)), "--as-of", "2026-03-01"]
    as_json = invoke(*args, "--json")
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.output)
    assert data["grant"] == "35000.00" and data["grant_before_limits"] == "40000.00"
    assert data["limits"][0]["binding"] and data["limits"][0]["reduction"] == "5000.00"
    # Eligible: advice 30,000 + the hire at the programme's own cost, 52,000 × 1.596 =
    # 82,992 (not its 66,000 of salary and contributions): 112,992 − 35,000.
    assert data["cofinancing"] == "77992.00"
    assert_golden(GOLDEN / "budget" / "kmo_groeisubsidie.json", as_json.output)
    table = invoke(*args)
    assert table.exit_code == 0, table.output
    assert_golden(GOLDEN / "budget" / "kmo_groeisubsidie.txt", table.output)


@pytest.mark.parametrize(
    ("project", "message"),
    [
        (None, "project: required for a budget"),
        ({"programme": "kmo_groeisubsidie", "costs": [{"category": "equipment", "amount": 1,
          "depreciation_months": 24}]},
         "project.duration_months: required to depreciate project.costs[0] over the project"),
        ({"costs": []}, "project.programme: required, or give --programme"),
        ({"programme": "kmo_groeisubsidie", "costs": [{"category": "travel", "amount": 5,
          "recoverable_vat": 6}]}, "project.costs[0].recoverable_vat: must not exceed amount"),
    ],
)  # fmt: skip
def test_bad_input_names_the_field_and_exits_2(
    tmp_path: Path, project: dict | None, message: str
) -> None:
    data: dict = {"company": {"id": "t"}}
    if project is not None:
        data["project"] = project
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = invoke("budget", str(path), "--as-of", "2026-03-01")
    assert result.exit_code == 2
    assert result.output.strip() == f"{path}: {message}"


_line = st.tuples(
    st.sampled_from(["personnel", "equipment", "subcontracting", "travel", "other"]),
    st.integers(min_value=0, max_value=200_000),
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(_line, min_size=1, max_size=4), extra=_line)
def test_caps_hold_and_more_eligible_cost_never_lowers_the_grant(
    rules: Path, lines: list[tuple[str, int]], extra: tuple[str, int]
) -> None:
    costs = [{"category": c, "amount": a} for c, a in lines]
    budget = build(_profile(costs), "budgeted", AS_OF, rules)
    total = budget.eligible_total
    assert total is not None and budget.result.amount is not None
    sub = budget.by_category.get("subcontracting", (0, Fraction(0)))[1]
    assert sub is not None and sub <= Fraction(3, 10) * total
    assert Fraction(budget.result.amount) <= total / 2
    assert sum((t.amount for t in budget.tranches), Decimal(0)) == budget.result.amount
    more = build(_profile([*costs, {"category": extra[0], "amount": extra[1]}]), "budgeted",
                 AS_OF, rules)  # fmt: skip
    assert more.result.amount >= budget.result.amount


def _hire_profile(programme: str, **line: object):
    return parse_profile(
        {
            "company": {"id": "t", "region": "flanders", "legal_form": "bv", "staff": 12,
                        "turnover": 1800000, "balance_sheet": 950000, "equity": 410000,
                        "founded": "2014-09-01", "subscribed_capital": 18600,
                        "reserves": 391400, "accumulated_losses": 0},
            "project": {"programme": programme, "theme": "digitalisation",
                        "submitted": "2026-03-10", "start": "2026-04-01", "duration_months": 12,
                        "costs": [{"category": "advice", "amount": 30000},
                                  {"category": "hire", "gross_salary": 55000, **line}]},
        }
    )  # fmt: skip


def test_a_hire_is_budgeted_at_the_programmes_own_cost() -> None:
    """The Kmo-groeisubsidie counts a hire at gross × 1.596 (kmo_groeisubsidie.hire_cost):
    the budget shows it so, and the co-financing is the programme's."""
    budget = build(_hire_profile("kmo_groeisubsidie"), "kmo_groeisubsidie", AS_OF)
    hire = budget.lines[1]
    assert (hire.stated, hire.eligible) == (55000, 87780)
    assert hire.notes == ["costed by kmo_groeisubsidie.hire_cost"]
    assert budget.eligible_total == 117780
    assert budget.result.amount == Decimal("40000.00")  # 15,000 advice + 25,000 hire cap
    assert budget.cofinancing == Decimal("77780.00")


def test_elsewhere_a_hire_is_a_personnel_cost_the_programme_counts() -> None:
    """Without a hire_cost of its own, a programme reads costing.hire_cost: (gross +
    contributions) × months / 12. The grant is the rate on the same eligible total."""
    profile = _hire_profile(
        "vlaio_development_project", employer_contributions=15000, employment_months=6
    )
    budget = build(profile, "vlaio_development_project", AS_OF)
    assert (budget.lines[1].stated, budget.lines[1].eligible) == (35000, 35000)
    assert budget.lines[1].notes == []
    assert budget.result.status == "eligible" and budget.result.missing == []
    assert budget.eligible_total == 65000
    assert budget.result.amount == Decimal("29250.00")  # 45 % (small) of 65,000
