"""Random but realistic company profiles, as the engine's `InputRecord`s.

The figures cluster around the thresholds the rules test (10/50/250 AWU, €2 m/€10 m/€43 m/
€50 m, 25 %/50 % shares, €20,000 cost lines, cooldown anniversaries), so a few thousand
records exercise every branch. Deterministic for a seed: everything goes through one
`random.Random(seed)`.
"""

from __future__ import annotations

import datetime as dt
import random
from fractions import Fraction

from dsl.vocabulary import INVESTORS
from solver.record import InputRecord, Value

Elem = dict[str, Value]

REGIONS = ("flanders",) * 6 + ("wallonia", "brussels")
FOR_PROFIT_FORMS = ("bv",) * 10 + ("nv",) * 5 + ("cv", "cv", "srl", "srl", "sa")
LEGAL_FORMS = (*FOR_PROFIT_FORMS, "vzw", "ivzw", "asbl", "stichting")
THEMES = ("internationalisation", "digitalisation", "innovation", "circular")
BAD_THEMES = ("marketing", "sustainability", "real_estate")
AID_PROGRAMMES = ("kmo_groeisubsidie", "digitale_transformatie", "kmo_portefeuille", "baekeland")

STAFF_EDGES = (0, 9, 9.5, 10, 10.5, 49, 49.9, 50, 51, 249, 249.5, 250, 251)
MONEY_EDGES = (2_000_000, 10_000_000, 43_000_000, 50_000_000)
SHARE_EDGES = (10, 24.99, 25, 25.01, 30, 49.99, 50, 50.01, 60, 100)


def _q(x: float | int | str) -> Fraction:
    # Literals go through str so that 24.99 is exactly 2499/100, not its binary neighbour.
    return Fraction(str(x))


def _money(rng: random.Random, top: int = 100_000_000) -> Fraction:
    """Log-uniform euro amount in cents up to `top`, or a ceiling ± a cent."""
    if rng.random() < 0.25:
        edge = rng.choice(MONEY_EDGES)
        return _q(edge) + rng.choice((Fraction(-1, 100), Fraction(0), Fraction(1, 100)))
    # Mostly SME-sized (up to €10 m), the rest up to `top`: cents from €100 on.
    high = 9 if rng.random() < 0.7 else len(str(top)) + 1
    cents = int(10 ** rng.uniform(4, high))
    return Fraction(min(cents, top * 100), 100)


def _staff(rng: random.Random, top: int = 400) -> Fraction:
    if rng.random() < 0.25:
        return _q(rng.choice(STAFF_EDGES))
    if rng.random() < 0.7:
        return Fraction(rng.randint(0, 600), 10)  # mostly small firms
    return Fraction(rng.randint(0, top * 4), 4)


def _date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _maybe(rng: random.Random, target: dict, key: str, value: Value, p_missing: float) -> None:
    """Set a field unless it is drawn as missing (unknown)."""
    if rng.random() >= p_missing:
        target[key] = value


def _enterprise(rng: random.Random, index: int) -> Elem:
    share = _q(rng.choice(SHARE_EDGES)) if rng.random() < 0.6 else Fraction(rng.randint(1, 100))
    e: Elem = {
        "id": f"e{index}",
        "share": share / 100,
        "direction": rng.choice(("holds", "held_by")),
    }
    if rng.random() < 0.4:
        e["relation"] = rng.choice(("partner", "linked"))
    if e["direction"] == "held_by" and rng.random() < 0.5:
        investor = rng.choice(INVESTORS)
        e["investor"] = investor
        if investor == "business_angel":
            _maybe(
                rng,
                e,
                "investment",
                _q(rng.choice((1_249_999.99, 1_250_000, 300_000, 2_000_000))),
                0.2,
            )
        if investor == "local_authority":
            _maybe(
                rng, e, "authority_budget", _q(rng.choice((9_999_999, 10_000_000, 4_000_000))), 0.2
            )
            _maybe(rng, e, "inhabitants", _q(rng.choice((4999, 5000, 1200, 80_000))), 0.2)
    _maybe(rng, e, "staff", _staff(rng), 0.08)
    _maybe(rng, e, "turnover", _money(rng), 0.08)
    _maybe(rng, e, "balance_sheet", _money(rng), 0.08)
    return e


def _accounts(rng: random.Random, latest: Elem) -> list[Elem]:
    rows = []
    for year in rng.sample((2022, 2023, 2024), rng.choice((0, 0, 1, 1, 2))):
        row: Elem = {"year": Fraction(year)}
        for name in ("staff", "turnover", "balance_sheet"):
            base = latest.get(name)
            if isinstance(base, Fraction) and rng.random() < 0.7:
                # An earlier year near the latest one, so ceilings get crossed now and then.
                value = base * Fraction(rng.randint(60, 140), 100)
                row[name] = value if name == "staff" else Fraction(int(value * 100), 100)
            else:
                row[name] = _staff(rng) if name == "staff" else _money(rng)
            if rng.random() < 0.04:
                del row[name]
        rows.append(row)
    return rows


def _aid(rng: random.Random) -> list[Elem]:
    return [
        {
            "programme": rng.choice(AID_PROGRAMMES),
            "granted": _date(rng, dt.date(2020, 1, 1), dt.date(2026, 6, 30)),
            "amount": Fraction(rng.randint(1_000, 50_000)),
            "regime": rng.choice(("de_minimis", "gber", "other")),
        }
        for _ in range(rng.choice((0, 0, 1, 1, 2)))
    ]


def _cost(rng: random.Random, keen: bool) -> Elem:
    category = rng.choice(("advice", "advice", "hire") if keen else ("advice", "hire", "other"))
    cost: Elem = {"category": category}
    if category == "hire":
        cost["gross_salary"] = Fraction(rng.randint(2_500_000, 9_000_000), 100)
        if rng.random() < 0.7:
            cost["employment_months"] = _q(rng.choice((3, 5.5, 6, 9, 11.5, 12, 18, 24)))
    else:
        edge = rng.random() < 0.3
        low = 2_000_000 if keen else 500_000
        cents = (
            rng.choice((1_999_999, 2_000_000, 2_000_001)) if edge else rng.randint(low, 6_000_000)
        )
        cost["amount"] = Fraction(cents, 100)
        if category == "advice":
            cost["provider"] = rng.choice(("Advies NV", "Consult BV", "Strategie CV"))
    return cost


def _project(rng: random.Random, record: InputRecord, keen: bool) -> None:
    s = record.scalars
    s["project.programme"] = "kmo_groeisubsidie"
    theme = rng.choice(THEMES) if keen or rng.random() < 0.85 else rng.choice(BAD_THEMES)
    _maybe(rng, s, "project.theme", theme, 0.05)
    submitted = _date(rng, dt.date(2024, 1, 1), dt.date(2026, 12, 31))
    _maybe(rng, s, "project.submitted", submitted, 0.05)
    # Often exactly on the first of the next month, sometimes too early.
    start = submitted + dt.timedelta(days=rng.randint(-20, 90))
    if keen or rng.random() < 0.3:
        start = (submitted.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    _maybe(rng, s, "project.start", start, 0.05)
    _maybe(rng, s, "project.duration_months", Fraction(rng.choice((6, 12, 18, 24))), 0.2)
    lines = rng.choice((1, 1, 2, 2, 3) if keen else (0, 1, 1, 2, 2, 3))
    record.collections["project.costs"] = [_cost(rng, keen) for _ in range(lines)]
    record.collections["project.partners"] = []


def random_record(rng: random.Random, index: int) -> InputRecord:
    record = InputRecord()
    s = record.scalars
    # A third are prepared applicants (Flemish, for profit, a project that fits), so that
    # eligible answers and amounts are common enough to compare; the rest are anything.
    keen = rng.random() < 0.35
    s["company.id"] = f"0{rng.randint(100_000_000, 999_999_999)}"
    s["company.name"] = f"Company {index}"
    _maybe(rng, s, "company.region", "flanders" if keen else rng.choice(REGIONS), 0.05)
    _maybe(
        rng, s, "company.legal_form", rng.choice(FOR_PROFIT_FORMS if keen else LEGAL_FORMS), 0.05
    )
    _maybe(rng, s, "company.founded", _date(rng, dt.date(1990, 1, 1), dt.date(2024, 12, 31)), 0.2)
    _maybe(rng, s, "company.staff", _staff(rng), 0.05)
    _maybe(rng, s, "company.turnover", _money(rng), 0.07)
    _maybe(rng, s, "company.balance_sheet", _money(rng), 0.07)
    low_equity = 0 if keen else -50_000_000
    equity = (
        Fraction(rng.randint(low_equity, 500_000_000), 100) if rng.random() < 0.9 else Fraction(0)
    )
    _maybe(rng, s, "company.equity", equity, 0.05)
    if rng.random() < 0.3:  # mostly omitted, which the rules read as 0 %
        s["company.public_ownership"] = _q(rng.choice((0, 0, 10, 24.99, 25, 30, 60))) / 100
    latest = {
        "staff": s.get("company.staff"),
        "turnover": s.get("company.turnover"),
        "balance_sheet": s.get("company.balance_sheet"),
    }
    # Company lists are always present (an omitted list in a profile means none).
    record.collections["company.nace"] = rng.sample(
        ["6201", "6202", "7022", "4711"], rng.randint(0, 2)
    )
    record.collections["company.enterprises"] = [
        _enterprise(rng, i) for i in range(rng.choice((0, 0, 0, 1, 1, 2, 3)))
    ]
    record.collections["company.accounts"] = _accounts(rng, latest)
    record.collections["company.aid"] = _aid(rng)
    record.collections["company.enterprises.aid"] = []  # the enterprises' own aid: none
    if rng.random() < 0.85:  # without a project, its fields and lists are unknown
        _project(rng, record, keen)
    return record


def random_records(n: int, seed: int) -> list[InputRecord]:
    """`n` varied profiles, the same ones for the same seed."""
    rng = random.Random(seed)
    return [random_record(rng, i) for i in range(n)]
