"""The consortium planner page (docs/web.md): enter, paste, upload or pick a scenario, run
`policy.plan`, and see the consortium, the work split, each partner's grant and
co-financing as a stacked bar chart, what binds and what one more unit is worth, and the
next-best consortia; download the plan as JSON (the `plan --json` document) or xlsx.

Planning takes seconds, so a plan is kept (a few, by scenario) for the downloads and the
language switch that follow it; the page stays stateless otherwise: the result page posts
the scenario itself back, never an id of something kept on the server.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

import policy
from dsl.errors import N_
from policy.errors import InputError, SubsidiaError
from policy.inputs.scenario import parse_scenario
from policy.output import plan_report
from policy.output.formatting import Formatter, _, formatter
from policy.output.plan_report import proof_text
from policy.web import plan_exports, scenario_input
from policy.web.rendering import error, lang, page

if TYPE_CHECKING:
    from policy.planner.consortium import PlanResult

router = APIRouter(include_in_schema=False)
# Routes are `async def` like the API's (policy/service/routes.py): one request at a time per
# worker process, as the engine's memos are not shared between threads.

ALTERNATIVES = 2
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/plan", response_class=HTMLResponse)
async def plan_form(request: Request, example: str = "") -> HTMLResponse:
    """The forms; with `?example=` the plan of that bundled example, reachable by a link."""
    if not example:
        return _form_page(request)
    try:
        scenario = scenario_input.example(example)
        result = _plan(scenario, f"{example}.yaml", _limit(request))
    except SubsidiaError as err:
        return error(request, err)
    return _result_page(request, scenario, result, echo=None, example=example)


@router.post("/plan", response_class=HTMLResponse)
async def plan(request: Request) -> HTMLResponse:
    name = None
    try:
        scenario, name = await _scenario(request)
        result = _plan(scenario, name, _limit(request))
    except SubsidiaError as err:
        return error(request, err, name)
    echo = {"source": "echo", "scenario": scenario_input.to_json(scenario)}
    return _result_page(request, scenario, result, echo=echo, example="")


async def _download(request: Request) -> dict | HTMLResponse:
    name = None
    try:
        if request.method == "GET":
            scenario = scenario_input.example(request.query_params.get("example", ""))
            name = f"{request.query_params.get('example')}.yaml"
        else:
            scenario, name = await _scenario(request)
        return plan_report.plan_json(_plan(scenario, name, _limit(request)))
    except SubsidiaError as err:
        return error(request, err, name)


@router.api_route("/plan.json", methods=["GET", "POST"])
async def plan_json(request: Request) -> Response:
    """The `subsidia plan --json` document of the scenario."""
    doc = await _download(request)
    if isinstance(doc, HTMLResponse):
        return doc
    body = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    disposition = 'attachment; filename="plan.json"'
    return Response(
        body, media_type="application/json", headers={"Content-Disposition": disposition}
    )


@router.api_route("/plan.xlsx", methods=["GET", "POST"])
async def plan_xlsx(request: Request) -> Response:
    doc = await _download(request)
    if isinstance(doc, HTMLResponse):
        return doc
    disposition = 'attachment; filename="plan.xlsx"'
    return Response(
        plan_exports.to_xlsx(doc), media_type=XLSX, headers={"Content-Disposition": disposition}
    )


async def _scenario(request: Request) -> tuple[dict, str | None]:
    """The scenario a form sent and the name its messages cite. Each form says which of
    its inputs holds the scenario (`source`), so a form never guesses between them."""
    form = await request.form()
    source = str(form.get("source", ""))
    if source == "file":
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InputError("file", N_("choose a scenario file to upload"))
        return scenario_input.parse(await upload.read(), upload.filename), upload.filename
    if source == "text":
        text = str(form.get("scenario", ""))
        if not text.strip():
            raise InputError("scenario", N_("paste a scenario in YAML or JSON"))
        return scenario_input.parse(text.encode("utf-8"), "scenario"), "scenario"
    if source == "echo":
        return scenario_input.echoed(str(form.get("scenario", ""))), None
    if source == "form":
        single = {k: v for k, v in form.items() if isinstance(v, str)}
        lists = {k: [str(v) for v in form.getlist(k)] for k in form}
        return scenario_input.from_form(single, lists), None
    if source == "example":
        example = str(form.get("example", ""))
        return scenario_input.example(example), f"{example}.yaml"
    raise InputError("source", N_("send a scenario: the form, a pasted text, a file or an example"))


def _limit(request: Request) -> float:
    """A page's plan is bounded like the API's: by the server's maximum solve time."""
    return float(request.app.state.settings.max_plan_seconds)


def _plan(scenario: dict, name: str | None, time_limit: float) -> PlanResult:
    """Validate (messages name the upload), then plan; the same scenario is planned once."""
    parse_scenario(scenario, file=name, inline_only=True)
    return _planned(scenario_input.to_json(scenario), name, time_limit)


@lru_cache(maxsize=16)
def _planned(scenario_json: str, name: str | None, time_limit: float) -> PlanResult:
    loaded = parse_scenario(scenario_input.echoed(scenario_json), file=name, inline_only=True)
    return policy.plan(loaded, ALTERNATIVES, time_limit=time_limit).plan


def _form_page(request: Request) -> HTMLResponse:
    return page(
        request,
        "plan.html",
        doc=None,
        scenario_text="",
        scenario_examples=scenario_input.examples(),
        programmes=policy.programmes(lang(request)).as_json()["programmes"],
        example="",
    )


def _result_page(
    request: Request,
    scenario: dict,
    result: PlanResult,
    echo: dict[str, str] | None,
    example: str,
) -> HTMLResponse:
    current = lang(request)
    f = formatter(current)
    doc = plan_report.plan_json(
        result, f
    )  # the planner's notes and descriptions in the reader's language
    chart = plan_exports.chart_svg(
        doc,
        f.gettext("Grant and co-financing per partner"),
        f.gettext("Grant"),
        f.gettext("Co-financing"),
        tick=f.number,
    )
    return page(
        request,
        "plan.html",
        echo=echo,
        doc=doc,
        chart=chart,
        rules=binding_sentences(doc, scenario, f),
        proof=proof_text(doc, f),
        labels={p["id"]: p["label"] for p in policy.programmes(current).as_json()["programmes"]},
        scenario_json=scenario_input.to_json(scenario),
        scenario_text=scenario_input.to_json(scenario, indent=2),
        scenario_examples=scenario_input.examples(),
        programmes=policy.programmes(current).as_json()["programmes"],
        example=example,
    )


# --- what binds, in plain words --------------------------------------------------------------

# A rule about one partner or work package (`subject`): the sentence that says it binds.
SUBJECT_RULES = {
    "coverage": _("One more person-month of work in {subject}."),
    "capacity": _("{subject} works its full capacity of {capacity} person-months."),
    "grant_cap": _("The grant of {subject} is at its cap of {cap}."),
    "maximum_share": _("{subject} bears the largest share of the costs one firm may bear."),
    "minimum_effort_share": _("{subject} does exactly the scenario's minimum share of the effort."),
    "minimum_aid": _("The grant of {subject} is exactly the programme's minimum aid."),
}
# A consortium-wide rule: the sentence, with what relaxing it would add.
CONSORTIUM_RULES = {
    "max_partners": _("At most {count} partners: one more partner would add {value}."),
    "regions": _("The minimum number of regions: one region fewer would add {value}."),
    "maximum_share": _(
        "The largest share of the costs one firm may bear: without it the grants would be "
        "{value} higher."
    ),
    "minimum_effort_share": _(
        "Each partner's minimum share of the effort: without it the grants would be {value} higher."
    ),
    # Valued from the exact duals of the plan: the rate of change for this consortium.
    "maximum_share_point": _(
        "The largest share of the costs one firm may bear: at the margin, each percentage "
        "point more is worth {value} to this consortium's grants."
    ),
    "minimum_effort_share_point": _(
        "Each partner's minimum share of the effort: at the margin, each percentage point "
        "less is worth {value} to this consortium's grants."
    ),
}


def binding_sentences(doc: dict, scenario: dict, f: Formatter) -> list[dict[str, str]]:
    """Each binding rule and marginal value once, as a sentence in the reader's language
    and the value of one more unit (Babel-formatted); a rule the page has no sentence for
    keeps the planner's own description."""
    partners = {p["id"]: p for p in doc["partners"]}
    capacities = {
        p.get("id"): p.get("capacity") for p in scenario.get("partners", []) if isinstance(p, dict)
    }
    seen: set[tuple[str, str]] = set()
    out = []
    for entry in [*doc["binding"], *doc["marginal"]]:
        key = (entry["rule"], entry["subject"])
        if key in seen:
            continue
        seen.add(key)
        raw = entry.get("marginal", entry.get("value"))
        value = "" if raw is None else f.money(_decimal(raw))
        subject, rule = entry["subject"], entry["rule"]
        if subject and rule in SUBJECT_RULES:
            cap = partners.get(subject, {}).get("cap")
            text = f.gettext(
                SUBJECT_RULES[rule],
                subject=subject,
                capacity=f.number(_decimal(capacities.get(subject) or 0)),
                cap=f.money(_decimal(cap)) if cap else "—",
            )
        elif not subject and rule in CONSORTIUM_RULES and value:
            count = scenario.get("max_partners", "")
            text = f.gettext(CONSORTIUM_RULES[rule], count=count, value=value)
        else:
            text = entry["description"]
        out.append({"rule": rule, "text": text, "value": value})
    return out


def _decimal(value: object) -> Decimal:
    return Decimal(str(value))
