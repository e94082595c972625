"""Check reports as JSON-ready dicts and as text tables."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from dsl import ir
from policy.engine import CheckReport, ProgrammeResult, exact_decimal
from policy.output.formatting import Formatter, _, formatter

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

_STATUS_ORDER = {"eligible": 0, "unknown": 1, "ineligible": 2}
_STYLE = {"eligible": "green", "ineligible": "red", "unknown": "yellow"}
_MARK = {"met": "✓", "failed": "✗", "unknown": "?"}


def ranked(results: list[ProgrammeResult]) -> list[ProgrammeResult]:
    """Eligible first, then unknown, then ineligible; larger amounts first within each."""
    return sorted(
        results,
        key=lambda r: (_STATUS_ORDER[r.status], -(r.amount or Decimal(0)), r.programme),
    )


def _figure(value: Fraction | None) -> str | None:
    return None if value is None else exact_decimal(value)


def _source(src: ir.Source) -> dict[str, str | None]:
    return {
        "name": src.name,
        "title": src.title,
        "url": src.url,
        "date": src.date.isoformat() if src.date else None,
        "locator": src.locator,
    }


def _value(value: ir.ConstValue | None) -> object:
    if isinstance(value, Fraction):
        return exact_decimal(value)
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def report_json(report: CheckReport, lang: str = "en") -> dict:
    return {
        "as_of": report.as_of.isoformat(),
        "sme": {
            "category": report.sme.category,
            "staff": _figure(report.sme.staff),
            "turnover": _figure(report.sme.turnover),
            "balance_sheet": _figure(report.sme.balance_sheet),
        },
        "results": [
            {
                "programme": r.programme,
                "label": r.labels.get(lang, r.programme),
                "status": r.status,
                "amount": None if r.amount is None else str(r.amount),
                **_limits_json(r, lang),
                "missing": r.missing,
                "note": r.note,
                "call": r.call,
                "reasons": [
                    {
                        "condition": reason.condition,
                        "status": reason.status,
                        "label": reason.labels.get(lang, reason.condition),
                        "missing": reason.missing,
                        "sources": [_source(s) for s in reason.sources],
                    }
                    for reason in r.reasons
                ],
                "versions": [
                    {
                        "parameter": v.param,
                        "valid_from": v.period.start.isoformat() if v.period.start else None,
                        "valid_until": v.period.end.isoformat() if v.period.end else None,
                        "value": _value(v.value),
                        "source": _source(v.source) if v.source else None,
                    }
                    for v in r.versions
                ],
            }
            for r in ranked(report.results)
        ],
    }


def compact_json(report: CheckReport, lang: str = "en") -> dict:
    """The check as `--json` prints it by default: per programme the answer (status,
    amount, what limited it, what is missing, the call) and the deciding conditions, and,
    for eligible programmes only, the parameter versions the amount rests on, without
    their sources. `report_json` (`--json --full`) has every condition, source and version
    (docs/json.md)."""
    return {
        "as_of": report.as_of.isoformat(),
        "sme": _sme_json(report),
        "results": [
            {
                "programme": r.programme,
                "label": r.labels.get(lang, r.programme),
                "status": r.status,
                "amount": None if r.amount is None else str(r.amount),
                **_limits_json(r, lang, sources=False),
                "missing": r.missing,
                "note": r.note,
                "call": r.call,
                "deciding": [
                    {
                        "condition": reason.condition,
                        "status": reason.status,
                        "label": reason.labels.get(lang, reason.condition),
                        "missing": reason.missing,
                    }
                    for reason in deciding(r)
                ],
                **(
                    {
                        "versions": [
                            {
                                "parameter": v.param,
                                "valid_from": _day(v.period.start),
                                "valid_until": _day(v.period.end),
                                "value": _value(v.value),
                            }
                            for v in r.versions
                        ]
                    }
                    if r.status == "eligible"
                    else {}
                ),
            }
            for r in ranked(report.results)
        ],
    }


def deciding(result: ProgrammeResult) -> list:
    """The conditions that decide a status, as the table shows them: the failed and
    unknown ones, or, when all are met, every condition."""
    return [r for r in result.reasons if r.status != "met"] or list(result.reasons)


def _day(day) -> str | None:
    return day.isoformat() if day else None


def _sme_json(report: CheckReport) -> dict:
    return {
        "category": report.sme.category,
        "staff": _figure(report.sme.staff),
        "turnover": _figure(report.sme.turnover),
        "balance_sheet": _figure(report.sme.balance_sheet),
    }


def _limits_json(result: ProgrammeResult, lang: str, sources: bool = True) -> dict:
    """`amount_before_limits` and `limits` for programmes whose amount has limits."""
    if not result.limits:
        return {}
    before = result.amount_before_limits
    return {
        "amount_before_limits": None if before is None else str(before),
        "limits": [
            {
                "limit": lim.name,
                "label": lim.labels.get(lang, lim.name),
                "value": _figure(lim.value),
                "binding": lim.binding,
                "reduction": None if lim.reduction is None else str(lim.reduction),
                **({"sources": [_source(s) for s in lim.sources]} if sources else {}),
            }
            for lim in result.limits
        ],
    }


# Words looked up at render time; `_` only marks them for `pybabel extract`.
STATUS_WORDS = {"eligible": _("eligible"), "ineligible": _("ineligible"), "unknown": _("unknown")}
SME_WORDS = {"micro": _("micro"), "small": _("small"), "medium": _("medium"), "large": _("large")}
CALL_WORDS = {
    "open_until": _("call open until {date}"),
    "open": _("call open"),
    "next_opens": _("next call opens on {date}"),
    "none_after": _("no call known after {date}"),
}


def period_text(period: ir.Period, f: Formatter) -> str:
    if period.start and period.end:
        return f.gettext(
            "from {start} to {end}", start=f.date(period.start), end=f.date(period.end)
        )
    if period.start:
        return f.gettext("from {start}", start=f.date(period.start))
    if period.end:
        return f.gettext("until {end}", end=f.date(period.end))
    return f.gettext("always")


def _amount_cell(result: ProgrammeResult, f: Formatter) -> Text:
    """The grant, and under it each limit that cut it and by how much."""
    from rich.text import Text

    text = Text("—" if result.amount is None else f.money(result.amount))
    for lim in result.limits:
        if lim.binding:
            label = lim.labels.get(f.lang, lim.name)
            reduction = f.money(-(lim.reduction or 0))
            text.append(
                "\n"
                + f.gettext("limited by {label}, {reduction}", label=label, reduction=reduction),
                "yellow",
            )
    return text


def _note(result: ProgrammeResult, as_of, f: Formatter) -> str:
    if result.valid is not None:
        return f.gettext(
            "not in force on {date} (valid {period})",
            date=f.date(as_of),
            period=period_text(result.valid, f),
        )
    return result.note or ""


def _deciding(result: ProgrammeResult, as_of, f: Formatter) -> Text:
    from rich.text import Text

    if result.note:
        return Text(_note(result, as_of, f))
    text = Text()
    shown = [r for r in result.reasons if r.status != "met"] or result.reasons
    for i, reason in enumerate(shown):
        if i:
            text.append("\n")
        label = reason.labels.get(f.lang, reason.condition)
        status = {"met": "eligible", "failed": "ineligible"}.get(reason.status, "unknown")
        text.append(f"{_MARK[reason.status]} {label}", _STYLE[status])
        if reason.missing:
            needs = f.gettext("needs {fields}", fields=", ".join(reason.missing))
            text.append(f" ({needs})", "dim")
    return text


def _status_cell(result: ProgrammeResult, f: Formatter) -> Text:
    from rich.text import Text

    text = Text(f.gettext(STATUS_WORDS[result.status]), _STYLE[result.status])
    call = call_text(result, f)
    if call:
        text.append(f"\n{call}", "dim")
    return text


def call_text(result: ProgrammeResult, f: Formatter) -> str | None:
    """The programme's call window in the formatter's language ("next call opens on …")."""
    if result.call_window is not None:
        kind, day = result.call_window
        return f.gettext(CALL_WORDS[kind], date=f.date(day))
    return result.call


def check_renderables(
    report: CheckReport, lang: str = "en", verbose: bool = False
) -> list[RenderableType]:
    """The check for a terminal: the SME figures, the programmes (best first), the fields
    that would decide the unknown ones, and with `verbose` the dated rule versions used."""
    from rich.table import Table
    from rich.text import Text

    f = formatter(lang)
    sme = report.sme
    # The figures sit in a grid of their own: Babel's amounts hold non-breaking spaces
    # ("1 800 000,00 €"), which rich would still break in running text.
    figures = Table.grid(padding=(0, 2))
    figures.add_column(style="dim")
    figures.add_column(no_wrap=True)
    staff = "?" if sme.staff is None else f.gettext("{staff} AWU", staff=f.number(sme.staff))
    figures.add_row(f.gettext("staff"), staff)
    figures.add_row(f.gettext("turnover"), f.money_exact(sme.turnover))
    figures.add_row(f.gettext("balance sheet"), f.money_exact(sme.balance_sheet))
    heading = f.gettext(
        "As of {date}: SME category {category}",
        date=f.date(report.as_of),
        category=f.gettext(SME_WORDS.get(sme.category or "", "unknown")),
    )
    parts: list[RenderableType] = [Text(heading, "bold"), figures]
    # overflow="fold": an id or a field path longer than its column continues on the next
    # line instead of being cut with "…" (it is what the reader has to type).
    table = Table(show_lines=True)
    table.add_column(f.gettext("programme"), overflow="fold")
    table.add_column(f.gettext("status"), overflow="fold")
    table.add_column(f.gettext("amount"), justify="right", overflow="fold")
    table.add_column(f.gettext("deciding conditions"), overflow="fold")
    results = ranked(report.results)
    for r in results:
        name = Text(r.labels.get(lang, r.programme) + "\n")
        name.append(r.programme, "dim")
        table.add_row(name, _status_cell(r, f), _amount_cell(r, f), _deciding(r, report.as_of, f))
    parts.append(table)
    parts.extend(_unknown(results, f))
    parts.append(_versions(report, f, verbose))
    return parts


def _unknown(results: list[ProgrammeResult], f: Formatter) -> list[RenderableType]:
    """Each field that would decide an unknown programme, and which ones it decides."""
    from rich.text import Text

    needed: dict[str, list[str]] = {}
    for r in results:
        if r.status == "unknown":
            for field in r.missing:
                needed.setdefault(field, []).append(r.programme)
    if not needed:
        return []
    text = Text(f.gettext("To decide the unknown programmes, give:"), "yellow")
    for field, pids in sorted(needed.items()):
        text.append(f"\n• {field} ", "yellow")
        text.append(f"({', '.join(pids)})", "dim")
    return [text]


def _versions(report: CheckReport, f: Formatter, verbose: bool) -> Text:
    from rich.text import Text

    count = len({v.param for r in report.results for v in r.versions})
    if not verbose:
        return Text(
            f.gettext(
                "{count} rule parameters used; --verbose lists the dated versions", count=count
            ),
            "dim",
        )
    # Only dated parameters are worth a line here; --json lists every version used.
    versions = sorted(
        {(v.param, str(v.period)) for r in report.results for v in r.versions if v.dated}
    )
    return Text(
        f.gettext("Rule versions used ({count} parameters; dated ones shown):", count=count)
        + "\n"
        + "\n".join(f"{p} [{period}]" for p, period in versions),
        "dim",
    )


def report_text(
    report: CheckReport, lang: str = "en", verbose: bool = False, width: int = 80
) -> str:
    """The check as plain text (no colours) at `width` columns."""
    from policy.output.console import render

    return render(check_renderables(report, lang, verbose), width)
