"""The catalogue pages (docs/web.md): the programmes with filters, and a side-by-side
comparison of the ones the reader picks, through the facade `import policy` only.

Both are plain GET pages: the filters and the chosen programmes are in the address, so a
result can be bookmarked, shared, and shown in another language with the same choice.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

import policy
from dsl.errors import N_
from policy.errors import InputError
from policy.output.formatting import Formatter, _, formatter
from policy.web.rendering import error, formatting, lang, page

router = APIRouter(include_in_schema=False)
# Routes are `async def` like the API's (policy/service/routes.py): one request at a time per
# worker process, as the engine's memos are not shared between threads.

# Filter name (the query parameter) → the catalogue entry's list it matches.
FILTERS = {"region": "regions", "instrument": "instrument", "theme": "themes"}

# The rows `policy.compare` gives, by their label, as the page says them.
COMPARE_ROWS = {
    "name": _("Name"),
    "agency": _("Agency"),
    "regions": _("Regions"),
    "instrument": _("Instrument"),
    "regime": _("Aid regime"),
    "valid": _("Valid"),
    "eligible costs": _("Eligible costs"),
    "conditions": _("Conditions"),
}
# Rows whose cells are catalogue symbols (`flanders, wallonia`), shown as words.
SYMBOL_ROWS = ("regions", "instrument", "regime", "eligible costs")


@router.get("/programmes", response_class=HTMLResponse)
async def programmes(
    request: Request, region: str = "", instrument: str = "", theme: str = ""
) -> HTMLResponse:
    entries = policy.programmes(lang(request)).as_json()["programmes"]
    options = {
        name: sorted({value for entry in entries for value in entry[key]})
        for name, key in FILTERS.items()
    }
    chosen = {"region": region, "instrument": instrument, "theme": theme}
    for name, value in chosen.items():
        if value and value not in options[name]:
            expected = ", ".join(options[name]) or "none in the catalogue"
            return error(
                request,
                InputError(
                    name,
                    N_(
                        "unknown {name} '{value}'; expected {expected}",
                        name=name,
                        value=value,
                        expected=expected,
                    ),
                ),
            )
    shown = [
        entry
        for entry in entries
        if all(not value or value in entry[FILTERS[name]] for name, value in chosen.items())
    ]
    return page(
        request,
        "programmes.html",
        entries=shown,
        total=len(entries),
        options=options,
        chosen=chosen,
        validity=_validity,
    )


@router.get("/compare", response_class=HTMLResponse)
async def compare(
    request: Request, ids: Annotated[list[str] | None, Query(alias="id")] = None
) -> HTMLResponse:
    """The chosen programmes side by side; without any, a picker of the catalogue."""
    current = lang(request)
    catalogue = policy.programmes(current).as_json()["programmes"]
    wanted = list(dict.fromkeys(ids or []))  # a programme picked twice is shown once
    if not wanted:
        return page(request, "compare.html", doc=None, catalogue=catalogue, wanted=[])
    try:
        doc = policy.compare(wanted, lang=current).as_json()
    except InputError as err:
        return error(request, InputError("id", err.message))
    f = formatter(current)
    by_id = {entry["id"]: entry for entry in catalogue}
    rows = []
    for row in doc["rows"]:
        label, cells = row["label"], row["cells"]
        if label == "valid":  # the catalogue's dates, in the reader's notation
            cells = [_validity(by_id[pid], current) for pid in wanted]
        elif label in SYMBOL_ROWS:
            cells = [_symbols(cell, current) for cell in cells]
        rows.append({"label": _row_label(label, f), "cells": cells})
    return page(
        request,
        "compare.html",
        doc=doc,
        rows=rows,
        catalogue=catalogue,
        wanted=wanted,
        labels={pid: by_id[pid]["label"] for pid in wanted},
    )


def _row_label(label: str, f: Formatter) -> str:
    if label in COMPARE_ROWS:
        return f.gettext(COMPARE_ROWS[label])
    # "rates on 2026-03-01": the row's date is the day the comparison reads the rules at.
    for prefix, message in (
        ("rates on ", _("Rates on {date}")),
        ("caps and minimums on ", _("Caps and minimums on {date}")),
        ("sectors (NACE) on ", _("Sectors (NACE codes) on {date}")),
    ):
        if label.startswith(prefix):
            day = dt.date.fromisoformat(label.removeprefix(prefix))
            return f.gettext(message, date=f.date(day))
    return label


def _symbols(cell: str, current: str) -> str:
    return formatting(current)["symbols"](cell.split(", ")) if cell != "—" else cell


def _validity(entry: dict, current: str) -> str:
    """ "from 1 July 2014", "from … until …" in the reader's language."""
    f = formatter(current)
    start, end = entry["valid"]["from"], entry["valid"]["until"]
    since = f.date(dt.date.fromisoformat(start)) if start else None
    until = f.date(dt.date.fromisoformat(end)) if end else None
    if since and until:
        return f.gettext("from {start} until {end}", start=since, end=until)
    if since:
        return f.gettext("from {start}", start=since)
    if until:
        return f.gettext("until {end}", end=until)
    return "—"
