"""The catalogue as documents: `programmes --json`, `show --json` and `compare --json`,
and the tables the commands print from the same documents."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dsl import ir

META = ("agency", "regions", "instrument", "regime", "themes")


def _date(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def entry_json(prog: ir.Programme, lang: str) -> dict[str, Any]:
    """One programme's catalogue entry."""
    return {
        "id": prog.id,
        "label": prog.labels.get(lang, prog.id),
        **{key: list(prog.meta.get(key, ())) for key in META},
        "valid": {"from": _date(prog.valid.start), "until": _date(prog.valid.end)},
        "calls": [
            {"from": _date(c.period.start), "until": _date(c.period.end), "note": c.note}
            for c in prog.calls
        ],
        "sources": [
            {"name": s.name, "title": s.title, "url": s.url, "date": _date(s.date)}
            for s in prog.sources
        ],
    }


def catalogue_json(cat: ir.Catalogue, lang: str) -> dict[str, Any]:
    return {"programmes": [entry_json(p, lang) for p in cat.programmes.values()]}


def programme_json(cat: ir.Catalogue, pid: str, lang: str) -> dict[str, Any]:
    """`show --json`: the entry and the readable description `show` prints."""
    from policy.authoring.describe import programme_markdown

    return {**entry_json(cat.programmes[pid], lang), "text": programme_markdown(cat, pid, lang)}


def compare_json(cat: ir.Catalogue, ids: list[str], day: dt.date, lang: str) -> dict[str, Any]:
    """`compare --json`: one row per aspect, one cell per programme, as the table shows."""
    from policy.authoring.describe import comparison_rows

    return {
        "as_of": day.isoformat(),
        "programmes": ids,
        "rows": [
            {"label": label, "cells": cells}
            for label, cells in comparison_rows(cat, ids, day, lang)
        ],
    }


def catalogue_table(doc: dict[str, Any]) -> Any:
    from rich.table import Table

    out = Table(title="Programmes")
    out.add_column("id", no_wrap=True)
    for column in ("name", "agency", "regions", "regime", "valid"):
        out.add_column(column)
    for p in doc["programmes"]:
        valid = f"{p['valid']['from'] or ''}..{p['valid']['until'] or ''}"
        out.add_row(
            p["id"], p["label"], ", ".join(p["agency"]), ", ".join(p["regions"]),
            ", ".join(p["regime"]), valid,
        )  # fmt: skip
    return out


def compare_table(doc: dict[str, Any]) -> Any:
    from rich.table import Table

    out = Table(show_lines=True)
    out.add_column("")
    for pid in doc["programmes"]:
        out.add_column(pid)
    for row in doc["rows"]:
        out.add_row(row["label"], *row["cells"])
    return out
