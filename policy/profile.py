"""The company profile: what a user tells us about a company and, optionally, its project.

Field names and types mirror `dsl.vocabulary` (a test keeps the two in step). Every
quantity is an exact `Decimal`, never a float: eligibility thresholds such as "fewer
than 50 staff" or "at most 25 %" must not flip on a rounding error. Validators raise
errors whose messages are final; `policy.loading` only adds the location.

Regenerate the committed JSON Schema with
`.venv/bin/python -m policy.profile > policy/schema/profile.schema.json`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import types
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from dsl.types import BOOL, DATE, MONEY, NUMBER, PERCENT, SYMBOL, TEXT, Type
from dsl.vocabulary import COLLECTIONS, SCALARS
from solver.record import InputRecord, Value

# The error type of every validation error raised here: its context holds the final
# `message` and `at`, a location suffix below the failing field (`[3].year`, `.amount`).
PROFILE_ERROR = "subsidia_profile"


def invalid(message: str, at: str = "") -> PydanticCustomError:
    # The message travels in the context, not the template, so braces in user input
    # cannot be mistaken for template placeholders.
    return PydanticCustomError(PROFILE_ERROR, "{message}", {"message": message, "at": at})


def describe(value: object) -> str:
    """A short, user-facing rendering of an input value ("'abc'", "the number 3", "a list")."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return f"the number {value}"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, dt.datetime):
        return f"the date-time {value.isoformat(sep=' ')}"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def _field_noun(info: ValidationInfo) -> str:
    return (info.field_name or "value").replace("_", " ")


# --- quantities ------------------------------------------------------------------------

# Bounds that no real profile reaches but that keep `Fraction(Decimal("1e999999999"))`
# from eating the machine.
_MAX_ADJUSTED_EXPONENT = 17
_MIN_EXPONENT = -20


def _decimal(value: object) -> Decimal:
    """Any accepted spelling of a number, as an exact Decimal."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise invalid(f"expected a number, got {describe(value)}")
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            hint = ""
            if "," in value:
                hint = " (use '.' for decimals and no thousands separators)"
            elif "%" in value:
                hint = " (write a percentage as a plain number, like 30)"
            elif "€" in value or "eur" in value.lower():
                hint = " (amounts are in euro; write the number only)"
            raise invalid(f"expected a number, got {describe(value)}{hint}") from None
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise invalid(f"must be a finite number, got {Decimal(value)}")
        # repr of a float is its shortest round-tripping form: 0.1 -> "0.1", not 0.1000...555.
        number = Decimal(repr(value))
    else:
        number = Decimal(value)
    if not number.is_finite():
        raise invalid(f"must be a finite number, got {number}")
    if number and number.adjusted() > _MAX_ADJUSTED_EXPONENT:
        raise invalid(f"is too large: {number}")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < _MIN_EXPONENT:
        raise invalid(f"has too many decimal places: {number}")
    return number


def _quantity(
    *, minimum: int | None = None, exclusive: bool = False, maximum: int | None = None
) -> Callable[[object], Decimal]:
    def validate(value: object) -> Decimal:
        number = _decimal(value)
        if minimum is not None:
            if exclusive and number <= minimum:
                raise invalid(f"must be greater than {minimum}")
            if not exclusive and number < minimum:
                raise invalid(
                    "must not be negative" if minimum == 0 else f"must be at least {minimum}"
                )
        if maximum is not None and number > maximum:  # only percentages have a maximum
            raise invalid(f"must be at most {maximum} (a percentage)")
        return number

    return validate


# Numeric strings are accepted too ("1800000", "0.1"): they are what a spreadsheet export
# gives, and they are the one JSON spelling that no parser turns into a float.
_NUMERIC_STRING = r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$"
_NON_NEGATIVE_STRING = r"^\s*\+?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$"


# Shared definitions, referenced by name so the schema says "Money" once, not 30 times.
_QUANTITY_DEFS: dict[str, dict[str, Any]] = {}
_DEF_MARKER = "x-subsidia-def"


def _number_schema(
    name: str,
    description: str,
    *,
    minimum: int | None = None,
    exclusive: bool = False,
    maximum: int | None = None,
) -> WithJsonSchema:
    number: dict[str, Any] = {"type": "number"}
    if minimum is not None:
        number["exclusiveMinimum" if exclusive else "minimum"] = minimum
    if maximum is not None:
        number["maximum"] = maximum
    pattern = _NUMERIC_STRING if minimum is None else _NON_NEGATIVE_STRING
    _QUANTITY_DEFS[name] = {
        "description": description,
        "anyOf": [number, {"type": "string", "pattern": pattern}],
    }
    # Pydantic cannot resolve a $ref of ours; `profile_json_schema` swaps this marker for one.
    return WithJsonSchema({_DEF_MARKER: name})


# The `Type` in each Annotated is the field's vocabulary type: `to_record` converts by it
# and the vocabulary test compares it with `dsl.vocabulary`.
Money = Annotated[
    Decimal,
    PlainValidator(_quantity(minimum=0)),
    _number_schema("Money", "An amount in euro, at least 0.", minimum=0),
    MONEY,
]
SignedMoney = Annotated[
    Decimal,
    PlainValidator(_quantity()),
    _number_schema("SignedMoney", "An amount in euro; may be negative."),
    MONEY,
]
Count = Annotated[
    Decimal,
    PlainValidator(_quantity(minimum=0)),
    _number_schema("Quantity", "A quantity, at least 0; may be fractional.", minimum=0),
    NUMBER,
]
Months = Annotated[
    Decimal,
    PlainValidator(_quantity(minimum=0, exclusive=True)),
    _number_schema("Months", "A number of months, greater than 0.", minimum=0, exclusive=True),
    NUMBER,
]
Percent = Annotated[
    Decimal,
    PlainValidator(_quantity(minimum=0, maximum=100)),
    _number_schema("Percent", "A percentage from 0 to 100: 30 means 30 %.", minimum=0, maximum=100),
    PERCENT,
]


def _integer(minimum: int | None) -> Callable[[object], int]:
    def validate(value: object) -> int:
        number = _decimal(value)
        if number != number.to_integral_value():
            raise invalid(f"must be a whole number, got {number}")
        if minimum is not None and number < minimum:
            raise invalid("must not be negative" if minimum == 0 else f"must be at least {minimum}")
        return int(number)

    return validate


Year = Annotated[int, PlainValidator(_integer(None)), WithJsonSchema({"type": "integer"}), NUMBER]
Inhabitants = Annotated[
    int, PlainValidator(_integer(0)), WithJsonSchema({"type": "integer", "minimum": 0}), NUMBER
]


# --- texts, symbols, dates, flags --------------------------------------------------------


def _text(value: object) -> str:
    if isinstance(value, bool | int | float | Decimal):
        # YAML reads an unquoted 0712345678 or 2026 as a number; say how to keep it text.
        raise invalid(f"expected text, got {describe(value)}; put it in quotes")
    if not isinstance(value, str):
        raise invalid(f"expected text, got {describe(value)}")
    text = value.strip()
    if not text:
        raise invalid("must not be empty")
    return text


def _open_symbol(value: object) -> str:
    return _text(value).lower()


def _closed_symbol(choices: tuple[str, ...]) -> Callable[[object, ValidationInfo], str]:
    def validate(value: object, info: ValidationInfo) -> str:
        expected = ", ".join(choices)
        if not isinstance(value, str):
            raise invalid(f"expected one of {expected}, got {describe(value)}")
        symbol = value.strip().lower()
        if symbol not in choices:
            raise invalid(f"unknown {_field_noun(info)} {value!r}; expected one of {expected}")
        return symbol

    return validate


Text = Annotated[
    str, PlainValidator(_text), WithJsonSchema({"type": "string", "minLength": 1}), TEXT
]
OpenSymbol = Annotated[
    str,
    PlainValidator(_open_symbol),
    WithJsonSchema({"type": "string", "minLength": 1, "description": "Case-insensitive."}),
    SYMBOL,
]


def _symbol_type(literal: Any) -> Any:
    choices: tuple[str, ...] = get_args(literal)
    return Annotated[
        literal,
        PlainValidator(_closed_symbol(choices)),
        WithJsonSchema({"type": "string", "enum": list(choices)}),
        SYMBOL,
    ]


RegionName = Literal["brussels", "flanders", "wallonia"]
DirectionName = Literal["holds", "held_by"]
RelationName = Literal["partner", "linked"]
InvestorName = Literal[
    "business_angel",
    "university",
    "institutional",
    "venture_capital",
    "public_investment",
    "local_authority",
]
RegimeName = Literal["de_minimis", "gber", "other"]
SizeName = Literal["micro", "small", "medium", "large"]
ResearchCategoryName = Literal[
    "fundamental_research", "industrial_research", "experimental_development", "feasibility_study"
]
CostCategoryName = Literal[
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
]

Region = _symbol_type(RegionName)
Direction = _symbol_type(DirectionName)
Relation = _symbol_type(RelationName)
Investor = _symbol_type(InvestorName)
Regime = _symbol_type(RegimeName)
ResearchCategory = _symbol_type(ResearchCategoryName)
Size = _symbol_type(SizeName)
CostCategory = _symbol_type(CostCategoryName)

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        raise invalid(f"expected a date (YYYY-MM-DD), got {describe(value)}")
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise invalid(f"expected a date (YYYY-MM-DD), got {describe(value)}")
    text = value.strip()
    # date.fromisoformat alone would also take "20260310" and week dates.
    if not _ISO_DATE.fullmatch(text):
        raise invalid(f"expected a date (YYYY-MM-DD), got {describe(value)}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise invalid(f"invalid date {text!r}: {exc}") from None


Date = Annotated[
    dt.date,
    PlainValidator(_date),
    WithJsonSchema({"type": "string", "format": "date", "description": "YYYY-MM-DD"}),
    DATE,
]


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise invalid(f"expected true or false, got {describe(value)}")
    return value


Flag = Annotated[bool, PlainValidator(_flag), WithJsonSchema({"type": "boolean"}), BOOL]


def _nace(value: object) -> str:
    if not isinstance(value, str):
        # An unquoted 01.11 reaches us as the number 1.11: the leading zero is gone.
        hint = ""
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            hint = " (unquoted, a code loses its leading zeros)"
        raise invalid(f"expected a NACE code in quotes, like '62.01', got {describe(value)}{hint}")
    code = re.sub(r"[.\s]", "", value)
    if not re.fullmatch(r"[0-9]{1,5}", code):
        raise invalid(f"invalid NACE code {value!r}; expected 1 to 5 digits, like '62.01'")
    return code


NaceCode = Annotated[
    str,
    PlainValidator(_nace),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^[\s.]*(\d[\s.]*){1,5}$",
            "description": "A NACE-BEL code; dots and spaces are ignored: '62.01' is '6201'.",
        }
    ),
    TEXT,
]


def _none_is_empty(value: object) -> object:
    # `aid:` with nothing after it is YAML null; it can only mean "none".
    return [] if value is None else value


# --- the models ----------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Aid(_Model):
    """Public aid the company (or a related enterprise) has received."""

    programme: Text
    granted: Date
    amount: Money
    regime: Regime


class Enterprise(_Model):
    """Another enterprise the company holds shares in, or that holds shares in it."""

    id: Text = Field(description="Any identifier, unique within the profile.")
    share: Percent = Field(description="Share of capital or voting rights held, in %.")
    direction: Direction = Field(
        description="holds: the company holds this share of the enterprise; "
        "held_by: the enterprise holds this share of the company."
    )
    relation: Relation | None = None
    investor: Investor | None = None
    staff: Count | None = Field(
        None, description="The enterprise's own staff, in annual work units."
    )
    turnover: Money | None = None
    balance_sheet: Money | None = None
    investment: Money | None = None
    authority_budget: Money | None = None
    inhabitants: Inhabitants | None = None
    aid: Annotated[list[Aid], BeforeValidator(_none_is_empty)] = Field(
        default_factory=list,
        description="Public aid this enterprise has received; a linked enterprise's "
        "de minimis aid counts against the company's ceiling (one single undertaking).",
    )


class Account(_Model):
    """The company's own figures for an earlier closed financial year."""

    year: Year
    staff: Count | None = None
    turnover: Money | None = None
    balance_sheet: Money | None = None


def _an(word: str) -> str:
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


class CostLine(_Model):
    """One cost of the project."""

    category: CostCategory
    amount: Money | None = None
    provider: Text | None = None
    gross_salary: Money | None = Field(
        None,
        description="For a hire line, or a personnel line costed from its salary: the gross "
        "annual salary in euro.",
    )
    employment_months: Months | None = None
    employer_contributions: Money | None = Field(
        None,
        description="With gross_salary: the employer's annual social contributions in euro.",
    )
    time_share: Percent | None = Field(
        None, description="Share of the person's time spent on the project, in % (default 100)."
    )
    depreciation_months: Months | None = Field(
        None,
        description="For an equipment line not bought for the project alone: its useful life "
        "in months; the project then bears the depreciation over its duration.",
    )
    recoverable_vat: Money | None = Field(
        None, description="The part of amount that is VAT the company can recover."
    )
    incurred: Date | None = Field(
        None,
        description="When the cost is incurred; costs before the project start are not eligible.",
    )

    @model_validator(mode="after")
    def _amount_or_salary(self) -> CostLine:
        # A hire is costed from its salary, everything else by its amount (a personnel line
        # by either); allowing both would leave the rules guessing which one counts.
        if self.category == "hire":
            if self.gross_salary is None:
                raise invalid("required for a hire line", at=".gross_salary")
            if self.amount is not None:
                raise invalid("not allowed on a hire line; give gross_salary instead", at=".amount")
        elif self.category == "personnel":
            if self.amount is None and self.gross_salary is None:
                raise invalid("required for a personnel line, or give gross_salary", at=".amount")
            if self.amount is not None and self.gross_salary is not None:
                raise invalid("give either amount or gross_salary, not both", at=".gross_salary")
        else:
            if self.amount is None:
                raise invalid(f"required for {_an(self.category)} line", at=".amount")
            if self.gross_salary is not None:
                raise invalid("only allowed on a hire or personnel line", at=".gross_salary")
        if self.employer_contributions is not None and self.gross_salary is None:
            raise invalid("only allowed with gross_salary", at=".employer_contributions")
        if self.depreciation_months is not None and self.category != "equipment":
            raise invalid("only allowed on an equipment line", at=".depreciation_months")
        if self.recoverable_vat is not None:
            if self.amount is None:
                raise invalid("only allowed on a line with an amount", at=".recoverable_vat")
            if self.recoverable_vat > self.amount:
                raise invalid("must not exceed amount", at=".recoverable_vat")
        return self


class Company(_Model):
    """The company; its top-level figures are for its latest closed financial year."""

    id: Text = Field(description="Any identifier, such as the enterprise number.")
    name: Text | None = None
    region: Region | None = None
    legal_form: OpenSymbol | None = Field(None, description="Such as bv, nv, srl, sa; lowercased.")
    nace: Annotated[list[NaceCode], BeforeValidator(_none_is_empty)] = Field(default_factory=list)
    founded: Date | None = None
    staff: Count | None = Field(None, description="Staff in annual work units (AWU).")
    turnover: Money | None = None
    balance_sheet: Money | None = Field(None, description="Balance sheet total.")
    equity: SignedMoney | None = None
    subscribed_capital: Money | None = None
    reserves: SignedMoney | None = None
    accumulated_losses: Money | None = None
    public_ownership: Percent | None = Field(
        None, description="Share of capital or voting rights held by public bodies, in %."
    )
    insolvency: Flag | None = None
    enterprises: Annotated[list[Enterprise], BeforeValidator(_none_is_empty)] = Field(
        default_factory=list
    )
    accounts: Annotated[list[Account], BeforeValidator(_none_is_empty)] = Field(
        default_factory=list
    )
    aid: Annotated[list[Aid], BeforeValidator(_none_is_empty)] = Field(default_factory=list)

    @field_validator("enterprises")
    @classmethod
    def _unique_enterprise_ids(cls, enterprises: list[Enterprise]) -> list[Enterprise]:
        # Rules and explanations name enterprises by id; two with one id are ambiguous.
        seen: dict[str, int] = {}
        for index, enterprise in enumerate(enterprises):
            if enterprise.id in seen:
                raise invalid(
                    f"duplicate enterprise id {enterprise.id!r}; "
                    f"already given in enterprises[{seen[enterprise.id]}]",
                    at=f"[{index}].id",
                )
            seen[enterprise.id] = index
        return enterprises

    @field_validator("accounts")
    @classmethod
    def _unique_years(cls, accounts: list[Account]) -> list[Account]:
        seen: dict[int, int] = {}
        for index, account in enumerate(accounts):
            if account.year in seen:
                first = seen[account.year]
                raise invalid(
                    f"duplicate year {account.year}; already given in accounts[{first}]",
                    at=f"[{index}].year",
                )
            seen[account.year] = index
        return accounts


class Partner(_Model):
    """Another member of a collaborative project's consortium (the company is not listed)."""

    id: Text = Field(description="Any identifier, unique within the project.")
    region: Region | None = Field(None, description="The partner's operating seat.")
    category: Size | None = Field(None, description="The partner's SME category.")
    costs: Money | None = Field(None, description="The partner's eligible costs in the project.")
    rate: Percent | None = Field(
        None, description="A funding rate to use instead of the catalogue's (what-if questions)."
    )


class Project(_Model):
    """The project the company asks funding for."""

    programme: Text | None = Field(None, description="The programme applied for.")
    theme: OpenSymbol | None = Field(None, description="Lowercased.")
    submitted: Date | None = None
    start: Date | None = None
    duration_months: Months | None = None
    research_category: ResearchCategory | None = None
    international_cooperation: Flag | None = Field(
        None, description="A recognised international or interregional cooperation."
    )
    time_share: Percent | None = Field(
        None, description="Share of a full-time position spent on the project, in %."
    )
    costs: Annotated[list[CostLine], BeforeValidator(_none_is_empty)] = Field(default_factory=list)
    partners: Annotated[list[Partner], BeforeValidator(_none_is_empty)] = Field(
        default_factory=list
    )

    @field_validator("partners")
    @classmethod
    def _unique_partner_ids(cls, partners: list[Partner]) -> list[Partner]:
        seen: dict[str, int] = {}
        for index, partner in enumerate(partners):
            if partner.id in seen:
                raise invalid(
                    f"duplicate partner id {partner.id!r}; "
                    f"already given in partners[{seen[partner.id]}]",
                    at=f"[{index}].id",
                )
            seen[partner.id] = index
        return partners


class Profile(_Model):
    """One company and, optionally, the project it asks funding for."""

    company: Company
    project: Project | None = None

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


def field_vocabulary_type(field: FieldInfo) -> Type | None:
    """The vocabulary type a model field is tagged with."""
    # Pydantic moves the metadata of a bare `Annotated` field to `field.metadata`.
    for meta in field.metadata:
        if isinstance(meta, Type):
            return meta
    return vocabulary_type(field.annotation)


def vocabulary_type(annotation: Any) -> Type | None:
    """The vocabulary type an annotation is tagged with, looking through `X | None`."""
    if get_origin(annotation) is Annotated:
        for meta in annotation.__metadata__:
            if isinstance(meta, Type):
                return meta
        return vocabulary_type(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        found = [t for arg in get_args(annotation) if (t := vocabulary_type(arg)) is not None]
        return found[0] if found else None
    return None


def profile_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a profile file."""
    schema = _resolve_markers(Profile.model_json_schema(mode="validation"))
    defs = {**schema.pop("$defs", {}), **_QUANTITY_DEFS}
    schema.pop("title", None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Subsidia company profile",
        **schema,
        "$defs": dict(sorted(defs.items())),
    }


def _resolve_markers(node: Any) -> Any:
    if isinstance(node, dict):
        if _DEF_MARKER in node:
            return {"$ref": f"#/$defs/{node[_DEF_MARKER]}"}
        return {key: _resolve_markers(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve_markers(item) for item in node]
    return node


def render_json_schema() -> str:
    return json.dumps(profile_json_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(render_json_schema())
