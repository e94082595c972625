"""The web pages (docs/web.md): why / why-not and the budget, server-rendered with Jinja2
(autoescape on), through the facade `import policy` only."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

import policy
from policy.errors import InputError, SubsidiaError
from policy.output.formatting import LANGS, formatter
from policy.web import exports, uploads

if TYPE_CHECKING:
    import jinja2

router = APIRouter(include_in_schema=False)
TEMPLATES = Path(__file__).resolve().parent / "templates"
COOKIE = "lang"
# The three form fields every profile form sends: a file, an example name, or the
# profile a result page echoes back for its downloads.
Upload = Annotated[UploadFile | None, File()]
Field = Annotated[str, Form()]


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
    )


def _lang(request: Request) -> str:
    """`?lang=` first, then the cookie it set, then English."""
    for lang in (request.query_params.get("lang"), request.cookies.get(COOKIE)):
        if lang in LANGS:
            return lang
    return "en"


def _page(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    lang = _lang(request)
    html = (
        _env()
        .get_template(template)
        .render(
            _=formatter(lang).gettext,
            lang=lang,
            langs=LANGS,
            path=request.url.path,
            examples=uploads.examples(),
            **values,
        )
    )
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie(COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response


def _error(request: Request, err: SubsidiaError, name: str | None = None) -> HTMLResponse:
    """The 4xx page; an `InputError` about the profile names the uploaded file."""
    if isinstance(err, InputError) and name and not err.file:
        err = err.with_file(name)
    status = 422 if isinstance(err, InputError) else 400
    return _page(request, "error.html", status, message=str(err))


async def _profile(file: UploadFile | None, example: str, profile: str) -> tuple[dict, str]:
    """The profile mapping and the name its messages cite."""
    if file is not None and file.filename:
        return uploads.parse(await file.read(), file.filename), file.filename
    if example:
        return uploads.example(example), f"{example}.yaml"
    if profile:
        return uploads.echoed(profile), "profile"
    raise InputError("profile", "upload a profile file or choose an example")


@router.get("/programmes/{pid}/why", response_class=HTMLResponse)
def why_form(request: Request, pid: str) -> HTMLResponse:
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
    return _page(request, "why.html", pid=pid, report=report.as_json(tree=True))


@router.get("/budget", response_class=HTMLResponse)
def budget_form(request: Request) -> HTMLResponse:
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
    return _page(request, "budget.html", doc=doc, chart=chart, profile=uploads.to_json(mapping))


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
