"""A planning scenario: the programme, the project, candidate partners and work packages.

Read from YAML or JSON with exact decimals (`policy.loading.read_profile_data`), validated
here, and every failure is one `InputError` naming the field path (`partners[1].capacity`)
or the file position. Each partner's company is a profile given inline (`profile:` as a
mapping) or as a path to a profile file, relative to the scenario file.

Regenerate the committed JSON Schema with
`.venv/bin/python -m policy.inputs.scenario > policy/inputs/schema/scenario.schema.json`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from dsl.errors import N_
from policy.errors import InputError
from policy.inputs.loading import parse_profile, read_profile_data
from policy.inputs.model import (
    EMPTY,
    Failure,
    Invalid,
    ListOf,
    Nested,
    Scalar,
    describe,
    json_schema,
    spec,
    validate,
)
from policy.inputs.profile import (
    QUANTITY_DEFS,
    CostCategory,
    Date,
    Flag,
    Months,
    Percent,
    Profile,
    ResearchCategory,
    Text,
    model,
    number_schema,
    read_decimal,
    unique,
)

# Cost categories a fixed cost line may use: a hire is costed from a salary, not an amount.
NOT_FIXED = ("hire",)


def _positive(value: object, noun: str) -> Decimal:
    number = read_decimal(value)
    if number <= 0:
        raise Invalid(N_("must be greater than 0"))
    return number


_SCENARIO_DEFS = {
    **QUANTITY_DEFS,
    "Positive": number_schema("A number greater than 0.", minimum=0, exclusive=True),
}
Positive = Scalar(_positive, _SCENARIO_DEFS["Positive"], ref="Positive")

# Magnitudes the MILP solves reliably (HiGHS works in floating point; at 10^12 person-months
# it reports an "Empty" model): ample for any real consortium, refused with a message beyond.
MAX_PERSON_MONTHS = 100_000
MAX_MONTHLY_COST = 1_000_000
MAX_FIXED_COST = 1_000_000_000


def _bounded(name: str, description: str, exclusive: bool, maximum: int, unit: str) -> Scalar:
    def read(value: object, noun: str) -> Decimal:
        number = read_decimal(value)
        if exclusive and number <= 0:
            raise Invalid(N_("must be greater than 0"))
        if number < 0:
            raise Invalid(N_("must not be negative"))
        if number > maximum:
            raise Invalid(
                N_(
                    "must be at most {maximum:,} {unit} (what the planner solves)",
                    maximum=maximum,
                    unit=unit,
                )
            )
        return number

    schema = number_schema(description, minimum=0, exclusive=exclusive, maximum=maximum)
    _SCENARIO_DEFS[name] = schema
    return Scalar(read, schema, ref=name)


Effort = _bounded(
    "Effort", "Person-months, greater than 0.", True, MAX_PERSON_MONTHS, "person-months"
)
Capacity = _bounded(
    "Capacity", "Person-months, at least 0.", False, MAX_PERSON_MONTHS, "person-months"
)
MonthlyCost = _bounded(
    "MonthlyCost", "Euro per person-month, greater than 0.", True, MAX_MONTHLY_COST, "euro"
)
FixedAmount = _bounded(
    "FixedAmount", "An amount in euro, at least 0.", False, MAX_FIXED_COST, "euro"
)


def _count(value: object, noun: str) -> int:
    number = read_decimal(value)
    if number != number.to_integral_value():
        raise Invalid(N_("must be a whole number, got {number}", number=number))
    if number < 1:
        raise Invalid(N_("must be at least 1"))
    return int(number)


PartnerCount = Scalar(_count, {"type": "integer", "minimum": 1})


def _profile_field(value: object, noun: str) -> object:
    if isinstance(value, str):
        if not value.strip():
            raise Invalid(N_("must not be empty"))
        return value.strip()
    if isinstance(value, dict):
        return value
    raise Invalid(
        N_("expected a path to a profile file or a profile mapping, got {got}", got=describe(value))
    )


ProfileRef = Scalar(
    _profile_field,
    {
        "description": "A path to a profile file (relative to the scenario file) or an "
        "inline profile mapping (policy/inputs/schema/profile.schema.json); only its company "
        "is used: the scenario's project applies.",
        "anyOf": [{"type": "string", "minLength": 1}, {"type": "object"}],
    },
)


@model
class ScenarioProject:
    """The project every partner applies with (its costs come from the plan)."""

    start: dt.date | None = spec(Date, default=None)
    submitted: dt.date | None = spec(Date, default=None)
    duration_months: Decimal | None = spec(Months, default=None)
    research_category: str | None = spec(ResearchCategory, default=None)
    international_cooperation: bool | None = spec(Flag, default=None)


@model
class CandidatePartner:
    """A company that may join the consortium."""

    id: str = spec(Text, description="Unique within the scenario.")
    profile: object = spec(ProfileRef)
    required: bool = spec(Flag, default=False, description="true: must be in the consortium.")
    monthly_cost: Decimal = spec(MonthlyCost, description="Euro per person-month.")
    capacity: Decimal = spec(Capacity, description="Person-months the partner can do at most.")
    rate: Decimal | None = spec(
        Percent,
        default=None,
        description="A funding rate to use instead of the catalogue's (what-if).",
    )


@model
class WorkPackage:
    id: str = spec(Text, description="Unique within the scenario.")
    effort: Decimal = spec(Effort, description="Person-months the package needs.")
    allowed: list[str] | None = spec(
        ListOf(Text), default=None, description="Partner ids that may do it (default: any)."
    )


@model
class FixedCost:
    """A cost a partner has whatever its share of the work (equipment, subcontracting)."""

    partner: str = spec(Text)
    category: str = spec(CostCategory)
    amount: Decimal = spec(FixedAmount)


# At most this many programmes in one plan: every combination of them is solved.
MAX_PROGRAMMES = 4


def _programmes(value: object, noun: str) -> str | tuple[str, ...]:
    """One programme id, or a list of them: each partner is then funded by one of them."""
    if not isinstance(value, list):
        return Text.read(value, noun)
    if not value:
        raise Invalid(N_("name at least one programme"))
    if len(value) > MAX_PROGRAMMES:
        raise Invalid(N_("at most {count} programmes in one plan", count=MAX_PROGRAMMES))
    names: list[str] = []
    for index, item in enumerate(value):
        try:
            name = Text.read(item, noun)
        except Invalid as err:
            raise Invalid(err.message, at=f"[{index}]") from None
        if name in names:
            raise Invalid(N_("{name!r} is named twice", name=name), at=f"[{index}]")
        names.append(name)
    return names[0] if len(names) == 1 else tuple(names)


ProgrammeChoice = Scalar(
    _programmes,
    {
        "description": "The programme planned for, or a list of programmes (at most "
        f"{MAX_PROGRAMMES}): each partner is then funded by one of them, the one that gives the "
        "plan the most.",
        "anyOf": [
            {"type": "string", "minLength": 1},
            {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "minItems": 1,
                "maxItems": MAX_PROGRAMMES,
                "uniqueItems": True,
            },
        ],
    },
)


@model
class Scenario:
    """A consortium planning question: `subsidia plan SCENARIO`."""

    programme: str | tuple[str, ...] = spec(ProgrammeChoice)
    as_of: dt.date = spec(Date)
    project: ScenarioProject = spec(Nested(ScenarioProject))
    partners: list[CandidatePartner] = spec(
        ListOf(
            Nested(CandidatePartner), check=unique("id", lambda v: f"partner id {v!r}", "partners")
        )
    )
    work_packages: list[WorkPackage] = spec(
        ListOf(
            Nested(WorkPackage),
            check=unique("id", lambda v: f"work package id {v!r}", "work_packages"),
        )
    )
    costs: list[FixedCost] = spec(ListOf(Nested(FixedCost)), default=EMPTY)
    max_partners: int | None = spec(PartnerCount, default=None)
    minimum_effort_share: Decimal | None = spec(
        Percent,
        default=None,
        description="Each included partner does at least this % of the total effort.",
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
    data: object, file: str | None = None, base: Path | None = None, inline_only: bool = False
) -> LoadedScenario:
    """A scenario from parsed data. Partner profiles given as paths are read relative to
    `base`; with `inline_only` (a request to the HTTP service) they are refused, so that a
    request can never make the server read one of its own files."""
    if not isinstance(data, dict):
        raise InputError(
            "", N_("the top level must be a mapping, got {got}", got=describe(data)), file
        )
    try:
        scenario = validate(Scenario, data)
    except Failure as exc:
        raise InputError(exc.path, exc.message, file) from None
    _check_references(scenario, file)
    profiles = {}
    for index, partner in enumerate(scenario.partners):
        ref = partner.profile
        if inline_only and isinstance(ref, str):
            raise InputError(
                f"partners[{index}].profile", N_("give the profile inline, as a mapping"), file
            )
        profiles[partner.id] = _partner_profile(ref, index, file, base or Path("."))
    return LoadedScenario(scenario, profiles, file)


def _partner_profile(ref: object, index: int, file: str | None, base: Path) -> Profile:
    at = f"partners[{index}].profile"
    if isinstance(ref, str):
        if "\x00" in ref:
            raise InputError(at, N_("a file name cannot contain a NUL character"), file)
        target = base / ref
        if not _within(target, (base, Path.cwd())):
            # Never read (nor quote in a message) a file the scenario's author merely names:
            # /etc/passwd is not a profile.
            raise InputError(
                at,
                N_(
                    "{ref}: a profile file must be inside the scenario's folder or the current "
                    "folder",
                    ref=ref,
                ),
                file,
            )
        if target.suffix.lower() not in (".yaml", ".yml", ".json"):
            raise InputError(
                at, N_("{ref}: a profile file ends in .yaml, .yml or .json", ref=ref), file
            )
        if target.is_dir():
            raise InputError(at, N_("{ref} is a folder, not a profile file", ref=ref), file)
        if not target.exists():
            raise InputError(at, N_("no such profile file: {ref}", ref=ref), file)
        return parse_profile(read_profile_data(target), file=str(target))
    try:
        return parse_profile(ref)
    except InputError as err:
        raise InputError(f"{at}.{err.path}" if err.path else at, err.message, file) from None


def _within(target: Path, roots: tuple[Path, ...]) -> bool:
    """Whether `target`, symlinks resolved, lies inside one of `roots`."""
    try:
        real = target.resolve()
        return any(real.is_relative_to(root.resolve()) for root in roots)
    except (OSError, RuntimeError, ValueError):
        return False


def _check_references(scenario: Scenario, file: str | None) -> None:
    ids = {partner.id: index for index, partner in enumerate(scenario.partners)}
    if not ids:
        raise InputError("partners", N_("at least one candidate partner is needed"), file)
    if not scenario.work_packages:
        raise InputError("work_packages", N_("at least one work package is needed"), file)
    for index, wp in enumerate(scenario.work_packages):
        for j, name in enumerate(wp.allowed or []):
            if name not in ids:
                raise InputError(f"work_packages[{index}].allowed[{j}]", _unknown(name, ids), file)
        if wp.allowed is not None and not wp.allowed:
            raise InputError(
                f"work_packages[{index}].allowed", N_("must name at least one partner"), file
            )
    for index, cost in enumerate(scenario.costs):
        if cost.partner not in ids:
            raise InputError(f"costs[{index}].partner", _unknown(cost.partner, ids), file)
        if cost.category in NOT_FIXED:
            raise InputError(
                f"costs[{index}].category",
                N_("a hire is costed from a salary; give its cost as a personnel line"),
                file,
            )


def _unknown(name: str, ids: dict[str, int]) -> str:
    close = difflib.get_close_matches(name, list(ids), n=1)
    if close:
        return N_("unknown partner {name!r}; did you mean {close!r}?", name=name, close=close[0])
    return N_("unknown partner {name!r}; expected one of {ids}", name=name, ids=", ".join(ids))


# --- JSON Schema -----------------------------------------------------------------------------


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file."""
    return json_schema(Scenario, "Subsidia planning scenario", _SCENARIO_DEFS)


def render_json_schema() -> str:
    return json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(render_json_schema())
