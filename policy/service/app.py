"""The ASGI application: the JSON API and the web pages in one process.

Why FastAPI (docs/architecture.md, "The service"): it generates the OpenAPI document and
the interactive docs the issue asks for, runs on uvicorn, and its `Request`-level access
lets the bodies go through the one model system (policy/inputs/model.py) so that the API
and the CLI give the same messages for the same bad input.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from policy.service.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service for `settings` (default: the bundled rules, default limits). The rule
    catalogue is loaded (and checked) before the first request is accepted."""
    from fastapi import FastAPI

    from policy import engine

    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine.catalogue(settings.rules)
        app.state.ready = True
        yield

    from importlib.metadata import version

    app = FastAPI(
        title="Subsidia",
        version=version("subsidia"),
        summary="Eligibility, amounts and reasons for Belgian public-funding programmes.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.ready = False

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    from policy.service import errors
    from policy.service.routes import router as api
    from policy.web.catalogue_pages import router as catalogue_pages
    from policy.web.pages import router as pages
    from policy.web.planner_page import router as planner_page
    from policy.web.quiz_page import router as quiz_page

    app.include_router(api)
    app.include_router(quiz_page)
    app.include_router(pages)
    app.include_router(catalogue_pages)
    app.include_router(planner_page)
    errors.install(app)
    from policy.service.logs import AccessLog

    app.add_middleware(AccessLog, fmt=settings.log_format)
    # mypy, ignored below: FastAPI's documented way to extend the OpenAPI document
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict:
    """FastAPI's document, with the input models' JSON Schemas as components."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        from policy.service.schemas import components

        doc = get_openapi(
            title=app.title, version=app.version, summary=app.summary, routes=app.routes
        )
        doc.setdefault("components", {}).setdefault("schemas", {}).update(components())
        app.openapi_schema = doc
    return app.openapi_schema


def app_from_env() -> FastAPI:
    """The factory uvicorn's workers call (`subsidia serve --workers N`)."""
    return create_app(Settings.from_env())
