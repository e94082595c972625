"""Rendering a plan: JSON (amounts as decimal strings) and rich tables."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from rich.console import Group, JustifyMethod
from rich.table import Table
from rich.text import Text

from policy.output.formatting import Formatter, _, formatter
from policy.planner.consortium import Binding, PlanResult, effort_text, money


def plan_json(result: PlanResult, f: Formatter | None = None) -> dict[str, Any]:
    """The `plan --json` document; with a formatter, the planner's own prose (notes, rule
    descriptions, reasons, what cannot be met) in its language, as the web page shows it.
    The `--json` document stays English, like every code and figure in it."""

    def text(message: str) -> str:
        return message if f is None else f.text(message)

    return {
        # A plan over several programmes lists them; each partner says which funds it.
        "programme": list(result.programmes) if result.programmes else result.programme,
        "as_of": result.as_of.isoformat(),
        "status": result.status,
        "proven_optimal": result.proven,
        "verified": result.verified,
        "total": str(result.total),
        "dual_bound": _text(result.bound_cents()),
        "gap": _text(result.gap()),
        "time_limit": None if result.time_limit is None else _seconds(result.time_limit),
        "time_limit_reached": result.time_limit_reached,
        "partners": [
            {
                "id": p.id,
                "included": p.included,
                "eligible": p.eligible,
                "region": p.region,
                "category": p.category,
                "rate": None if p.rate is None else _percent(p.rate),
                "rate_source": p.rate_source,
                "cap": None if p.cap is None else money(p.cap),
                "ceiling": None if p.ceiling is None else _percent(p.ceiling),
                "ceiling_collaborating": (
                    None if p.collab_ceiling is None else _percent(p.collab_ceiling)
                ),
                "costs": money(p.costs),
                "grant": str(p.grant),
                "co_financing": money(p.costs - Fraction(p.grant)),
                "funder": p.funder,
                "programme": p.programme,
                **({"left_out": text(p.left_out)} if p.left_out else {}),
                **({"reasons": [text(r) for r in p.reasons]} if p.reasons else {}),
            }
            for p in result.partners
        ],
        "allocation": [
            {"work_package": w, "partner": p, "effort": effort_text(v)}
            for w, p, v in result.allocation
        ],
        "alternatives": [
            {
                "total": str(a.total),
                "partners": sorted(a.partners),
                "grants": {p: str(g) for p, g in sorted(a.partners.items())},
                "verified": a.verified,
            }
            for a in result.alternatives
        ],
        "binding": [
            {
                "rule": b.rule,
                "subject": b.subject,
                "description": text(b.description),
                "marginal": None if b.marginal is None else money(b.marginal),
                **_cited(b),
            }
            for b in result.binding
        ],
        "marginal": [
            {
                "rule": b.rule,
                "subject": b.subject,
                "description": text(b.description),
                "value": money(b.marginal or 0),
                **_cited(b),
            }
            for b in result.marginal
        ],
        "infeasible": [text(rule) for rule in result.infeasible],
        "notes": [text(note) for note in result.notes],
    }


def _cited(b: Binding) -> dict[str, Any]:
    """The rule of the rule file a binding entry comes from: its name, label (English, as
    the rest of the document) and sources (nothing for the scenario's own limits, such as a
    partner's capacity)."""
    if not b.qname:
        return {}
    return {
        "qname": b.qname,
        "label": str(b.label) if b.label is not None else b.qname,
        "sources": [
            {"title": s.title or s.name, "url": s.url, "locator": s.locator} for s in b.sources
        ],
    }


def _source_line(b: Binding) -> str:
    """The sources' titles (the table is narrow: the JSON has their quotes and links)."""
    return "; ".join(dict.fromkeys(s.title or s.name for s in b.sources))


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _seconds(value: float) -> str:
    """Seconds as given (a float only on the way in: `30`, `0.5`)."""
    return format(Decimal(repr(value)).normalize(), "f")


def _percent(rate) -> str:
    value = rate * 100
    d = Decimal(value.numerator) / Decimal(value.denominator)
    return format(d.normalize(), "f")


def plan_table(result: PlanResult, lang: str = "en") -> Group:
    f = formatter(lang)
    parts: list[Any] = []
    head = Text(
        f.gettext("{programme} on {date}: ", programme=result.programme, date=f.date(result.as_of)),
        style="bold",
    )
    if result.status == "timeout":
        head.append(
            f.gettext(
                "no plan found within the time limit of {seconds} s",
                seconds=f.number(Decimal(_seconds(result.time_limit or 0))),
            ),
            style="bold red",
        )
        return Group(head, _partners_table(result, f))
    if result.status == "infeasible":
        head.append(f.gettext("infeasible"), style="bold red")
        parts.append(head)
        for rule in result.infeasible:
            parts.append(
                Text("  " + f.gettext("cannot be met: {rule}", rule=f.text(rule)), style="red")
            )
        parts.append(_partners_table(result, f))
        return Group(*parts)
    head.append(f.gettext("total {amount}", amount=f.money(result.total)), style="bold green")
    head.append(f" — {_proof(result, f)}; {f.number(Decimal(f'{result.seconds:.2f}'))} s")
    parts.append(head)
    parts.append(_partners_table(result, f))
    split = Table(title=f.gettext("Work split (person-months)"))
    split.add_column(f.gettext("work package"))
    split.add_column(f.gettext("partner"))
    split.add_column(f.gettext("effort"), justify="right")
    for w, p, v in result.allocation:
        split.add_row(w, p, effort_text(v))
    parts.append(split)
    if result.binding or result.marginal:
        bind = Table(title=f.gettext("What binds, and the value of one more unit"))
        bind.add_column(f.gettext("rule"))
        bind.add_column(f.gettext("what"))
        bind.add_column(f.gettext("marginal"), justify="right")
        shown = set()
        for b in [*result.binding, *result.marginal]:
            key = (b.rule, b.subject)
            if key in shown:
                continue
            shown.add(key)
            rule = Text(b.rule)
            if b.qname:  # a rule of the rule file: its label, name and source
                label = b.label.localize(f.lookup) if b.label is not None else b.qname
                rule = Text(label)
                rule.append(f"\n{b.qname}", style="dim")
                if b.sources:
                    source = f.gettext("source: {sources}", sources=_source_line(b))
                    rule.append(f"\n{source}", style="dim")
            bind.add_row(
                rule, f.text(b.description), "" if b.marginal is None else f.money(b.marginal)
            )
        parts.append(bind)
    if result.alternatives:
        alt = Table(title=f.gettext("Next-best consortia"))
        alt.add_column("#", justify="right")
        alt.add_column(f.gettext("partners"))
        alt.add_column(f.gettext("total"), justify="right")
        for i, a in enumerate(result.alternatives, 2):
            alt.add_row(str(i), ", ".join(sorted(a.partners)), f.money(a.total))
        parts.append(alt)
    for note in result.notes:
        parts.append(Text(f.gettext("note: {note}", note=f.text(note)), style="yellow"))
    return Group(*parts)


def _proof(result: PlanResult, f: Formatter) -> str:
    return proof_text(plan_json(result), f)


def proof_text(doc: Mapping[str, Any], f: Formatter) -> str:
    """Proven optimal; or, stopped by the time limit, how close to the optimum at worst:
    from the `plan --json` document, so the web page words it as the command does."""
    if doc["status"] == "timeout":
        return f.gettext(
            "no plan found within the time limit of {seconds} s",
            seconds=f.number(Decimal(doc["time_limit"] or 0)),
        )
    if doc["proven_optimal"]:
        return f.gettext("proven optimal")
    gap, bound = doc["gap"], doc["dual_bound"]
    if gap is not None and bound is not None:
        # The gap as a percentage rounded up to two decimals: never closer than it is.
        share = Decimal(-((-Decimal(gap) * 10**4).__floor__())) / 10**4
        text = f.gettext(
            "best found, within {gap} of the optimum (at most {bound})",
            gap=f.percent(share),
            bound=f.money(Decimal(bound)),
        )
    else:
        text = f.gettext("best found, no bound on the optimum yet")
    if not doc["time_limit_reached"]:
        return text if doc["verified"] else str(doc["status"])
    limit = f.number(Decimal(doc["time_limit"] or 0))
    return text + "; " + f.gettext("time limit of {seconds} s reached", seconds=limit)


_PARTNER_COLUMNS: tuple[tuple[str, JustifyMethod], ...] = (
    (_("partner"), "left"),
    (_("region"), "left"),
    (_("funder"), "left"),
    (_("size"), "left"),
    (_("in"), "left"),
    (_("rate"), "right"),
    (_("cap"), "right"),
    (_("costs"), "right"),
    (_("grant"), "right"),
    (_("co-financing"), "right"),
)


def _partners_table(result: PlanResult, f: Formatter) -> Table:
    table = Table(title=f.gettext("Partners"))
    for column, justify in _PARTNER_COLUMNS:
        table.add_column(f.gettext(column), justify=justify)
    for p in result.partners:
        if not p.eligible:
            table.add_row(
                p.id,
                p.region or "",
                p.funder or "",
                p.category or "",
                "✗",
                *[""] * 5,
                style="dim",
            )
            continue
        funder = p.funder or ""
        if result.programmes and p.programme:
            funder = f"{funder} ({p.programme})" if funder else p.programme
        table.add_row(
            p.id,
            p.region or "",
            funder,
            p.category or "",
            "✓" if p.included else "",
            ""
            if p.rate is None
            else f.percent(p.rate) + ("*" if p.rate_source == "scenario" else ""),
            f.gettext("no cap") if p.cap is None else f.money_exact(p.cap),
            f.money(p.costs) if p.included else "",
            f.money(p.grant) if p.included else "",
            f.money(p.costs - Fraction(p.grant)) if p.included else "",
        )
    caption = [
        f"{p.id}: {f.text(p.left_out) if p.left_out else '; '.join(f.text(r) for r in p.reasons)}"
        for p in result.partners
        if p.reasons or p.left_out
    ]
    if any(p.rate_source == "scenario" for p in result.partners):
        caption.append(f.gettext("* rate given in the scenario (what-if), not the catalogue's"))
    table.caption = "\n".join(caption) or None
    return table
