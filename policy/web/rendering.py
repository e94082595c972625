"""Rendering a web page: the reader's language, the navigation and language switch every
page shows, and the formatting every template uses (Babel, per language). Every page
module renders through `page` and answers a bad input with `error`."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse

from policy.errors import InputError, SubsidiaError
from policy.output.formatting import LANGS, _, formatter
from policy.web import uploads

if TYPE_CHECKING:
    import jinja2

TEMPLATES = Path(__file__).resolve().parent / "templates"
COOKIE = "lang"

# Symbols of the catalogue and the profile format, as a reader of each language says them.
WORDS = {
    "brussels": _("Brussels"),
    "flanders": _("Flanders"),
    "wallonia": _("Wallonia"),
    "subsidy": _("Subsidy"),
    "recoverable_advance": _("Recoverable advance"),
    "loan": _("Loan"),
    "guarantee": _("Guarantee"),
    # A programme's themes (dsl/vocabulary.py THEMES).
    "research_development": _("Research and development"),
    "innovation": _("Innovation"),
    "cooperation": _("Cooperation"),
    "growth": _("Growth"),
    "hiring": _("Hiring"),
    "digitalisation": _("Digitalisation"),
    "sustainability": _("Sustainability"),
    "business_creation": _("Starting a business"),
    "business_transfer": _("Business transfer"),
    "gber": _("GBER (general block exemption)"),
    "de_minimis": _("de minimis"),
    "none": _("not state aid"),
    "advice": _("advice"),
    "hire": _("hire"),
    "personnel": _("personnel"),
    "subcontracting": _("subcontracting"),
    "equipment": _("equipment"),
    "travel": _("travel"),
    "overhead": _("overhead"),
    "training": _("training"),
    "investment": _("investment"),
    "other": _("other"),
    "micro": _("micro"),
    "small": _("small"),
    "medium": _("medium"),
    "large": _("large"),
    "eligible": _("eligible"),
    "ineligible": _("ineligible"),
    "unknown": _("unknown"),
    "met": _("met"),
    "failed": _("not met"),
    "optimal": _("optimal"),
    "feasible": _("feasible"),
    "infeasible": _("infeasible"),
}


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
    )


def lang(request: Request) -> str:
    """`?lang=` first, then the cookie it set, then English."""
    for value in (request.query_params.get("lang"), request.cookies.get(COOKIE)):
        if value in LANGS:
            return value
    return "en"


def switch_links(request: Request) -> dict[str, str]:
    """This page in each language: the same query (filters, chosen programmes, example)
    with another `lang`, so switching never loses what the reader chose."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return {other: f"{request.url.path}?{urlencode([*kept, ('lang', other)])}" for other in LANGS}


def formatting(lang: str) -> dict[str, Any]:
    """The template helpers of one language. Money arrives as the reports' exact decimal
    strings and is shown with Babel; `None` is shown as a dash."""
    f = formatter(lang)

    def money(value: str | None) -> str:
        return "—" if value is None or value == "" else f.money(Decimal(value))

    def amount(value: str | None) -> str:
        """A figure the rules do not round (a cap): every decimal it has, none for whole euros."""
        return "—" if value is None or value == "" else f.money_exact(Decimal(value))

    def percent(value: str | None) -> str:
        """A percentage given as a number of percent ("60" is 60 %)."""
        return "—" if value is None or value == "" else f.percent(Decimal(value) / 100)

    def number(value: str | None) -> str:
        return "—" if value is None or value == "" else f.number(Decimal(value))

    def word(symbol: str) -> str:
        return f.gettext(WORDS[symbol]) if symbol in WORDS else symbol

    def symbols(values: list[str]) -> str:
        return ", ".join(word(value) for value in values) or "—"

    return {
        "_": f.gettext,
        "money": money,
        "amount": amount,
        "percent": percent,
        "number": number,
        "word": word,
        "symbols": symbols,
        "words": f.words,
    }


def page(
    request: Request,
    template: str,
    status: int = 200,
    echo: dict[str, str] | None = None,
    **values: Any,
) -> HTMLResponse:
    """Render `template`. `echo`: the form fields a result page was computed from; its
    language switch posts them again, so a result is shown in another language rather
    than an empty form."""
    current = lang(request)
    html = (
        _env()
        .get_template(template)
        .render(
            **formatting(current),
            lang=current,
            langs=LANGS,
            path=request.url.path,
            switch=switch_links(request),
            echo=echo or {},
            examples=uploads.examples(),
            **values,
        )
    )
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie(COOKIE, current, max_age=365 * 86400, samesite="lax")
    return response


def error(request: Request, err: SubsidiaError, name: str | None = None) -> HTMLResponse:
    """The 4xx page; an `InputError` about an upload names the uploaded file."""
    if isinstance(err, InputError) and name and not err.file:
        err = err.with_file(name)
    status = 422 if isinstance(err, InputError) else 400
    return page(request, "error.html", status, message=formatter(lang(request)).error(err))
