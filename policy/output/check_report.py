"""Check reports as JSON-ready dicts and as text tables."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from dsl import ir
from policy.engine import CheckReport, ProgrammeResult, exact_decimal
from policy.output.textable import Column, Painter, Piece, Text, paragraph, plain, table

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
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[union-attr]
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


def _money(amount: Decimal | None) -> str:
    return "—" if amount is None else f"€{amount:,.2f}"


def _amount_cell(result: ProgrammeResult, lang: str) -> Text:
    """The grant, and under it each limit that cut it and by how much."""
    text = plain(_money(result.amount))
    for lim in result.limits:
        if lim.binding:
            label = lim.labels.get(lang, lim.name)
            text.append(Piece(f"\nlimited by {label}, −{_money(lim.reduction)}", "yellow"))
    return text


def _deciding(result: ProgrammeResult, lang: str) -> Text:
    if result.note:
        return plain(result.note)
    text: Text = []
    shown = [r for r in result.reasons if r.status != "met"] or result.reasons
    for i, reason in enumerate(shown):
        if i:
            text.append(Piece("\n"))
        label = reason.labels.get(lang, reason.condition)
        status = {"met": "eligible", "failed": "ineligible"}.get(reason.status, "unknown")
        text.append(Piece(f"{_MARK[reason.status]} {label}", _STYLE[status]))
        if reason.missing:
            text.append(Piece(f" (needs {', '.join(reason.missing)})", "dim"))
    return text


def report_text(report: CheckReport, width: int, paint: Painter, lang: str = "en") -> str:
    """The check as a table of programmes (best first) between the SME figures and the
    dated rule versions used."""
    sme = report.sme
    header = plain(
        f"As of {report.as_of}: SME category {sme.category or 'unknown'} — "
        f"staff {_figure(sme.staff) or '?'} AWU, turnover €{_figure(sme.turnover) or '?'}, "
        f"balance sheet €{_figure(sme.balance_sheet) or '?'}"
    )
    columns = [
        Column("programme"),
        Column("status"),
        Column("amount", right=True),
        Column("deciding conditions"),
    ]
    rows = []
    for r in ranked(report.results):
        status = plain(r.status, _STYLE[r.status])
        if r.call:
            status.append(Piece(f"\n{r.call}", "dim"))
        rows.append(
            [
                [Piece(f"{r.labels.get(lang, r.programme)}\n"), Piece(r.programme, "dim")],
                status,
                _amount_cell(r, lang),
                _deciding(r, lang),
            ]
        )
    # Only dated parameters are worth a line here; --json lists every version used.
    versions = sorted(
        {(v.param, str(v.period)) for r in report.results for v in r.versions if v.dated}
    )
    count = len({v.param for r in report.results for v in r.versions})
    footer = plain(
        f"Rule versions used ({count} parameters; dated ones shown): "
        + "; ".join(f"{p} [{period}]" for p, period in versions),
        "dim",
    )
    return (
        paragraph(header, width, paint)
        + table(columns, rows, width, paint, row_lines=True)
        + paragraph(footer, width, paint)
    )
