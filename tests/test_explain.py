"""`subsidia explain`: proof trees that take each condition apart, the failing parts of an
ineligible decision, solver-made counterfactuals."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import pytest
from rich.console import Console

from policy import engine
from policy.funding.explain import Explanation, Node, explain, explanation_json, explanation_text
from policy.inputs.loading import load_profile
from solver.record import InputRecord
from tests.cli import invoke
from tests.golden_files import GOLDEN, assert_golden

DAY = dt.date(2026, 3, 1)
ROOT = Path(__file__).parent.parent
INELIGIBLE = GOLDEN / "explain" / "kmo_groeisubsidie_ineligible.yaml"
PROFILES = sorted((ROOT / "examples" / "profiles").glob("*.yaml"))


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
            "company.nace": [],
            "company.enterprises": [],
            "company.accounts": [],
            "company.aid": aid,
            "project.costs": [{"category": "advice", "amount": Fraction(advice)}],
        },
    )


def _walk(nodes: list[Node]) -> Iterator[Node]:
    for node in nodes:
        yield node
        yield from _walk(node.children)


def _condition(ex: Explanation, name: str) -> Node:
    return next(n for n in ex.tree if n.kind == "condition" and n.name == name)


def _text(ex: Explanation) -> str:
    out = io.StringIO()
    Console(file=out, width=100, soft_wrap=False, color_system=None).print(
        explanation_text(ex, tree=True)
    )
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines()) + "\n"


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


def test_failing_parts_are_the_comparisons_that_fail() -> None:
    ex = explain(_record(18_000, dt.date(2024, 9, 15)), "kmo_groeisubsidie", DAY, counterfactuals=0)
    assert ex.failing_parts == {
        "minimum_project_amount": [
            "advice_cost + hire_cost (€18,000) >= minimum_project (€20,000): no"
        ],
        "advice_contracts_minimum": [
            "for c = project.costs[0]: c.amount (€18,000) >= minimum_advice_contract (€20,000): no"
        ],
        # A forbidden `any`: the element that makes it true is the one to blame.
        "cooldown_elapsed": [
            "for a = company.aid[0]: months_between(a.granted, project.submitted) (17 months)"
            " < cooldown (24 months): yes"
        ],
    }


def test_failing_part_inside_a_shared_definition() -> None:
    record = load_profile(ROOT / "examples/profiles/walloon_large.yaml").to_record()
    ex = explain(record, "kmo_groeisubsidie", DAY, counterfactuals=0)
    assert ex.failing_parts["sme"] == ["category_of_company (large) != 'large': no"]
    assert ex.failing_parts["flemish_seat"] == ["company.region (wallonia) = 'flanders': no"]


def test_condition_parts_show_the_values_they_compared() -> None:
    ex = explain(_record(18_000, None), "kmo_groeisubsidie", DAY, counterfactuals=0)
    contracts = _condition(ex, "advice_contracts_minimum")
    (part,) = contracts.children
    assert part.kind == "part" and part.value == "no"
    element = next(c for c in part.children if c.name == "c = project.costs[0]")
    assert element.value == "no"
    assert [(c.name, c.value) for c in element.children] == [
        ("c.category (advice) = 'advice'", "yes"),
        ("c.amount (€18,000) >= minimum_advice_contract (€20,000)", "no"),
    ]
    # The parameter version and its source, once for the whole list.
    (param,) = [c for c in part.children if c.kind == "parameter"]
    assert param.value == "€20,000" and param.period == "2021-01-01.."


def test_sme_test_is_taken_apart_down_to_the_two_year_carry() -> None:
    """The size goes through art. 4(2)'s carry (eu/sme.rules): the tree shows the status
    and the ceilings it reached (2023 row micro, 2024 row and latest year small: the last
    two years are both small, so the small ceiling holds), each definition with its value."""
    record = load_profile(ROOT / "examples/profiles/flemish_growth.yaml").to_record()
    ex = explain(record, "kmo_groeisubsidie", DAY)
    nodes = list(_walk([_condition(ex, "sme")]))
    parts = {n.name: n.value for n in nodes if n.kind == "part"}
    definitions = {n.name: n.value for n in nodes if n.kind == "definition"}
    assert parts["category_of_company (small) != 'large'"] == "yes"
    assert parts["else if status (1) = 1"] == "yes"
    assert definitions["eu_sme.status"] == "1"
    assert definitions["eu_sme.reaches_small"] == "true"
    assert definitions["eu_sme.reaches_medium"] == "false"
    assert parts["then"] == "small"


_KLEENE = {
    "all of": lambda vs: "no" if "no" in vs else "unknown" if "unknown" in vs else "yes",
    "any of": lambda vs: "yes" if "yes" in vs else "unknown" if "unknown" in vs else "no",
    "not": lambda vs: {"yes": "no", "no": "yes", "unknown": "unknown"}[vs[0]],
}
_STATUS = {"met": "yes", "failed": "no", "unknown": "unknown"}


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.stem)
def test_every_tree_agrees_with_the_engine_and_with_itself(profile: Path) -> None:
    """For every programme: each condition's parts give the engine's verdict, and every
    `and`/`or`/`not` part has the value its parts give it (three-valued)."""
    record = load_profile(profile).to_record()
    for pid in engine.catalogue().programmes:
        ex = explain(record, pid, DAY, counterfactuals=0)
        for cond in (n for n in ex.tree if n.kind == "condition"):
            (top,) = cond.children
            verdict = (
                top.value
                if top.kind == "part"
                else {"true": "yes", "false": "no"}.get(top.value, top.value)
            )
            assert verdict == _STATUS[cond.value.split(" ")[0]], (pid, cond.name)
        for node in _walk(ex.tree):
            if node.kind == "part" and node.name in _KLEENE:
                values = [c.value for c in node.children if c.kind == "part"]
                values += [
                    {"true": "yes", "false": "no"}.get(c.value, "unknown")
                    for c in node.children
                    if c.kind == "definition"
                ]
                assert node.value == _KLEENE[node.name](values), (pid, node)
        if ex.status == "ineligible" and not ex.failing[0].startswith("not in force"):
            assert set(ex.failing_parts) == set(ex.failing)
            assert all(ex.failing_parts.values())


def test_eligible_decision_has_a_tree_and_no_counterfactuals() -> None:
    ex = explain(_record(30_000, None), "kmo_groeisubsidie", DAY)
    assert ex.status == "eligible" and ex.amount == "15000.00"
    assert not ex.suggestions and not ex.failing_parts
    cooldown = _condition(ex, "cooldown_elapsed")
    params = {n.name: n for n in _walk(cooldown.children) if n.kind == "parameter"}
    assert params["kmo_groeisubsidie.cooldown"].value == "24 months"
    assert params["kmo_groeisubsidie.cooldown"].period == "2025-01-01.."


def test_region_is_not_changeable_so_no_counterfactual_moves_the_company() -> None:
    record = _record(30_000, None)
    record.scalars["company.region"] = "wallonia"
    ex = explain(record, "kmo_groeisubsidie", DAY)
    assert ex.status == "ineligible" and ex.failing == ["flemish_seat"]
    assert ex.suggestions == []


@pytest.mark.parametrize(
    "profile, name",
    [
        (ROOT / "examples/profiles/flemish_growth.yaml", "kmo_groeisubsidie_eligible"),
        (INELIGIBLE, "kmo_groeisubsidie_ineligible"),
    ],
)
def test_text_is_golden(profile: Path, name: str) -> None:
    ex = explain(load_profile(profile).to_record(), "kmo_groeisubsidie", DAY)
    assert_golden(GOLDEN / "explain" / f"{name}.txt", _text(ex))


def test_explain_command_json_is_golden() -> None:
    result = invoke(
        "explain", str(INELIGIBLE), "--programme", "kmo_groeisubsidie", "--as-of", "2026-03-01",
        "--json", "--tree",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    ex = explain(load_profile(INELIGIBLE).to_record(), "kmo_groeisubsidie", DAY)
    assert data == explanation_json(ex, tree=True)
    assert list(data["failing_parts"]) == data["failing"]
    assert_golden(GOLDEN / "explain" / "kmo_groeisubsidie_ineligible.json", result.stdout)


def test_explain_command_counterfactual_for_negative_equity(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "company: {id: x, region: flanders, legal_form: bv, staff: 5, turnover: 100000,"
        " equity: -10}\nproject: {theme: innovation, submitted: 2026-03-10,"
        " start: 2026-04-01, costs: [{category: advice, amount: 25000}]}\n",
        encoding="utf-8",
    )
    result = invoke(
        "explain", str(profile), "--programme", "kmo_groeisubsidie", "--as-of", "2026-03-01",
        "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["failing"] == ["no_negative_equity"]
    assert data["failing_parts"] == {"no_negative_equity": ["company.equity (-€10) >= €0: no"]}
    (cf,) = data["counterfactuals"][:1]
    assert cf["changes"] == [{"field": "company.equity", "from": "-10", "to": "0"}]
    assert cf["status_after"] == "eligible"


def _flat(text: str) -> str:
    """The text without the tree's lines and its wrapping."""
    return " ".join(re.sub(r"[│├└─]", " ", text).split())


# The proof tree's frame in English: verdicts after a piece or a value, the detail lines.
TREE_ENGLISH = ("version valid ", "[source: ", "all of: ", ": yes ", "= met ", "= true ",
                "(taken apart above)")  # fmt: skip


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_the_proof_tree_speaks_the_readers_language(lang: str) -> None:
    """The tree's own words are translated; the expressions and the field paths are not."""
    args = ("explain", str(ROOT / "examples/profiles/flemish_growth.yaml"), "--tree",
            "--programme", "baekeland_mandate", "--as-of", "2026-03-01")  # fmt: skip
    english, translated = _flat(invoke(*args).stdout), _flat(invoke(*args, "--lang", lang).stdout)
    assert all(word in english for word in TREE_ENGLISH)
    assert [word for word in TREE_ENGLISH if word in translated] == []
    # The rule language stays as written: an expression of the tree, in both outputs.
    expression = "eu_sectors.gber_applies and not (count(true for sn in company.nace) >= 1"
    assert expression in english and expression in translated
