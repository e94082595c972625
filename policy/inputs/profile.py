"""The company profile: what a user tells us about a company and, optionally, its project.

Field names and types mirror `dsl.vocabulary` (a test keeps the two in step). Every
quantity is an exact `Decimal`, never a float: eligibility thresholds such as "fewer
than 50 staff" or "at most 25 %" must not flip on a rounding error. Validators raise
`Invalid` with a final message; `policy.model` adds the field path.

Regenerate the committed JSON Schema with
`.venv/bin/python -m policy.inputs.profile > policy/inputs/schema/profile.schema.json`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, TypeVar, dataclass_transform

from dsl import vocabulary as vocab
from dsl.dates import FIRST_DAY, LAST_DAY, DateProblem, check_range
from dsl.errors import N_
from dsl.types import BOOL, DATE, MONEY, NUMBER, PERCENT, SYMBOL, TEXT, Type
from dsl.vocabulary import COLLECTIONS, SCALARS
from policy.inputs.model import EMPTY, Invalid, ListOf, Nested, Scalar, describe, json_schema, spec
from solver.record import InputRecord, Value

# --- quantities ------------------------------------------------------------------------

# Bounds that no real profile reaches but that keep `Fraction(Decimal("1e999999999"))`
# from eating the machine.
_MAX_ADJUSTED_EXPONENT = 17
_MIN_EXPONENT = -20


def read_decimal(value: object) -> Decimal:
    """Any accepted spelling of a number, as an exact Decimal."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise Invalid(N_("expected a number, got {got}", got=describe(value)))
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            hint = ""
            if "," in value:
                hint = N_(" (use '.' for decimals and no thousands separators)")
            elif "%" in value:
                hint = N_(" (write a percentage as a plain number, like 30)")
            elif "€" in value or "eur" in value.lower():
                hint = N_(" (amounts are in euro; write the number only)")
            raise Invalid(
                N_("expected a number, got {got}{hint}", got=describe(value), hint=hint)
            ) from None
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise Invalid(N_("must be a finite number, got {value}", value=Decimal(value)))
        # repr of a float is its shortest round-tripping form: 0.1 -> "0.1", not 0.1000...555.
        number = Decimal(repr(value))
    else:
        number = Decimal(value)
    if not number.is_finite():
        raise Invalid(N_("must be a finite number, got {number}", number=number))
    if number and number.adjusted() > _MAX_ADJUSTED_EXPONENT:
        raise Invalid(N_("is too large: {number}", number=number))
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < _MIN_EXPONENT:
        raise Invalid(N_("has too many decimal places: {number}", number=number))
    return number


def _quantity(
    *, minimum: int | None = None, exclusive: bool = False, maximum: int | None = None
) -> Callable[[object, str], Decimal]:
    def read(value: object, noun: str) -> Decimal:
        number = read_decimal(value)
        if minimum is not None:
            if exclusive and number <= minimum:
                raise Invalid(N_("must be greater than {minimum}", minimum=minimum))
            if not exclusive and number < minimum:
                raise Invalid(
                    N_("must not be negative")
                    if minimum == 0
                    else N_("must be at least {minimum}", minimum=minimum)
                )
        if maximum is not None and number > maximum:  # only percentages have a maximum
            raise Invalid(N_("must be at most {maximum} (a percentage)", maximum=maximum))
        return number

    return read


# Numeric strings are accepted too ("1800000", "0.1"): they are what a spreadsheet export
# gives, and they are the one JSON spelling that no parser turns into a float.
NUMERIC_STRING = r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$"
NON_NEGATIVE_STRING = r"^\s*\+?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$"

# Shared definitions, referenced by name so the schema says "Money" once, not 30 times.
QUANTITY_DEFS: dict[str, dict[str, Any]] = {}


def number_schema(
    description: str,
    *,
    minimum: int | None = None,
    exclusive: bool = False,
    maximum: int | None = None,
) -> dict[str, Any]:
    """The shared schema of a quantity: a number, or a numeric string."""
    number: dict[str, Any] = {"type": "number"}
    if minimum is not None:
        number["exclusiveMinimum" if exclusive else "minimum"] = minimum
    if maximum is not None:
        number["maximum"] = maximum
    pattern = NUMERIC_STRING if minimum is None else NON_NEGATIVE_STRING
    return {"description": description, "anyOf": [number, {"type": "string", "pattern": pattern}]}


def _shared_quantity(
    name: str,
    description: str,
    vocabulary: Type,
    *,
    minimum: int | None = None,
    exclusive: bool = False,
    maximum: int | None = None,
) -> Scalar:
    schema = number_schema(description, minimum=minimum, exclusive=exclusive, maximum=maximum)
    QUANTITY_DEFS[name] = schema
    read = _quantity(minimum=minimum, exclusive=exclusive, maximum=maximum)
    return Scalar(read, schema, vocabulary, ref=name)


# Each kind carries the field's vocabulary type: `to_record` converts by it and the
# vocabulary test compares it with `dsl.vocabulary`.
Money = _shared_quantity("Money", "An amount in euro, at least 0.", MONEY, minimum=0)
SignedMoney = _shared_quantity("SignedMoney", "An amount in euro; may be negative.", MONEY)
Count = _shared_quantity(
    "Quantity", "A quantity, at least 0; may be fractional.", NUMBER, minimum=0
)
Months = _shared_quantity(
    "Months", "A number of months, greater than 0.", NUMBER, minimum=0, exclusive=True
)
Percent = _shared_quantity(
    "Percent", "A percentage from 0 to 100: 30 means 30 %.", PERCENT, minimum=0, maximum=100
)
Ratio = _shared_quantity("Ratio", "A ratio, a plain number; may be negative.", NUMBER)


def _integer(minimum: int | None) -> Callable[[object, str], int]:
    def read(value: object, noun: str) -> int:
        number = read_decimal(value)
        if number != number.to_integral_value():
            raise Invalid(N_("must be a whole number, got {number}", number=number))
        if minimum is not None and number < minimum:
            raise Invalid(
                N_("must not be negative")
                if minimum == 0
                else N_("must be at least {minimum}", minimum=minimum)
            )
        return int(number)

    return read


def _year(value: object, noun: str) -> int:
    year = _integer(None)(value, noun)
    if not FIRST_DAY.year <= year <= LAST_DAY.year:
        raise Invalid(
            N_(
                "must be a year from {year} to {year2}, got {year3}",
                year=FIRST_DAY.year,
                year2=LAST_DAY.year,
                year3=year,
            )
        )
    return year


Year = Scalar(
    _year, {"type": "integer", "minimum": FIRST_DAY.year, "maximum": LAST_DAY.year}, NUMBER
)
Inhabitants = Scalar(_integer(0), {"type": "integer", "minimum": 0}, NUMBER)


# --- texts, symbols, dates, flags --------------------------------------------------------


def _text(value: object, noun: str = "") -> str:
    if isinstance(value, bool | int | float | Decimal):
        # YAML reads an unquoted 0712345678 or 2026 as a number; say how to keep it text.
        raise Invalid(N_("expected text, got {got}; put it in quotes", got=describe(value)))
    if not isinstance(value, str):
        raise Invalid(N_("expected text, got {got}", got=describe(value)))
    text = value.strip()
    if not text:
        raise Invalid(N_("must not be empty"))
    return text


def _open_symbol(value: object, noun: str) -> str:
    return _text(value).lower()


def _closed_symbol(choices: tuple[str, ...]) -> Callable[[object, str], str]:
    def read(value: object, noun: str) -> str:
        expected = ", ".join(choices)
        if not isinstance(value, str):
            raise Invalid(
                N_("expected one of {expected}, got {got}", expected=expected, got=describe(value))
            )
        symbol = value.strip().lower()
        if symbol not in choices:
            raise Invalid(
                N_(
                    "unknown {noun} {value!r}; expected one of {expected}",
                    noun=noun,
                    value=value,
                    expected=expected,
                )
            )
        return symbol

    return read


Text = Scalar(_text, {"type": "string", "minLength": 1}, TEXT)
OpenSymbol = Scalar(
    _open_symbol, {"type": "string", "minLength": 1, "description": "Case-insensitive."}, SYMBOL
)


def closed_symbol(*choices: str) -> Scalar:
    """A symbol from a closed set, matched case-insensitively."""
    schema = {"type": "string", "enum": list(choices)}
    return Scalar(_closed_symbol(choices), schema, SYMBOL, choices=choices)


# The closed sets are dsl.vocabulary's: the rules and the profile cannot disagree.
Region = closed_symbol(*vocab.REGION_NAMES)
Direction = closed_symbol(*vocab.DIRECTIONS)
Relation = closed_symbol(*vocab.RELATIONS)
Investor = closed_symbol(*vocab.INVESTORS)
Regime = closed_symbol(*vocab.AID_REGIMES)
Size = closed_symbol(*vocab.SIZE_NAMES)
ResearchCategory = closed_symbol(*vocab.RESEARCH_CATEGORIES)
AidForm = closed_symbol(*vocab.AID_FORMS)
CostCategory = closed_symbol(*vocab.COST_CATEGORIES)

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date(value: object, noun: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise Invalid(N_("expected a date (YYYY-MM-DD), got {got}", got=describe(value)))
    if isinstance(value, dt.date):
        return _in_range(value)
    if not isinstance(value, str):
        raise Invalid(N_("expected a date (YYYY-MM-DD), got {got}", got=describe(value)))
    text = value.strip()
    # date.fromisoformat alone would also take "20260310" and week dates.
    if not _ISO_DATE.fullmatch(text):
        raise Invalid(N_("expected a date (YYYY-MM-DD), got {got}", got=describe(value)))
    try:
        day = dt.date.fromisoformat(text)
    except ValueError as exc:
        raise Invalid(N_("invalid date {text!r}: {exc}", text=text, exc=exc)) from None
    return _in_range(day)


def _in_range(day: dt.date) -> dt.date:
    # One range for every date (dsl/dates.py): a profile's 9999-12-31 plus 36 months
    # would leave what datetime can hold.
    try:
        return check_range(day)
    except DateProblem as problem:
        raise Invalid(problem.message) from None


Date = Scalar(_date, {"type": "string", "format": "date", "description": "YYYY-MM-DD"}, DATE)


def _flag(value: object, noun: str) -> bool:
    if not isinstance(value, bool):
        raise Invalid(N_("expected true or false, got {got}", got=describe(value)))
    return value


Flag = Scalar(_flag, {"type": "boolean"}, BOOL)


def _nace(value: object, noun: str) -> str:
    if not isinstance(value, str):
        # An unquoted 01.11 reaches us as the number 1.11: the leading zero is gone.
        hint = ""
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            hint = N_(" (unquoted, a code loses its leading zeros)")
        raise Invalid(
            N_(
                "expected a NACE code in quotes, like '62.01', got {got}{hint}",
                got=describe(value),
                hint=hint,
            )
        )
    code = re.sub(r"[.\s]", "", value)
    if not re.fullmatch(r"[0-9]{1,5}", code):
        raise Invalid(
            N_("invalid NACE code {value!r}; expected 1 to 5 digits, like '62.01'", value=value)
        )
    return code


NaceCode = Scalar(
    _nace,
    {
        "type": "string",
        "pattern": r"^[\s.]*(\d[\s.]*){1,5}$",
        "description": "A NACE-BEL code; dots and spaces are ignored: '62.01' is '6201'.",
    },
    TEXT,
)


def unique(
    attribute: str, label: Callable[[Any], str], list_name: str
) -> Callable[[list[Any]], None]:
    """A list check: no two elements share `attribute` (rules and explanations name
    elements by it, so two alike would be ambiguous)."""

    def check(items: list[Any]) -> None:
        seen: dict[Any, int] = {}
        for index, item in enumerate(items):
            key = getattr(item, attribute)
            if key in seen:
                raise Invalid(
                    N_(
                        "duplicate {value}; already given in {list_name}[{seen}]",
                        value=label(key),
                        list_name=list_name,
                        seen=seen[key],
                    ),
                    at=f"[{index}].{attribute}",
                )
            seen[key] = index

    return check


# --- the models ----------------------------------------------------------------------------

T = TypeVar("T")


# Models are frozen keyword-only dataclasses; `policy.model.validate` reads them from data.
# dataclass_transform tells type checkers so (a partial `dataclass(...)` they cannot see).
@dataclass_transform(frozen_default=True, kw_only_default=True, field_specifiers=(spec,))
def model(cls: type[T]) -> type[T]:
    return dataclass(frozen=True, kw_only=True)(cls)


@model
class Aid:
    """Public aid the company (or a related enterprise) has received."""

    programme: str = spec(Text, description="The programme or measure.")
    granted: dt.date = spec(
        Date, description="The date the aid was granted (the decision, not the payment)."
    )
    amount: Decimal = spec(Money, description="The aid amount (its gross grant equivalent).")
    regime: str = spec(Regime, description="The state-aid regime it was granted under.")


@model
class Enterprise:
    """Another enterprise the company holds shares in, or that holds shares in it."""

    id: str = spec(Text, description="Any identifier, unique within the profile.")
    share: Decimal = spec(
        Percent, description="The share of capital or voting rights held (the higher of the two)."
    )
    direction: str = spec(
        Direction,
        description=(
            "`holds`: the company holds `share` of this enterprise. `held_by`: this "
            "enterprise holds `share` of the company."
        ),
    )
    relation: str | None = spec(
        Relation,
        default=None,
        description=(
            "The relation in the sense of the EU SME definition, if you know it. Absent: unknown."
        ),
    )
    investor: str | None = spec(
        Investor,
        default=None,
        description="The kind of investor, for the exceptions of the SME definition.",
    )
    staff: Decimal | None = spec(
        Count, default=None, description="The enterprise's staff in annual work units."
    )
    turnover: Decimal | None = spec(
        Money, default=None, description="The enterprise's annual turnover."
    )
    balance_sheet: Decimal | None = spec(
        Money, default=None, description="The enterprise's balance sheet total."
    )
    investment: Decimal | None = spec(
        Money,
        default=None,
        description=(
            "What this investor has invested in the company (business angels: the investments"
            " of all business angels are added up and must stay below €1,250,000 together). "
            "Absent on a business angel holding 25 % or more: unknown, and the SME category "
            "names it as missing."
        ),
    )
    authority_budget: Decimal | None = spec(
        Money,
        default=None,
        description="Annual budget, for a local authority (SME exception: below EUR 10 m). "
        "Absent: unknown.",
    )
    inhabitants: int | None = spec(
        Inhabitants,
        default=None,
        description="Number of inhabitants, for a local authority (SME exception: fewer "
        "than 5,000). Absent: unknown.",
    )
    public_body: bool | None = spec(
        Flag,
        default=None,
        description=(
            "Whether this holder is a public body. Its `share` counts towards the 25 % "
            "public-control test (together with `public_ownership`) unless it is an exempted "
            "investor (`investor`) that is not linked. Absent: not a public body."
        ),
    )
    aid: list[Aid] = spec(
        ListOf(Nested(Aid)),
        default=EMPTY,
        description=(
            "Public aid **this enterprise** received, in the shape of `company.aid[]`. The de"
            " minimis aid of a linked enterprise counts against the company's ceiling (one "
            '"single undertaking"); a partner\'s does not.'
        ),
    )


@model
class Account:
    """The company's own figures for an earlier closed financial year."""

    year: int = spec(Year, description="The calendar year in which the financial year closed.")
    staff: Decimal | None = spec(Count, default=None, description="Staff in annual work units.")
    turnover: Decimal | None = spec(Money, default=None, description="Annual turnover.")
    balance_sheet: Decimal | None = spec(Money, default=None, description="Balance sheet total.")
    debt_to_equity: Decimal | None = spec(
        Ratio, default=None, description="Book debt to equity ratio of that year."
    )
    interest_cover: Decimal | None = spec(
        Ratio, default=None, description="EBITDA interest coverage ratio of that year."
    )


def _an(word: str) -> str:
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


@model
class CostLine:
    """One cost of the project."""

    category: str = spec(CostCategory, description="The kind of cost.")
    amount: Decimal | None = spec(
        Money,
        default=None,
        description=(
            "The cost in euro, VAT included if you pay VAT on it. Required on every line "
            "except `hire`, where it is not allowed, and `personnel`, where `gross_salary` "
            "may replace it."
        ),
    )
    provider: str | None = spec(
        Text, default=None, description="Who delivers it (an advisor, a subcontractor)."
    )
    gross_salary: Decimal | None = spec(
        Money,
        default=None,
        description=(
            "For a `hire` line (required there) or a `personnel` line costed from its salary:"
            " the **gross annual salary**."
        ),
    )
    employment_months: Decimal | None = spec(
        Months,
        default=None,
        description="For a `hire` or `personnel` line: the months of employment the project "
        "covers.",
    )
    employer_contributions: Decimal | None = spec(
        Money,
        default=None,
        description="With `gross_salary`: the employer's **annual** social contributions.",
    )
    time_share: Decimal | None = spec(
        Percent,
        default=None,
        description=(
            "For a `personnel` line: the share of the person's time spent on the project "
            "(default 100)."
        ),
    )
    depreciation_months: Decimal | None = spec(
        Months,
        default=None,
        description=(
            "For an `equipment` line also used outside the project: its useful life; the "
            "project bears the depreciation over its duration. Absent: eligible in full."
        ),
    )
    recoverable_vat: Decimal | None = spec(
        Money,
        default=None,
        description="The VAT in `amount` the company can recover (at most `amount`): never "
        "eligible.",
    )
    incurred: dt.date | None = spec(
        Date,
        default=None,
        description=(
            "When the cost is incurred (invoice date); a cost before `project.start` is not "
            "eligible."
        ),
    )

    def check(self) -> None:
        # A hire is costed from its salary, everything else by its amount (a personnel line
        # by either); allowing both would leave the rules guessing which one counts.
        if self.category == "hire":
            if self.gross_salary is None:
                raise Invalid(N_("required for a hire line"), at=".gross_salary")
            if self.amount is not None:
                raise Invalid(
                    N_("not allowed on a hire line; give gross_salary instead"), at=".amount"
                )
        elif self.category == "personnel":
            if self.amount is None and self.gross_salary is None:
                raise Invalid(
                    N_("required for a personnel line, or give gross_salary"), at=".amount"
                )
            if self.amount is not None and self.gross_salary is not None:
                raise Invalid(
                    N_("give either amount or gross_salary, not both"), at=".gross_salary"
                )
        else:
            if self.amount is None:
                raise Invalid(
                    N_("required for {value} line", value=_an(self.category)), at=".amount"
                )
            if self.gross_salary is not None:
                raise Invalid(N_("only allowed on a hire or personnel line"), at=".gross_salary")
        if self.employer_contributions is not None and self.gross_salary is None:
            raise Invalid(N_("only allowed with gross_salary"), at=".employer_contributions")
        if self.depreciation_months is not None and self.category != "equipment":
            raise Invalid(N_("only allowed on an equipment line"), at=".depreciation_months")
        if self.recoverable_vat is not None:
            if self.amount is None:
                raise Invalid(N_("only allowed on a line with an amount"), at=".recoverable_vat")
            if self.recoverable_vat > self.amount:
                raise Invalid(N_("must not exceed amount"), at=".recoverable_vat")


@model
class Company:
    """The company; its top-level figures are for its latest closed financial year."""

    id: str = spec(Text, description="Any identifier, such as the enterprise number.")
    name: str | None = spec(Text, default=None, description="The company's name.")
    region: str | None = spec(
        Region,
        default=None,
        description="The region of the seat or operating site the application concerns.",
    )
    legal_form: str | None = spec(
        OpenSymbol,
        default=None,
        description=(
            "Legal form in its usual abbreviation: `bv`, `nv`, `cv`, `srl`, `sa`, `sc`, "
            "`vzw`, `asbl`, ...; a sole trader `eenmanszaak` or `entreprise_individuelle`, a "
            "partnership without legal personality `maatschap` or `societe_simple`."
        ),
    )
    nace: list[str] = spec(
        ListOf(NaceCode),
        default=EMPTY,
        description="Activity codes (NACE-BEL), main activity first.",
    )
    founded: dt.date | None = spec(Date, default=None, description="Date of incorporation.")
    staff: Decimal | None = spec(
        Count,
        default=None,
        description=(
            "Staff in annual work units (AWU) in the latest closed financial year; may be "
            "fractional."
        ),
    )
    turnover: Decimal | None = spec(
        Money,
        default=None,
        description="Annual turnover of the latest closed financial year, euro.",
    )
    balance_sheet: Decimal | None = spec(
        Money,
        default=None,
        description="Balance sheet total at the end of the latest closed financial year.",
    )
    equity: Decimal | None = spec(SignedMoney, default=None, description="Equity (own funds).")
    subscribed_capital: Decimal | None = spec(
        Money,
        default=None,
        description="Subscribed share capital (or its equivalent contributions).",
    )
    reserves: Decimal | None = spec(
        SignedMoney,
        default=None,
        description=(
            "Reserves and the other elements of own funds, **without** share premium (which "
            "goes in `share_premium`)."
        ),
    )
    accumulated_losses: Decimal | None = spec(
        Money, default=None, description="Accumulated losses carried forward, as a positive amount."
    )
    share_premium: Decimal | None = spec(
        Money,
        default=None,
        description=(
            "Share (issue) premium. Counts as share capital in the difficulty test (GBER art."
            " 2(18)(a)): it raises the half-capital threshold. Absent: €0."
        ),
    )
    debt_to_equity: Decimal | None = spec(
        Ratio,
        default=None,
        description=(
            "Book debt to equity ratio of the latest closed year (difficulty test for large "
            "enterprises, art. 2(18)(e))."
        ),
    )
    interest_cover: Decimal | None = spec(
        Ratio,
        default=None,
        description="EBITDA interest coverage ratio of the latest closed year (same test).",
    )
    insolvency_criteria: bool | None = spec(
        Flag,
        default=None,
        description=(
            "Whether it meets the criteria of national law for being placed in collective "
            "insolvency proceedings at its creditors' request (art. 2(18)(c)). Absent: false."
        ),
    )
    rescue_aid: bool | None = spec(
        Flag,
        default=None,
        description=(
            "Whether it received rescue aid and has not yet repaid the loan or ended the "
            "guarantee (art. 2(18)(d)). Absent: false."
        ),
    )
    restructuring_aid: bool | None = spec(
        Flag,
        default=None,
        description=(
            "Whether it received restructuring aid and is still subject to a restructuring "
            "plan (art. 2(18)(d)). Absent: false."
        ),
    )
    public_ownership: Decimal | None = spec(
        Percent,
        default=None,
        description=(
            "Share of capital or voting rights held, directly or indirectly, by public bodies"
            " **not listed** in `enterprises` (list a public holder there with `public_body: "
            "true` when it may be an exempted investor, such as a public investment "
            "corporation or a small local authority)."
        ),
    )
    insolvency: bool | None = spec(
        Flag,
        default=None,
        description=(
            "Whether the company is in collective insolvency proceedings (bankruptcy, "
            "judicial reorganisation)."
        ),
    )
    enterprises: list[Enterprise] = spec(
        ListOf(
            Nested(Enterprise), check=unique("id", lambda v: f"enterprise id {v!r}", "enterprises")
        ),
        default=EMPTY,
        description="Enterprises it holds shares in or that hold shares in it; see below.",
    )
    accounts: list[Account] = spec(
        ListOf(Nested(Account), check=unique("year", lambda v: f"year {v}", "accounts")),
        default=EMPTY,
        description="Its own figures for earlier closed financial years; see below.",
    )
    aid: list[Aid] = spec(
        ListOf(Nested(Aid)), default=EMPTY, description="Public aid received earlier; see below."
    )


@model
class Partner:
    """Another member of a collaborative project's consortium (the company is not listed)."""

    id: str = spec(Text, description="Any identifier, unique within the project.")
    region: str | None = spec(
        Region,
        default=None,
        description="The region of the partner's operating seat, whose agency funds it.",
    )
    category: str | None = spec(
        Size, default=None, description="The partner's size under the EU SME definition."
    )
    costs: Decimal | None = spec(
        Money, default=None, description="The partner's eligible costs in the project, euro."
    )
    rate: Decimal | None = spec(
        Percent,
        default=None,
        description=(
            "A funding rate for this partner instead of the catalogue's (a what-if question);"
            " absent: its region's rate for its size."
        ),
    )


@model
class Project:
    """The project the company asks funding for."""

    programme: str | None = spec(
        Text, default=None, description="The programme applied for, such as `kmo_groeisubsidie`."
    )
    theme: str | None = spec(
        OpenSymbol,
        default=None,
        description="The project's theme, such as `digitalisation`; lowercased.",
    )
    submitted: dt.date | None = spec(
        Date, default=None, description="Date the application is (or was) submitted."
    )
    start: dt.date | None = spec(Date, default=None, description="Start date of the project.")
    duration_months: Decimal | None = spec(
        Months, default=None, description="Planned duration in months."
    )
    duration_motivated: bool | None = spec(
        Flag,
        default=None,
        description=(
            "The application gives a thorough motivation for a duration beyond the "
            "programme's usual maximum (VLAIO development project: over 24 months). Absent: a"
            " longer project is `unknown` for that programme."
        ),
    )
    research_category: str | None = spec(
        ResearchCategory, default=None, description="For research projects."
    )
    aid_form: str | None = spec(
        AidForm,
        default=None,
        description="The form of aid the applicant chooses where a programme offers both"
        " (Walloon experimental development in cooperation: a subsidy or a recoverable"
        " advance). Absent: the programme's usual form.",
    )
    international_cooperation: bool | None = spec(
        Flag,
        default=None,
        description=(
            "The project takes part in a recognised international or interregional "
            "cooperation (a call recognised by the agency, such as a VLAIO-recognised "
            "international call). Absent: no such cooperation is claimed."
        ),
    )
    time_share: Decimal | None = spec(
        Percent,
        default=None,
        description=(
            "The share of a full-time position the project's researcher works on it, such as "
            "a Baekeland mandate holder working part time (at least 50 %)."
        ),
    )
    doctoral_research: bool | None = spec(
        Flag,
        default=None,
        description=(
            "The project is doctoral research: the researcher (the mandate holder) has no "
            "doctorate yet and is enrolled, or admitted, for one at a Flemish university, whose "
            "promotor supervises the project (a Baekeland mandate). Absent: unknown for the "
            "programmes that need it."
        ),
    )
    industrial_mentor: bool | None = spec(
        Flag,
        default=None,
        description=(
            "The company names an industrial mentor (VLAIO: \"industriële promotor\") who "
            "follows the researcher's work from the company's side (a Baekeland mandate). "
            "Absent: unknown for the programmes that need it."
        ),
    )
    costs: list[CostLine] = spec(
        ListOf(Nested(CostLine)), default=EMPTY, description="The project's costs; see below."
    )
    partners: list[Partner] = spec(
        ListOf(Nested(Partner), check=unique("id", lambda v: f"partner id {v!r}", "partners")),
        default=EMPTY,
        description=(
            "The other enterprises of a collaborative project (the company itself is not "
            "listed); see below."
        ),
    )


@model
class Profile:
    """One company and, optionally, the project it asks funding for."""

    company: Company = spec(Nested(Company))
    project: Project | None = spec(Nested(Project), default=None)

    def to_record(self) -> InputRecord:
        """The solver's typed view: only given scalars; company lists empty if omitted,
        project lists absent (unknown) when there is no project."""
        record = InputRecord()
        for path, typ in SCALARS.items():
            value = _lookup(self, path)
            if value is not None:
                record.scalars[path] = _convert(value, typ)
        for path, collection in COLLECTIONS.items():
            if path.startswith("project.") and self.project is None:
                # No project at all: its lists are unknown (conditions on them answer
                # `unknown`), unlike an omitted company list, which states there is none.
                continue
            items = _lookup(self, path) or []
            if path == ENTERPRISE_AID:
                record.collections[path] = _enterprise_aid(self.company, collection)
                continue
            if collection.scalar is not None:
                scalar = collection.scalar
                record.collections[path] = [_convert(item, scalar) for item in items]
            else:
                record.collections[path] = [
                    {
                        name: _convert(value, typ)
                        for name, typ in collection.fields.items()
                        if (value := getattr(item, name)) is not None
                    }
                    for item in items
                ]
        return record


# The related enterprises' aid, nested in the profile, one flat list for the rules.
ENTERPRISE_AID = "company.enterprises.aid"


def _enterprise_aid(company: Company, collection: Any) -> list[dict[str, Value]]:
    """Every aid of every related enterprise, in profile order, each naming its enterprise."""
    rows: list[dict[str, Value]] = []
    for enterprise in company.enterprises:
        for aid in enterprise.aid:
            row: dict[str, Value] = {"enterprise": enterprise.id}
            for name, typ in collection.fields.items():
                if name != "enterprise":
                    row[name] = _convert(getattr(aid, name), typ)
            rows.append(row)
    return rows


def _lookup(profile: Profile, path: str) -> Any:
    if path == ENTERPRISE_AID:
        return None
    section_name, field_name = path.split(".")
    section = getattr(profile, section_name)
    return None if section is None else getattr(section, field_name)


def _convert(value: object, typ: Type) -> Value:
    if typ == PERCENT:
        assert isinstance(value, Decimal)
        return Fraction(value) / 100
    if typ in (NUMBER, MONEY):
        assert isinstance(value, Decimal | int) and not isinstance(value, bool)
        return Fraction(value)
    assert isinstance(value, str | bool | dt.date), (value, typ)
    return value


def profile_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a profile file."""
    return json_schema(Profile, "Subsidia company profile", QUANTITY_DEFS)


def render_json_schema() -> str:
    return json.dumps(profile_json_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(render_json_schema())
