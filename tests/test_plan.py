"""`subsidia plan`: scenarios, the seed example, binding rules, infeasibility, exactness."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from policy.errors import InputError
from policy.inputs.loading import read_profile_data
from policy.inputs.scenario import load_scenario, parse_scenario, render_json_schema
from policy.planner.consortium import plan
from tests.cli import invoke

ROOT = Path(__file__).parent.parent
SCENARIOS = ROOT / "examples/scenarios"


def company(cid: str, region: str, staff: int = 20, turnover: int = 3_000_000) -> dict[str, Any]:
    return {
        "company": {
            "id": cid,
            "region": region,
            "staff": staff,
            "turnover": turnover,
            "balance_sheet": turnover // 2,
        }
    }


def partner(pid: str, region: str, cost: int, capacity: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": pid,
        "profile": company(pid, region, **extra.pop("company", {})),
        "monthly_cost": cost,
        "capacity": capacity,
        **extra,
    }


def bel_coo(partners: list[dict], wps: list[dict], **extra: Any) -> dict[str, Any]:
    return {
        "programme": "bel_coo",
        "as_of": "2026-03-01",
        "project": {"duration_months": 24, "research_category": "experimental_development"},
        "partners": partners,
        "work_packages": wps,
        **extra,
    }


def run(data: dict, k: int = 1):
    return plan(parse_scenario(copy.deepcopy(data)), k=k)


def error(data: object) -> str:
    with pytest.raises(InputError) as info:
        parse_scenario(data, file="s.yaml")
    return str(info.value)


BASE = bel_coo(
    [partner("fl", "flanders", 8000, 30), partner("wa", "wallonia", 7000, 30)],
    [{"id": "wp1", "effort": 40}],
)


# --- scenario errors: one message, naming the field --------------------------------------


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"work_packages": None}, "s.yaml: work_packages: at least one work package is needed"),
        (
            {"partners": [{**BASE["partners"][0], "monthy_cost": 1}]},
            "s.yaml: partners[0].monthy_cost: unknown field 'monthy_cost'; "
            "did you mean 'monthly_cost'?",
        ),
        (
            {"partners": [{**BASE["partners"][0], "capacity": -3}]},
            "s.yaml: partners[0].capacity: must not be negative",
        ),
        (
            {"partners": [{**BASE["partners"][0], "monthly_cost": 0}]},
            "s.yaml: partners[0].monthly_cost: must be greater than 0",
        ),
        (
            {"work_packages": [{"id": "w", "effort": 3, "allowed": ["fll"]}]},
            "s.yaml: work_packages[0].allowed[0]: unknown partner 'fll'; did you mean 'fl'?",
        ),
        (
            {"costs": [{"partner": "wa", "category": "equipment", "amount": "1,5"}]},
            "s.yaml: costs[0].amount: expected a number, got '1,5' (use '.' for decimals and "
            "no thousands separators)",
        ),
        (
            {"partners": [BASE["partners"][0], {**BASE["partners"][1], "id": "fl"}]},
            "s.yaml: partners[1].id: duplicate partner id 'fl'; already given in partners[0]",
        ),
        (
            {"work_packages": [{"id": "w", "effort": 3}, {"id": "w", "effort": 4}]},
            "s.yaml: work_packages[1].id: duplicate work package id 'w'; "
            "already given in work_packages[0]",
        ),
        (
            {"as_of": "2026-13-01"},
            "s.yaml: as_of: invalid date '2026-13-01': month must be in 1..12",
        ),
        ({"max_partners": 1.5}, "s.yaml: max_partners: must be a whole number, got 1.5"),
        (
            {"project": {"research_category": "basic"}},
            "s.yaml: project.research_category: unknown research category 'basic'; expected one "
            "of fundamental_research, industrial_research, experimental_development, "
            "feasibility_study",
        ),
    ],
)
def test_scenario_errors_name_the_field(patch: dict, message: str) -> None:
    assert error({**BASE, **patch}) == message


def test_a_missing_field_beside_its_typo_reports_the_typo() -> None:
    data = {k: v for k, v in BASE.items() if k != "programme"}
    assert error({**data, "programm": "bel_coo"}) == (
        "s.yaml: programm: unknown field 'programm'; did you mean 'programme'?"
    )
    assert error({**BASE, 1: "x"}) == "s.yaml: field names must be text, got the number 1"


def test_inline_profile_errors_carry_the_partner_path() -> None:
    bad = copy.deepcopy(BASE)
    bad["partners"][1]["profile"]["company"]["staff"] = -1
    assert error(bad) == "s.yaml: partners[1].profile.company.staff: must not be negative"


def test_profile_paths_are_relative_to_the_scenario(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "p/wa.yaml").write_text("company: {id: w, region: wallonia, staff: 9}\n")
    data = copy.deepcopy(BASE)
    data["partners"][1]["profile"] = "p/wa.yaml"
    (tmp_path / "s.json").write_text(json.dumps(data))
    loaded = load_scenario(tmp_path / "s.json")
    assert loaded.profiles["wa"].company.staff == 9
    data["partners"][1]["profile"] = "p/missing.yaml"
    (tmp_path / "s.json").write_text(json.dumps(data))
    with pytest.raises(InputError, match=r"partners\[1\]\.profile: no such profile file"):
        load_scenario(tmp_path / "s.json")


def test_cli_bad_scenario_exits_2_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("programme: bel_coo\nas_of: 2026-03-01\nproject: {}\npartners: [\n")
    result = invoke("plan", str(path))
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "line" in result.output


def test_unknown_programme_and_not_in_force() -> None:
    with pytest.raises(InputError, match="programme: unknown programme 'bel_co'; did you mean"):
        run({**BASE, "programme": "bel_co"})
    with pytest.raises(InputError, match=r"as_of: bel_sme is not in force on 2026-03-01"):
        run({**BASE, "programme": "bel_sme"})


def test_committed_schema_is_current_and_accepts_the_examples() -> None:
    committed = (ROOT / "policy/inputs/schema/scenario.schema.json").read_text()
    assert committed == render_json_schema()
    schema = json.loads(committed)
    for path in SCENARIOS.glob("*.yaml"):
        data = json.loads(json.dumps(read_profile_data(path), default=float))
        jsonschema.validate(data, schema)


# --- the seed's BEL-SME example ------------------------------------------------------------


def test_seed_example_with_the_stated_rates_gives_130000() -> None:
    result = invoke("plan", str(SCENARIOS / "bel_sme_seed.yaml"), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "optimal" and data["verified"] and data["proven_optimal"]
    assert data["total"] == "130000.00"
    grants = {p["id"]: (p["costs"], p["grant"], p["co_financing"]) for p in data["partners"]}
    assert grants == {
        "brussels_regtech": ("180000.00", "81000.00", "99000.00"),
        "flemish_nlp": ("140000.00", "49000.00", "91000.00"),
    }


def test_seed_example_at_the_catalogue_rates_gives_what_the_rules_give() -> None:
    result = plan(load_scenario(SCENARIOS / "bel_sme_seed_catalogue.yaml"))
    assert str(result.total) == "151000.00" and result.verified
    rates = {p.id: (p.rate, p.rate_source) for p in result.partners}
    assert rates["flemish_nlp"] == (Fraction(1, 2), "bel_sme.amount")


def test_table_output_names_total_and_proof() -> None:
    result = invoke("plan", str(SCENARIOS / "bel_coo_consortium.yaml"))
    assert result.exit_code == 0, result.output
    assert "proven optimal" in result.stdout and "Next-best consortia" in result.stdout


# --- what the planner decides and respects ---------------------------------------------------


def test_the_example_consortium_is_verified_and_alternatives_differ() -> None:
    result = plan(load_scenario(SCENARIOS / "bel_coo_consortium.yaml"), k=3)
    assert result.status == "optimal" and result.verified
    chosen = {p.id for p in result.partners if p.included}
    assert len(chosen) <= 3 and "flemish_growth" in chosen
    assert len({p.region for p in result.partners if p.included}) >= 2
    consortia = [chosen] + [set(a.partners) for a in result.alternatives]
    assert len({frozenset(c) for c in consortia}) == len(consortia)
    assert all(a.total <= result.total for a in result.alternatives)
    # A fourth partner would pay more: the scenario's max_partners binds, by relaxation.
    (limit,) = [b for b in result.binding if b.rule == "max_partners"]
    assert limit.marginal == 2900
    assert "€2,900.00 more grant with one more partner" in limit.description


def test_one_more_partner_is_not_solved_for_when_none_could_join() -> None:
    """With each member doing at least 34 % of the effort, a fourth member is impossible:
    the "one more partner" relaxation would give the same optimum, so it is not solved."""
    import dataclasses

    from policy import engine
    from policy.planner import programme_terms as pt
    from solver.milp import solve as milp_solve

    data = read_profile_data(SCENARIOS / "bel_coo_consortium.yaml")
    loaded = parse_scenario({**data, "minimum_effort_share": 34}, base=SCENARIOS)
    root = str(engine.rules_root())
    cat = engine.catalogue(root)
    facts = pt.candidate_facts(loaded, cat, root)
    instance = pt.build_instance(loaded, facts, pt.derive_terms(loaded, cat, facts))
    assert instance.rules.max_partners == 3
    assert milp_solve._relaxed(instance, "max_partners") is None
    # Solved anyway, the relaxation finds nothing better: skipping it loses no value.
    best = milp_solve.solve(instance).best
    wider = dataclasses.replace(
        instance, rules=dataclasses.replace(instance.rules, max_partners=4)
    )
    assert best is not None and milp_solve.solve(wider).best.total == best.total
    result = plan(loaded)
    assert not [b for b in result.marginal if b.rule == "max_partners"]
    # Without the share, a fourth partner could join, and it is valued (€2,900, above).
    assert milp_solve._relaxed(dataclasses.replace(
        instance, rules=dataclasses.replace(instance.rules, minimum_effort_share=None)
    ), "max_partners") is not None  # fmt: skip


def test_cap_binds() -> None:
    # The Walloon partner could earn 55 % × 1,000,000 but SPW caps it at 500,000.
    data = bel_coo(
        [partner("fl", "flanders", 20000, 40), partner("wa", "wallonia", 20000, 50)],
        [{"id": "w", "effort": 90}],
    )
    result = run(data)
    assert ("grant_cap", "wa") in {(b.rule, b.subject) for b in result.binding}
    wa = next(p for p in result.partners if p.id == "wa")
    assert str(wa.grant) == "500000.00" and result.verified
    # The cap is the programme's amount: the answer names it with its label and sources.
    (cap,) = [b for b in result.binding if (b.rule, b.subject) == ("grant_cap", "wa")]
    assert cap.qname == "bel_coo.amount" and str(cap.label) == "The company's grant"
    assert cap.sources and all(s.title or s.name for s in cap.sources)


def test_capacity_binds_with_its_marginal_value() -> None:
    data = bel_coo(
        [partner("fl", "flanders", 8000, 20), partner("wa", "wallonia", 7000, 30)],
        [{"id": "w", "effort": 40}],
    )
    result = run(data)
    assert ("capacity", "fl") in {(b.rule, b.subject) for b in result.binding}
    # One more Flemish person-month moves one from Wallonia: 0.6 × 8000 − 0.55 × 7000.
    (fl,) = [b for b in result.marginal if (b.rule, b.subject) == ("capacity", "fl")]
    assert fl.marginal == Fraction(950)


def test_the_70_percent_rule_binds() -> None:
    # All work to the Flemish firm would pay most; BEL-COO allows it at most 70 % of costs.
    data = bel_coo(
        [partner("fl", "flanders", 10000, 100), partner("wa", "wallonia", 5000, 100)],
        [{"id": "w", "effort": 50}],
    )
    result = run(data)
    assert ("maximum_share", "fl") in {(b.rule, b.subject) for b in result.binding}
    fl = next(p for p in result.partners if p.id == "fl")
    wa = next(p for p in result.partners if p.id == "wa")
    assert fl.costs == Fraction(7, 10) * (fl.costs + wa.costs) and result.verified


def test_minimum_effort_share_binds() -> None:
    data = bel_coo(
        [
            partner("fl", "flanders", 10000, 100),
            partner("wa", "wallonia", 5000, 100),
            partner("br", "brussels", 4000, 100),
        ],
        [{"id": "w", "effort": 50}],
        max_partners=2,
        minimum_effort_share=50,
    )
    result = run(data)
    binding = {(b.rule, b.subject): b for b in result.binding}
    # Both do exactly 25 of 50 months; without the rule the Flemish firm would do more.
    assert ("minimum_effort_share", "wa") in binding
    assert sum(p.included for p in result.partners) == 2
    # Valued from the exact duals, not by a second MILP: what one percentage point less of
    # the minimum share adds to this consortium, which is what 49 % gives.
    rate = binding["minimum_effort_share_point", ""].marginal
    assert rate is not None and rate > 0
    less = run({**data, "minimum_effort_share": 49})
    assert less.total - result.total == rate


def test_the_share_rules_value_is_its_exact_rate_of_change() -> None:
    import dataclasses

    from policy import engine
    from policy.planner import programme_terms as pt
    from solver.milp import solve as milp_solve

    large = {"staff": 600, "turnover": 200_000_000}
    data = bel_coo(
        [
            partner("fl", "flanders", 10000, 100, company=large),
            partner("wa", "wallonia", 5000, 100, company=large),
        ],
        [{"id": "w", "effort": 50}],
    )
    result = run(data)
    # Two large firms: no effective collaboration, so the 70 % rule is the programme's alone.
    (entry,) = [b for b in result.marginal if b.rule == "maximum_share_point"]
    # The rule valued is the programme's condition, cited with its label and sources, in the
    # table (in the reader's language) and in the JSON.
    assert entry.qname == "bel_coo.no_dominant_partner"
    assert str(entry.label) == "No enterprise above 70 % of the project budget"
    assert [s.name for s in entry.sources] == ["vlaio_belcoo", "mr_belcoo"]
    import io

    from rich.console import Console

    from policy.output.plan_report import plan_json, plan_table

    (cited,) = [b for b in plan_json(result)["marginal"] if b["rule"] == "maximum_share_point"]
    assert cited["qname"] == "bel_coo.no_dominant_partner"
    assert cited["label"] == "No enterprise above 70 % of the project budget"
    assert len(cited["sources"]) == 2 and all(s["title"] for s in cited["sources"])
    console = Console(file=io.StringIO(), width=200, color_system=None)
    console.print(plan_table(result, "fr"))
    table = " ".join(console.file.getvalue().split())
    assert "Aucune entreprise au-delà de 70 % du budget du projet" in table
    # The same consortium with the programme's 70 % a little higher: the model's exact
    # optimum moves at the rate the duals gave (a rate at the margin: the share multiplies
    # the budget, so a whole point moves it by a little more).
    root = str(engine.rules_root())
    cat = engine.catalogue(root)
    loaded = parse_scenario(data)
    facts = pt.candidate_facts(loaded, cat, root)
    instance = pt.build_instance(loaded, facts, pt.derive_terms(loaded, cat, facts))
    step = Fraction(1, 10_000)  # of a percentage point
    wider = dataclasses.replace(
        instance,
        rules=dataclasses.replace(instance.rules, maximum_share=Fraction(70, 100) + step / 100),
    )
    before, after = milp_solve.solve(instance).best, milp_solve.solve(wider).best
    assert before is not None and after is not None and entry.marginal is not None
    slope = (after.total - before.total) / step
    assert entry.marginal > 0 and abs(slope - entry.marginal) < entry.marginal / 1000


def test_non_terminating_split_is_exact_and_matches_the_engine() -> None:
    # 70 % of the costs with monthly costs of 7000 and 3000: efforts in 1/x fractions.
    data = bel_coo(
        [partner("fl", "flanders", 7000, 100), partner("wa", "wallonia", 3000, 100)],
        [{"id": "w", "effort": 37}],
    )
    result = run(data)
    efforts = {p: v for _w, p, v in result.allocation}
    assert sum(efforts.values()) == 37 and efforts["fl"].denominator > 1
    assert result.verified and not result.notes


def test_vlaio_weighs_the_cooperation_bonus_against_concentration() -> None:
    # Two Flemish firms: with the +10 % bonus nobody may bear more than 70 % of the costs.
    data = {
        "programme": "vlaio_development_project",
        "as_of": "2026-03-01",
        "project": {"submitted": "2026-02-10", "start": "2026-04-01", "duration_months": 18},
        "partners": [
            partner("a", "flanders", 12000, 100, company={"staff": 60, "turnover": 20_000_000}),
            partner("b", "flanders", 9000, 100, company={"staff": 60, "turnover": 20_000_000}),
        ],
        "work_packages": [{"id": "w", "effort": 20}],
    }
    for p in data["partners"]:
        p["profile"]["company"].update(
            founded="2010-01-01", subscribed_capital=100000, reserves=50000, accumulated_losses=0
        )
    result = run(data)
    assert result.verified, result.notes
    a, b = result.partners
    # With the bonus (45 %) a may bear at most 70 % of the costs: 12000·e_a = 0.7·(12000·e_a
    # + 9000·(20 − e_a)) gives e_a = 140/11, so a 1,680,000/11 and b 720,000/11 (b's own
    # 45 % = 29,454.54 reaches VLAIO's €25,000 minimum): 68,727.27 + 29,454.54 = 98,181.81.
    # Without it a alone at 35 % × 240,000 = 84,000: the bonus wins (medium firms).
    assert (a.included, b.included) == (True, True)
    assert (a.costs, b.costs) == (Fraction(1680000, 11), Fraction(720000, 11))
    assert result.total == Decimal("98181.81") and a.rate == Fraction(45, 100)
    assert ("maximum_share", "a") in {(x.rule, x.subject) for x in result.binding}


def test_vlaio_goes_alone_when_concentration_pays_more() -> None:
    data = {
        "programme": "vlaio_development_project",
        "as_of": "2026-03-01",
        "project": {"submitted": "2026-02-10", "start": "2026-04-01", "duration_months": 18},
        "partners": [
            partner("a", "flanders", 12000, 100, company={"staff": 60, "turnover": 20_000_000}),
            partner("b", "flanders", 1000, 100, company={"staff": 60, "turnover": 20_000_000}),
        ],
        "work_packages": [{"id": "w", "effort": 20}],
    }
    for p in data["partners"]:
        p["profile"]["company"].update(
            founded="2010-01-01", subscribed_capital=100000, reserves=50000, accumulated_losses=0
        )
    result = run(data)
    assert result.verified, result.notes
    a, b = result.partners
    # With the bonus, b (at €1000 a month) would need most of the work to keep a at 70 %
    # and still reach the €25,000 minimum aid: a alone at 35 % × 240,000 pays more.
    assert (a.included, b.included) == (True, False)
    assert result.total == Decimal("84000.00")
    assert (a.rate, a.rate_source) == (
        Fraction(35, 100),
        "vlaio_development_project.amount, without the bonus",
    )


# --- infeasibility names the rule ------------------------------------------------------------


def test_one_region_only_names_the_two_regions_rule(tmp_path: Path) -> None:
    data = bel_coo(
        [partner("fl", "flanders", 8000, 30), partner("fl2", "flanders", 7000, 30)],
        [{"id": "w", "effort": 40}],
    )
    result = run(data)
    assert result.status == "infeasible"
    assert result.infeasible == [
        "Enterprises from at least two regions (bel_coo.two_regions): "
        "the eligible candidates are all in flanders"
    ]
    path = tmp_path / "one_region.json"
    path.write_text(json.dumps(data))
    cli = invoke("plan", "--json", str(path))
    assert cli.exit_code == 1 and json.loads(cli.stdout)["status"] == "infeasible"


def test_relaxation_names_the_70_percent_rule() -> None:
    # The Walloon partner can do at most 5 of 40 person-months: the Flemish firm must bear
    # more than 70 % of the costs.
    data = bel_coo(
        [partner("fl", "flanders", 8000, 40), partner("wa", "wallonia", 8000, 5)],
        [{"id": "w", "effort": 40}],
    )
    result = run(data)
    assert result.status == "infeasible"
    assert result.infeasible == [
        "No enterprise above 70 % of the project budget (bel_coo.no_dominant_partner)",
        "the partners' capacities",
    ]


def test_ineligible_candidates_are_left_out_with_the_reason() -> None:
    data = bel_coo(
        [partner("fl", "flanders", 8000, 30), partner("wa", "wallonia", 7000, 30)],
        [{"id": "w", "effort": 40}],
        project={"duration_months": 48, "research_category": "experimental_development"},
    )
    result = run(data)
    assert result.status == "infeasible"
    assert all("bel_coo.duration not met" in " ".join(p.reasons) for p in result.partners)


DE_MINIMIS_PROGRAMME = """
programme dm_consortium {
  label nl "Test" fr "Test" en "Test de minimis consortium"
  agency "Test"
  regions 'flanders'
  instrument 'subsidy'
  regime 'de_minimis'
  valid 2024-01-01..
  source s { url "https://example.org/dm" }
  param rate : percent {
    label nl "Rate" fr "Rate" en "Rate"
    source s 2024-01-01.. = 50%
  }
  condition flemish {
    label nl "Flemish" fr "Flemish" en "Flemish"
    source s
    require company.region = 'flanders'
  }
  amount {
    label nl "Grant" fr "Grant" en "Grant"
    source s
    = min(rate * sum(c.amount for c in project.costs), eu_de_minimis.headroom)
  }
}
"""


def test_de_minimis_headroom_caps_a_partner_with_aid_history(tmp_path: Path) -> None:
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "programmes", rules)
    (rules / "dm_test.rules").write_text(DE_MINIMIS_PROGRAMME)
    used = partner("used", "flanders", 10000, 20)
    used["profile"]["company"]["aid"] = [
        {"programme": "x", "granted": "2025-01-01", "amount": 280000, "regime": "de_minimis"}
    ]
    data = {
        "programme": "dm_consortium",
        "as_of": "2026-03-01",
        "project": {},
        "partners": [used, partner("fresh", "flanders", 5000, 20)],
        "work_packages": [{"id": "w", "effort": 30}],
    }
    result = plan(parse_scenario(data), k=1, root=rules)
    assert result.verified, result.notes
    by_id = {p.id: p for p in result.partners}
    # €300,000 ceiling − €280,000 received = €20,000 of headroom for `used`.
    assert by_id["used"].cap == 20000 and str(by_id["used"].grant) == "20000.00"
    assert ("grant_cap", "used") in {(b.rule, b.subject) for b in result.binding}
    # Four months of `used` reach its headroom; `fresh` does its full 20 at 50 % × €5,000.
    assert str(by_id["fresh"].grant) == "50000.00"


def test_a_required_large_firm_cannot_join_bel_sme() -> None:
    data = load_scenario(SCENARIOS / "bel_sme_seed.yaml")
    raw = read_profile_data(SCENARIOS / "bel_sme_seed.yaml")
    raw["partners"][1]["profile"]["company"]["staff"] = 400
    result = plan(parse_scenario(raw, base=SCENARIOS))
    assert data.scenario.partners[1].required and result.status == "infeasible"
    assert result.infeasible[0] == (
        "required partner flemish_nlp is not eligible: bel_sme.company_sme not met: "
        "The company is an SME"
    )


# --- cumulation ceilings (eu_cumulation.ceiling_*, evaluated per candidate) ------------------


def test_a_what_if_rate_above_the_ceiling_is_cut_to_it() -> None:
    # A small Flemish firm at a what-if 70 %: the GBER art. 25 intensity for experimental
    # development with effective collaboration is 25 + 20 + 15 = 60 %, and the ceiling applies.
    data = bel_coo(
        [partner("fl", "flanders", 8000, 30, rate=70), partner("wa", "wallonia", 7000, 30)],
        [{"id": "wp1", "effort": 40}],
    )
    result = run(data)
    assert result.status == "optimal" and result.verified
    fl, wa = result.partners
    # The 70 % share rule: 8000·e = 0.7·(8000·e + 7000·(40 − e)), e = 1960/73.
    assert (fl.costs, wa.costs) == (Fraction(15680000, 73), Fraction(6720000, 73))
    assert (fl.ceiling, fl.collab_ceiling) == (Fraction(45, 100), Fraction(60, 100))
    assert str(fl.grant) == "128876.71"  # 60 % of the costs, not the 150,356.16 of 70 %
    assert str(wa.grant) == "50630.13"  # 55 %, below its own 60 % ceiling
    assert result.total == Decimal("179506.84")
    (ceiling,) = [b for b in result.binding if b.rule == "cumulation"]
    assert ceiling.subject == "fl"
    assert "60 % (eu_cumulation.ceiling_other, with effective collaboration)" in ceiling.description
    assert "€150,356.16 of its rate of 70 %" in ceiling.description
    assert any("what-if rate of 70 % is above its cumulation ceiling" in n for n in result.notes)
    # Without the ceiling the what-if would pay more: the ceiling is what changed the total.
    assert result.total < Decimal("150356.16") + Decimal("50630.13")


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_the_planners_notes_and_descriptions_follow_the_language(lang: str) -> None:
    # The what-if scenario above: a note (the rate is above the ceiling), the ceiling's
    # description, and the capacity and coverage rules that bind.
    from policy.output.formatting import formatter
    from policy.output.plan_report import plan_json, plan_table
    from policy.reports import _render
    from tests.translation import assert_translated

    data = bel_coo(
        [partner("fl", "flanders", 8000, 30, rate=70), partner("wa", "wallonia", 7000, 30)],
        [{"id": "wp1", "effort": 40}],
    )
    result = run(data)
    english, translated = plan_json(result), plan_json(result, formatter(lang))
    assert english == plan_json(result, formatter("en"))  # `plan --json` stays English
    texts = [
        (e["description"], t["description"])
        for e, t in zip(english["binding"], translated["binding"], strict=True)
    ] + list(zip(english["notes"], translated["notes"], strict=True))
    assert len(texts) >= 3 and english["notes"]
    for source, text in texts:
        assert_translated(source, text, [], lang)
    # Amounts inside the sentences are in the reader's notation.
    ceiling = next(t["description"] for t in translated["binding"] if t["rule"] == "cumulation")
    assert formatter(lang).money(Decimal("150356.16")) in ceiling
    assert "fl" in ceiling and "eu_cumulation.ceiling_other" in ceiling  # data, as it was
    # `subsidia plan --lang` prints the same sentences.
    table = _render([plan_table(result, lang)], 400, False)
    for note in translated["notes"]:
        assert note in table


def test_two_large_firms_do_not_collaborate_and_get_the_solo_intensity() -> None:
    # Large firms only: no SME, so no effective collaboration (GBER art. 25(6)(b)(i)); the
    # ceiling is the 25 % base for experimental development, below BEL-COO's regional rates
    # (40 % Flanders, 35 % Wallonia). The engine re-check computes the ceiling on the split.
    large = {"company": {"staff": 600, "turnover": 200_000_000}}
    data = bel_coo(
        [
            partner("fl", "flanders", 8000, 30, **copy.deepcopy(large)),
            partner("wa", "wallonia", 7000, 30, **copy.deepcopy(large)),
        ],
        [{"id": "wp1", "effort": 40}],
    )
    result = run(data)
    assert result.status == "optimal" and result.verified, result.notes
    fl, wa = result.partners
    assert (fl.rate, wa.rate) == (Fraction(40, 100), Fraction(35, 100))
    assert fl.ceiling == wa.ceiling == Fraction(1, 4)
    assert fl.grant == engine_round(fl.costs / 4) and wa.grant == engine_round(wa.costs / 4)
    assert result.total == Decimal("76712.32")  # not 85,917.81 + 32,219.18 at the rates
    assert {b.subject for b in result.binding if b.rule == "cumulation"} == {"fl", "wa"}
    # With a small Walloon partner the consortium collaborates: 40 % ≤ 25 + 15, no ceiling
    # binds.
    data["partners"][1]["profile"]["company"].update(staff=20, turnover=3_000_000)
    data["partners"][1]["profile"]["company"]["balance_sheet"] = 1_500_000
    relaxed = run(data)
    assert relaxed.verified and not [b for b in relaxed.binding if b.rule == "cumulation"]
    assert relaxed.total > result.total


def engine_round(value: Fraction) -> Decimal:
    from policy.engine import round_grant

    return round_grant(value)


def test_no_grant_exceeds_its_ceiling_in_the_example_scenarios() -> None:
    for name in ("bel_coo_consortium.yaml", "bel_sme_seed.yaml", "bel_sme_seed_catalogue.yaml"):
        result = plan(load_scenario(SCENARIOS / name))
        assert result.verified, (name, result.notes)
        for p in result.partners:
            if p.included and p.ceiling is not None:
                highest = max(p.ceiling, p.collab_ceiling or p.ceiling)
                assert Fraction(p.grant) <= highest * p.costs
