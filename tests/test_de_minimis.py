"""The de minimis ledger (programmes/eu/de_minimis.rules) and the `limit` construct.

The ledger is checked against an independent Python reading of the regulations on
generated aid histories (the company's and its related enterprises'), on both backends;
the window edges are pinned by the cases in programmes/eu/de_minimis.cases.yaml. The
limit is checked end to end: a de minimis programme's grant never exceeds the headroom,
and the answer says that the limit bit and by how much.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsl.formatter import format_text
from dsl.parser import parse_text
from policy import engine
from policy.errors import InputError
from policy.inputs.loading import parse_profile
from solver.asp.compile import compile_programmes
from solver.asp.run import solve
from solver.native.direct import DirectProgram

LEDGER = ["eu_de_minimis.received", "eu_de_minimis.headroom", "eu_de_minimis.linked_received"]


def _three_years_on(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 3)
    except ValueError:  # 29 February: the last day of February three years on
        return day.replace(year=day.year + 3, day=28)


def expected_received(aid: list[dict], as_of: dt.date) -> Fraction:
    """Regulation 1407/2013 up to 2023 (this and the two previous calendar years), then
    2023/2831 (the three years back from `as_of`: a grant exactly three years back is out)."""
    total = Fraction(0)
    for a in aid:
        granted = a["granted"]
        if a["regime"] != "de_minimis" or granted > as_of:
            continue
        if as_of.year <= 2023:
            inside = granted.year >= as_of.year - 2
        else:
            inside = _three_years_on(granted) > as_of
        if inside:
            total += Fraction(a["amount"])
    return total


def _linked(enterprise: dict) -> bool:
    relation = enterprise.get("relation")
    return relation == "linked" or (relation is None and enterprise["share"] > 50)


_dates = st.dates(min_value=dt.date(2012, 1, 1), max_value=dt.date(2030, 12, 31))
_aid = st.fixed_dictionaries(
    {
        "programme": st.just("p"),
        "granted": _dates,
        "amount": st.integers(min_value=0, max_value=150_000),
        "regime": st.sampled_from(["de_minimis", "de_minimis", "gber", "other"]),
    }
)
_enterprise = st.fixed_dictionaries(
    {
        "share": st.sampled_from([30, 50, 50.01, 100]),
        "direction": st.sampled_from(["holds", "held_by"]),
        "aid": st.lists(_aid, max_size=3),
    },
    optional={"relation": st.sampled_from(["partner", "linked"])},
)


@settings(max_examples=25, deadline=None)
@given(
    as_of=st.dates(min_value=dt.date(2014, 1, 1), max_value=dt.date(2030, 12, 31)),
    own=st.lists(_aid, max_size=4),
    enterprises=st.lists(_enterprise, max_size=3),
)
def test_ledger_matches_an_independent_reading(
    as_of: dt.date, own: list[dict], enterprises: list[dict]
) -> None:
    for i, e in enumerate(enterprises):
        e["id"] = f"e{i}"
    profile = parse_profile({"company": {"id": "c", "aid": own, "enterprises": enterprises}})
    record = profile.to_record()
    cat = engine.catalogue()
    linked = [a for e in enterprises if _linked(e) for a in e["aid"]]
    received = expected_received(own, as_of) + expected_received(linked, as_of)
    ceiling = 200_000 if as_of.year <= 2023 else 300_000
    expected = {
        "eu_de_minimis.received": received,
        "eu_de_minimis.linked_received": expected_received(linked, as_of),
        "eu_de_minimis.headroom": max(ceiling - received, Fraction(0)),
    }
    clingo = solve(compile_programmes(cat, as_of, [], LEDGER), [record])[0].exports
    direct = DirectProgram(cat, as_of, [], LEDGER).evaluate([record])[0].exports
    assert clingo == expected
    assert direct == expected


@pytest.mark.parametrize(
    ("as_of", "granted", "counts"),
    [
        ("2026-03-01", "2023-03-01", False),  # exactly three years back: outside
        ("2026-03-01", "2023-03-02", True),
        ("2023-12-31", "2021-01-01", True),  # fiscal: 2021-2023
        ("2023-12-31", "2020-12-31", False),
        ("2024-01-01", "2021-01-02", True),  # rolling from 2024
        ("2024-01-01", "2021-01-01", False),
        ("2027-02-28", "2024-02-29", False),  # a leap day three years on
        ("2027-02-27", "2024-02-29", True),
    ],
)
def test_window_edges_on_both_backends(as_of: str, granted: str, counts: bool) -> None:
    day = dt.date.fromisoformat(as_of)
    aid = [{"programme": "p", "granted": granted, "amount": 1000, "regime": "de_minimis"}]
    record = parse_profile({"company": {"id": "c", "aid": aid}}).to_record()
    cat = engine.catalogue()
    for exports in (
        solve(compile_programmes(cat, day, [], LEDGER), [record])[0].exports,
        DirectProgram(cat, day, [], LEDGER).evaluate([record])[0].exports,
    ):
        assert exports["eu_de_minimis.received"] == (1000 if counts else 0)


GROWTH = {
    "company": {
        "id": "0712.345.678",
        "region": "flanders",
        "legal_form": "bv",
        "founded": "2014-09-01",
        "staff": 12,
        "turnover": 1800000,
        "balance_sheet": 950000,
        "equity": 410000,
    },
    "project": {
        "theme": "digitalisation",
        "submitted": "2026-03-10",
        "start": "2026-04-01",
        "costs": [{"category": "advice", "amount": 30000}],
    },
}
AS_OF = dt.date(2026, 3, 1)


def _growth(used: str, linked_used: str = "0") -> dict:
    data = {"company": dict(GROWTH["company"]), "project": GROWTH["project"]}
    data["company"]["aid"] = [
        {"programme": "x", "granted": "2025-06-01", "amount": used, "regime": "de_minimis"}
    ]
    data["company"]["enterprises"] = [
        {
            "id": "moeder",
            "direction": "held_by",
            "share": 100,
            "relation": "linked",
            "staff": 0,
            "turnover": 0,
            "balance_sheet": 0,
            "aid": [
                {"programme": "y", "granted": "2024-06-01", "amount": linked_used,
                 "regime": "de_minimis"}
            ],
        }
    ]  # fmt: skip
    return data


@pytest.mark.parametrize("backend", engine.BACKENDS)
def test_headroom_smaller_than_the_amount_binds_and_says_by_how_much(backend: str) -> None:
    # 50 % of 30,000 = 15,000; received 290,000 + 999.50 linked: headroom 9,000.50.
    record = parse_profile(_growth("290000", "999.50")).to_record()
    result = engine.check(record, AS_OF, "kmo_groeisubsidie", backend=backend).results[0]
    assert result.status == "eligible"
    assert result.amount == Decimal("9000.50")
    assert result.amount_before_limits == Decimal("15000.00")
    [limit] = result.limits
    assert (limit.name, limit.value, limit.binding) == ("de_minimis", Fraction(18001, 2), True)
    assert limit.reduction == Decimal("5999.50")


@pytest.mark.parametrize("backend", engine.BACKENDS)
def test_headroom_above_the_amount_does_not_bind(backend: str) -> None:
    record = parse_profile(_growth("285000")).to_record()  # headroom exactly 15,000
    result = engine.check(record, AS_OF, "kmo_groeisubsidie", backend=backend).results[0]
    assert result.amount == Decimal("15000.00")
    [limit] = result.limits
    assert limit.value == 15000 and not limit.binding and limit.reduction is None


def test_an_ineligible_programme_has_no_binding_limit() -> None:
    data = _growth("299000")
    data["company"]["region"] = "wallonia"
    record = parse_profile(data).to_record()
    result = engine.check(record, AS_OF, "kmo_groeisubsidie").results[0]
    assert result.status == "ineligible" and result.amount is None
    assert [lim.binding for lim in result.limits] == [False]


DE_MINIMIS = ["kmo_groeisubsidie", "kmo_portefeuille", "cheques_entreprises"]


@settings(max_examples=10, deadline=None)
@given(
    used=st.integers(min_value=0, max_value=310_000),
    advice=st.integers(min_value=0, max_value=120_000),
    region=st.sampled_from(["flanders", "wallonia"]),
)
def test_no_de_minimis_grant_exceeds_the_headroom(used: int, advice: int, region: str) -> None:
    data = _growth(str(used))
    data["company"]["region"] = region
    data["project"] = {**GROWTH["project"], "costs": [{"category": "advice", "amount": advice}]}
    record = parse_profile(data).to_record()
    headroom = Fraction(max(300_000 - used, 0))
    cat = engine.catalogue()
    assert all("de_minimis" in cat.programmes[p].meta["regime"] for p in DE_MINIMIS)
    for backend in engine.BACKENDS:
        for result in engine.check_records([record], AS_OF, DE_MINIMIS, backend=backend)[0].results:
            if result.amount is not None:
                assert Fraction(result.amount) <= headroom, (result.programme, backend)


def test_every_de_minimis_programme_is_limited_to_the_headroom() -> None:
    cat = engine.catalogue()
    for prog in cat.programmes.values():
        if "de_minimis" in prog.meta.get("regime", ()):
            assert prog.amount is not None
            exprs = [str(lim.expr) for lim in prog.amount.limits]
            assert any("eu_de_minimis.headroom" in e for e in exprs), prog.id


def test_limit_survives_formatting() -> None:
    text = (
        "programme p {\n  condition c { require company.staff < 10 }\n"
        "  amount { = 10 EUR }\n"
        '  limit cap { label en "Cap" source s "art. 1" = 5 EUR }\n}\n'
    )
    once = format_text(text)
    assert "  limit cap {\n" in once
    assert format_text(once) == once
    assert parse_text(once, "p.rules") == parse_text(text, "p.rules")


def test_enterprise_aid_errors_name_the_nested_field() -> None:
    data = {
        "company": {
            "id": "c",
            "enterprises": [
                {"id": "e", "share": 60, "direction": "holds",
                 "aid": [{"programme": "p", "granted": "2025-01-01", "amount": 1,
                          "regime": "minimis"}]}
            ],
        }
    }  # fmt: skip
    with pytest.raises(InputError) as err:
        parse_profile(data)
    assert err.value.path == "company.enterprises[0].aid[0].regime"
