"""Differential testing of the compiler: the clingo backend and the direct IR evaluator must
give the same answer — status, every condition, missing fields, amount, SME figures — on
every generated profile."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy import engine
from policy.errors import InputError
from policy.inputs.loading import parse_profile
from tests.test_evaluation_fuzz import profiles

DATES = st.sampled_from([dt.date(2020, 6, 1), dt.date(2024, 6, 1), dt.date(2026, 3, 1)])


def _same(a: engine.CheckReport, b: engine.CheckReport) -> None:
    assert a.sme == b.sme
    for x, y in zip(a.results, b.results, strict=True):
        assert (x.programme, x.status, x.amount, x.missing, x.note) == (
            y.programme,
            y.status,
            y.amount,
            y.missing,
            y.note,
        )
        assert [(r.condition, r.status, r.missing) for r in x.reasons] == [
            (r.condition, r.status, r.missing) for r in y.reasons
        ]
        assert x.versions == y.versions


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(profiles, min_size=1, max_size=4), DATES)
def test_backends_agree_on_generated_profiles(batch: list[dict], as_of: dt.date) -> None:
    records = []
    for data in batch:
        try:
            records.append(parse_profile(data).to_record())
        except InputError:
            continue
    if not records:
        return
    by_clingo = engine.check_records(records, as_of)
    directly = engine.check_records(records, as_of, backend="direct")
    for a, b in zip(by_clingo, directly, strict=True):
        _same(a, b)


def test_backends_agree_on_the_examples() -> None:
    from pathlib import Path

    from policy.inputs.loading import load_profile

    for path in sorted((Path(__file__).parent.parent / "examples/profiles").glob("*.yaml")):
        record = load_profile(path).to_record()
        day = dt.date(2026, 3, 1)
        _same(engine.check(record, day), engine.check(record, day, backend="direct"))
