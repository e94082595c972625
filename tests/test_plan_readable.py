"""What a plan says in words: each partner's funder, why a candidate is left out, marginal
values as what they are, `--as-of` and `--lang`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli import invoke

SCENARIO = Path(__file__).parent.parent / "examples" / "scenarios" / "bel_coo_consortium.yaml"


@pytest.fixture(scope="module")
def plan_json() -> dict:
    result = invoke("plan", str(SCENARIO), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_each_partner_is_funded_by_its_regions_agency(plan_json: dict) -> None:
    # BEL-COO lists one agency per region in its rule file, in the order of its regions.
    funders = {p["region"]: p["funder"] for p in plan_json["partners"]}
    assert funders == {"brussels": "Innoviris", "flanders": "VLAIO", "wallonia": "SPW Recherche"}


def test_every_candidate_left_out_says_why(plan_json: dict) -> None:
    out = [p for p in plan_json["partners"] if not p["included"]]
    assert out  # the example leaves its two Brussels candidates out
    for p in out:
        if p["eligible"]:
            assert p["left_out"] == "not needed: the optimum is reached without it"
        else:
            assert p["left_out"] == "; ".join(p["reasons"])
    assert all("left_out" not in p for p in plan_json["partners"] if p["included"])


def test_marginal_values_say_what_they_are_worth(plan_json: dict) -> None:
    texts = [m["description"] for m in plan_json["marginal"]]
    coverage = [m for m in plan_json["marginal"] if m["rule"] == "coverage"]
    assert coverage
    for m in coverage:
        assert m["description"] == (
            f"€{float(m['value']):,.2f} more grant if {m['subject']} had one more "
            "person-month of effort"
        )
    assert any("more grant with one more partner" in t for t in texts)


def test_as_of_replaces_the_scenarios_date() -> None:
    result = invoke("plan", str(SCENARIO), "--json", "--as-of", "2024-05-01")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["as_of"] == "2024-05-01"
    before = invoke("plan", str(SCENARIO), "--as-of", "2020-05-01")
    assert before.exit_code == 2
    assert "bel_coo is not in force on 2020-05-01" in before.output
    assert "Traceback" not in before.output
    bad = invoke("plan", str(SCENARIO), "--as-of", "2020-55-01")
    assert bad.exit_code == 2 and "--as-of: '2020-55-01' is not a date" in bad.output


def test_the_table_speaks_the_language_asked_for() -> None:
    result = invoke("plan", str(SCENARIO), "--lang", "fr", columns=200)
    assert result.exit_code == 0, result.output
    assert "financeur" in result.stdout
    assert "pas nécessaire : l'optimum est atteint sans lui" in result.stdout
    assert "d'aide en plus si wp1_requirements avait un mois-personne d'effort de plus" in (
        " ".join(result.stdout.split())
    )
