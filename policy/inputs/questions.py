"""The questions a quiz can ask: one per field of the profile format that the rules read.

What a question accepts (its kind, its choices, the fields of a list's rows) comes from
the profile model itself (policy/inputs/profile.py), so a quiz answer is validated exactly
as the same field in a profile file. Only the wording lives here: a question and a help
text per field, marked for translation (`N_`) and translated when asked (`make messages`
extracts them into policy/locale).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from policy.inputs.model import FieldSpec, ListOf, Nested, Scalar, fields_of
from policy.inputs.profile import Company, Project


def N_(message: str) -> str:
    return message


# field path -> (question, help). Fields a rule never reads (the company's id and name)
# are never asked; a field without wording here is asked by its schema title.
WORDING: dict[str, tuple[str, str]] = {
    "company.region": (
        N_("In which region is the company's operating seat?"),
        N_("The region of the establishment that carries out the project."),
    ),
    "company.legal_form": (
        N_("What is the company's legal form?"),
        N_("For example bv, nv, cv, srl, sa or vzw."),
    ),
    "company.nace": (
        N_("What are the company's NACE-BEL activity codes?"),
        N_("As in the Crossroads Bank for Enterprises, for example 62.01."),
    ),
    "company.founded": (
        N_("When was the company founded?"),
        N_("The date of incorporation."),
    ),
    "company.staff": (
        N_("How many people does the company employ?"),
        N_("In annual work units (full-time equivalents) over the last closed financial year."),
    ),
    "company.turnover": (
        N_("What was the company's annual turnover?"),
        N_("In euro, for the last closed financial year, without VAT."),
    ),
    "company.balance_sheet": (
        N_("What was the company's balance sheet total?"),
        N_("In euro, at the end of the last closed financial year."),
    ),
    "company.equity": (
        N_("What is the company's equity?"),
        N_("In euro; negative if the losses exceed the capital and reserves."),
    ),
    "company.subscribed_capital": (
        N_("What is the company's subscribed share capital?"),
        N_("In euro."),
    ),
    "company.reserves": (
        N_("What are the company's reserves?"),
        N_("In euro."),
    ),
    "company.accumulated_losses": (
        N_("What are the company's accumulated losses?"),
        N_("In euro; 0 if there are none."),
    ),
    "company.public_ownership": (
        N_("Which share of the company do public bodies hold?"),
        N_("Share of capital or voting rights, in %."),
    ),
    "company.insolvency": (
        N_("Is the company in insolvency proceedings?"),
        N_("Bankruptcy, judicial reorganisation or a similar collective procedure."),
    ),
    "company.share_premium": (
        N_("What is the company's share premium?"),
        N_("In euro: the issue premium paid on shares, part of the share capital."),
    ),
    "company.debt_to_equity": (
        N_("What is the company's debt-to-equity ratio?"),
        N_("Book debt divided by equity, for the last closed financial year."),
    ),
    "company.interest_cover": (
        N_("What is the company's interest cover?"),
        N_("EBITDA divided by interest expenses, for the last closed financial year."),
    ),
    "company.insolvency_criteria": (
        N_("Does the company meet the criteria for insolvency proceedings?"),
        N_("The national criteria for collective insolvency proceedings at its creditors' "
           "request, even if none were opened."),
    ),
    "company.rescue_aid": (
        N_("Has the company received rescue aid it has not yet repaid?"),
        N_("A rescue loan not yet repaid or a rescue guarantee not yet ended."),
    ),
    "company.restructuring_aid": (
        N_("Is the company under a restructuring plan with restructuring aid?"),
        N_("Restructuring aid received, with the plan still running."),
    ),
    "company.enterprises": (
        N_("Which enterprises hold shares in the company, or does it hold shares in?"),
        N_("Needed to tell whether the company is an SME together with its partner and "
           "linked enterprises."),
    ),
    "company.accounts": (
        N_("What were the company's figures in earlier financial years?"),
        N_("Staff, turnover and balance sheet total per closed year."),
    ),
    "company.aid": (
        N_("Which public aid has the company received in the last three years?"),
        N_("Grants, subsidised loans and guarantees, with the date they were granted."),
    ),
    "project.programme": (
        N_("Which programme do you apply for?"),
        N_("Leave it open if you do not know yet."),
    ),
    "project.theme": (
        N_("What is the project's theme?"),
        N_("The subject the programme's call asks about."),
    ),
    "project.submitted": (
        N_("When will the application be submitted?"),
        N_("The planned date of submission."),
    ),
    "project.start": (
        N_("When does the project start?"),
        N_("Costs before the start are not eligible."),
    ),
    "project.duration_months": (
        N_("How many months does the project last?"),
        N_("From its start to its end."),
    ),
    "project.duration_motivated": (
        N_("Does the application motivate a duration beyond the usual maximum?"),
        N_("For example a VLAIO development project of more than 24 months."),
    ),
    "project.research_category": (
        N_("Is the project industrial research or experimental development?"),
        N_("Industrial research seeks new knowledge; experimental development turns it into "
           "products, processes or services."),
    ),
    "project.aid_form": (
        N_("Which form of aid does the company choose, where the programme offers both?"),
        N_("A subsidy or a recoverable advance (Walloon experimental development in "
           "cooperation). Left open: the programme's usual form."),
    ),
    "project.international_cooperation": (
        N_("Is the project a recognised international or interregional cooperation?"),
        N_("For example a Eureka or BEL-COO project."),
    ),
    "project.time_share": (
        N_("Which share of a full-time position goes to the project?"),
        N_("In %."),
    ),
    "project.doctoral_research": (
        N_("Is the project doctoral research towards a PhD at a Flemish university?"),
        N_("By a researcher without a doctorate, enrolled or admitted at the university, "
           "whose promotor supervises the project (a Baekeland mandate)."),
    ),
    "project.industrial_mentor": (
        N_("Does the company name an industrial mentor for the researcher?"),
        N_("Someone of the company who follows the doctoral work from the company's side "
           "(a Baekeland mandate)."),
    ),
    "project.costs": (
        N_("What will the project cost?"),
        N_("One line per cost: its category and amount in euro (for a hire, the gross annual "
           "salary)."),
    ),
    "project.partners": (
        N_("Who are the other partners of the project?"),
        N_("For a collaborative project: each partner's region, size and costs."),
    ),
}

# The words of a list's row fields (the question's `item`).
ITEM_WORDING: dict[str, str] = {
    "id": N_("Name"),
    "share": N_("Share (%)"),
    "direction": N_("Direction"),
    "relation": N_("Relation"),
    "investor": N_("Investor kind"),
    "staff": N_("Staff"),
    "turnover": N_("Turnover"),
    "balance_sheet": N_("Balance sheet total"),
    "investment": N_("Investment"),
    "authority_budget": N_("Authority's annual budget"),
    "inhabitants": N_("Inhabitants"),
    "year": N_("Year"),
    "programme": N_("Programme"),
    "granted": N_("Granted on"),
    "amount": N_("Amount"),
    "regime": N_("Regime"),
    "category": N_("Category"),
    "provider": N_("Provider"),
    "gross_salary": N_("Gross annual salary"),
    "employment_months": N_("Months employed"),
    "employer_contributions": N_("Employer contributions"),
    "time_share": N_("Time share (%)"),
    "depreciation_months": N_("Depreciation (months)"),
    "recoverable_vat": N_("Recoverable VAT"),
    "incurred": N_("Incurred on"),
    "region": N_("Region"),
    "costs": N_("Costs"),
    "rate": N_("Funding rate (%)"),
}

NEVER_ASKED = frozenset({"company.id", "company.name"})

# Fields one question asks together, as a form would set them side by side: a person
# reads them off the same document (the annual accounts, the project plan), so they cost
# one question, not one each. Group id -> (its fields in the order shown, heading, help).
# A question asks those of a group's fields that are still open (policy/funding/quiz.py).
GROUPS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "company.size": (
        ("company.staff", "company.turnover", "company.balance_sheet"),
        N_("How large is the company?"),
        N_("Staff, annual turnover and balance sheet total of the last closed financial year: "
           "the three figures of the EU SME definition."),
    ),
    "company.balance": (
        (
            "company.equity",
            "company.subscribed_capital",
            "company.share_premium",
            "company.reserves",
            "company.accumulated_losses",
        ),
        N_("What does the company's balance sheet show?"),
        N_("The equity items at the end of the last closed financial year, in euro. Leave an "
           "item empty if you do not know it."),
    ),
    "company.ratios": (
        ("company.debt_to_equity", "company.interest_cover"),
        N_("What are the company's financial ratios?"),
        N_("For the last closed financial year. Leave a ratio empty if you do not know it."),
    ),
    "company.difficulty": (
        (
            "company.insolvency",
            "company.insolvency_criteria",
            "company.rescue_aid",
            "company.restructuring_aid",
        ),
        N_("Is the company in any of these situations?"),
        N_("The signs of an undertaking in difficulty under EU state-aid rules: answer each "
           "with yes or no, or leave it open if you do not know."),
    ),
    "project.period": (
        ("project.start", "project.duration_months"),
        N_("When does the project run?"),
        N_("Its start date and how many months it lasts."),
    ),
}


@dataclass(frozen=True)
class Field:
    """One askable field: where it sits in a profile and how it is read."""

    path: str
    spec: FieldSpec

    @property
    def kind(self) -> str:
        return kind_of(self.spec.kind)


def kind_of(kind: Scalar | Nested | ListOf) -> str:
    """The quiz's kind of a model field: how a page asks for it."""
    if isinstance(kind, ListOf):
        return "list" if isinstance(kind.item, Nested) else "codes"
    if isinstance(kind, Nested):
        return "record"
    if kind.choices:
        return "choice"
    ref = kind.ref or ""
    by_ref = {
        "Money": "money",
        "SignedMoney": "money",
        "Percent": "percent",
        "Months": "number",
        "Quantity": "number",
        "Ratio": "number",
    }
    if ref in by_ref:
        return by_ref[ref]
    schema_type = kind.schema.get("type")
    if schema_type == "boolean":
        return "boolean"
    if kind.schema.get("format") == "date":
        return "date"
    if schema_type == "integer":
        return "number"
    return "text"


@lru_cache(maxsize=1)
def askable() -> dict[str, Field]:
    """Every field a quiz may ask, in the profile format's order (company, then project)."""
    found: dict[str, Field] = {}
    for prefix, model in (("company", Company), ("project", Project)):
        for name, spec in fields_of(model).items():
            path = f"{prefix}.{name}"
            if path not in NEVER_ASKED:
                found[path] = Field(path, spec)
    return found


@lru_cache(maxsize=1)
def group_of() -> dict[str, str]:
    """Field path -> the id of the group it is asked in (fields of no group: absent)."""
    return {f: gid for gid, (fields, _, _) in GROUPS.items() for f in fields}


def together(path: str) -> tuple[str, ...]:
    """The fields asked in one question with `path`, in the order shown (itself alone
    when it is in no group)."""
    gid = group_of().get(path)
    return GROUPS[gid][0] if gid else (path,)


def owning_field(path: str) -> str | None:
    """The askable field a missing path belongs to: `project.costs[1].amount` and
    `project.costs.amount` belong to `project.costs`, `company.enterprises.aid` to
    `company.enterprises`."""
    fields = askable()
    head = path.split("[", 1)[0]
    parts = head.split(".")
    for end in range(len(parts), 1, -1):
        candidate = ".".join(parts[:end])
        if candidate in fields:
            return candidate
    return None


def describe_question(
    path: str, gettext: Any, symbols: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The question about `path` as the API sends it: field, label, help, kind; `choices`
    for a closed set, `suggestions` for an open one the rules test against constants
    (a theme); for a list, the fields of one row (`item`)."""
    field = askable()[path]
    spec = field.spec
    title = spec.name.replace("_", " ").capitalize()
    label, help_text = WORDING.get(path, (title, spec.description))
    question: dict[str, Any] = {
        "field": path,
        "label": gettext(label),
        "help": gettext(help_text) if help_text else "",
        "kind": field.kind,
    }
    kind = spec.kind
    if isinstance(kind, Scalar) and kind.choices:
        question["choices"] = list(kind.choices)
    elif symbols:
        question["suggestions"] = list(symbols)  # offered; any other text is accepted
    if isinstance(kind, ListOf) and isinstance(kind.item, Nested):
        question["item"] = [
            _item_field(name, item, gettext) for name, item in fields_of(kind.item.model).items()
        ]
    return question


def describe_group(
    paths: list[str], gettext: Any, symbols: dict[str, tuple[str, ...]] | None = None
) -> dict[str, Any]:
    """One question about one or more fields (`paths`, of one group). Backward compatible:
    its top-level keys are the first field's question as `describe_question` gives it, so
    a client that knows only `field` asks and answers that one (the quiz then asks the
    others); `fields` lists every field's question, `title` and `title_help` head them
    (the group's wording, or the single field's label and help)."""
    symbols = symbols or {}
    parts = [describe_question(p, gettext, symbols.get(p, ())) for p in paths]
    gid = group_of().get(paths[0])
    if len(paths) > 1 and gid is not None:
        _, heading, help_text = GROUPS[gid]
        title, title_help = gettext(heading), gettext(help_text)
    else:
        title, title_help = parts[0]["label"], parts[0]["help"]
    return {**parts[0], "fields": parts, "title": title, "title_help": title_help}


def _item_field(name: str, spec: FieldSpec, gettext: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "field": name,
        "label": gettext(ITEM_WORDING.get(name, name.replace("_", " ").capitalize())),
        "kind": kind_of(spec.kind),
        "required": spec.required,
    }
    if isinstance(spec.kind, Scalar) and spec.kind.choices:
        out["choices"] = list(spec.kind.choices)
    return out
