"""A time limit on planning (`policy.plan(time_limit=…)`, `subsidia plan --time-limit`,
`POST /api/v1/plan?time_limit=`): the best plan found with its exact gap, or a clear
`timeout`, never an error. Nothing here asserts on time: the search is stopped at its first
plan deterministically, as a limit on a slower machine would stop it."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

import policy
from benchmarks.plan import generate, scenario
from policy.errors import InputError
from solver.milp import solve as milp_solve
from tests.cli import invoke


@pytest.fixture(scope="module")
def worst_case() -> dict:
    """The benchmark's worst case (every package open to its own random half of the
    candidates) at 100 × 200, seed 2: the hardest proof found, as a BEL-COO scenario."""
    return scenario(generate(100, 200, 2, distinct=True))


def _floats(node: object) -> list[object]:
    if isinstance(node, float):
        return [node]
    if isinstance(node, dict):
        return [f for value in node.values() for f in _floats(value)]
    if isinstance(node, list):
        return [f for value in node for f in _floats(value)]
    return []


def test_a_search_stopped_early_answers_the_best_plan_with_its_gap(
    monkeypatch: pytest.MonkeyPatch, worst_case: dict
) -> None:
    limit = milp_solve.Deadline.limit

    def first_plan_ends_it(self: milp_solve.Deadline, h, cap: float | None = None) -> None:
        limit(self, h, cap)
        h.setOptionValue("mip_max_improving_sols", 1)  # stop as soon as HiGHS has a plan

    monkeypatch.setattr(milp_solve.Deadline, "limit", first_plan_ends_it)
    report = policy.plan(worst_case, time_limit=60)
    data = report.as_json()
    assert data["status"] == "feasible" and data["proven_optimal"] is False
    assert data["verified"] is True
    assert data["time_limit"] == "60" and data["time_limit_reached"] is True
    total, bound, gap = (Decimal(data[key]) for key in ("total", "dual_bound", "gap"))
    assert bound > total > 0
    exact = (bound - total) / bound
    assert exact <= gap < exact + Decimal("0.000001")  # rounded up, never understated
    assert data["alternatives"] == []  # none beside a plan not proven optimal
    assert "consortium rules not valued: the plan is not proven optimal" in data["notes"]
    assert _floats(data) == []
    percent = (gap * 100).quantize(Decimal("0.01"), rounding="ROUND_CEILING")
    text = report.as_text(width=300)
    assert f"best found, within {percent}% of the optimum" in text
    assert "time limit of 60 s reached" in text
    assert "beste gevonden, binnen" in report.as_text(width=300, lang="nl")
    assert "meilleur trouvé, à moins de" in report.as_text(width=300, lang="fr")


def test_no_plan_in_time_is_a_timeout_answer(worst_case: dict, tmp_path: Path) -> None:
    # A millisecond is spent before the search starts: the search gets nothing.
    report = policy.plan(worst_case, time_limit=0.001)
    data = report.as_json()
    assert data["status"] == "timeout" and data["time_limit_reached"] is True
    assert (data["total"], data["dual_bound"], data["gap"]) == ("0.00", None, None)
    assert data["infeasible"] == [] and data["time_limit"] == "0.001"
    path = tmp_path / "worst.json"
    path.write_text(json.dumps(worst_case))
    result = invoke("plan", str(path), "--time-limit", "0.001", "--lang", "fr")
    assert result.exit_code == 1, result.output
    assert "aucun plan trouvé dans la limite de temps de 0,001 s" in result.stdout


def test_a_limit_long_enough_changes_nothing() -> None:
    seed = Path(__file__).parent.parent / "examples/scenarios/bel_sme_seed.yaml"
    data = policy.plan(seed, time_limit=30).as_json()
    unlimited = policy.plan(seed).as_json()
    assert data["status"] == "optimal" and data["gap"] == "0"
    assert data["time_limit"] == "30" and data["time_limit_reached"] is False
    assert data["dual_bound"] == data["total"] == "130000.00"
    assert {**data, "time_limit": None} == unlimited


def test_a_limit_must_be_positive(tmp_path: Path) -> None:
    seed = Path(__file__).parent.parent / "examples/scenarios/bel_sme_seed.yaml"
    for bad in (0, -1, float("nan")):
        with pytest.raises(InputError) as err:
            policy.plan(seed, time_limit=bad)
        assert err.value.path == "time_limit"
    result = invoke("plan", str(seed), "--time-limit", "0")
    assert result.exit_code == 2
    assert "--time-limit: must be a positive number of seconds" in result.stderr
    assert "Traceback" not in result.output
