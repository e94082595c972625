"""A plan's figures as an xlsx workbook and an SVG stacked bar chart, both from
`PlanReport.as_json()`, so the page, the JSON download and the workbook cannot disagree."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal

PARTNER_COLUMNS = [
    "partner", "included", "eligible", "region", "category", "rate", "cap", "costs", "grant",
    "co_financing", "funder", "programme",
]  # fmt: skip


def sheets(doc: dict) -> dict[str, list[list[str]]]:
    """Sheet name → rows (the first is the header). Money stays the exact decimal string of
    the JSON document; `true`/`false` and empty cells as the JSON has them."""

    def s(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, list):
            return "; ".join(str(v) for v in value)  # the programmes of a plan over several
        return str(value)

    summary = [
        ["field", "value"],
        *[[key, s(doc[key])] for key in ("programme", "as_of", "status", "proven_optimal")],
        ["total", s(doc["total"])],
    ]
    partners = [
        PARTNER_COLUMNS,
        *[[p["id"], *[s(p[key]) for key in PARTNER_COLUMNS[1:]]] for p in doc["partners"]],
    ]
    split = [
        ["work_package", "partner", "effort"],
        *[[a["work_package"], a["partner"], a["effort"]] for a in doc["allocation"]],
    ]
    alternatives = [["rank", "total", "partner", "grant"]]
    for rank, alt in enumerate(doc["alternatives"], 2):
        for partner, grant in alt["grants"].items():
            alternatives.append([str(rank), alt["total"], partner, grant])
    binding = [
        ["rule", "subject", "description", "marginal"],
        *[[b["rule"], b["subject"], b["description"], s(b["marginal"])] for b in doc["binding"]],
    ]
    marginal = [
        ["rule", "subject", "description", "value"],
        *[[b["rule"], b["subject"], b["description"], s(b["value"])] for b in doc["marginal"]],
    ]
    return {
        "plan": summary,
        "partners": partners,
        "split": split,
        "alternatives": alternatives,
        "binding": binding,
        "marginal": marginal,
    }


def to_xlsx(doc: dict) -> bytes:
    """Money cells hold the exact amount as text (a spreadsheet number is a float)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.worksheets[0])  # the one a new workbook has
    for name, rows in sheets(doc).items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def chart_svg(
    doc: dict, title: str, grant: str, cofinancing: str, tick: Callable[[int], str] = str
) -> str | None:
    """Each included partner's costs as one bar: its grant stacked under its co-financing.
    Floats are for drawing only; every figure shown as text comes from the document.
    `tick` writes an axis figure in the reader's notation (whole euros)."""
    partners = [p for p in doc["partners"] if p["included"]]
    if not partners:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    names = [p["id"] for p in partners]
    grants = [float(Decimal(p["grant"])) for p in partners]
    rest = [float(Decimal(p["co_financing"])) for p in partners]
    fig = Figure(figsize=(6.4, 0.9 + 0.55 * len(names)))
    ax = fig.subplots()
    ax.barh(names, grants, color="#4a7fb5", label=grant)
    ax.barh(names, rest, left=grants, color="#e0a458", label=cofinancing)
    ax.invert_yaxis()  # the first partner on top, as in the table
    ax.set_title(title)
    ax.set_xlabel("EUR")
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: tick(round(x))))
    ax.legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    svg = buf.getvalue()
    return svg[svg.index("<svg") :]  # drop the XML prolog and doctype for inline use
