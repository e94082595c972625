"""The rules compiled for the planner (policy.planner.compile_rules) against the engine.

For generated scenarios of every programme the planner plans (BEL-COO, BEL-SME, VLAIO's
development project), each eligible candidate's compiled amount and split-dependent
conditions are evaluated on random splits (who joins, what each member's costs are) and
compared with the direct evaluator on the same split written as a profile: the candidate's
costs as `project.costs`, the other members as `project.partners`. They must agree on
every split, to the fraction; and the planner's own splits are re-checked by the engine
(tests/test_plan_properties.py).
"""

from __future__ import annotations

import os
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy import engine
from policy.inputs.scenario import parse_scenario
from policy.planner import compile_rules as rc
from policy.planner import programme_terms as pt
from solver.native.direct import evaluate_node
from tests.test_plan_properties import SIZES, company

REGIONS = ("brussels", "flanders", "wallonia")
SCENARIOS = Path(__file__).resolve().parent.parent / "examples" / "scenarios"


@st.composite
def scenarios(draw: st.DrawFn) -> dict:
    programme = draw(st.sampled_from(["bel_coo", "bel_sme", "vlaio_development_project"]))
    partners = []
    for i in range(draw(st.integers(1, 4))):
        staff, turnover = SIZES[draw(st.sampled_from(sorted(SIZES)))]
        region = (
            "flanders"
            if programme == "vlaio_development_project"
            else draw(st.sampled_from(REGIONS))
        )
        entry: dict = {
            "id": f"p{i}",
            "monthly_cost": 8000,
            "capacity": 30,
            "profile": {"company": company(f"p{i}", region, staff, turnover)},
        }
        if draw(st.integers(0, 4)) == 0:
            entry["rate"] = draw(st.sampled_from([20, 35, 50]))
        partners.append(entry)
    dates = {
        "bel_sme": ("2019-06-01", "2019-05-01", "2019-09-01"),
        "bel_coo": ("2023-03-01", "2022-12-10", "2023-04-01"),
        "vlaio_development_project": (
            draw(st.sampled_from(["2023-03-01", "2026-03-01"])),
            "2022-12-10",
            "2023-04-01",
        ),
    }[programme]
    return {
        "programme": programme,
        "as_of": dates[0],
        "project": {
            "submitted": dates[1],
            "start": dates[2],
            "duration_months": 18,
            "research_category": draw(
                st.sampled_from(["experimental_development", "industrial_research"])
            ),
            "international_cooperation": draw(st.booleans()),
        },
        "partners": partners,
        "work_packages": [{"id": "w", "effort": 10}],
    }


# Long runs: SUBSIDIA_FUZZ_EXAMPLES=N (as the fuzz suite).
EXAMPLES = int(os.environ.get("SUBSIDIA_FUZZ_EXAMPLES", "40"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.data())
def test_compiled_rules_agree_with_the_engine_on_every_split(
    data: dict, draw: st.DataObject
) -> None:
    loaded = parse_scenario(data)
    root = str(engine.rules_root())
    cat = engine.catalogue(root)
    pid = loaded.scenario.programme
    facts = pt.candidate_facts(loaded, cat, root)
    program = pt.direct_program(root, loaded.scenario.as_of, pid)
    static = {c.name for c in pt.static_conditions(cat, pid)}
    dynamic = [(n, node) for n, node in program.conditions[pid] if n not in static]
    amount = program.amounts[pid]
    assert amount is not None
    overrides = {p.id: p.rate for p in loaded.scenario.partners}
    eligible = [f for f in facts if f.partner.eligible]
    for f in eligible:
        assert f.rules is not None
        others = [pt._element(g, overrides[g.partner.id]) for g in eligible if g is not f]
        profile = replace(loaded.profiles[f.partner.id], project=pt.probe_project(loaded))
        compiler = rc.Compiler(program, program.context(profile.to_record()), others)
        grant = compiler.num(amount, ())
        forms = {name: compiler.bool(node, ()) for name, node in dynamic}
        for _ in range(3):
            members = [o for o in others if draw.draw(st.booleans(), label="member")]
            own = Fraction(draw.draw(st.integers(0, 400), label="own")) * 1000
            split: dict[rc.Symbol, Fraction] = {rc.OWN: own}
            partners = []
            for o in members:
                costs = Fraction(draw.draw(st.integers(0, 400), label="costs")) * 1000
                split[rc.member(o.id)] = Fraction(1)
                split[rc.cost(o.id)] = costs
                partners.append({**o.element, "costs": costs})
            record = profile.to_record()
            record.collections["project.costs"] = (  # type: ignore[assignment]
                [{"category": "personnel", "amount": own}] if own else []
            )
            record.collections["project.partners"] = partners  # type: ignore[assignment]
            ctx = program.context(record)
            assert rc.value_of(grant, split) == evaluate_node(amount, ctx, ())
            for name, node in dynamic:
                assert rc.holds(forms[name], split) == evaluate_node(node, ctx, ()), name


def test_a_construct_outside_the_model_is_refused_by_name(tmp_path: Path) -> None:
    import shutil

    from policy.planner.consortium import plan

    rules = tmp_path / "rules"
    shutil.copytree(engine.rules_root(), rules)
    (rules / "square.rules").write_text(SQUARE)
    data = {
        "programme": "square_test",
        "as_of": "2025-01-01",
        "project": {"submitted": "2024-12-01", "start": "2025-01-01", "duration_months": 12},
        "partners": [
            {
                "id": name,
                "monthly_cost": 8000,
                "capacity": 20,
                "profile": {"company": {"id": name, "region": "flanders", "staff": 5}},
            }
            for name in ("a", "b")
        ],
        "work_packages": [{"id": "w", "effort": 10}],
    }
    result = plan(parse_scenario(data), root=rules)
    assert result.status == "infeasible"
    # The rate grows with the number of partners: a product of two split quantities.
    for p in result.partners:
        assert p.reasons == [
            "square_test.amount cannot be planned: a product of two quantities the split decides"
        ]


SQUARE = """
programme square_test {
  label nl "Test" fr "Test" en "Square test"
  agency "Test"
  regions 'flanders'
  instrument 'subsidy'
  valid 2024-01-01..
  source s { url "https://example.org/square" }
  condition flemish {
    label nl "Flemish" fr "Flemish" en "Flemish"
    source s
    require company.region = 'flanders'
  }
  amount {
    label nl "Grant" fr "Grant" en "Grant"
    source s
    = count(true for p in project.partners) * 5% * sum(c.amount for c in project.costs)
  }
}
"""


def test_the_catalogues_conditions_become_the_models_rules() -> None:
    from policy.inputs.scenario import load_scenario

    root = str(engine.rules_root())
    cat = engine.catalogue(root)
    loaded = load_scenario(SCENARIOS / "bel_coo_consortium.yaml")
    facts = pt.candidate_facts(loaded, cat, root)
    terms = pt.derive_terms(loaded, cat, facts)
    # two_regions and no_dominant_partner, read from the conditions themselves
    assert (terms.milp.minimum_regions, terms.milp.maximum_share) == (2, Fraction(7, 10))
    assert not terms.milp.share_is_bonus and terms.problems == []
    assert terms.qnames["regions"] == "bel_coo.two_regions"
    assert terms.qnames["maximum_share"] == "bel_coo.no_dominant_partner"
    flemish = [f for f in facts if f.partner.eligible and f.partner.region == "flanders"]
    assert flemish and all(f.rules and f.rules.minimum_aid >= 25000 for f in flemish)


def test_vlaio_cooperation_bonus_is_read_from_the_amount() -> None:
    data = {
        "programme": "vlaio_development_project",
        "as_of": "2026-03-01",
        "project": {"submitted": "2026-02-10", "start": "2026-04-01", "duration_months": 18},
        "partners": [
            {
                "id": name,
                "monthly_cost": 9000,
                "capacity": 50,
                "profile": {"company": company(name, "flanders", staff, turnover)},
            }
            for name, staff, turnover in (
                ("big", 600, 200_000_000),
                ("big2", 600, 200_000_000),
                ("small", 30, 6_000_000),
            )
        ],
        "work_packages": [{"id": "w", "effort": 20}],
    }
    loaded = parse_scenario(data)
    root = str(engine.rules_root())
    cat = engine.catalogue(root)
    facts = pt.candidate_facts(loaded, cat, root)
    terms = pt.derive_terms(loaded, cat, facts)
    assert terms.milp.share_is_bonus and terms.milp.bonus_needs_sme
    assert terms.milp.maximum_share == Fraction(7, 10)
    rules = {f.partner.id: f.rules for f in facts}
    big, small = rules["big"], rules["small"]
    assert big is not None and small is not None
    # base 25 % + cooperation 10 % (+ 20 % small), capped at 50 %; solo without the 10 %
    assert (big.rate, big.solo_rate) == (Fraction(35, 100), Fraction(25, 100))
    assert (small.rate, small.solo_rate) == (Fraction(50, 100), Fraction(45, 100))
    # the bonus needs an SME: a large firm needs the small one among its partners (with one
    # large firm only, "another member" would say the same, and compiles so)
    assert big.bonus_needs_sme and not small.bonus_needs_sme
    assert big.minimum_aid == small.minimum_aid == 25000 and big.cap == 3_000_000
