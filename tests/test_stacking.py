"""Stacking: the best combination of programmes under the cumulation rules.

The test programmes (tests/fixtures/stacking/programmes.rules) are evaluated together with
the real programmes/eu/ definitions (cumulation, de minimis, SME), copied beside them, so
the ceilings come from the real rule files while the programmes stay fixed.
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

from policy import engine
from policy.funding.budget import check_record
from policy.funding.stacking import Combination, propose
from policy.inputs.loading import parse_profile
from tests.cli import invoke

ROOT = Path(__file__).parent.parent
AS_OF = dt.date(2026, 3, 1)


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stacking_rules")
    shutil.copytree(ROOT / "programmes" / "eu", folder / "eu")
    shutil.copy(ROOT / "tests" / "fixtures" / "stacking" / "programmes.rules", folder)
    return folder


def _profile(costs: list[dict], aid: list[dict] | None = None, region: str = "flanders"):
    return parse_profile(
        {
            "company": {
                "id": "t",
                "region": region,
                "staff": 20,
                "turnover": 3_000_000,
                "balance_sheet": 2_000_000,
                "aid": aid or [],
            },
            "project": {"start": "2026-04-01", "duration_months": 12, "costs": costs},
        }
    )


def _plan(
    rules: Path, costs: list[dict], aid: list[dict] | None = None, region: str = "flanders"
) -> Combination:
    profile = _profile(costs, aid, region)
    cat = engine.catalogue(rules)
    report = engine.check(check_record(cat, profile, AS_OF), AS_OF, root=rules)
    return propose(report, profile, rules)


def _granted(plan: Combination) -> dict[str, Decimal]:
    return {s.programme: s.granted for s in plan.shares}


def test_programmes_on_the_same_costs_stop_at_the_intensity_ceiling(rules: Path) -> None:
    # A Brussels company, advice €50,000: advice_fl 40 % capped at €20,000, advice_fl_dm
    # 30 % = €15,000, advice_bxl 45 % = €22,500. A small company's advice ceiling is 50 %
    # (GBER art. 18): €25,000. Flanders (20,000 + 5,000) beats Brussels (22,500 alone);
    # one region funds the activity, so advice_bxl is left out.
    plan = _plan(rules, [{"category": "advice", "amount": 50000}], region="brussels")
    assert plan.total == Decimal("25000.00")
    assert _granted(plan) == {
        "advice_bxl": Decimal("0.00"),
        "advice_fl": Decimal("20000.00"),
        "advice_fl_dm": Decimal("5000.00"),
    }
    kinds = {lim.kind: lim for lim in plan.limits}
    assert kinds["intensity"].reduction == Decimal("10000.00")
    assert "50% of advice €50,000.00" in kinds["intensity"].text
    assert kinds["region"].programmes == ["advice_bxl"]
    assert kinds["region"].reduction == Decimal("22500.00")


def test_different_cost_lines_cumulate_freely(rules: Path) -> None:
    plan = _plan(
        rules,
        [{"category": "advice", "amount": 50000}, {"category": "training", "amount": 10000}],
    )
    assert _granted(plan)["training_fl_dm"] == Decimal("5000.00")
    assert plan.total == Decimal("30000.00")
    assert [lim.kind for lim in plan.limits if lim.kind == "intensity"] == ["intensity"]


def test_de_minimis_programmes_share_one_headroom(rules: Path) -> None:
    # Headroom 4,000: each de minimis programme alone is limited to 4,000 by its own
    # `limit`; together they may not take more than 4,000 either. Advice: 20,000 from
    # advice_fl, room 5,000 for de minimis under the 25,000 ceiling; training 4,000.
    aid = [{"programme": "x", "granted": "2025-01-01", "amount": 296000, "regime": "de_minimis"}]
    plan = _plan(
        rules,
        [{"category": "advice", "amount": 50000}, {"category": "training", "amount": 10000}],
        aid,
    )
    granted = _granted(plan)
    assert granted["advice_fl_dm"] + granted["training_fl_dm"] == Decimal("4000.00")
    assert plan.total == Decimal("24000.00")
    headroom = [lim for lim in plan.limits if lim.kind == "de_minimis"]
    assert headroom and headroom[0].reduction == Decimal("4000.00")


def test_gber_aid_leaves_the_headroom_alone(rules: Path) -> None:
    aid = [{"programme": "x", "granted": "2025-01-01", "amount": 900000, "regime": "gber"}]
    plan = _plan(rules, [{"category": "training", "amount": 10000}], aid)
    assert plan.total == Decimal("5000.00")
    assert plan.headroom == Fraction(300000)


def test_a_single_programme_is_not_cut(rules: Path) -> None:
    plan = _plan(rules, [{"category": "training", "amount": 10000}])
    assert _granted(plan) == {"training_fl_dm": Decimal("5000.00")}
    assert plan.limits == []


_lines = st.lists(
    st.tuples(
        st.sampled_from(["advice", "training", "travel"]),
        st.integers(min_value=0, max_value=120_000),
    ),
    min_size=1,
    max_size=3,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=_lines,
    extra=st.tuples(
        st.sampled_from(["advice", "training"]), st.integers(min_value=1, max_value=60_000)
    ),
    used=st.integers(min_value=0, max_value=320_000),
)
def test_ceilings_hold_and_more_cost_never_lowers_the_total(
    rules: Path, lines: list[tuple[str, int]], extra: tuple[str, int], used: int
) -> None:
    aid = [{"programme": "x", "granted": "2025-06-01", "amount": used, "regime": "de_minimis"}]
    costs = [{"category": c, "amount": a} for c, a in lines]
    plan = _plan(rules, costs, aid)
    headroom = Fraction(max(300_000 - used, 0))
    granted = _granted(plan)
    for share in plan.shares:
        assert Decimal(0) <= share.granted <= share.offered
    dm = granted.get("advice_fl_dm", 0) + granted.get("training_fl_dm", 0)
    assert Fraction(dm) <= headroom
    for group in plan.groups:
        if group.ceiling is not None:
            assert sum(Fraction(granted[p]) for p in group.programmes) <= group.ceiling
    assert plan.total == sum(granted.values(), Decimal("0.00"))
    category, amount = extra
    more = _plan(rules, [*costs, {"category": category, "amount": amount}], aid)
    assert more.total >= plan.total


def test_check_with_a_project_proposes_the_combination() -> None:
    worked = ROOT / "tests" / "fixtures" / "budget" / "kmo_groeisubsidie_project.yaml"
    result = invoke("check", str(worked), "--as-of", "2026-03-01", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    growth = next(r for r in data["results"] if r["programme"] == "kmo_groeisubsidie")
    assert growth["amount"] == "35000.00" and growth["amount_before_limits"] == "40000.00"
    stacking = data["stacking"]
    assert stacking["total"] == "35000.00"
    assert stacking["de_minimis_headroom"] == "35000"
    assert {p["programme"]: p["granted"] for p in stacking["programmes"]} == {
        "kmo_groeisubsidie": "35000.00"
    }
