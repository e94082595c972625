"""Plans over several programmes (policy/planner/several.py): each partner funded by one.

Through the command a consultant runs, the facade, the web page; against the engine on the
figures that cross programmes (a bonus one programme gives for a partner another funds),
and against every one-programme plan of the same scenario on generated scenarios.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policy
from policy.inputs.scenario import parse_scenario
from policy.planner.several import plan
from tests.test_plan_properties import SIZES, company

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "scenarios" / "several_programmes.yaml"
PROGRAMMES = ["vlaio_development_project", "innoviris_rd_project", "wallonia_rd_project"]
SPW = "SPW Économie, Emploi, Recherche"


def subsidia(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policy.cli", *args], capture_output=True, text=True, cwd=cwd
    )


def test_each_partner_is_funded_by_its_own_regions_programme() -> None:
    done = subsidia("plan", str(EXAMPLE), "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["programme"] == PROGRAMMES
    assert doc["status"] == "optimal" and doc["verified"] is True
    funded = {p["id"]: (p["programme"], p["funder"]) for p in doc["partners"] if p["included"]}
    assert funded == {
        "flemish_growth": ("vlaio_development_project", "VLAIO"),
        "brussels_partner": ("innoviris_rd_project", "Innoviris"),
        "walloon_large": ("wallonia_rd_project", SPW),
    }
    assert doc["total"] == "450000.00"
    # No single programme funds this consortium: each one's region condition leaves the
    # two other firms out, and the work packages need them.
    for pid in PROGRAMMES:
        alone = policy.plan(_with(EXAMPLE, programme=pid)).as_json()
        assert alone["status"] == "infeasible"


def test_a_bonus_comes_from_a_partner_another_programme_funds() -> None:
    """Innoviris's cooperation bonus (35 % → 50 % for a medium firm) holds with a partner
    funded by VLAIO: the engine, asked on its own with that partner, agrees to the cent."""
    doc = policy.plan(EXAMPLE).as_json()
    brussels = next(p for p in doc["partners"] if p["id"] == "brussels_partner")
    assert brussels["rate"] == "50" and brussels["grant"] == "190000.00"
    profile = yaml.safe_load((ROOT / "examples/profiles/brussels_partner.yaml").read_text())
    scenario = yaml.safe_load(EXAMPLE.read_text())
    others = [p for p in doc["partners"] if p["included"] and p["id"] != "brussels_partner"]
    profile["project"] = {
        **scenario["project"],
        "programme": "innoviris_rd_project",
        "costs": [{"category": "personnel", "amount": brussels["costs"]}],
        "partners": [
            {"id": p["id"], "region": p["region"], "category": p["category"], "costs": p["costs"]}
            for p in others
        ],
    }
    answer = policy.check(profile, programmes="innoviris_rd_project").as_json()
    (result,) = answer["results"]
    assert result["status"] == "eligible"
    assert result["amount"] == brussels["grant"]
    # Alone, the same costs get the rate without the bonus.
    profile["project"]["partners"] = []
    (alone,) = policy.check(profile, programmes="innoviris_rd_project").as_json()["results"]
    assert alone["amount"] == "133000.00"


def test_the_web_planner_plans_over_several_programmes() -> None:
    from policy.service.app import create_app

    with TestClient(create_app()) as client:
        r = client.get("/plan", params={"example": EXAMPLE.stem})
    assert r.status_code == 200, r.text
    title = r.text[r.text.index('<h2 id="result-title">') :][:400]
    assert " + " in title
    row = r.text[r.text.index('<tr id="partner-brussels_partner">') :][:1500]
    assert "Innoviris" in row
    assert "€190,000.00" in r.text


@pytest.mark.parametrize(
    ("programme", "message"),
    [
        ([], "programme: name at least one programme"),
        (["bel_coo", "bel_coo"], "programme[1]: 'bel_coo' is named twice"),
        (
            ["vlaio_development_project", "innoviris_rd"],
            "programme[1]: unknown programme 'innoviris_rd'; did you mean 'innoviris_rd_project'?",
        ),
    ],
)
def test_a_bad_programme_list_is_one_message_and_exit_2(
    tmp_path: Path, programme: list[str], message: str
) -> None:
    scenario = yaml.safe_load(EXAMPLE.read_text())
    scenario["programme"] = programme
    for partner in scenario["partners"]:
        partner["profile"] = str(EXAMPLE.parent / partner["profile"])
    path = tmp_path / "scenario.yaml"
    for partner in scenario["partners"]:
        target = tmp_path / Path(partner["profile"]).name
        target.write_text(Path(partner["profile"]).read_text())
        partner["profile"] = target.name
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    done = subsidia("plan", str(path), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == f"{path}: {message}"
    assert "Traceback" not in done.stderr and not done.stdout


def _with(path: Path, **changes: object) -> dict:
    """The scenario file as data with its profiles read in, and `changes` applied."""
    scenario = yaml.safe_load(path.read_text())
    for partner in scenario["partners"]:
        if isinstance(partner["profile"], str):
            partner["profile"] = yaml.safe_load((path.parent / partner["profile"]).read_text())
    return {**scenario, **changes}


# --- generated scenarios ---------------------------------------------------------------------


@st.composite
def scenarios(draw: st.DrawFn) -> dict:
    programmes = draw(st.lists(st.sampled_from(PROGRAMMES), min_size=2, max_size=3, unique=True))
    partners = []
    for i in range(draw(st.integers(2, 4))):
        staff, turnover = SIZES[draw(st.sampled_from(sorted(SIZES)))]
        partners.append(
            {
                "id": f"p{i}",
                "monthly_cost": draw(st.integers(8, 30)) * 500,
                "capacity": draw(st.integers(10, 60)),
                "required": i == 0 and draw(st.booleans()),
                "profile": {
                    "company": company(
                        f"p{i}",
                        draw(st.sampled_from(["brussels", "flanders", "wallonia"])),
                        staff,
                        turnover,
                        legal_form="srl",
                    )
                },
            }
        )
    return {
        "programme": programmes,
        "as_of": "2026-03-01",
        "project": {
            "submitted": "2026-02-01",
            "start": "2026-06-01",
            "duration_months": 24,
            "research_category": draw(
                st.sampled_from(["experimental_development", "industrial_research"])
            ),
        },
        "partners": partners,
        "max_partners": draw(st.none() | st.integers(1, 3)),
        "work_packages": [
            {"id": f"w{j}", "effort": draw(st.integers(1, 40))}
            for j in range(draw(st.integers(1, 2)))
        ],
    }


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_several_programmes_plan_at_least_as_well_as_any_one_of_them(data: dict) -> None:
    """The plan over several programmes is re-checked by the engine (each partner under the
    programme that funds it) and is never below the best one-programme plan."""
    several = plan(parse_scenario(copy.deepcopy(data)), k=2)
    if several.status != "infeasible":
        assert several.verified, several.notes
        assert all(a.verified for a in several.alternatives)
        funded = {p.programme for p in several.partners if p.included}
        assert funded <= set(data["programme"])
    for pid in data["programme"]:
        one = plan(parse_scenario({**copy.deepcopy(data), "programme": pid}), k=1)
        if one.status == "optimal":
            assert several.status == "optimal"
            assert several.total >= one.total, (pid, several.notes)


def test_the_http_service_plans_over_several_programmes() -> None:
    from policy.service.app import create_app

    scenario = json.loads(json.dumps(_with(EXAMPLE), default=str))  # dates as ISO text
    with TestClient(create_app()) as client:
        answer = client.post("/api/v1/plan", json=scenario)
        assert answer.status_code == 200, answer.text
        assert answer.json() == policy.plan(EXAMPLE, time_limit=30).as_json()
        bad = client.post("/api/v1/plan", json={**scenario, "programme": ["bel_coo", 7]})
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        {"path": "programme[1]", "message": "expected text, got the number 7; put it in quotes"}
    ]


def test_a_company_two_programmes_may_fund_is_one_company_in_the_answer() -> None:
    """brussels_ai is eligible for BEL-COO and for Innoviris: two candidates in the model,
    one company in the answer. The next-best consortia are other sets of companies (not
    the same ones under other programmes), and nothing the answer says names a model
    candidate (`id@programme`)."""
    consortium_file = ROOT / "examples" / "scenarios" / "bel_coo_consortium.yaml"
    scenario = _with(consortium_file, programme=["bel_coo", "innoviris_rd_project"])
    scenario["project"]["submitted"] = "2026-02-01"
    for partner in scenario["partners"]:
        if partner["id"] == "brussels_partner":
            partner["rate"] = 60
        if partner["id"] == "brussels_ai":
            partner["profile"]["company"].update(
                legal_form="srl",
                founded="2010-01-01",
                subscribed_capital=100000,
                reserves=50000,
                accumulated_losses=0,
            )
    result = plan(parse_scenario(copy.deepcopy(scenario)), k=3)
    doc = policy.plan(scenario, alternatives=2).as_json()
    assert doc["status"] == "optimal" and doc["verified"] is True
    assert len(doc["alternatives"]) == 2
    sets = [frozenset(p["id"] for p in doc["partners"] if p["included"])]
    sets += [frozenset(a["partners"]) for a in doc["alternatives"]]
    assert len(set(sets)) == len(sets), sets
    said = json.dumps([doc["binding"], doc["marginal"], doc["allocation"], doc["partners"]])
    assert "@" not in said
    assert result.total == Decimal(doc["total"])


def test_a_combination_not_solved_in_time_leaves_the_plan_unproven(monkeypatch) -> None:
    """When a combination of the programmes is not solved to the end, the plan is the best
    found, `feasible`, and its bound is unknown (no gap of 0 claimed)."""
    from benchmarks.plan import generate, scenario
    from policy.planner import several

    data = scenario(generate(20, 30, 2, distinct=True), PROGRAMMES)
    real = several.milp_solve.solve
    solved = []

    def solve(instance, **kwargs):
        solved.append(instance)
        if len(solved) == 1:
            return real(instance, **kwargs)
        return several.milp_solve.Outcome("timeout", None, [], None, None, 0.0)

    # Every combination is solved (no LP bound rules one out), the second one runs out.
    monkeypatch.setattr(several.milp_solve, "relaxation_bound", lambda instance, deadline: None)
    monkeypatch.setattr(several.milp_solve, "solve", solve)
    result = several.plan(parse_scenario(data), k=1)
    assert len(solved) >= 2
    assert result.status == "feasible" and not result.proven
    assert result.bound is None and result.gap() is None
    assert any("no plan found in time" in note for note in result.notes)
