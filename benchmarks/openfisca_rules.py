"""The EU SME category and the Kmo-groeisubsidie amount written in OpenFisca-core: the
rules-as-code engine a Python user would pick instead, vectorised over numpy arrays.

Written from `programmes/eu/sme.rules` and `programmes/flanders/kmo_groeisubsidie.rules`
(as benchmarks/baseline.py is), for benchmarks/openfisca.py only. Two entities: a
`company` (the group) and its `item`s (OpenFisca's person entity): every entry of the
company's lists is an item, in a role — `account` (a year of `company.accounts`, put
first and in year order, so that `value_nth_person` walks them oldest first),
`enterprise` (`company.enterprises`), `cost` (`project.costs`) — and one `own` item per
company, so that no group is empty.

Where OpenFisca cannot say it as the rules do (docs/performance.md):
- no unknown values: a variable always has a value (its default when not given), so
  three-valued answers are not expressible; the benchmark compares the companies whose
  inputs for the category (or the amount) are all given;
- `int` is numpy's int32 and `float` float32: neither holds cents exactly (float32 has 24
  bits: €2,000,000.01 is €2,000,000), so the integer variables are widened to int64 after
  they are declared, and every quantity is an integer in a fixed unit — staff in
  1/10,000 FTE, money in cents, shares in basis points — with the products kept in the
  product of the units, so every comparison is exact;
- the de minimis `limit` on the amount is not modelled: on the generated companies it
  never binds (their de minimis aid is at most €100,000 of a €300,000 ceiling; the
  grant at most €50,000).
"""

from __future__ import annotations

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.periods import DateUnit
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

# Units: staff in 1/10,000 FTE; money in cents; shares in basis points (1/10,000).
STAFF, MONEY, SHARE = 10_000, 100, 10_000
# A weighted figure (share × figure) is in the product of the units.
W_STAFF, W_MONEY = STAFF * SHARE, MONEY * SHARE

# Codes of the symbols the rules test.
RELATION_NONE, RELATION_PARTNER, RELATION_LINKED = 0, 1, 2
INVESTOR_NONE, INVESTOR_ALWAYS_EXEMPT, INVESTOR_ANGEL, INVESTOR_AUTHORITY = 0, 1, 2, 3
COST_OTHER, COST_ADVICE, COST_HIRE = 0, 1, 2
MICRO, SMALL, MEDIUM, LARGE = 0, 1, 2, 3
CATEGORIES = ("micro", "small", "medium", "large")

ITEM = build_entity(
    key="item", plural="items", label="An entry of a company's lists", is_person=True
)
COMPANY = build_entity(
    key="company",
    plural="companies",
    label="A company",
    roles=[
        {"key": "account", "plural": "accounts", "label": "A year of its accounts"},
        {"key": "enterprise", "plural": "enterprises", "label": "A partner or linked one"},
        {"key": "cost", "plural": "costs", "label": "A cost line of its project"},
        {"key": "own", "plural": "owns", "label": "The company itself", "max": 1},
    ],
)


def _input(name: str, entity: object, value_type: type, default: object = 0) -> type[Variable]:
    return type(
        name,
        (Variable,),
        {
            "value_type": value_type,
            "entity": entity,
            "definition_period": DateUnit.YEAR,
            "label": name,
            "default_value": default,
        },
    )


# --- inputs -------------------------------------------------------------------------------

COMPANY_INPUTS = ("staff", "turnover", "balance_sheet", "public_ownership")
ITEM_INPUTS = (
    # an account's or an enterprise's figures
    "staff",
    "turnover",
    "balance_sheet",
    # an enterprise
    "share",
    "relation",
    "investor",
    "investment",
    "authority_budget",
    "inhabitants",
    # a cost line; employment in half months (default 24: the rules' 12 months)
    "category",
    "amount",
    "gross_salary",
    "employment_half_months",
)
INPUTS = [
    *(_input(f"company_{n}", COMPANY, int) for n in COMPANY_INPUTS),
    *(
        _input(f"item_{n}", ITEM, int, 24 if n == "employment_half_months" else 0)
        for n in ITEM_INPUTS
    ),
    _input("item_held_by", ITEM, bool, False),
]


# --- the EU SME definition ----------------------------------------------------------------


def rank(staff: np.ndarray, turnover: np.ndarray, balance: np.ndarray) -> np.ndarray:
    """Annex I art. 2 on weighted figures: staff strictly below the ceiling, and either
    money figure at most its ceiling; 0 micro … 3 large."""
    micro = (staff < 10 * W_STAFF) & (
        (turnover <= 2_000_000 * W_MONEY) | (balance <= 2_000_000 * W_MONEY)
    )
    small = (staff < 50 * W_STAFF) & (
        (turnover <= 10_000_000 * W_MONEY) | (balance <= 10_000_000 * W_MONEY)
    )
    medium = (staff < 250 * W_STAFF) & (
        (turnover <= 50_000_000 * W_MONEY) | (balance <= 43_000_000 * W_MONEY)
    )
    return np.select([micro, small, medium], [MICRO, SMALL, MEDIUM], LARGE)


def _held_by_sum(company, period, column: str, which):  # type: ignore[no-untyped-def]
    """The sum of an item column over the enterprises holding the company that are not
    linked to it and that `which(item)` selects."""
    item = company.members
    counts = (
        item("item_held_by", period)
        & (item("item_relation", period) != RELATION_LINKED)
        & which(item)
    )
    return company.sum(np.where(counts, item(column, period), 0), role=COMPANY.ENTERPRISE)


class company_angels_investment(Variable):
    value_type = int
    entity = COMPANY
    definition_period = DateUnit.YEAR
    label = "Art. 3(2)(a): the business angels' total investment in the company (cents)"

    def formula(company, period):  # type: ignore[no-untyped-def]
        def angel(item):  # type: ignore[no-untyped-def]
            return item("item_investor", period) == INVESTOR_ANGEL

        return _held_by_sum(company, period, "item_investment", angel)


class item_exempt_investor(Variable):
    value_type = bool
    entity = ITEM
    definition_period = DateUnit.YEAR
    label = "Art. 3(2): an investor whose holding does not make a partner"

    def formula(item, period):  # type: ignore[no-untyped-def]
        investor = item("item_investor", period)
        angels = item.company("company_angels_investment", period)
        return (
            (investor == INVESTOR_ALWAYS_EXEMPT)
            | ((investor == INVESTOR_ANGEL) & (angels < 1_250_000 * MONEY))
            | (
                (investor == INVESTOR_AUTHORITY)
                & (item("item_authority_budget", period) < 10_000_000 * MONEY)
                & (item("item_inhabitants", period) < 5000)
            )
        )


class company_exempt_share(Variable):
    value_type = int
    entity = COMPANY
    definition_period = DateUnit.YEAR
    label = "What the exempted investors holding the company hold together (basis points)"

    def formula(company, period):  # type: ignore[no-untyped-def]
        def exempt(item):  # type: ignore[no-untyped-def]
            return item("item_exempt_investor", period)

        return _held_by_sum(company, period, "item_share", exempt)


class item_weight(Variable):
    value_type = int
    entity = ITEM
    definition_period = DateUnit.YEAR
    label = "The share of an enterprise's figures that counts (basis points)"

    def formula(item, period):  # type: ignore[no-untyped-def]
        share = item("item_share", period)
        given = item("item_relation", period)
        relation = np.where(
            given != RELATION_NONE,
            given,
            np.where(
                share > 5000,
                RELATION_LINKED,
                np.where(share >= 2500, RELATION_PARTNER, RELATION_NONE),
            ),
        )
        exempted = (
            item("item_held_by", period)
            & item("item_exempt_investor", period)
            & (item.company("company_exempt_share", period) <= 5000)
        )
        partner = (relation == RELATION_PARTNER) | (share >= 2500)
        return np.where(
            relation == RELATION_LINKED, SHARE, np.where(exempted, 0, np.where(partner, share, 0))
        )


def _related(name: str) -> type[Variable]:
    def formula(company, period):  # type: ignore[no-untyped-def]
        item = company.members
        weighted = item("item_weight", period) * item(f"item_{name}", period)
        return company.sum(weighted, role=COMPANY.ENTERPRISE)

    return type(
        f"company_related_{name}",
        (Variable,),
        {
            "value_type": int,
            "entity": COMPANY,
            "definition_period": DateUnit.YEAR,
            "label": f"The partner and linked enterprises' {name}, weighted",
            "formula": formula,
        },
    )


RELATED = [_related(n) for n in ("staff", "turnover", "balance_sheet")]


class company_latest_rank(Variable):
    value_type = int
    entity = COMPANY
    definition_period = DateUnit.YEAR
    label = "The category of the latest figures with the related enterprises'"

    def formula(company, period):  # type: ignore[no-untyped-def]
        def total(name: str, unit: int) -> np.ndarray:
            own = company(f"company_{name}", period) * unit
            return own + company(f"company_related_{name}", period)

        return rank(
            total("staff", SHARE), total("turnover", SHARE), total("balance_sheet", SHARE)
        )


class item_account_rank(Variable):
    value_type = int
    entity = ITEM
    definition_period = DateUnit.YEAR
    label = "The category of one year of accounts with the related enterprises' figures"

    def formula(item, period):  # type: ignore[no-untyped-def]
        def total(name: str) -> np.ndarray:
            own = item(f"item_{name}", period) * SHARE
            return own + item.company(f"company_related_{name}", period)

        return rank(total("staff"), total("turnover"), total("balance_sheet"))


class company_size_rank(Variable):
    value_type = int
    entity = COMPANY
    definition_period = DateUnit.YEAR
    label = "Art. 4(2): the category carried year by year from the oldest accounts"

    def formula(company, period):  # type: ignore[no-untyped-def]
        accounts = company.nb_persons(role=COMPANY.ACCOUNT)
        ranks = company.members("item_account_rank", period)
        latest = company("company_latest_rank", period)
        years = int(accounts.max()) if accounts.size else 0
        # The sequence: the accounts oldest first (members 0 … n-1), then the latest.
        def nth(k: int) -> np.ndarray:
            value = company.value_nth_person(k, ranks, default=0)
            return np.where(k < accounts, value, latest)

        status = nth(0)
        older = status
        for k in range(1, years + 1):
            newer = nth(k)
            low, high = np.minimum(older, newer), np.maximum(older, newer)
            step = np.maximum(low, np.minimum(status, high))  # status clamped to [low, high]
            status = np.where(k <= accounts, step, status)
            older = newer
        return status


class company_sme_rank(Variable):
    value_type = int
    entity = COMPANY
    definition_period = DateUnit.YEAR
    label = "The SME category: 0 micro, 1 small, 2 medium, 3 large"

    def formula(company, period):  # type: ignore[no-untyped-def]
        public = company("company_public_ownership", period) >= 2500
        return np.where(public, LARGE, company("company_size_rank", period))


# --- the Kmo-groeisubsidie amount -------------------------------------------------------------

# A hire's grant is in 1/24,000 of a cent: 1/1,000 for the salary factor 1.596 × 50 %
# (0.798), 1/24 for the months pro rata (half months out of 24).
GRANT_UNIT = 1000 * 24


class item_hire_grant(Variable):
    value_type = int
    entity = ITEM
    definition_period = DateUnit.YEAR
    label = "Half the salary cost up to €25,000, pro rata below twelve months"

    def formula(item, period):  # type: ignore[no-untyped-def]
        cost = item("item_gross_salary", period) * 798  # 1.596 × 50 %, in 1/1000 cents
        capped = np.minimum(cost, 25_000 * MONEY * 1000)
        months = np.minimum(item("item_employment_half_months", period), 24)
        return np.where(item("item_category", period) == COST_HIRE, capped * months, 0)


class company_kmo_groeisubsidie(Variable):
    value_type = int
    entity = COMPANY
    definition_period = DateUnit.YEAR
    label = "The Kmo-groeisubsidie in cents, rounded down"

    def formula(company, period):  # type: ignore[no-untyped-def]
        item = company.members
        advice_line = item("item_category", period) == COST_ADVICE
        advice = company.sum(
            np.where(advice_line, item("item_amount", period), 0), role=COMPANY.COST
        )
        hire = company.sum(item("item_hire_grant", period), role=COMPANY.COST)
        advice_grant = np.minimum(advice * (GRANT_UNIT // 2), 25_000 * MONEY * GRANT_UNIT)
        total = np.minimum(advice_grant + hire, 50_000 * MONEY * GRANT_UNIT)
        return total // GRANT_UNIT


VARIABLES = [
    *INPUTS,
    company_angels_investment,
    item_exempt_investor,
    company_exempt_share,
    item_weight,
    *RELATED,
    company_latest_rank,
    item_account_rank,
    company_size_rank,
    company_sme_rank,
    item_hire_grant,
    company_kmo_groeisubsidie,
]


def tax_benefit_system() -> TaxBenefitSystem:
    """The two entities and every variable; integer variables widened to int64."""
    system = TaxBenefitSystem([ITEM, COMPANY])
    system.add_variables(*VARIABLES)
    for variable in system.variables.values():
        if variable.value_type is int:
            variable.dtype = np.int64  # OpenFisca's int is int32: cents would overflow
    return system
