"""Turning what the planner page sends into a scenario mapping with every partner profile
inline: an uploaded or pasted YAML/JSON scenario, the rows of the scenario form, the
scenario a result page echoes back, or a bundled example.

A scenario from the page is held to what `POST /api/v1/plan` accepts (profiles inline, no
paths), so a request can never make the server read one of its own files. Only the bundled
examples, which live in the source checkout, have their profile paths resolved here, and
only to files inside the examples folder. Numbers are read exactly (Decimal), never floats.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from dsl.errors import N_
from policy.errors import InputError
from policy.inputs.loading import decode_text, parse_text, read_profile_data

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SCENARIOS = EXAMPLES / "scenarios"
MAX_BYTES = 1_000_000


def examples() -> list[str]:
    """The bundled example scenarios (none in an installed wheel: upload only)."""
    return sorted(p.stem for p in SCENARIOS.glob("*.yaml")) if SCENARIOS.is_dir() else []


def example(name: str) -> dict:
    """A bundled example with its partner profiles read into it."""
    if name not in examples():
        raise InputError("example", N_("unknown example scenario '{name}'", name=name))
    path = SCENARIOS / f"{name}.yaml"
    data = read_profile_data(path)
    if not isinstance(data, dict):
        raise InputError("", N_("the top level must be a mapping"), path.name)
    partners = data.get("partners")
    for index, partner in enumerate(partners if isinstance(partners, list) else []):
        ref = partner.get("profile") if isinstance(partner, dict) else None
        if isinstance(ref, str):
            target = (path.parent / ref).resolve()
            if not target.is_relative_to(EXAMPLES.resolve()) or not target.is_file():
                raise InputError(
                    f"partners[{index}].profile", N_("no such example profile: {ref}", ref=ref)
                )
            partner["profile"] = read_profile_data(target)
    return data


def parse(data: bytes, name: str) -> dict:
    """An uploaded or pasted scenario, YAML or JSON (by its name or first character)."""
    if len(data) > MAX_BYTES:
        raise InputError(
            "", N_("the scenario is larger than {MAX_BYTES} bytes", MAX_BYTES=MAX_BYTES), name
        )
    text = decode_text(data, name)
    as_json = name.endswith(".json") or text.lstrip().startswith("{")
    value = parse_text(text, name, as_json=as_json)
    if not isinstance(value, dict):
        raise InputError(
            "", N_("a scenario is a mapping with programme:, partners: and more"), name
        )
    return value


def echoed(text: str) -> dict:
    """The scenario a result page sent back (JSON in a hidden field)."""
    value = parse_text(text, "scenario", as_json=True)
    if not isinstance(value, dict):
        raise InputError("scenario", N_("a scenario is a mapping"))
    return value


def to_json(scenario: Mapping, indent: int | None = None) -> str:
    """The scenario as JSON text; exact numbers become decimal strings (which the scenario
    format reads back exactly), dates ISO strings."""
    return json.dumps(scenario, default=str, sort_keys=indent is None, indent=indent)


# --- the scenario form -----------------------------------------------------------------------

# Partner row fields: form name → where it goes in the partner (profile.company.* or the
# partner itself). The company id is the partner id: the form asks for one name only.
PARTNER_FIELDS = {
    "partner_id": "id",
    "partner_region": "company.region",
    "partner_staff": "company.staff",
    "partner_turnover": "company.turnover",
    "partner_balance_sheet": "company.balance_sheet",
    "partner_monthly_cost": "monthly_cost",
    "partner_capacity": "capacity",
    "partner_required": "required",
}
WP_FIELDS = {"wp_id": "id", "wp_effort": "effort", "wp_allowed": "allowed"}
PROJECT_FIELDS = ("start", "duration_months", "research_category")


def from_form(form: Mapping[str, str], lists: Mapping[str, list[str]]) -> dict:
    """A scenario from the form's fields (`form`: single fields, `lists`: the row columns).
    Blank fields are left out, so a missing one gets the model's "required" message with its
    path (`partners[1].capacity`); wholly blank rows are skipped."""
    scenario: dict = {}
    for key in ("programme", "as_of", "max_partners", "minimum_effort_share"):
        if form.get(key, "").strip():
            scenario[key] = form[key].strip()
    chosen = [p.strip() for p in lists.get("programme", []) if p.strip()]
    if len(chosen) > 1:
        scenario["programme"] = chosen  # a plan over several programmes
    project = {k: form[f"project_{k}"].strip() for k in PROJECT_FIELDS if form.get(f"project_{k}")}
    scenario["project"] = {k: v for k, v in project.items() if v}
    scenario["partners"] = [_partner(row) for row in _rows(lists, PARTNER_FIELDS)]
    scenario["work_packages"] = [_work_package(row) for row in _rows(lists, WP_FIELDS)]
    return scenario


def _rows(lists: Mapping[str, list[str]], fields: Mapping[str, str]) -> list[dict[str, str]]:
    length = max((len(lists.get(name, [])) for name in fields), default=0)
    rows = []
    for i in range(length):
        row = {}
        for name, target in fields.items():
            column = lists.get(name, [])
            value = column[i].strip() if i < len(column) else ""
            if value:
                row[target] = value
        # A row with only its defaults (required: no) is an empty row the form offered.
        if any(target != "required" for target in row):
            rows.append(row)
    return rows


def _partner(row: dict[str, str]) -> dict:
    partner: dict = {}
    company: dict = {}
    for target, value in row.items():
        if target.startswith("company."):
            company[target.removeprefix("company.")] = value
        elif target == "required":
            partner["required"] = value == "yes"
        else:
            partner[target] = value
    if "id" in partner:
        company["id"] = partner["id"]
    partner["profile"] = {"company": company}
    return partner


def _work_package(row: dict[str, str]) -> dict:
    wp: dict = {k: v for k, v in row.items() if k != "allowed"}
    if "allowed" in row:
        wp["allowed"] = [name.strip() for name in row["allowed"].split(",") if name.strip()]
    return wp
