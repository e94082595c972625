"""The vector backend (solver/vector/) against the direct backend, answer by answer.

Generated profiles (benchmarks/generate.py, drawn by seed) are evaluated by both over the
whole catalogue: every programme's status, conditions, missing fields, amount and amount
parts, and every exported definition (the SME category and figures) must be equal.
`SUBSIDIA_FUZZ_EXAMPLES=N` runs more examples (tests/fuzzing.py).
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.generate import random_records
from policy import engine
from solver.answer import Answer
from solver.record import InputRecord
from tests.fuzzing import examples

# One date, so the tests share one compiled program (a program per date costs seconds);
# a long run (SUBSIDIA_FUZZ_EXAMPLES) also takes the 36-month Kmo-groeisubsidie cooldown.
DATES = st.sampled_from([dt.date(2026, 3, 1)] + ([dt.date(2024, 6, 1)] if examples(0) else []))


def _programs(as_of: dt.date) -> tuple[object, object]:
    root = str(engine.rules_root())
    return engine._vector(root, as_of, None), engine._direct(root, as_of, None)


def _flat(answer: Answer) -> dict[str, object]:
    out: dict[str, object] = dict(answer.exports)
    for pid, result in answer.programmes.items():
        missing = {name: sorted(fields) for name, fields in result.missing.items()}
        out[pid] = (result.status, result.conditions, missing, result.amount, result.parts)
    return out


def _assert_same(records: list[InputRecord], as_of: dt.date) -> None:
    vector, direct = _programs(as_of)
    got = vector.evaluate_counted(records)  # type: ignore[attr-defined]
    expected = direct.evaluate(records)  # type: ignore[attr-defined]
    for index, (a, b) in enumerate(zip(got.answers, expected, strict=True)):
        assert _flat(a) == _flat(b), (index, as_of, records[index])


@settings(max_examples=examples(3), deadline=None, suppress_health_check=list(HealthCheck))
@given(st.integers(0, 2**32 - 1), DATES)
def test_vector_agrees_with_direct(seed: int, as_of: dt.date) -> None:
    _assert_same(random_records(30, seed), as_of)


def test_check_records_vector_reports_as_direct() -> None:
    """Through the engine: the reports' statuses, amounts, missing fields and SME category
    are the direct backend's, and the whole catalogue is vectorised: no answer falls back."""
    records = random_records(150, seed=16)
    day = dt.date(2026, 3, 1)
    vector = engine.check_records(records, day, backend="vector")
    direct = engine.check_records(records, day, backend="direct")
    for v, d in zip(vector, direct, strict=True):
        assert v.sme == d.sme
        assert [(r.status, r.amount, r.missing) for r in v.results] == [
            (r.status, r.amount, r.missing) for r in d.results
        ]
        assert v.fallback == 0
    program, _ = _programs(day)
    assert program.unsupported == {}  # type: ignore[attr-defined]


def test_screening_rows_are_the_reports_decisions() -> None:
    """`engine.check_rows` (what `subsidia screen` writes) says per programme what the
    reports say: status, amount and missing fields, on both screening backends, with the
    programmes in the order asked for (one not in force on the date included)."""
    records = random_records(150, seed=21)
    day = dt.date(2026, 3, 1)
    cat = engine.catalogue()
    wanted = sorted(cat.programmes, reverse=True)
    reports = engine.check_records(records, day, wanted, backend="direct")
    for backend in ("vector", "direct"):
        rows, fallback = engine.check_rows(records, day, wanted, backend=backend)
        assert len(fallback) == len(records)
        for row, report in zip(rows, reports, strict=True):
            assert row == [(r.programme, r.status, r.amount, r.missing) for r in report.results]
    assert any(not cat.programmes[p].valid.contains(day) for p in wanted)


def test_figures_past_the_exact_range_fall_back_and_are_counted() -> None:
    """A turnover whose scaled numerator passes 2^62 is not evaluated over columns: the
    record is answered by the direct backend, exactly, and counted as such."""
    huge = InputRecord(
        scalars={
            "company.region": "flanders",
            "company.staff": Fraction(5),
            "company.turnover": Fraction(10**40),
            "company.balance_sheet": Fraction(1),
            "company.enterprises": [],
        }
    )
    plain = InputRecord(scalars={"company.region": "flanders", "company.staff": Fraction(5)})
    day = dt.date(2026, 3, 1)
    reports = engine.check_records([huge, plain], day, backend="vector")
    direct = engine.check_records([huge, plain], day, backend="direct")
    in_force = _programs(day)[0].programmes  # type: ignore[attr-defined]
    assert [r.fallback for r in reports] == [len(in_force), 0]
    assert [r.sme for r in reports] == [r.sme for r in direct]
