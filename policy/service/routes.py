"""The JSON API under /api/v1 (docs/service.md): each answer is the document the matching
`subsidia … --json` command prints, computed by the same facade call.

Bodies are read by the same functions as files (policy/inputs/loading.py), so a bad field
gets the CLI's message: the handlers in policy/service/errors.py turn an `InputError` into
422 `{"errors": [{"path", "message"}]}`. Endpoints are `async def` on purpose: the engine
is CPU-bound and its per-catalogue memos are not meant to be shared between threads, so
requests are answered one at a time per worker process (`subsidia serve --workers N`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

import policy
from dsl.errors import N_
from dsl.vocabulary import LANGS
from policy.errors import InputError
from policy.service.errors import BadRequest, NotFound, TooLarge
from policy.service.schemas import PROFILE_BODY, QUIZ_BODY, SCENARIO_BODY, answer, quiz_answer

router = APIRouter(prefix="/api/v1", tags=["api"])


AsOf = Annotated[
    str | None, Query(description="Date the rules are read at, YYYY-MM-DD (default: today).")
]
Lang = Annotated[
    str, Query(description="Language of labels: nl, fr or en.", pattern="^(nl|fr|en)$")
]
Programmes = Annotated[
    list[str] | None, Query(alias="programme", description="Programme id (repeatable).")
]


def document(content: Any) -> Response:
    """A command's JSON document, serialised once by orjson. Returning the dict instead
    makes FastAPI walk it with `jsonable_encoder` and serialise it again. The documents
    hold only JSON types (money is exact decimal text), so nothing is converted on the
    way (docs/performance.md, "Warm latency")."""
    body = orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)
    return Response(content=body, media_type="application/json")


def day(as_of: str | None) -> dt.date:
    """`as_of` by the same rule as `--as-of` and profile dates (dsl/dates.py)."""
    from dsl.dates import DateProblem, parse_date

    if as_of is None:
        return dt.date.today()
    try:
        return parse_date(as_of)
    except DateProblem as err:
        raise InputError("as_of", err.message) from None


def language(lang: str) -> str:
    if lang not in LANGS:
        raise InputError(
            "lang", N_("'{lang}' is not one of {names}", lang=lang, names=", ".join(LANGS))
        )
    return lang


async def body_data(request: Request) -> object:
    """The request body parsed as JSON, or as YAML when it says `Content-Type: …yaml`;
    numbers exactly (Decimal), as the profile files are read."""
    from policy.inputs.loading import decode_text, parse_text

    limit = request.app.state.settings.max_body_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(N_("the body is larger than {limit} bytes", limit=limit))
    raw = b""
    async for chunk in request.stream():  # a body without a length is counted as it comes
        raw += chunk
        if len(raw) > limit:
            raise TooLarge(N_("the body is larger than {limit} bytes", limit=limit))
    try:
        text = decode_text(raw, None)
    except InputError as err:
        raise BadRequest(err.message, err.path) from None
    yaml = "yaml" in request.headers.get("content-type", "")
    try:
        return parse_text(text, None, as_json=not yaml)
    except InputError as err:
        # Not JSON (or YAML) at all: 400, the position as the path.
        raise BadRequest(err.message, err.path) from None


@router.post("/check", openapi_extra=PROFILE_BODY, responses=answer("check --json"))
async def check(
    request: Request, as_of: AsOf = None, lang: Lang = "en", programme: Programmes = None
) -> Any:
    """Which programmes a company can get, for how much, and why (not): `subsidia check --json`."""
    when, lang = day(as_of), language(lang)
    profile = policy.load_profile(_mapping(await body_data(request)))
    return document(policy.check(profile, when, programme, lang).as_json())


@router.post("/explain", openapi_extra=PROFILE_BODY, responses=answer("explain --json --tree"))
async def explain(
    request: Request,
    programme: Annotated[str, Query(description="Programme id.")],
    as_of: AsOf = None,
    lang: Lang = "en",
    tree: bool = False,
) -> Any:
    """One programme's decision, its counterfactuals and (with `tree`) the proof tree:
    `subsidia explain --json [--tree]`."""
    when, lang = day(as_of), language(lang)
    profile = policy.load_profile(_mapping(await body_data(request)))
    return document(policy.explain(profile, programme, when, lang).as_json(tree=tree))


@router.post("/budget", openapi_extra=PROFILE_BODY, responses=answer("budget --json"))
async def budget(
    request: Request,
    programme: Annotated[str | None, Query(description="Programme id.")] = None,
    as_of: AsOf = None,
    lang: Lang = "en",
) -> Any:
    """The budget template of the profile's project: `subsidia budget --json`."""
    when, lang = day(as_of), language(lang)
    profile = policy.load_profile(_mapping(await body_data(request)))
    return document(policy.budget(profile, programme, when, lang).as_json())


@router.post("/plan", openapi_extra=SCENARIO_BODY, responses=answer("plan --json"))
async def plan(
    request: Request,
    alternatives: Annotated[int, Query(ge=0, le=10)] = 2,
    time_limit: Annotated[
        float | None,
        Query(
            gt=0,
            description="Seconds the search may take (default and maximum: the server's "
            "`--max-plan-seconds`, 30 unless set); then the best plan found, with its gap.",
        ),
    ] = None,
) -> Any:
    """The consortium and work split that maximise the funding: `subsidia plan --json
    --time-limit S`. Partner profiles are given inline."""
    from policy.inputs.scenario import parse_scenario

    most = request.app.state.settings.max_plan_seconds
    if time_limit is not None and time_limit > most:
        raise InputError("time_limit", N_("at most {most:g} seconds on this server", most=most))
    data = await body_data(request)
    scenario = parse_scenario(data, inline_only=True)
    return document(policy.plan(scenario, alternatives, time_limit=time_limit or most).as_json())


@router.get("/programmes", responses=answer("programmes --json"))
async def programmes(lang: Lang = "en") -> Any:
    """The programme catalogue: `subsidia programmes --json`."""
    return document(policy.programmes(language(lang)).as_json())


@router.get("/programmes/{programme}", responses=answer("show PROGRAMME --json"))
async def programme(programme: str, lang: Lang = "en") -> Any:
    """One programme, with its readable description: `subsidia show PROGRAMME --json`."""
    lang = language(lang)
    try:
        return document(policy.programme(programme, lang).as_json())
    except InputError as err:
        raise NotFound(err.message) from None


@router.get("/compare", responses=answer("compare A B --json"))
async def compare(
    ids: Annotated[list[str], Query(alias="id", description="Programme id (repeat, 1 or more).")],
    as_of: AsOf = None,
    lang: Lang = "en",
) -> Any:
    """Rates, caps, eligible costs and conditions side by side: `subsidia compare --json`."""
    when, lang = day(as_of), language(lang)
    try:
        return document(policy.compare(ids, when, lang).as_json())
    except InputError as err:
        raise InputError("id", err.message) from None


@router.post("/quiz/next", openapi_extra=QUIZ_BODY, responses=quiz_answer())
async def quiz_next(request: Request) -> Any:
    """The adaptive quiz: the next question for the answers so far (None when no
    unanswered field can change a programme's status), the ranking of the answers so
    far as in `check --json`, and how many questions were answered (docs/service.md)."""
    data = await body_data(request)
    if not isinstance(data, dict):
        raise InputError("", N_("expected a mapping with 'answers'"))
    if data.get("lang") in LANGS:
        # Errors about the rest of the body are then answered in that language.
        request.state.lang = data["lang"]
    unknown = sorted(set(data) - {"answers", "as_of", "lang"}, key=str)
    if unknown:
        raise InputError(str(unknown[0]), N_("unknown field; expected answers, as_of, lang"))
    if "answers" not in data:
        raise InputError("answers", N_("required"))
    when = day(_text(data, "as_of")) if data.get("as_of") is not None else day(None)
    lang = language(_text(data, "lang") or "en")
    return document(policy.quiz(data["answers"], when, lang).as_json())


def _text(data: dict, key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise InputError(key, N_("expected text"))
    return value


def _mapping(data: object) -> dict:
    from policy.inputs.loading import parse_profile

    if not isinstance(data, dict):
        parse_profile(data)  # raises the CLI's message for an empty or non-mapping profile
    assert isinstance(data, dict)
    return data
