"""One error model over HTTP: every problem a request can cause is a 4xx answer
`{"errors": [{"path": FIELD_PATH, "message": TEXT}]}` with the CLI's message; anything
else is a bug, logged server-side and answered with a bare 500 that says nothing more."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from dsl.errors import Lookup, localize
from policy.errors import InputError, SubsidiaError

if TYPE_CHECKING:
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse

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
        items = []
        for problem in err.errors():
            loc = [str(part) for part in problem.get("loc", ()) if part not in ("query", "body")]
            items.append((".".join(loc), str(problem.get("msg", "invalid"))))
        return errors(422, *items)

    @app.exception_handler(HTTPException)
    async def http(request: Request, err: HTTPException) -> JSONResponse:
        return errors(err.status_code, ("", str(err.detail)))

    @app.exception_handler(Exception)
    async def bug(request: Request, err: Exception) -> JSONResponse:
        log.exception("internal error on %s %s", request.method, request.url.path)
        return errors(500, ("", "internal error"))


def _lookup(request: Request) -> Lookup:
    from policy.output.formatting import formatter

    return formatter(language(request)).lookup


def _unknown_programme_path(err: InputError) -> str:
    return "programme" if err.message.startswith("unknown programme") else ""
