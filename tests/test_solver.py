"""The clingo backend: compiled-program golden file, injection safety, three-valued answers."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from dsl.loader import load_catalogue
from policy import engine
from solver.asp.compile import compile_programmes
from solver.asp.run import solve
from solver.record import InputRecord
from tests.golden_files import GOLDEN, assert_golden

DAY = dt.date(2026, 3, 1)


def _flemish(**scalars: object) -> InputRecord:
    base: dict = {
        "company.region": "flanders",
        "company.legal_form": "bv",
        "company.staff": Fraction(12),
        "company.turnover": Fraction(1_800_000),
        "company.balance_sheet": Fraction(950_000),
        "company.equity": Fraction(10_000),
        "project.theme": "digitalisation",
        "project.submitted": dt.date(2026, 3, 10),
        "project.start": dt.date(2026, 4, 1),
    }
    base.update(scalars)
    lists: dict = {
        "company.nace": [],
        "company.enterprises": [],
        "company.accounts": [],
        "company.aid": [],
        "project.costs": [{"category": "advice", "amount": Fraction(30_000)}],
    }
    return InputRecord(base, lists)


def test_compiled_program_matches_golden() -> None:
    catalogue, _ = load_catalogue("programmes")
    program = compile_programmes(catalogue, DAY, ["kmo_groeisubsidie"], ["eu_sme.is_sme"])
    assert_golden(GOLDEN / "compiled" / "kmo_groeisubsidie_2026-03-01.lp", program.text)


def test_hostile_names_are_data_not_program_text() -> None:
    """A company called `x). #false.` or a theme full of ASP syntax changes nothing."""
    plain = engine.check(_flemish(), DAY, "kmo_groeisubsidie")
    hostile = engine.check(
        _flemish(**{"company.name": "x). #false.", "company.id": '"). :- prof(P).'}),
        DAY,
        "kmo_groeisubsidie",
    )
    assert plain.results[0].status == hostile.results[0].status == "eligible"
    assert plain.results[0].amount == hostile.results[0].amount
    odd_theme = engine.check(
        _flemish(**{"project.theme": 'digitalisation"). t(0,0). %'}), DAY, "kmo_groeisubsidie"
    )
    assert odd_theme.results[0].status == "ineligible"
    assert [r.condition for r in odd_theme.results[0].reasons if r.status == "failed"] == ["theme"]


def test_unknown_lists_missing_fields_and_decided_parts_need_nothing() -> None:
    record = InputRecord({"company.region": "flanders"}, {"company.aid": []})
    report = engine.check(record, DAY, "kmo_groeisubsidie")
    result = report.results[0]
    assert result.status == "unknown"
    assert "company.equity" in result.missing and "project.theme" in result.missing
    met = {r.condition for r in result.reasons if r.status == "met"}
    assert {"flemish_seat", "cooldown_elapsed"} <= met


def test_kleene_or_decides_with_one_side_missing() -> None:
    """Turnover under the ceiling decides the money test even when the balance sheet is missing."""
    record = _flemish()
    del record.scalars["company.balance_sheet"]
    report = engine.check(record, DAY, "kmo_groeisubsidie")
    assert report.sme.category == "small"


def test_batch_answers_are_in_input_order() -> None:
    records = [_flemish(**{"company.staff": Fraction(s)}) for s in (5, 60, 300)]
    reports = engine.check_records(records, DAY, ["kmo_groeisubsidie"])
    assert [r.sme.category for r in reports] == ["micro", "medium", "large"]


def test_amounts_are_exact_rationals_before_rounding() -> None:
    catalogue, _ = load_catalogue("programmes")
    program = compile_programmes(catalogue, DAY, ["kmo_groeisubsidie"])
    record = _flemish()
    record.collections["project.costs"] = [
        {"category": "advice", "amount": Fraction(4_000_001, 100)}
    ]
    answer = solve(program, [record])[0].programmes["kmo_groeisubsidie"]
    assert answer.amount == Fraction(4_000_001, 200)
    assert str(engine.round_grant(answer.amount)) == "20000.00"


def test_turnovers_beyond_32_bit_cents_are_exact() -> None:
    big = _flemish(
        **{"company.turnover": Fraction(5_000_000_001, 100), "company.staff": Fraction(100)}
    )
    big.scalars["company.balance_sheet"] = Fraction(43_000_000_01, 100)
    report = engine.check(big, DAY, "kmo_groeisubsidie")
    assert report.sme.category == "large"
    assert report.sme.turnover == Fraction(5_000_000_001, 100)


def test_nace_prefixes_and_date_arithmetic(tmp_path) -> None:
    """Building blocks later programmes need: NACE prefixes, months between dates."""
    (tmp_path / "p.rules").write_text(
        """
programme nace_demo {
  valid 2020-01-01..
  condition ict {
    require any(starts_with(n, "62") or starts_with(n, "63") for n in company.nace)
  }
  condition excluded_agriculture {
    require not any(starts_with(n, "01") for n in company.nace)
  }
  condition old_enough {
    require months_between(company.founded, as_of) >= 36 months
  }
  amount { = if first_of_next_month(company.founded) = 2023-04-01 then 1 EUR else 0 EUR }
}
""",
        encoding="utf-8",
    )
    catalogue, _ = load_catalogue(tmp_path)
    program = compile_programmes(catalogue, DAY)
    records = [
        InputRecord({"company.founded": dt.date(2023, 3, 1)}, {"company.nace": ["6201", "4711"]}),
        InputRecord({"company.founded": dt.date(2023, 3, 2)}, {"company.nace": ["0111"]}),
    ]
    first, second = (a.programmes["nace_demo"] for a in solve(program, records))
    assert first.conditions == {"ict": "yes", "excluded_agriculture": "yes", "old_enough": "yes"}
    assert first.amount == 1
    assert second.conditions == {"ict": "no", "excluded_agriculture": "no", "old_enough": "no"}
    assert second.amount == 1


def test_functions_of_other_blocks_and_year(tmp_path) -> None:
    (tmp_path / "p.rules").write_text(
        """
definitions shared {
  param ceiling : money { 2000-01-01.. = 100 EUR }
  fn capped(x: money) : money = min(x, ceiling)
}
programme uses_shared {
  valid 2020-01-01..
  condition this_year { require year(company.founded) = year(as_of) }
  amount { = shared.capped(company.equity) }
}
""",
        encoding="utf-8",
    )
    catalogue, _ = load_catalogue(tmp_path)
    program = compile_programmes(catalogue, DAY)
    record = InputRecord({"company.founded": dt.date(2026, 1, 5), "company.equity": Fraction(150)})
    (answer,) = solve(program, [record])
    result = answer.programmes["uses_shared"]
    assert result.conditions == {"this_year": "yes"} and result.amount == 100


_UNDATED = """
definitions d {
  label nl "D" fr "D" en "D"
  source s {
    url "https://example.org/s"
    title "S"
    date 2024-01-01
  }
  param ceiling : money {
    label nl "Plafond" fr "Plafond" en "Ceiling"
    source s "art. 1"
    2025-01-01.. = 100 EUR
  }
  let below : bool = company.turnover < ceiling
}
"""


def test_a_parameter_with_no_value_at_the_date_is_unknown_in_every_backend(tmp_path) -> None:
    # The checker (E502) keeps this from programmes in force; a definition can still be
    # reached at a date outside its parameters' validity. It used to compile to 0.
    from solver.native.csp import CspProgram
    from solver.native.direct import DirectProgram

    (tmp_path / "d.rules").write_text(_UNDATED, encoding="utf-8")
    cat, _ = load_catalogue(tmp_path)
    record = _flemish(**{"company.turnover": Fraction(50)})
    day = dt.date(2024, 6, 1)
    answers = {
        "clingo": solve(compile_programmes(cat, day, exports=["d.below"]), [record])[0],
        "direct": DirectProgram(cat, day, None, ["d.below"]).evaluate([record])[0],
        "csp": CspProgram(cat, day, None, ["d.below"]).evaluate([record])[0],
    }
    for backend, answer in answers.items():
        assert "d.below" not in answer.exports, backend  # unknown, not "50 < 0 = false"
    after = solve(compile_programmes(cat, dt.date(2025, 6, 1), exports=["d.below"]), [record])
    assert after[0].exports["d.below"] is True


_PREFIXES = """
definitions s {
  param excluded : set {
    ..2024-12-31 = {"011", "03"}
    2025-01-01.. = unknown "not published"
  }
  param nothing : set {
    ..2024-12-31 = {}
    2025-01-01.. = {}
  }
}
programme sectors {
  valid 2020-01-01..
  condition some_code_allowed {
    require any(not starts_with_any(n, s.excluded) for n in company.nace)
  }
  condition none_excluded_by_empty_set {
    require not any(starts_with_any(n, s.nothing) for n in company.nace)
  }
  condition literal_set {
    require all(starts_with_any(n, {"0111", "62"}) for n in company.nace)
  }
}
"""


def test_starts_with_any_agrees_in_every_backend(tmp_path) -> None:
    """NACE prefix membership: a code of a listed class, none, an empty set, an unknown set."""
    from solver.native.csp import CspProgram
    from solver.native.direct import DirectProgram

    (tmp_path / "p.rules").write_text(_PREFIXES, encoding="utf-8")
    cat, diagnostics = load_catalogue(tmp_path)
    assert not [d for d in diagnostics if d.severity == "error"]
    records = [
        InputRecord({}, {"company.nace": ["0111"]}),  # in class 01.1 only
        InputRecord({}, {"company.nace": ["0111", "6201"]}),  # and another sector
        InputRecord({}, {"company.nace": ["0161"]}),  # 01.6: not 01.1
        InputRecord({}, {"company.nace": ["03"]}),  # the division itself
    ]
    expected = [
        {"some_code_allowed": "no", "none_excluded_by_empty_set": "yes", "literal_set": "yes"},
        {"some_code_allowed": "yes", "none_excluded_by_empty_set": "yes", "literal_set": "yes"},
        {"some_code_allowed": "yes", "none_excluded_by_empty_set": "yes", "literal_set": "no"},
        {"some_code_allowed": "no", "none_excluded_by_empty_set": "yes", "literal_set": "no"},
    ]
    for day, unknown_set in ((dt.date(2024, 6, 1), False), (dt.date(2025, 6, 1), True)):
        answers = {
            "clingo": solve(compile_programmes(cat, day), records),
            "direct": DirectProgram(cat, day, None).evaluate(records),
            "csp": CspProgram(cat, day, None).evaluate(records),
        }
        for backend, got in answers.items():
            conditions = [a.programmes["sectors"].conditions for a in got]
            if unknown_set:  # membership in a set the sources do not give is unknown
                assert all("some_code_allowed" not in c for c in conditions), backend
            else:
                assert conditions == expected, backend


def test_a_set_decided_by_the_profile_is_refused(tmp_path) -> None:
    """A set must be known before the profile, also through a function's argument: the
    condition is refused with a located error instead of vanishing."""
    import pytest

    from dsl.diagnostics import RuleError

    (tmp_path / "b.rules").write_text(
        """
definitions d {
  fn f(s: set) : bool = any(starts_with_any(n, s) for n in company.nace)
}
programme b {
  valid 2020-01-01..
  condition c { require d.f(if company.staff > 1 then {"01"} else {"02"}) }
  condition e {
    require any(starts_with_any(n, if company.staff > 1 then {"01"} else {"02"})
                for n in company.nace)
  }
}
""",
        encoding="utf-8",
    )
    with pytest.raises(RuleError) as raised:
        load_catalogue(tmp_path)
    text = str(raised.value)
    assert text.count("error[E301]: a set here must be a set literal or a set parameter") == 2
    assert "b.rules:7:29" in text and "b.rules:9:36" in text


_CLOSE_VALUES = """
definitions near {
  let below : bool = company.turnover < company.balance_sheet
  let at_most : bool = company.turnover <= company.balance_sheet
  let same : bool = company.turnover = company.balance_sheet
  let least : money = min(company.turnover, company.balance_sheet, company.equity)
  let most : money = max(company.balance_sheet, company.turnover)
}
"""


def test_comparisons_the_sort_keys_cannot_order_reach_the_exact_comparison(tmp_path) -> None:
    """Values within 2^-29 of each other, and values beyond ±2^31 (where the sort key is
    clamped), are ordered (and chosen by `min`/`max`) exactly by the Python calls; others
    natively by their keys."""
    from solver.native.direct import DirectProgram

    (tmp_path / "d.rules").write_text(_CLOSE_VALUES, encoding="utf-8")
    cat, _ = load_catalogue(tmp_path)
    exports = ["near.below", "near.at_most", "near.same", "near.least", "near.most"]
    pairs = [
        (Fraction(1, 3), Fraction(1, 3) + Fraction(1, 2**40)),  # one 2^-29 interval
        (Fraction(1, 3) + Fraction(1, 2**40), Fraction(1, 3)),
        (Fraction(5, 2), Fraction(5, 2)),
        (Fraction(2, 1), Fraction(5, 2)),
        (Fraction(-7, 3), Fraction(-7, 2)),
        (Fraction(3 * 10**12), Fraction(3 * 10**12 + 1)),  # both clamped
        (Fraction(-(10**13)), Fraction(-(10**13) + 1, 7)),
        (Fraction(10**13), Fraction(2**31 - 2)),  # one clamped, one not
        (Fraction(2**31 - 1), Fraction(2**31 - 1)),
        (Fraction(10_000) + Fraction(1, 2**40), Fraction(10_000)),  # min: the equity's key
    ]
    equity = Fraction(10_000)
    records = [
        _flemish(**{"company.turnover": a, "company.balance_sheet": b, "company.equity": equity})
        for a, b in pairs
    ]
    clingo = solve(compile_programmes(cat, DAY, exports=exports), records)
    direct = DirectProgram(cat, DAY, None, exports).evaluate(records)
    for (a, b), mine, reference in zip(pairs, clingo, direct, strict=True):
        assert (
            mine.exports
            == reference.exports
            == {
                "near.below": a < b,
                "near.at_most": a <= b,
                "near.same": a == b,
                "near.least": min(a, b, equity),
                "near.most": max(a, b),
            }
        ), (a, b)


_NEAR = st.fractions(max_denominator=2**45) | st.integers(-(2**33), 2**33).map(Fraction)


@given(_NEAR, st.one_of(_NEAR, st.fractions(0, Fraction(1, 2**28), max_denominator=2**45)))
def test_sort_keys_order_values_and_equal_even_keys_are_equal_values(x, offset) -> None:
    """Sort keys never order two values wrongly, and an equal even key means equal
    values: for any values, and for values within 2^-28 of each other."""
    from solver.asp.arith import KEY_LIMIT, sort_key

    for y in (offset, x + offset):
        kx, ky = sort_key(x), sort_key(y)
        assert all(abs(n) <= KEY_LIMIT for n in (*kx, *ky))
        assert (kx < ky and x < y) or (kx > ky and x > y) or kx == ky, (x, y)
        if kx == ky and kx[1] % 2 == 0:
            assert x == y, (x, y)
