"""The quiz page (`/`): one question at a time, the live ranking beside it, and at the end
the ranked programmes with their deciding conditions, sources, call windows and a link
to each why / why-not page.

The page is a plain HTML form and works without JavaScript: the answers so far travel
in a hidden field as JSON (nothing is kept on the server), each submit adds one answer
(or "don't know", or takes the last one back) and renders the next step of
`policy.quiz`, the function `POST /api/v1/quiz/next` answers with.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

import policy
from dsl.errors import N_
from policy.errors import InputError, SubsidiaError
from policy.inputs.questions import askable
from policy.output.check_report import call_text
from policy.output.formatting import formatter
from policy.web.pages import _lang, _page

router = APIRouter(include_in_schema=False)
# Rows a list question shows before any "add a row" (the script adds more).
LIST_ROWS = 3


@router.get("/", response_class=HTMLResponse)
async def quiz_start(request: Request) -> HTMLResponse:
    return _step(request, {}, [])


@router.post("/", response_class=HTMLResponse)
async def quiz_answer(
    request: Request,
    answers: Annotated[str, Form()] = "{}",
    field: Annotated[str, Form()] = "",
    fields: Annotated[str, Form()] = "",
    sizes: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "next",
) -> HTMLResponse:
    try:
        given = _answers(answers)
    except InputError as err:
        return _page(request, "error.html", 422, message=formatter(_lang(request)).error(err))
    counts = _sizes(sizes, given)
    if action == "back":
        if counts:
            for _ in range(counts.pop()):
                given.popitem()
        return _step(request, given, counts)
    # A question asks one field (`field`, `value`) or a group of them (`fields`, one
    # `value-<path>` each: an empty one is "I don't know").
    paths = [p for p in fields.split(",") if p] if fields else [field]
    if not all(p in askable() and p not in given for p in paths):
        return _step(request, given, counts)  # a stale form: show where the answers stand
    if action == "unknown":
        given.update(dict.fromkeys(paths))
        return _step(request, given, [*counts, len(paths)])
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        if fields:
            for path in paths:
                raw = form.get(f"value-{path}", "").strip()
                given[path] = read_answer(path, {"value": raw}) if raw else None
        else:
            given[field] = read_answer(field, form)
    except InputError as err:
        kept = {k: v for k, v in given.items() if k not in paths}
        return _step(request, kept, counts, err, 422)
    return _step(request, given, [*counts, len(paths)])


def _answers(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        raise InputError("answers", N_("not the quiz's answers (JSON)")) from None
    if not isinstance(value, dict):
        raise InputError("answers", N_("not the quiz's answers (a mapping)"))
    return value


def _sizes(text: str, answers: dict[str, Any]) -> list[int]:
    """How many fields each question answered, in order (for "Back" and the question's
    number); a missing or inconsistent list counts one field a question."""
    try:
        value = json.loads(text or "[]")
    except ValueError:
        value = None
    if (
        isinstance(value, list)
        and all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in value)
        and sum(value) == len(answers)
    ):
        return value
    return [1] * len(answers)


def _step(
    request: Request,
    answers: dict[str, Any],
    sizes: list[int],
    problem: SubsidiaError | None = None,
    status: int = 200,
) -> HTMLResponse:
    lang = _lang(request)
    try:
        report = policy.quiz(answers, lang=lang)
    except InputError as err:
        # An answer the profile format refuses (found only with the others, such as cost
        # dates without a project start): take the last question back and say why.
        if not answers:
            return _page(request, "error.html", 422, message=formatter(_lang(request)).error(err))
        answers, sizes = dict(answers), list(sizes)
        for _ in range(sizes.pop() if sizes else 1):
            answers.popitem()
        return _step(request, answers, sizes, err, 422)
    f = formatter(lang)
    results = report.as_json()["results"]
    checked = {r.programme: r for r in report.check.results}
    for row in results:
        row["sources"] = _sources(checked[row["programme"]])
        row["call_text"] = call_text(checked[row["programme"]], f)
    return _page(
        request,
        "quiz.html",
        status,
        question=report.question,
        results=results,
        asked=len(sizes),
        answers=json.dumps(answers, default=str),
        sizes=json.dumps(sizes),
        profile=json.dumps(report.profile, default=str, sort_keys=True),
        problem=f.error(problem) if problem else None,
        rows=LIST_ROWS,
    )


def _sources(result: Any) -> list[dict[str, str]]:
    """The deciding conditions' sources, each once."""
    seen: dict[str, dict[str, str]] = {}
    for reason in result.reasons:
        for src in reason.sources:
            seen.setdefault(src.name, {"name": src.title or src.name, "url": src.url or ""})
    return list(seen.values())


def read_answer(field: str, form: dict[str, str]) -> object:
    """The answer a question's form fields give, in the profile format (the quiz reads it
    as the same field of a profile file, so a bad value gets the profile's message)."""
    kind = askable()[field].kind
    if kind == "list":
        return _rows(form)
    value = form.get("value", "").strip()
    if kind == "codes":
        return [code.strip() for code in value.replace(";", ",").split(",") if code.strip()]
    if kind == "boolean":
        if value not in ("true", "false"):
            raise InputError(field, N_("choose yes or no (or don't know)"))
        return value == "true"
    if not value:
        raise InputError(field, N_("give an answer, or choose don't know"))
    return value


def _rows(form: dict[str, str]) -> list[dict[str, str]]:
    """List rows from `row-<i>-<name>` fields; a row left empty is no row, and no row at
    all answers "none"."""
    rows: dict[int, dict[str, str]] = {}
    for key, value in form.items():
        parts = key.split("-", 2)
        if len(parts) == 3 and parts[0] == "row" and parts[1].isdigit() and value.strip():
            rows.setdefault(int(parts[1]), {})[parts[2]] = value.strip()
    return [rows[i] for i in sorted(rows)]
