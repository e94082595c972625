"""The budget's figures as CSV, xlsx and an SVG cash-flow chart, all from
`BudgetReport.as_json()`, so the downloads and the page cannot disagree."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

HEADER = ["section", "item", "stated", "eligible", "amount", "cumulative"]


def rows(doc: dict) -> list[list[str]]:
    """One row per figure; money stays the exact decimal string of the JSON document."""

    def s(value: object) -> str:
        return "" if value is None else str(value)

    out = [
        ["category", c["category"], s(c["stated"]), s(c["eligible"]), "", ""]
        for c in doc["categories"]
    ]
    out.append(["total", "eligible_total", "", s(doc["eligible_total"]), "", ""])
    out.append(["total", "grant", "", "", s(doc["grant"]), ""])
    out.append(["total", "cofinancing", "", "", s(doc["cofinancing"]), ""])
    out += [
        ["tranche", t["tranche"], "", "", s(t["amount"]), s(t["cumulative"])]
        for t in doc["tranches"]
    ]
    return out


def to_csv(doc: dict) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows(doc))
    return buf.getvalue()


def to_xlsx(doc: dict) -> bytes:
    """Money cells hold the exact amount as text (a spreadsheet number is a float)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.worksheets[0]  # the one a new workbook has
    sheet.title = "budget"
    sheet.append(HEADER)
    for row in rows(doc):
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def chart_svg(doc: dict, title: str) -> str | None:
    """Tranche payments as bars and the cumulative grant as a line, inline SVG. Floats
    are used for drawing only; every figure shown as text comes from the document."""
    tranches = [t for t in doc["tranches"] if t["amount"] is not None]
    if not tranches:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 3))
    ax = fig.subplots()
    names = [t["tranche"] for t in tranches]
    ax.bar(names, [float(Decimal(t["amount"])) for t in tranches], color="#4a7fb5")
    ax.plot(names, [float(Decimal(t["cumulative"])) for t in tranches], "o-", color="#d1495b")
    ax.set_title(title)
    ax.set_ylabel("EUR")
    fig.tight_layout()
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    svg = buf.getvalue()
    return svg[svg.index("<svg") :]  # drop the XML prolog and doctype for inline use
