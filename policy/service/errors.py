"""One error model over HTTP: every problem a request can cause is a 4xx answer
`{"errors": [{"path": FIELD_PATH, "message": TEXT}]}` with the CLI's message; anything
else is a bug, logged server-side and answered with a 500 that says nothing more. Every
message is in the request's language (`lang`, else Accept-Language), Starlette's 404 and
405 included."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dsl.errors import N_, Lookup, localize
from policy.errors import InputError, SubsidiaError

if TYPE_CHECKING:
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException

log = logging.getLogger("subsidia.service")


class BadRequest(SubsidiaError):
    """A body that is not JSON (or YAML) at all: 400."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message, path)
        self.message = message
        self.path = path


class NotFound(SubsidiaError):
    """No such resource (a programme id in the URL): 404."""


class TooLarge(SubsidiaError):
    """A body over the server's size limit: 413."""


def language(request: Request) -> str:
    """The language of an error's message: the request's `lang` (the query parameter, or
    the quiz body's field, which its route records on `request.state`), else the best of
    `Accept-Language`, else English. A bad `lang` value is itself answered in English."""
    from policy.output.formatting import LANGS

    chosen = request.query_params.get("lang") or getattr(request.state, "lang", None)
    if chosen in LANGS:
        return str(chosen)
    return accepted(request.headers.get("accept-language", ""), LANGS)


def accepted(header: str, langs: tuple[str, ...]) -> str:
    """The most preferred of `langs` in an Accept-Language header (`fr-BE,fr;q=0.9,en;q=0.5`),
    by quality, then order; English when none is acceptable."""
    ranked: list[tuple[float, int, str]] = []
    for order, item in enumerate(header.split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        primary = tag.strip().lower().split("-")[0]
        if primary in langs and quality > 0:
            ranked.append((-quality, order, primary))
    return min(ranked)[2] if ranked else "en"


def localized(request: Request, err: SubsidiaError) -> str:
    from policy.output.formatting import formatter

    return formatter(language(request)).error(err)


def errors(status: int, *items: tuple[str, str]) -> JSONResponse:
    from fastapi.responses import JSONResponse

    body = {"errors": [{"path": path, "message": message} for path, message in items]}
    return JSONResponse(body, status_code=status)


def install(app: FastAPI) -> None:
    """Register the handlers that give every error its status and the one body shape."""
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException

    @app.exception_handler(InputError)
    async def input_error(request: Request, err: InputError) -> JSONResponse:
        message = localize(err.message, _lookup(request))
        return errors(422, (err.path or _unknown_programme_path(err), message))

    @app.exception_handler(BadRequest)
    async def bad_request(request: Request, err: BadRequest) -> JSONResponse:
        return errors(400, (err.path, localize(err.message, _lookup(request))))

    @app.exception_handler(TooLarge)
    async def too_large(request: Request, err: TooLarge) -> JSONResponse:
        return errors(413, ("", localized(request, err)))

    @app.exception_handler(NotFound)
    async def not_found(request: Request, err: NotFound) -> JSONResponse:
        return errors(404, ("", localized(request, err)))

    @app.exception_handler(SubsidiaError)
    async def other(request: Request, err: SubsidiaError) -> JSONResponse:
        return errors(422, ("", localized(request, err)))

    @app.exception_handler(RequestValidationError)
    async def query(request: Request, err: RequestValidationError) -> JSONResponse:
        lookup = _lookup(request)
        items = []
        for problem in err.errors():
            loc = [str(part) for part in problem.get("loc", ()) if part not in ("query", "body")]
            items.append((".".join(loc), localize(validation_message(problem), lookup)))
        return errors(422, *items)

    @app.exception_handler(HTTPException)
    async def http(request: Request, err: HTTPException) -> JSONResponse:
        message = localize(http_message(request, err), _lookup(request))
        response = errors(err.status_code, ("", message))
        response.headers.update(err.headers or {})  # a 405's Allow
        return response

    @app.exception_handler(Exception)
    async def bug(request: Request, err: Exception) -> JSONResponse:
        log.exception("internal error on %s %s", request.method, request.url.path)
        message = N_("internal error: the request could not be answered (logged on the server)")
        return errors(500, ("", localize(message, _lookup(request))))


def http_message(request: Request, err: HTTPException) -> str:
    """Our sentence for the HTTP errors Starlette raises itself (an unknown address, a
    method the address does not take); another status keeps its detail (data)."""
    if err.status_code == 404:
        return N_("nothing at {path}", path=request.url.path)
    if err.status_code == 405:
        allowed = (err.headers or {}).get("Allow", "")
        return N_(
            "{method} is not allowed at {path}; allowed: {allowed}",
            method=request.method,
            path=request.url.path,
            allowed=allowed,
        )
    return str(err.detail)


# pydantic's error kinds (`type`) and our sentence for each: the same templates the input
# models use where one fits, so a wrong value reads the same in a query and in a profile.
_EXPECTED = {
    "int_parsing": N_("expected a whole number, got {got}"),
    "int_type": N_("expected a whole number, got {got}"),
    "int_from_float": N_("expected a whole number, got {got}"),
    "float_parsing": N_("expected a number, got {got}"),
    "float_type": N_("expected a number, got {got}"),
    "decimal_parsing": N_("expected a number, got {got}"),
    "decimal_type": N_("expected a number, got {got}"),
    "bool_parsing": N_("expected true or false, got {got}"),
    "bool_type": N_("expected true or false, got {got}"),
    "string_type": N_("expected text, got {got}"),
    "date_parsing": N_("expected a date (YYYY-MM-DD), got {got}"),
    "date_from_datetime_parsing": N_("expected a date (YYYY-MM-DD), got {got}"),
    "date_type": N_("expected a date (YYYY-MM-DD), got {got}"),
    "list_type": N_("expected a list, got {got}"),
    "dict_type": N_("expected a mapping of fields, got {got}"),
    "model_type": N_("expected a mapping of fields, got {got}"),
}
_BOUNDS = {
    "greater_than": ("gt", N_("must be greater than {minimum}")),
    "greater_than_equal": ("ge", N_("must be at least {minimum}")),
    "less_than": ("lt", N_("must be less than {maximum}")),
    "less_than_equal": ("le", N_("must be at most {maximum}")),
}
_QUOTED = re.compile(r"'([^']*)'")
_ALTERNATIVES = re.compile(r"\^\(([\w|-]+)\)\$")  # a pattern like ^(nl|fr|en)$


def validation_message(problem: Mapping[str, Any]) -> str:
    """One of pydantic's validation errors as our message (a `Message`, translated by the
    handler): a missing or unknown field, a wrong type, a value out of range, a value not
    among the allowed ones. A kind not listed keeps pydantic's English text (data)."""
    from policy.inputs.model import describe

    kind = str(problem.get("type", ""))
    ctx = problem.get("ctx") or {}
    if kind == "missing":
        return N_("required")
    if kind == "extra_forbidden":
        return N_("not a field of this request")
    if kind in _EXPECTED:
        return N_(_EXPECTED[kind].template, got=describe(problem.get("input")))
    if kind in _BOUNDS:
        key, template = _BOUNDS[kind]
        name = "minimum" if key in ("gt", "ge") else "maximum"
        bound = ctx.get(key)
        if isinstance(bound, float) and bound.is_integer():
            bound = int(bound)  # a float option's `gt=0` reads "greater than 0", not 0.0
        return N_(template.template, **{name: bound})
    if kind in ("enum", "literal_error"):
        # pydantic lists them in English ("'a', 'b' or 'c'"): only the values are kept.
        names = tuple(_QUOTED.findall(str(ctx.get("expected", ""))))
        if names:
            return N_("must be one of {names}", names=", ".join(names))
    if kind == "string_pattern_mismatch":
        found = _ALTERNATIVES.fullmatch(str(ctx.get("pattern", "")))
        if found:
            return N_("must be one of {names}", names=", ".join(found.group(1).split("|")))
        return N_("does not match the pattern {pattern}", pattern=str(ctx.get("pattern", "")))
    return str(problem.get("msg", "invalid"))


def _lookup(request: Request) -> Lookup:
    from policy.output.formatting import formatter

    return formatter(language(request)).lookup


def _unknown_programme_path(err: InputError) -> str:
    return "programme" if err.message.startswith("unknown programme") else ""
