"""The python-constraint backend (solver/native/csp.py) against clingo.

Differential testing of the compiler: profiles generated from the profile JSON Schema
(tests/schema_strategies.py), every rule case and every example profile must get the same
answer from both — status, each condition, missing fields, amount, SME figures.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from fractions import Fraction
from pathlib import Path

import pytest
from constraint import OptimizedBacktrackingSolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsl import ir
from dsl.types import BOOL, NUMBER
from policy import engine
from policy.authoring.cases import find_case_files, load_cases
from policy.errors import InputError
from policy.inputs.loading import load_profile, parse_profile
from solver.asp.run import CompilerBug
from solver.native import csp
from solver.native.csp import CspProgram, UnsupportedByCsp
from solver.record import InputRecord
from tests.schema_strategies import Hints, profiles
from tests.test_direct_backend import _same

ROOT = Path(__file__).resolve().parent.parent
DATES = st.sampled_from([dt.date(2020, 6, 1), dt.date(2024, 6, 1), dt.date(2026, 3, 1)])
SCHEMA_PROFILES = profiles(Hints(engine.catalogue()))


def _agree(records: list[InputRecord], as_of: dt.date) -> None:
    by_clingo = engine.check_records(records, as_of)
    by_csp = engine.check_records(records, as_of, backend="csp")
    for a, b in zip(by_clingo, by_csp, strict=True):
        _same(a, b)
        for x, y in zip(a.results, b.results, strict=True):
            assert (x.amount_before_limits, x.limits) == (y.amount_before_limits, y.limits)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(SCHEMA_PROFILES, min_size=1, max_size=4), DATES)
def test_backends_agree_on_profiles_generated_from_the_schema(
    batch: list[dict], as_of: dt.date
) -> None:
    records = []
    for data in batch:
        try:
            records.append(parse_profile(data).to_record())
        except InputError:  # valid by the schema, but not by a rule it cannot express
            continue
    if records:
        _agree(records, as_of)


def test_backends_agree_on_every_rule_case() -> None:
    """The cases are written to reach every status, including eligible with an amount.
    Each is checked against its own programme (definition-only cases: the catalogue)."""
    groups: dict[tuple[dt.date, str | None], list[InputRecord]] = defaultdict(list)
    for path in find_case_files(ROOT / "programmes"):
        for case in load_cases(path):
            groups[(case.as_of, case.programme)].append(case.profile.to_record())
    assert sum(len(v) for v in groups.values()) > 50
    statuses = set()
    for (as_of, programme), records in groups.items():
        wanted = [programme] if programme else None
        by_clingo = engine.check_records(records, as_of, wanted)
        by_csp = engine.check_records(records, as_of, wanted, backend="csp")
        for a, b in zip(by_clingo, by_csp, strict=True):
            _same(a, b)
            statuses.update(r.status for r in b.results)
    assert statuses == {"eligible", "ineligible", "unknown"}


def test_backends_agree_on_the_examples() -> None:
    paths = sorted((ROOT / "examples/profiles").glob("*.yaml"))
    _agree([load_profile(p).to_record() for p in paths], dt.date(2026, 3, 1))


# ---- a programme small enough to read the network


def _mini(expr: ir.Node) -> ir.Catalogue:
    prog = ir.Programme(
        id="mini",
        labels={"en": "Mini"},
        meta={},
        valid=ir.ALWAYS,
        sources=(),
        conditions=(ir.Condition("small", expr, {"en": "Small"}, ()),),
        amount=None,
        calls=(),
        file="mini.rules",
    )
    return ir.Catalogue({}, {}, {"mini": prog}, {})


STAFF = ir.Field(NUMBER, "company.staff")
SMALL = ir.Logic(
    "or",
    (
        ir.Compare("<", STAFF, ir.Const(NUMBER, Fraction(10))),
        ir.Field(BOOL, "company.insolvency"),
    ),
)
DAY = dt.date(2026, 3, 1)


@pytest.mark.parametrize(
    ("scalars", "status", "missing"),
    [
        ({"company.staff": Fraction(5)}, "eligible", set()),
        ({"company.staff": Fraction(12), "company.insolvency": False}, "ineligible", set()),
        ({"company.staff": Fraction(12)}, "unknown", {"company.insolvency"}),
        ({"company.insolvency": True}, "eligible", set()),
        ({}, "unknown", {"company.staff", "company.insolvency"}),
    ],
)
def test_three_valued_or(scalars: dict, status: str, missing: set[str]) -> None:
    [answer] = CspProgram(_mini(SMALL), DAY).evaluate([InputRecord(scalars=scalars)])
    result = answer.programmes["mini"]
    assert result.status == status
    assert result.missing.get("small", set()) == missing


def test_any_excuses_elements_filtered_out() -> None:
    var = ir.Var("c", "project.costs", 0)
    amount = ir.ElemField(NUMBER, var, "amount")
    category = ir.ElemField(ir.Type("symbol"), var, "category")
    big_advice = ir.Aggregate(
        BOOL,
        "any",
        var,
        ir.Compare(">=", amount, ir.Const(NUMBER, Fraction(20_000))),
        ir.Compare("=", category, ir.Const(ir.Type("symbol"), "advice")),
    )
    program = CspProgram(_mini(big_advice), DAY)
    costs = [{"category": "hire"}, {"category": "advice", "amount": Fraction(25_000)}]
    unknown = [{"category": "hire"}, {"category": "advice"}]
    none = [{"category": "hire"}]
    answers = program.evaluate(
        [
            InputRecord(collections={"project.costs": costs}),
            InputRecord(collections={"project.costs": unknown}),
            InputRecord(collections={"project.costs": none}),
            InputRecord(),
        ]
    )
    results = [a.programmes["mini"] for a in answers]
    assert [r.status for r in results] == ["eligible", "unknown", "ineligible", "unknown"]
    assert results[1].missing["small"] == {"project.costs[1].amount"}
    assert results[3].missing["small"] == {"project.costs"}


def test_the_answer_does_not_depend_on_the_search_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bottom-up order only saves backtracking: python-constraint's own degree order
    finds the same (single) solution."""
    record = load_profile(ROOT / "examples/profiles/flemish_growth.yaml").to_record()
    program = CspProgram(engine.catalogue(), DAY, ["kmo_groeisubsidie"])
    [bottom_up] = program.evaluate([record])
    monkeypatch.setattr(csp, "_BottomUp", OptimizedBacktrackingSolver)
    [by_degree] = program.evaluate([record])
    assert bottom_up == by_degree
    assert bottom_up.programmes["kmo_groeisubsidie"].status == "eligible"


def test_a_network_poses_only_what_is_undecided() -> None:
    """Nodes whose truth follows from decided parts are fixed, not posed: with both fields
    given, `staff < 10`, the flag and the `or` are fixed; with the staff missing, the
    comparison and the `or` are unknown and become constraints (the flag stays fixed)."""
    given = {"company.staff": Fraction(5), "company.insolvency": False}
    decided = csp._Network(InputRecord(scalars=given), {})
    top = decided.truth_var(SMALL, ())
    assert top in decided.decided and decided.decided[top] is True
    assert decided.problem._constraints == []
    undecided = csp._Network(InputRecord(scalars={"company.insolvency": False}), {})
    top = undecided.truth_var(SMALL, ())
    assert top not in undecided.decided
    assert len(undecided.problem._constraints) == 2  # the comparison and the `or`
    assert undecided.solve()[top] is None


def test_an_inconsistent_relation_is_a_compiler_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    """The network really constrains: a Kleene table that gives no truth value leaves the
    `or` node without any consistent value, and the backend says so instead of answering."""
    monkeypatch.setattr(csp, "_kleene_not", lambda value: "neither")
    program = CspProgram(_mini(SMALL), DAY)
    with pytest.raises(CompilerBug, match="no solution"):
        program.evaluate([InputRecord(scalars={"company.staff": Fraction(5)})])


def test_unsupported_constructs_are_refused() -> None:
    mystery = ir.Builtin(BOOL, "mystery", (STAFF,))
    with pytest.raises(UnsupportedByCsp, match=r"mystery\(\) is not supported"):
        CspProgram(_mini(mystery), DAY)
    median = ir.Aggregate(NUMBER, "median", ir.Var("c", "project.costs", 0), STAFF, None)
    with pytest.raises(UnsupportedByCsp, match="aggregate median"):
        CspProgram(_mini(ir.Compare("<", median, STAFF)), DAY)


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="csp"):
        engine.check_records([InputRecord()], DAY, backend="cplex")
