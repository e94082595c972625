"""The input vocabulary of the rule language: which profile fields exist and their types.

The rule language refers to profile data only through these names (`company.staff`,
`e.share` for an element of `company.enterprises`, ...). The profile model in
`policy.profile` must accept exactly these fields; a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass

from dsl.types import BOOL, DATE, MONEY, NUMBER, PERCENT, SYMBOL, TEXT, Type


@dataclass(frozen=True, slots=True)
class Collection:
    """A list in the profile; its elements are records (`fields`) or plain scalars (`scalar`)."""

    path: str
    fields: dict[str, Type]
    scalar: Type | None = None


# The closed symbol sets, each defined once, in the order the profile schema lists them;
# the checker, the profile model and the tools read them from here.
LANGS = ("nl", "fr", "en")  # the languages every label is written in
REGION_NAMES = ("brussels", "flanders", "wallonia")
SIZE_NAMES = ("micro", "small", "medium", "large")
DIRECTIONS = ("holds", "held_by")
RELATIONS = ("partner", "linked")
INVESTORS = (
    "business_angel",
    "university",
    "institutional",
    "venture_capital",
    "public_investment",
    "local_authority",
)
AID_REGIMES = ("de_minimis", "gber", "other")  # the regime of aid a company received
# A programme's `regime`: one of the aid regimes, or "none" when it is no state aid.
PROGRAMME_REGIMES = (*AID_REGIMES, "none")
INSTRUMENTS = ("subsidy", "recoverable_advance", "loan", "guarantee")
# A programme's `themes`: what it funds, for a reader choosing among programmes (the
# catalogue's theme filter). A closed list so that a filter never splits one subject
# over two spellings; not the call topics a profile's `project.theme` names.
THEMES = (
    "research_development",
    "innovation",
    "cooperation",
    "advice",
    "training",
    "growth",
    "hiring",
    "investment",
    "digitalisation",
    "sustainability",
    "business_creation",
    "business_transfer",
)
RESEARCH_CATEGORIES = (
    "fundamental_research",
    "industrial_research",
    "experimental_development",
    "feasibility_study",
)
# The form of aid an applicant chooses where a programme offers a choice (`project.aid_form`).
AID_FORMS = ("subsidy", "recoverable_advance")
COST_CATEGORIES = (
    "advice",
    "hire",
    "personnel",
    "subcontracting",
    "equipment",
    "travel",
    "overhead",
    "training",
    "investment",
    "other",
)
REGIONS = frozenset(REGION_NAMES)
SIZES = frozenset(SIZE_NAMES)

SCALARS: dict[str, Type] = {
    "company.id": TEXT,
    "company.name": TEXT,
    "company.region": SYMBOL,
    "company.legal_form": SYMBOL,
    "company.founded": DATE,
    "company.staff": NUMBER,
    "company.turnover": MONEY,
    "company.balance_sheet": MONEY,
    "company.equity": MONEY,
    "company.subscribed_capital": MONEY,
    "company.reserves": MONEY,
    "company.accumulated_losses": MONEY,
    "company.share_premium": MONEY,
    "company.debt_to_equity": NUMBER,
    "company.interest_cover": NUMBER,
    "company.insolvency_criteria": BOOL,
    "company.rescue_aid": BOOL,
    "company.restructuring_aid": BOOL,
    "company.public_ownership": PERCENT,
    "company.insolvency": BOOL,
    "project.programme": TEXT,
    "project.theme": SYMBOL,
    "project.submitted": DATE,
    "project.start": DATE,
    "project.duration_months": NUMBER,
    "project.duration_motivated": BOOL,
    "project.research_category": SYMBOL,
    "project.aid_form": SYMBOL,
    "project.international_cooperation": BOOL,
    "project.time_share": PERCENT,
    "project.doctoral_research": BOOL,
    "project.industrial_mentor": BOOL,
}

COLLECTIONS: dict[str, Collection] = {
    c.path: c
    for c in (
        Collection("company.nace", {}, scalar=TEXT),
        Collection(
            "company.enterprises",
            {
                "id": TEXT,
                "share": PERCENT,
                "direction": SYMBOL,
                "relation": SYMBOL,
                "investor": SYMBOL,
                "staff": NUMBER,
                "turnover": MONEY,
                "balance_sheet": MONEY,
                "investment": MONEY,
                "inhabitants": NUMBER,
                "authority_budget": MONEY,
                "public_body": BOOL,
            },
        ),
        Collection(
            "company.accounts",
            {
                "year": NUMBER,
                "staff": NUMBER,
                "turnover": MONEY,
                "balance_sheet": MONEY,
                "debt_to_equity": NUMBER,
                "interest_cover": NUMBER,
            },
        ),
        Collection(
            "company.aid",
            {"programme": TEXT, "granted": DATE, "amount": MONEY, "regime": SYMBOL},
        ),
        # The aid of the related enterprises (`company.enterprises[].aid` in a profile),
        # flattened into one list: rules have no nested lists, so each element names its
        # enterprise by id, and a rule joins it to `company.enterprises` where it needs the
        # relation (the de minimis "single undertaking").
        Collection(
            "company.enterprises.aid",
            {
                "enterprise": TEXT,
                "programme": TEXT,
                "granted": DATE,
                "amount": MONEY,
                "regime": SYMBOL,
            },
        ),
        Collection(
            "project.partners",
            {"id": TEXT, "region": SYMBOL, "category": SYMBOL, "costs": MONEY, "rate": PERCENT},
        ),
        Collection(
            "project.costs",
            {
                "category": SYMBOL,
                "amount": MONEY,
                "provider": TEXT,
                "gross_salary": MONEY,
                "employment_months": NUMBER,
                "employer_contributions": MONEY,
                "time_share": PERCENT,
                "depreciation_months": NUMBER,
                "recoverable_vat": MONEY,
                "incurred": DATE,
            },
        ),
    )
}

# Symbol-valued fields with a closed set of values: the checker rejects a comparison
# with a value outside the set ("did you mean ...").
SYMBOL_VALUES: dict[str, frozenset[str]] = {
    "company.region": REGIONS,
    "company.enterprises.direction": frozenset(DIRECTIONS),
    "company.enterprises.relation": frozenset(RELATIONS),
    "company.enterprises.investor": frozenset(INVESTORS),
    "company.aid.regime": frozenset(AID_REGIMES),
    "company.enterprises.aid.regime": frozenset(AID_REGIMES),
    "project.partners.region": REGIONS,
    "project.partners.category": SIZES,
    "project.research_category": frozenset(RESEARCH_CATEGORIES),
    "project.aid_form": frozenset(AID_FORMS),
    "project.costs.category": frozenset(COST_CATEGORIES),
}

# The evaluation date, always known.
AS_OF = "as_of"


def field_type(path: str) -> Type | None:
    """Type of a scalar field path such as `company.staff`, or None if unknown."""
    return SCALARS.get(path)


def all_field_names() -> list[str]:
    """Every name a rule may use to reach profile data, for 'did you mean' hints."""
    names = list(SCALARS)
    names.extend(COLLECTIONS)
    return names
