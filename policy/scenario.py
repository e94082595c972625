"""A planning scenario: the programme, the project, candidate partners and work packages.

Read from YAML or JSON with exact decimals (`policy.loading.read_profile_data`), validated
here, and every failure is one `InputError` naming the field path (`partners[1].capacity`)
or the file position. Each partner's company is a profile given inline (`profile:` as a
mapping) or as a path to a profile file, relative to the scenario file.

Regenerate the committed JSON Schema with
`.venv/bin/python -m policy.scenario > policy/schema/scenario.schema.json`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic.functional_validators import PlainValidator
from pydantic.json_schema import WithJsonSchema

from policy import profile as profile_model
from policy.errors import InputError
from policy.loading import parse_profile, read_profile_data
from policy.profile import (
    PROFILE_ERROR,
    CostCategory,
    Count,
    Date,
    Flag,
    Money,
    Months,
    Percent,
    Profile,
    ResearchCategory,
    Text,
    describe,
    invalid,
)

# Cost categories a fixed cost line may use: a hire is costed from a salary, not an amount.
_NOT_FIXED = ("hire",)


def _positive(value: object) -> Decimal:
    number = profile_model._decimal(value)
    if number <= 0:
        raise invalid("must be greater than 0")
    return number


Positive = Annotated[
    Decimal,
    PlainValidator(_positive),
    WithJsonSchema({profile_model._DEF_MARKER: "Positive"}),
]


def _count(value: object) -> int:
    number = profile_model._decimal(value)
    if number != number.to_integral_value():
        raise invalid(f"must be a whole number, got {number}")
    if number < 1:
        raise invalid("must be at least 1")
    return int(number)


PartnerCount = Annotated[
    int, PlainValidator(_count), WithJsonSchema({"type": "integer", "minimum": 1})
]


def _none_is_empty(value: object) -> object:
    return [] if value is None else value


def _profile_field(value: object) -> object:
    if isinstance(value, str):
        if not value.strip():
            raise invalid("must not be empty")
        return value.strip()
    if isinstance(value, dict):
        return value
    raise invalid(f"expected a path to a profile file or a profile mapping, got {describe(value)}")


ProfileRef = Annotated[
    Any,
    PlainValidator(_profile_field),
    WithJsonSchema(
        {
            "description": "A path to a profile file (relative to the scenario file) or an "
            "inline profile mapping (policy/schema/profile.schema.json); only its company "
            "is used: the scenario's project applies.",
            "anyOf": [{"type": "string", "minLength": 1}, {"type": "object"}],
        }
    ),
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class ScenarioProject(_Model):
    """The project every partner applies with (its costs come from the plan)."""

    start: Date | None = None
    submitted: Date | None = None
    duration_months: Months | None = None
    research_category: ResearchCategory | None = None
    international_cooperation: Flag | None = None


class CandidatePartner(_Model):
    """A company that may join the consortium."""

    id: Text = Field(description="Unique within the scenario.")
    profile: ProfileRef
    required: Flag = Field(False, description="true: must be in the consortium.")
    monthly_cost: Positive = Field(description="Euro per person-month.")
    capacity: Count = Field(description="Person-months the partner can do at most.")
    rate: Percent | None = Field(
        None, description="A funding rate to use instead of the catalogue's (what-if)."
    )


class WorkPackage(_Model):
    id: Text = Field(description="Unique within the scenario.")
    effort: Positive = Field(description="Person-months the package needs.")
    allowed: Annotated[list[Text], BeforeValidator(_none_is_empty)] | None = Field(
        None, description="Partner ids that may do it (default: any)."
    )


class FixedCost(_Model):
    """A cost a partner has whatever its share of the work (equipment, subcontracting)."""

    partner: Text
    category: CostCategory
    amount: Money


class Scenario(_Model):
    """A consortium planning question: `subsidia plan SCENARIO`."""

    programme: Text
    as_of: Date
    project: ScenarioProject
    partners: Annotated[list[CandidatePartner], BeforeValidator(_none_is_empty)]
    work_packages: Annotated[list[WorkPackage], BeforeValidator(_none_is_empty)]
    costs: Annotated[list[FixedCost], BeforeValidator(_none_is_empty)] = Field(default_factory=list)
    max_partners: PartnerCount | None = None
    minimum_effort_share: Percent | None = Field(
        None, description="Each included partner does at least this % of the total effort."
    )


class LoadedScenario:
    """A validated scenario with every partner's profile loaded."""

    def __init__(self, scenario: Scenario, profiles: dict[str, Profile], file: str | None):
        self.scenario = scenario
        self.profiles = profiles
        self.file = file

    @property
    def as_of(self) -> dt.date:
        return self.scenario.as_of


def load_scenario(path: str | Path) -> LoadedScenario:
    """Read, validate and resolve a scenario file; one `InputError` for anything wrong."""
    data = read_profile_data(path)
    return parse_scenario(data, file=str(path), base=Path(path).parent)


def parse_scenario(
    data: object, file: str | None = None, base: Path | None = None
) -> LoadedScenario:
    if not isinstance(data, dict):
        raise InputError("", f"the top level must be a mapping, got {describe(data)}", file)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise _translate(exc, file) from None
    _check_references(scenario, file)
    profiles = {}
    for index, partner in enumerate(scenario.partners):
        profiles[partner.id] = _partner_profile(partner.profile, index, file, base or Path("."))
    return LoadedScenario(scenario, profiles, file)


def _partner_profile(ref: object, index: int, file: str | None, base: Path) -> Profile:
    at = f"partners[{index}].profile"
    if isinstance(ref, str):
        target = base / ref
        if not target.is_file():
            raise InputError(at, f"no such profile file: {ref}", file)
        return parse_profile(read_profile_data(target), file=str(target))
    try:
        return parse_profile(ref)
    except InputError as err:
        raise InputError(f"{at}.{err.path}" if err.path else at, err.message, file) from None


def _check_references(scenario: Scenario, file: str | None) -> None:
    ids: dict[str, int] = {}
    for index, partner in enumerate(scenario.partners):
        if partner.id in ids:
            raise InputError(
                f"partners[{index}].id",
                f"duplicate partner id {partner.id!r}; "
                f"already given in partners[{ids[partner.id]}]",
                file,
            )
        ids[partner.id] = index
    if not ids:
        raise InputError("partners", "at least one candidate partner is needed", file)
    if not scenario.work_packages:
        raise InputError("work_packages", "at least one work package is needed", file)
    seen: dict[str, int] = {}
    for index, wp in enumerate(scenario.work_packages):
        if wp.id in seen:
            raise InputError(
                f"work_packages[{index}].id",
                f"duplicate work package id {wp.id!r}; already given in "
                f"work_packages[{seen[wp.id]}]",
                file,
            )
        seen[wp.id] = index
        for j, name in enumerate(wp.allowed or []):
            if name not in ids:
                raise InputError(f"work_packages[{index}].allowed[{j}]", _unknown(name, ids), file)
        if wp.allowed is not None and not wp.allowed:
            raise InputError(
                f"work_packages[{index}].allowed", "must name at least one partner", file
            )
    for index, cost in enumerate(scenario.costs):
        if cost.partner not in ids:
            raise InputError(f"costs[{index}].partner", _unknown(cost.partner, ids), file)
        if cost.category in _NOT_FIXED:
            raise InputError(
                f"costs[{index}].category",
                "a hire is costed from a salary; give its cost as a personnel line",
                file,
            )


def _unknown(name: str, ids: dict[str, int]) -> str:
    close = difflib.get_close_matches(name, list(ids), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f"; expected one of {', '.join(ids)}"
    return f"unknown partner {name!r}{hint}"


# --- validation errors -------------------------------------------------------------------


def _translate(exc: ValidationError, file: str | None) -> InputError:
    error = exc.errors(include_url=False)[0]
    loc = error["loc"]
    path = _render(loc)
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == PROFILE_ERROR:
        return InputError(path + str(ctx.get("at", "")), str(ctx["message"]), file)
    if kind == "missing":
        return InputError(path, "required field missing", file)
    if kind == "extra_forbidden":
        known = _fields_at(loc[:-1])
        name = str(loc[-1])
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; expected one of {', '.join(known)}"
        return InputError(path, f"unknown field {name!r}{hint}", file)
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return InputError(
            path, f"expected a mapping of fields, got {describe(error.get('input'))}", file
        )
    if kind in ("list_type", "tuple_type"):
        return InputError(path, f"expected a list, got {describe(error.get('input'))}", file)
    return InputError(path, error["msg"][:1].lower() + error["msg"][1:], file)


def _render(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


_NESTED: dict[str, type[BaseModel]] = {
    "project": ScenarioProject,
    "partners": CandidatePartner,
    "work_packages": WorkPackage,
    "costs": FixedCost,
}


def _fields_at(loc: tuple[int | str, ...]) -> list[str]:
    names = [p for p in loc if isinstance(p, str)]
    model: type[BaseModel] = _NESTED[names[0]] if names else Scenario
    return list(model.model_fields)


# --- JSON Schema -----------------------------------------------------------------------------


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file."""
    schema = profile_model._resolve_markers(Scenario.model_json_schema(mode="validation"))
    defs = {**schema.pop("$defs", {}), **profile_model._QUANTITY_DEFS}
    defs["Positive"] = {
        "description": "A number greater than 0.",
        "anyOf": [
            {"type": "number", "exclusiveMinimum": 0},
            {"type": "string", "pattern": profile_model._NON_NEGATIVE_STRING},
        ],
    }
    schema.pop("title", None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Subsidia planning scenario",
        **schema,
        "$defs": dict(sorted(defs.items())),
    }


def render_json_schema() -> str:
    return json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(render_json_schema())
