"""The engine against the hand-written baseline (benchmarks/baseline.py).

Two independent encodings of the EU SME definition and the Kmo-groeisubsidie — the rule
files compiled to clingo, and plain Python written from reading them — must agree on the
status, the amount (to the cent) and the SME category of every generated profile.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.baseline import PROGRAMME, baseline_check
from benchmarks.generate import random_records
from policy import engine
from solver.record import InputRecord

# Both cooldown versions (36 months until 2024, 24 from 2025) and a date before the
# programme is in force.
DATES = st.sampled_from(
    [dt.date(2020, 6, 1), dt.date(2024, 6, 1), dt.date(2025, 1, 1), dt.date(2026, 3, 1)]
)
SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]


def _outcome(report: engine.CheckReport) -> tuple[object, ...]:
    result = next(r for r in report.results if r.programme == PROGRAMME)
    return result.status, result.amount, report.sme.category


def _expected(record: InputRecord, as_of: dt.date) -> tuple[object, ...]:
    base = baseline_check(record, as_of)
    return base["status"], base["amount"], base["category"]


def _assert_agree(records: list[InputRecord], as_of: dt.date) -> None:
    reports = engine.check_records(records, as_of, [PROGRAMME])
    for index, (record, report) in enumerate(zip(records, reports, strict=True)):
        assert _outcome(report) == _expected(record, as_of), (index, as_of, record)


# ---- realistic profiles from the benchmark generator, drawn by seed


@settings(max_examples=60, deadline=None, suppress_health_check=SLOW)
@given(st.integers(0, 2**32 - 1), st.integers(1, 4), DATES)
def test_engine_agrees_with_baseline(seed: int, size: int, as_of: dt.date) -> None:
    _assert_agree(random_records(size, seed), as_of)


def test_batch_agrees_with_baseline_one_by_one() -> None:
    """300 profiles in one grounding: no answer leaks from one profile into another."""
    _assert_agree(random_records(300, seed=20260301), dt.date(2026, 3, 1))


# ---- arbitrary records: any field may be missing, including ones a profile requires

fractions = st.fractions(min_value=0, max_value=120_000_000, max_denominator=100)
edges = st.sampled_from([0, 9, 10, 49, 50, 250, 2_000_000, 10_000_000, 43_000_000, 50_000_001])
amounts = st.one_of(fractions, edges.map(Fraction))
shares = st.one_of(
    st.fractions(0, 1, max_denominator=10_000), st.sampled_from([Fraction(1, 4), Fraction(1, 2)])
)
days = st.dates(dt.date(2019, 1, 1), dt.date(2027, 12, 31))


def _fields(**optional: st.SearchStrategy) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({}, optional=optional)


enterprise = _fields(
    id=st.just("e"),
    share=shares,
    direction=st.sampled_from(["holds", "held_by"]),
    relation=st.sampled_from(["partner", "linked"]),
    investor=st.sampled_from(
        ["business_angel", "university", "venture_capital", "local_authority", "institutional"]
    ),
    staff=amounts,
    turnover=amounts,
    balance_sheet=amounts,
    investment=amounts,
    authority_budget=amounts,
    inhabitants=st.integers(0, 10_000).map(Fraction),
)
account = _fields(
    year=st.integers(2021, 2025).map(Fraction),
    staff=amounts,
    turnover=amounts,
    balance_sheet=amounts,
)
aid = _fields(
    programme=st.sampled_from(["kmo_groeisubsidie", "digitale_transformatie", "kmo_portefeuille"]),
    granted=days,
    amount=amounts,
    regime=st.sampled_from(["de_minimis", "gber"]),
)
cost = _fields(
    category=st.sampled_from(["advice", "hire", "other"]),
    amount=st.one_of(amounts, st.sampled_from([Fraction(19_999), Fraction(20_000)])),
    gross_salary=amounts,
    employment_months=st.one_of(st.integers(1, 30).map(Fraction), st.just(Fraction(11, 2))),
)
scalars = _fields(
    **{
        "company.region": st.sampled_from(["flanders", "wallonia", "brussels"]),
        "company.legal_form": st.sampled_from(["bv", "nv", "vzw", "asbl"]),
        "company.staff": amounts,
        "company.turnover": amounts,
        "company.balance_sheet": amounts,
        "company.equity": st.fractions(-1_000_000, 10_000_000, max_denominator=100),
        "company.public_ownership": shares,
        "project.theme": st.sampled_from(["digitalisation", "circular", "marketing"]),
        "project.submitted": days,
        "project.start": days,
    }
)
# An absent list is unknown (no project; or, outside real profiles, an unknown company list).
collections = _fields(
    **{
        "company.enterprises": st.lists(enterprise, max_size=3),
        "company.accounts": st.lists(account, max_size=2),
        "company.aid": st.lists(aid, max_size=2),
        "project.costs": st.lists(cost, max_size=3),
    }
)
records = st.builds(InputRecord, scalars, collections)


@settings(max_examples=60, deadline=None, suppress_health_check=SLOW)
@given(st.lists(records, min_size=1, max_size=3), DATES)
def test_arbitrary_records_never_raise(batch: list[InputRecord], as_of: dt.date) -> None:
    for report in engine.check_records(batch, as_of):  # the whole catalogue
        for result in report.results:
            assert result.status in ("eligible", "ineligible", "unknown")
    for record in batch:
        assert baseline_check(record, as_of)["status"] in ("eligible", "ineligible", "unknown")


@settings(max_examples=60, deadline=None, suppress_health_check=SLOW)
@given(st.lists(records, min_size=1, max_size=3), DATES)
def test_engine_agrees_with_baseline_on_arbitrary_records(
    batch: list[InputRecord], as_of: dt.date
) -> None:
    _assert_agree(batch, as_of)
