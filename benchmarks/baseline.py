"""A hand-written Python evaluator of the Kmo-groeisubsidie and the EU SME definition.

Written directly from `programmes/eu/sme.rules` and `programmes/flanders/kmo_groeisubsidie.rules`,
not by reading the rule language at run time: it is the named baseline of the benchmarks
(what a team would write without the engine) and an independent oracle for the tests.

Semantics follow the rule language: `None` is unknown; `and`/`or`/`not` are Kleene's;
arithmetic and comparisons with an unknown operand are unknown (even `0 × unknown`);
`if` on an unknown condition is unknown; `a ?? b` is `b` only when `a` is unknown;
an aggregate over an unknown list is unknown; an element whose `where` is unknown makes a
`sum` unknown, and `any`/`all`/`count` unknown unless its body already settles it.
All quantities are `Fraction`s (percentages as a fraction of one); floats never appear.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction

from solver.builtins import add_months, months_between
from solver.record import InputRecord, Value

Tri = bool | None
Q = Fraction | None
Elem = dict[str, Value]

PROGRAMME = "kmo_groeisubsidie"
VALID_FROM = dt.date(2016, 5, 1)
REFORM_2021 = dt.date(2021, 1, 1)

# ---- EU SME definition (GBER Annex I), constant since 2005
MICRO_STAFF, SMALL_STAFF, MEDIUM_STAFF = Fraction(10), Fraction(50), Fraction(250)
MICRO_MONEY, SMALL_MONEY = Fraction(2_000_000), Fraction(10_000_000)
MEDIUM_TURNOVER, MEDIUM_BALANCE = Fraction(50_000_000), Fraction(43_000_000)
PARTNER_SHARE, LINKED_SHARE = Fraction(25, 100), Fraction(50, 100)
ANGEL_CEILING = Fraction(1_250_000)
AUTHORITY_BUDGET, AUTHORITY_INHABITANTS = Fraction(10_000_000), Fraction(5000)
INVESTORS_TOTAL_SHARE = Fraction(50, 100)
PUBLIC_CONTROL = Fraction(25, 100)
ALWAYS_EXEMPT = frozenset({"university", "institutional", "venture_capital", "public_investment"})

# ---- Kmo-groeisubsidie from 2021 (the cooldown is dated: see `cooldown_at`; the 2016–2020
# regime, mostly unknown, is `Regime2016`)
RATE = Fraction(1, 2)
ADVICE_CAP = HIRE_CAP = Fraction(25_000)
TOTAL_CAP = Fraction(50_000)
MINIMUM_PROJECT = MINIMUM_ADVICE_CONTRACT = Fraction(20_000)
SALARY_FACTOR = Fraction(1596, 1000)
MINIMUM_EMPLOYMENT, FULL_EMPLOYMENT = Fraction(6), Fraction(12)
THEMES = frozenset({"internationalisation", "digitalisation", "innovation", "circular"})
NON_PROFIT_FORMS = frozenset({"vzw", "ivzw", "asbl", "aisbl", "stichting", "fondation"})
PUBLIC_PARTICIPATION = Fraction(25, 100)

# Sectors outside the de minimis regulation, 2014–2030 (programmes/eu/sectors.rules).
DE_MINIMIS_EXCLUDED = ("011", "012", "013", "014", "015", "03")


@dataclass(frozen=True, slots=True)
class Figures:
    """The programme's figures at a date; None where the sources do not give them."""

    rate: Q = RATE
    advice_cap: Q = ADVICE_CAP
    hire_cap: Q = HIRE_CAP
    total_cap: Q = TOTAL_CAP
    minimum_project: Q = MINIMUM_PROJECT
    minimum_advice_contract: Q = MINIMUM_ADVICE_CONTRACT
    salary_factor: Q = SALARY_FACTOR
    minimum_employment: Q = MINIMUM_EMPLOYMENT
    full_employment: Q = FULL_EMPLOYMENT
    themes: frozenset[str] = THEMES
    non_profit_forms: frozenset[str] | None = NON_PROFIT_FORMS


# 1 May 2016 – 31 Dec 2020: only the project minimum, the €50,000 cap, the public share and
# the themes are known; no €20,000 per advice agreement yet.
REGIME_2016 = Figures(
    rate=None,
    advice_cap=None,
    hire_cap=None,
    minimum_advice_contract=Fraction(0),
    salary_factor=None,
    minimum_employment=None,
    full_employment=None,
    themes=frozenset({"transformation", "innovation", "internationalisation"}),
    non_profit_forms=None,
)


def figures_at(as_of: dt.date) -> Figures:
    return REGIME_2016 if as_of < REFORM_2021 else Figures()


def sector(record: InputRecord) -> Tri:
    """Not only in sectors outside the de minimis regulation; unknown for an unknown list."""
    codes = record.collections.get("company.nace")
    if codes is None:
        return None
    return not (
        len(codes) >= 1
        and all(any(str(c).startswith(p) for p in DE_MINIMIS_EXCLUDED) for c in codes)
    )


CONDITIONS = (
    "sector",
    "sme",
    "flemish_seat",
    "private_for_profit",
    "no_negative_equity",
    "limited_public_participation",
    "theme",
    "start_after_submission",
    "minimum_project_amount",
    "advice_contracts_minimum",
    "one_strategic_hire",
    "minimum_employment",
    "cooldown_elapsed",
)


@dataclass(frozen=True, slots=True)
class Cooldown:
    months: int
    programmes: frozenset[str]


def cooldown_at(as_of: dt.date) -> Cooldown:
    """The dated cooldown: none before 2021, the 2022 VLAIO page until 2024, the 2025
    sources afterwards."""
    if as_of < REFORM_2021:
        return Cooldown(0, frozenset({"kmo_groeisubsidie"}))
    if as_of <= dt.date(2024, 12, 31):
        return Cooldown(36, frozenset({"kmo_groeisubsidie", "digitale_transformatie"}))
    return Cooldown(24, frozenset({"kmo_groeisubsidie"}))


# ---- three-valued helpers


def k_and(*xs: Tri) -> Tri:
    if any(x is False for x in xs):
        return False
    return None if any(x is None for x in xs) else True


def k_or(*xs: Tri) -> Tri:
    if any(x is True for x in xs):
        return True
    return None if any(x is None for x in xs) else False


def k_not(x: Tri) -> Tri:
    return None if x is None else not x


def _cmp(a: object, b: object, op: Callable[[object, object], bool]) -> Tri:
    return None if a is None or b is None else op(a, b)


def lt(a: object, b: object) -> Tri:
    return _cmp(a, b, lambda x, y: x < y)


def le(a: object, b: object) -> Tri:
    return _cmp(a, b, lambda x, y: x <= y)


def ge(a: object, b: object) -> Tri:
    return _cmp(a, b, lambda x, y: x >= y)


def eq(a: object, b: object) -> Tri:
    return _cmp(a, b, lambda x, y: x == y)


def add(*xs: Q) -> Q:
    return None if any(x is None for x in xs) else sum(xs, Fraction(0))


def mul(*xs: Q) -> Q:
    result = Fraction(1)
    for x in xs:
        if x is None:
            return None
        result *= x
    return result


def member(x: object, values: frozenset[str] | None) -> Tri:
    return None if x is None or values is None else x in values


# ---- aggregates over a list (None: the list itself is unknown)

Where = Callable[[Elem], Tri]
Body = Callable[[Elem], object]


def agg_sum(items: list[Elem] | None, body: Body, where: Where | None = None) -> Q:
    if items is None:
        return None
    total = Fraction(0)
    for e in items:
        keep = True if where is None else where(e)
        if keep is False:
            continue
        value = body(e)
        if keep is None or value is None:
            return None
        total += value
    return total


def agg_any(items: list[Elem] | None, body: Body, where: Where | None = None) -> Tri:
    if items is None:
        return None
    unknown = False
    for e in items:
        keep = True if where is None else where(e)
        if keep is False:
            continue
        value = body(e)
        if keep is True and value is True:
            return True
        if value is not False:  # an unknown body, or a true one on an unknown element
            unknown = True
    return None if unknown else False


def agg_all(items: list[Elem] | None, body: Body, where: Where | None = None) -> Tri:
    result = agg_any(items, lambda e: k_not(body(e)), where)
    return k_not(result)


def agg_count(items: list[Elem] | None, body: Body) -> Q:
    if items is None:
        return None
    total = 0
    for e in items:
        value = body(e)
        if value is None:
            return None
        total += value is True
    return Fraction(total)


def agg_maximum(items: list[Elem] | None, body: Body) -> Q:
    if items is None:
        return None
    values = [body(e) for e in items]
    if not values or any(v is None for v in values):
        return None
    return max(values)


def _items(record: InputRecord, path: str) -> list[Elem] | None:
    return record.collections.get(path)


def _coalesce(x: object, fallback: object) -> object:
    return fallback if x is None else x


# ---- EU SME definition


def category(staff: Q, turnover: Q, balance: Q) -> str | None:
    """Annex I art. 2: staff strictly below the ceiling, and either money test at most."""
    tiers = (
        (MICRO_STAFF, MICRO_MONEY, MICRO_MONEY, "micro"),
        (SMALL_STAFF, SMALL_MONEY, SMALL_MONEY, "small"),
        (MEDIUM_STAFF, MEDIUM_TURNOVER, MEDIUM_BALANCE, "medium"),
    )
    for staff_limit, turnover_limit, balance_limit, name in tiers:
        fits = k_and(
            lt(staff, staff_limit), k_or(le(turnover, turnover_limit), le(balance, balance_limit))
        )
        if fits is None:
            return None
        if fits:
            return name
    return "large"


def angels_investment(enterprises: list[Elem] | None) -> Q:
    """Art. 3(2)(a): the total investment of the business angels holding the company (not
    linked); an angel without `investment` leaves the total unknown, as in the rule file."""

    def where(e: Elem) -> Tri:
        return k_and(
            eq(e.get("direction"), "held_by"),
            e.get("investor", "none") == "business_angel",
            e.get("relation", "partner") != "linked",
        )

    return agg_sum(enterprises, lambda e: e.get("investment"), where)


def exempt_investor(e: Elem, angels_total: Q) -> Tri:
    """Art. 3(2) investor kinds. A local authority's budget and inhabitants are unknown when
    absent, as in the rule file; business angels are exempted while their *total*
    investment is below the ceiling."""
    investor = e.get("investor", "none")
    return k_or(
        investor in ALWAYS_EXEMPT,
        k_and(investor == "business_angel", lt(angels_total, ANGEL_CEILING)),
        k_and(
            investor == "local_authority",
            lt(e.get("authority_budget"), AUTHORITY_BUDGET),
            lt(e.get("inhabitants"), AUTHORITY_INHABITANTS),
        ),
    )


def exempt_investors_share(enterprises: list[Elem] | None, angels_total: Q) -> Q:
    """What the exempted investors holding the company hold together. Here a missing
    `relation` reads as 'partner' (not derived from the share), as in the rule file."""

    def where(e: Elem) -> Tri:
        return k_and(
            eq(e.get("direction"), "held_by"),
            e.get("relation", "partner") != "linked",
            exempt_investor(e, angels_total),
        )

    return agg_sum(enterprises, lambda e: e.get("share"), where)


def relation_of(e: Elem) -> str | None:
    """The given relation, else derived from the share: > 50 % linked, ≥ 25 % partner."""
    given = e.get("relation", "none")
    if given != "none":
        return given
    share = e.get("share")
    if share is None:
        return None
    if share > LINKED_SHARE:
        return "linked"
    return "partner" if share >= PARTNER_SHARE else "none"


def weight(e: Elem, exempt_share: Q, angels_total: Q) -> Q:
    """Share of the enterprise's figures that counts: all when linked, none below the partner
    threshold or for an exempted investor (while the exempted ones hold at most 50 %), the
    share for a partner."""
    relation = relation_of(e)
    if relation is None:
        return None
    if relation == "linked":
        return Fraction(1)
    share: Q = e.get("share")
    partner = k_or(relation == "partner", ge(share, PARTNER_SHARE))
    if partner is None:
        return None
    if not partner:
        return Fraction(0)
    exempted = k_and(
        eq(e.get("direction"), "held_by"),
        exempt_investor(e, angels_total),
        le(exempt_share, INVESTORS_TOTAL_SHARE),
    )
    if exempted is None:
        return None
    return Fraction(0) if exempted else share


@dataclass(frozen=True, slots=True)
class SmeFigures:
    category: str | None
    staff: Q
    turnover: Q
    balance_sheet: Q


def sme(record: InputRecord) -> SmeFigures:
    s = record.scalars
    enterprises = _items(record, "company.enterprises")
    angels_total = angels_investment(enterprises)
    exempt_share = exempt_investors_share(enterprises, angels_total)
    weights: dict[int, Q] = {}

    def related(name: str) -> Q:
        def body(e: Elem) -> Q:
            if id(e) not in weights:
                weights[id(e)] = weight(e, exempt_share, angels_total)
            return mul(weights[id(e)], e.get(name))

        return agg_sum(enterprises, body)

    rel_staff, rel_turnover, rel_balance = (
        related("staff"),
        related("turnover"),
        related("balance_sheet"),
    )
    staff = add(s.get("company.staff"), rel_staff)
    turnover = add(s.get("company.turnover"), rel_turnover)
    balance = add(s.get("company.balance_sheet"), rel_balance)
    latest = category(staff, turnover, balance)

    # Art. 4(2): the status is carried year by year from the oldest `accounts` row (all of
    # them) to the latest year: status := clamp(status, min(X, Y), max(X, Y)).
    accounts = _items(record, "company.accounts")
    if accounts is None or any(a.get("year") is None for a in accounts):
        size = None
    else:
        order = ["micro", "small", "medium", "large"]
        rows = sorted(accounts, key=lambda a: a.get("year"))
        cats = [
            category(
                add(a.get("staff"), rel_staff),
                add(a.get("turnover"), rel_turnover),
                add(a.get("balance_sheet"), rel_balance),
            )
            for a in rows
        ] + [latest]
        if any(c is None for c in cats):
            size = None
        else:
            ranks = [order.index(c) for c in cats]
            status = ranks[0]
            for older, newer in zip(ranks, ranks[1:], strict=False):  # noqa: RUF007
                status = max(min(older, newer), min(status, max(older, newer)))
            size = order[status]

    # Art. 3(4): unlisted public bodies plus listed public holders, except the exempted
    # investors (not linked, together at most 50 %); the unlisted share alone can decide.
    unlisted = s.get("company.public_ownership", Fraction(0))

    def listed_public(e: Elem) -> Tri:
        exception = k_and(
            e.get("relation", "partner") != "linked",
            exempt_investor(e, angels_total),
            le(exempt_share, INVESTORS_TOTAL_SHARE),
        )
        return k_and(
            eq(e.get("direction"), "held_by"), e.get("public_body", False), k_not(exception)
        )

    public = k_or(
        ge(unlisted, PUBLIC_CONTROL),
        ge(
            add(unlisted, agg_sum(enterprises, lambda e: e.get("share"), listed_public)),
            PUBLIC_CONTROL,
        ),
    )
    if public is None:
        return SmeFigures(None, staff, turnover, balance)
    return SmeFigures("large" if public else size, staff, turnover, balance)


# ---- Kmo-groeisubsidie


def _is(category_name: str) -> Where:
    return lambda c: eq(c.get("category"), category_name)


def first_of_next_month(d: dt.date) -> dt.date:
    return add_months(d.replace(day=1), 1)


def conditions(record: InputRecord, as_of: dt.date, figures: SmeFigures) -> dict[str, Tri]:
    s = record.scalars
    costs = _items(record, "project.costs")
    aid = _items(record, "company.aid")
    public = s.get("company.public_ownership", Fraction(0))
    submitted = s.get("project.submitted")
    start = s.get("project.start")
    cooldown = cooldown_at(as_of)
    f = figures_at(as_of)

    def too_recent(a: Elem) -> Tri:
        granted = a.get("granted")
        if granted is None or submitted is None:
            return None
        return months_between(granted, submitted) < cooldown.months

    hires = agg_count(costs, lambda c: eq(c.get("category"), "hire"))
    return {
        "sector": sector(record),
        "sme": None if figures.category is None else figures.category != "large",
        "flemish_seat": eq(s.get("company.region"), "flanders"),
        "private_for_profit": k_not(member(s.get("company.legal_form"), f.non_profit_forms)),
        "no_negative_equity": ge(s.get("company.equity"), Fraction(0)),
        "limited_public_participation": public < PUBLIC_PARTICIPATION,
        "theme": member(s.get("project.theme"), f.themes),
        "start_after_submission": ge(
            start,
            None if submitted is None else first_of_next_month(submitted),
        ),
        "minimum_project_amount": ge(
            add(advice_cost(costs), hire_cost(costs, f)), f.minimum_project
        ),
        "advice_contracts_minimum": agg_all(
            costs, lambda c: ge(c.get("amount"), f.minimum_advice_contract), _is("advice")
        ),
        "one_strategic_hire": le(hires, Fraction(1)),
        "minimum_employment": agg_all(
            costs,
            lambda c: ge(
                _coalesce(c.get("employment_months"), f.full_employment), f.minimum_employment
            ),
            _is("hire"),
        ),
        "cooldown_elapsed": k_not(
            agg_any(aid, too_recent, lambda a: member(a.get("programme"), cooldown.programmes))
        ),
    }


def advice_cost(costs: list[Elem] | None) -> Q:
    return agg_sum(costs, lambda c: c.get("amount"), _is("advice"))


def hire_cost(costs: list[Elem] | None, f: Figures) -> Q:
    return agg_sum(costs, lambda c: mul(c.get("gross_salary"), f.salary_factor), _is("hire"))


def hire_grant(costs: list[Elem] | None, f: Figures) -> Q:
    """Half the salary cost up to €25,000, pro rata below twelve months of employment."""

    def body(c: Elem) -> Q:
        cost = mul(f.rate, c.get("gross_salary"), f.salary_factor)
        full = f.full_employment
        if cost is None or f.hire_cap is None or full is None:
            return None
        months = _coalesce(c.get("employment_months"), full)
        return min(cost, f.hire_cap) * min(months, full) / full  # type: ignore[type-var,operator]

    return agg_sum(costs, body, _is("hire"))


def amount(record: InputRecord, f: Figures) -> Q:
    costs = _items(record, "project.costs")
    advice, hire = advice_cost(costs), hire_grant(costs, f)
    if advice is None or hire is None or f.rate is None or f.advice_cap is None:
        return None
    if f.total_cap is None:
        return None
    return min(min(f.rate * advice, f.advice_cap) + hire, f.total_cap)


# ---- de minimis (programmes/eu/de_minimis.rules): the grant is limited to the headroom
DE_MINIMIS_2014 = (dt.date(2014, 1, 1), dt.date(2023, 12, 31), Fraction(200_000))  # fiscal years
DE_MINIMIS_2024 = (dt.date(2024, 1, 1), dt.date(2030, 12, 31), Fraction(300_000))  # rolling


def de_minimis_headroom(record: InputRecord, as_of: dt.date) -> Q:
    """The single undertaking's ceiling minus its de minimis aid in the window (the company's
    and its linked enterprises'), at least 0; unknown outside 2014-2030."""
    regimes = [r for r in (DE_MINIMIS_2014, DE_MINIMIS_2024) if r[0] <= as_of <= r[1]]
    if not regimes:
        return None
    rolling = regimes[0] is DE_MINIMIS_2024

    def in_window(a: Elem) -> Tri:
        granted = a.get("granted")
        if granted is None:
            return None
        if granted > as_of:
            return False
        if rolling:
            return months_between(granted, as_of) < 36
        return granted.year > as_of.year - 3

    def counts(a: Elem) -> Tri:
        return k_and(eq(a.get("regime"), "de_minimis"), in_window(a))

    enterprises = _items(record, "company.enterprises")

    def linked(a: Elem) -> Tri:
        return agg_any(
            enterprises,
            lambda e: eq(relation_of(e), "linked"),
            lambda e: eq(e.get("id"), a.get("enterprise")),
        )

    own = agg_sum(_items(record, "company.aid"), lambda a: a.get("amount"), counts)
    group = agg_sum(
        _items(record, "company.enterprises.aid"),
        lambda a: a.get("amount"),
        lambda a: k_and(counts(a), linked(a)),
    )
    received = add(own, group)
    return None if received is None else max(regimes[0][2] - received, Fraction(0))


def round_down(value: Fraction) -> Decimal:
    """To the cent, towards minus infinity: a grant never gets a cent the rules do not give."""
    cents = value.numerator * 100 // value.denominator
    return (Decimal(cents) / 100).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)


def status_of(results: Iterable[Tri]) -> str:
    values = list(results)
    if any(v is False for v in values):
        return "ineligible"
    return "unknown" if any(v is None for v in values) else "eligible"


def baseline_check(record: InputRecord, as_of: dt.date) -> dict:
    """Category, status, amount and conditions of the Kmo-groeisubsidie for one profile."""
    figures = sme(record)
    if as_of < VALID_FROM:  # not in force: no conditions are looked at
        return {
            "category": figures.category,
            "status": "ineligible",
            "amount": None,
            "conditions": {},
        }
    conds = conditions(record, as_of, figures)
    status = status_of(conds.values())
    grant = amount(record, figures_at(as_of)) if status != "ineligible" else None
    if grant is not None:  # `limit de_minimis`
        headroom = de_minimis_headroom(record, as_of)
        grant = None if headroom is None else min(grant, headroom)
    return {
        "category": figures.category,
        "status": status,
        "amount": None if grant is None else round_down(grant),
        "conditions": conds,
    }


def main(argv: list[str] | None = None) -> int:
    """`python -m benchmarks.baseline PROFILE`: the baseline's answer for one profile file,
    read like `subsidia check` reads it — the named baseline of the latency benchmark."""
    import json
    import sys

    from policy.inputs.loading import load_profile

    args = sys.argv[1:] if argv is None else argv
    result = baseline_check(load_profile(args[0]).to_record(), dt.date.today())
    result["amount"] = None if result["amount"] is None else str(result["amount"])
    print(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
