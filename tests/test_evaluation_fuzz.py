"""Hypothesis: a generated profile either fails validation with InputError or is evaluated
against the whole catalogue without raising anything."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy import engine
from policy.errors import InputError
from policy.inputs.loading import parse_profile

numbers = st.one_of(
    st.integers(-10, 10**9),
    st.decimals(min_value=-(10**6), max_value=10**9, places=2, allow_nan=False),
    st.sampled_from(["12.5", "abc", "", None, True]),
)
dates = st.one_of(st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)), st.just("2026-02-30"))
symbols = st.sampled_from(
    ["flanders", "wallonia", "brussels", "flandres", "bv", "vzw", "advice", "hire", "other",
     "holds", "held_by", "partner", "linked", "business_angel", "venture_capital",
     "digitalisation", "innovation", "de_minimis", "gber", "kmo_groeisubsidie"]
)  # fmt: skip
enterprise = st.fixed_dictionaries(
    {"id": st.text("abc", min_size=1, max_size=3), "share": numbers, "direction": symbols},
    optional={
        "relation": symbols, "investor": symbols, "staff": numbers, "turnover": numbers,
        "balance_sheet": numbers, "investment": numbers,
    },
)  # fmt: skip
cost = st.fixed_dictionaries(
    {"category": symbols},
    optional={"amount": numbers, "gross_salary": numbers, "employment_months": numbers},
)
company = st.fixed_dictionaries(
    {"id": st.text(min_size=1, max_size=8)},
    optional={
        "name": st.text(max_size=20), "region": symbols, "legal_form": symbols,
        "founded": dates, "staff": numbers, "turnover": numbers, "balance_sheet": numbers,
        "equity": numbers, "subscribed_capital": numbers, "reserves": numbers,
        "accumulated_losses": numbers, "public_ownership": numbers, "insolvency": st.booleans(),
        "nace": st.lists(st.sampled_from(["62.01", "01", "x"]), max_size=2),
        "enterprises": st.lists(enterprise, max_size=3),
        "accounts": st.lists(
            st.fixed_dictionaries({"year": st.integers(2019, 2025)}, optional={"staff": numbers}),
            max_size=2,
        ),
        "aid": st.lists(
            st.fixed_dictionaries(
                {"programme": symbols, "granted": dates, "amount": numbers, "regime": symbols}
            ),
            max_size=2,
        ),
    },
)  # fmt: skip
project = st.fixed_dictionaries(
    {},
    optional={
        "theme": symbols, "submitted": dates, "start": dates,
        "costs": st.lists(cost, max_size=3),
    },
)  # fmt: skip
profiles = st.fixed_dictionaries({"company": company}, optional={"project": project})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles, st.sampled_from([dt.date(2020, 6, 1), dt.date(2024, 6, 1), dt.date(2026, 3, 1)]))
def test_generated_profiles_validate_or_evaluate(data: dict, as_of: dt.date) -> None:
    try:
        record = parse_profile(data).to_record()
    except InputError:
        return
    report = engine.check(record, as_of)
    for result in report.results:
        assert result.status in ("eligible", "ineligible", "unknown")
        if result.amount is not None:
            assert result.amount >= 0 and result.amount.as_tuple().exponent == -2
