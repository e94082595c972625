"""The web pages (docs/web.md): why / why-not and the budget, server-rendered with Jinja2
(autoescape on), through the facade `import policy` only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

import policy
from dsl.errors import N_
from policy.errors import InputError, SubsidiaError
from policy.output.formatting import formatter
from policy.web import exports, uploads
from policy.web.rendering import error as _error
from policy.web.rendering import lang as _lang
from policy.web.rendering import page as _page

router = APIRouter(include_in_schema=False)
# The three form fields every profile form sends: a file, an example name, or the
# profile a result page echoes back for its downloads.
Upload = Annotated[UploadFile | None, File()]
Field = Annotated[str, Form()]


async def _profile(file: UploadFile | None, example: str, profile: str) -> tuple[dict, str]:
    """The profile mapping and the name its messages cite."""
    if file is not None and file.filename:
        return uploads.parse(await file.read(), file.filename), file.filename
    if example:
        return uploads.example(example), f"{example}.yaml"
    if profile:
        return uploads.echoed(profile), "profile"
    raise InputError("profile", N_("upload a profile file or choose an example"))


@router.get("/programmes/{pid}/why", response_class=HTMLResponse)
async def why_form(request: Request, pid: str, example: str = "") -> HTMLResponse:
    """The form; with `?example=` the answer for that example, reachable by a link."""
    if example:
        return await why(request, pid, example=example)
    return _page(request, "why.html", pid=pid, report=None)


@router.post("/programmes/{pid}/why", response_class=HTMLResponse)
async def why(
    request: Request,
    pid: str,
    file: Upload = None,
    example: Field = "",
    profile: Field = "",
) -> HTMLResponse:
    name = None
    try:
        mapping, name = await _profile(file, example, profile)
        report = policy.explain(mapping, pid, lang=_lang(request))
    except SubsidiaError as err:
        return _error(request, err, name)
    return _page(
        request,
        "why.html",
        echo={"profile": uploads.to_json(mapping)},
        pid=pid,
        report=report.as_json(tree=True),
    )


@router.get("/budget", response_class=HTMLResponse)
async def budget_form(request: Request, example: str = "") -> HTMLResponse:
    """The form; with `?example=` the budget of that example, reachable by a link."""
    if example:
        return await budget(request, example=example)
    return _page(request, "budget.html", doc=None)


@router.post("/budget", response_class=HTMLResponse)
async def budget(
    request: Request,
    file: Upload = None,
    example: Field = "",
    profile: Field = "",
) -> HTMLResponse:
    name = None
    try:
        mapping, name = await _profile(file, example, profile)
        doc = policy.budget(mapping, lang=_lang(request)).as_json()
    except SubsidiaError as err:
        return _error(request, err, name)
    chart = exports.chart_svg(doc, formatter(_lang(request)).gettext("Payment schedule"))
    profile_json = uploads.to_json(mapping)
    return _page(
        request,
        "budget.html",
        echo={"profile": profile_json},
        doc=doc,
        chart=chart,
        profile=profile_json,
    )


async def _download(
    request: Request, file: UploadFile | None, example: str, profile: str
) -> dict | HTMLResponse:
    name = None
    try:
        mapping, name = await _profile(file, example, profile)
        return policy.budget(mapping, lang=_lang(request)).as_json()
    except SubsidiaError as err:
        return _error(request, err, name)


# The budget downloads: format → (writer, media type).
DOWNLOADS = {
    "csv": (exports.to_csv, "text/csv; charset=utf-8"),
    "xlsx": (
        exports.to_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}


def _download_route(fmt: str) -> None:
    write, media = DOWNLOADS[fmt]

    async def download(
        request: Request,
        file: Upload = None,
        example: Field = "",
        profile: Field = "",
    ) -> Response:
        doc = await _download(
            request, file, example or request.query_params.get("example", ""), profile
        )
        if isinstance(doc, HTMLResponse):
            return doc
        disposition = f'attachment; filename="budget.{fmt}"'
        return Response(write(doc), media_type=media, headers={"Content-Disposition": disposition})

    router.add_api_route(f"/budget.{fmt}", download, methods=["GET", "POST"], name=f"budget_{fmt}")


for _fmt in DOWNLOADS:
    _download_route(_fmt)
