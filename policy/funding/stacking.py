"""Stacking: the best combination of programmes for a project's costs, under cumulation.

`subsidia check` with a project asks each programme on its own (policy.engine); this module
then combines the eligible ones under the cumulation rules of `programmes/eu/cumulation.rules`
and `de_minimis.rules` (the readings are in docs/cumulation.md):

* programmes that read the same cost categories fund the same costs: together they stay
  within the highest applicable intensity of those costs (the GBER art. 25 intensity for an
  R&D project, else the highest intensity one of them gives alone), at most 80 %;
  programmes on different categories cumulate freely;
* one activity is funded by one region: among programmes on the same costs, only those of
  one region are combined;
* de minimis programmes together stay within the single undertaking's headroom.

The optimum is exact. Within a group of programmes on the same costs, every euro counts the
same, so the group's total is min(ceiling, what its programmes offer); the only resource
shared between groups is the de minimis headroom, which non-de-minimis aid does not use: the
groups first take their other aid, de minimis aid fills the room left, and the headroom is
shared out. The region of each group is chosen by trying every combination (a handful).
Amounts are exact Fractions; each programme's share is rounded down to the cent.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from dsl import ir
from policy import engine
from policy.funding.budget import line_costs
from policy.inputs.profile import Profile
from policy.output.formatting import Formatter, formatter

CUMULATION = "eu_cumulation"
HEADROOM = engine.HEADROOM


@dataclass(slots=True)
class Offer:
    """What one eligible programme gives on its own."""

    programme: str
    label: str
    amount: Fraction
    categories: frozenset[str] | None  # None: all of the project's costs
    region: str | None  # the region that funds it (None: not a regional programme)
    de_minimis: bool


@dataclass(slots=True)
class CostGroup:
    """Programmes funding the same costs, and the ceiling on what they give together."""

    categories: frozenset[str] | None
    costs: Fraction
    programmes: list[str]
    ceiling: Fraction | None = None  # None: one programme alone, no ceiling
    rates: dict[str, Fraction] = field(default_factory=dict)  # category -> ceiling intensity


@dataclass(slots=True)
class Share:
    programme: str
    label: str
    offered: Decimal
    granted: Decimal


@dataclass(slots=True)
class CumulationLimit:
    kind: str  # intensity | de_minimis | region
    text: str
    reduction: Decimal
    programmes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Combination:
    as_of: dt.date
    shares: list[Share]
    total: Decimal
    limits: list[CumulationLimit]
    groups: list[CostGroup]
    headroom: Fraction | None


def _categories(cat: ir.Catalogue, prog: ir.Programme, as_of: dt.date) -> frozenset[str] | None:
    """Cost categories the amount reads (`c.category = '…'` or `in {…}` on project.costs),
    through definitions; None when it reads none (then it funds all of the costs). A
    property of the rules, not of a profile: found once per programme and date and kept
    with the catalogue, instead of walking the amount's expression on every check (a third
    of `propose`'s time)."""
    return cat.derived.get(
        "cost categories",
        (prog.id, as_of),
        lambda: _find_categories(cat, prog, as_of),
        kept=512,
    )


def _find_categories(
    cat: ir.Catalogue, prog: ir.Programme, as_of: dt.date
) -> frozenset[str] | None:
    assert prog.amount is not None
    found: set[str] = set()
    for n in ir.walk(prog.amount.base or prog.amount.expr, catalogue=cat):
        if isinstance(n, ir.Compare) and n.op == "=" and _is_category(n.left):
            if isinstance(n.right, ir.Const):
                found.add(str(n.right.value))
        if isinstance(n, ir.Member) and not n.negated and _is_category(n.operand):
            values = n.values
            if isinstance(values, ir.ParamRef):
                version = cat.params[values.qname].version_at(as_of)
                if version is not None and isinstance(version.value, ir.Const):
                    values = version.value
            if isinstance(values, ir.Const) and isinstance(values.value, frozenset):
                found |= values.value
    return frozenset(found) or None


def _is_category(node: ir.Node) -> bool:
    return (
        isinstance(node, ir.ElemField)
        and node.field == "category"
        and node.var.collection == "project.costs"
    )


def offers(
    cat: ir.Catalogue, report: engine.CheckReport, profile: Profile, lang: str
) -> list[Offer]:
    found = []
    for result in report.results:
        prog = cat.programmes[result.programme]
        if result.status != "eligible" or not result.amount or prog.amount is None:
            continue
        regions = prog.meta.get("regions", ())
        region = None
        if len(regions) == 1:
            region = regions[0]
        elif regions:  # an interregional programme: the company's own region funds it
            region = profile.company.region if profile.company.region in regions else None
        found.append(
            Offer(
                result.programme,
                result.labels.get(lang, result.programme),
                Fraction(result.amount),
                _categories(cat, prog, report.as_of),
                region,
                "de_minimis" in prog.meta.get("regime", ()),
            )
        )
    return found


def _groups(found: list[Offer]) -> list[list[Offer]]:
    """Programmes sharing a cost category (or reading all costs) in one group."""
    groups: list[list[Offer]] = []
    for offer in found:
        joined = [
            g
            for g in groups
            if any(
                o.categories is None or offer.categories is None or o.categories & offer.categories
                for o in g
            )
        ]
        merged = [offer, *(o for g in joined for o in g)]
        groups = [g for g in groups if g not in joined] + [merged]
    return [sorted(g, key=lambda o: (-o.amount, o.programme)) for g in groups]


def _cost_of(categories: frozenset[str] | None, by_category: dict[str, Fraction]) -> Fraction:
    if categories is None:
        return sum(by_category.values(), Fraction(0))
    return sum((by_category.get(c, Fraction(0)) for c in categories), Fraction(0))


def _param(cat: ir.Catalogue, qname: str, as_of: dt.date) -> Fraction | None:
    param = cat.params.get(qname)
    version = param.version_at(as_of) if param else None
    if version is None or not isinstance(version.value, ir.Const):
        return None
    value = version.value.value
    return value if isinstance(value, Fraction) else None


def propose(
    report: engine.CheckReport,
    profile: Profile,
    root: str | Path | None = None,
    lang: str = "en",
) -> Combination:
    """The best combination of the report's eligible programmes for the profile's project."""
    cat = engine.catalogue(root)
    as_of = report.as_of
    found = offers(cat, report, profile, lang)
    values = report.values  # computed by the check itself (engine.report_exports)
    room = values.get(HEADROOM)
    headroom = room if isinstance(room, Fraction) else None  # None: unknown
    overall = _param(cat, f"{CUMULATION}.overall_max_intensity", as_of)
    rates = _rates(values, overall)
    regions_allowed = _param(cat, f"{CUMULATION}.regions_per_activity", as_of)
    by_category: dict[str, Fraction] = {}
    for line in line_costs(cat, profile, "", as_of):
        if line.eligible is not None:
            by_category[line.category] = by_category.get(line.category, Fraction(0)) + line.eligible
    best: tuple[Fraction, tuple[list[Share], list[CumulationLimit], list[CostGroup]]] | None = None
    groups = _groups(found)
    choices = [_regions(g) for g in groups]
    single_region = regions_allowed == 1
    for pick in itertools.product(*choices) if single_region else [(None,) * len(groups)]:
        outcome = _allocate(groups, pick, by_category, headroom, rates, lang)
        if best is None or outcome[0] > best[0]:
            best = (outcome[0], outcome[1:])
    if best is None:
        return Combination(as_of, [], Decimal("0.00"), [], [], headroom)
    shares, limits, cost_groups = best[1]
    total = sum((s.granted for s in shares), Decimal("0.00"))
    return Combination(as_of, shares, total, limits, cost_groups, headroom)


def _regions(group: list[Offer]) -> list[str | None]:
    """The group's regions, or [None] when it names none."""
    named = sorted({o.region for o in group if o.region})
    return [*named] if named else [None]


def _allocate(
    groups: list[list[Offer]],
    regions: tuple[str | None, ...],
    by_category: dict[str, Fraction],
    headroom: Fraction | None,
    rates: dict[str, Fraction | None],
    lang: str = "en",
) -> tuple[Fraction, list[Share], list[CumulationLimit], list[CostGroup]]:
    f = formatter(lang)  # the limits' sentences are read by people, in --json too
    granted: dict[str, Fraction] = {}
    limits: list[CumulationLimit] = []
    cost_groups: list[CostGroup] = []
    room_for_dm: list[tuple[Offer, Fraction]] = []  # de minimis offers and what fits
    for group, region in zip(groups, regions, strict=True):
        kept = [o for o in group if region is None or o.region in (None, region)]
        for o in group:
            if o not in kept:
                granted[o.programme] = Fraction(0)
                limits.append(
                    CumulationLimit(
                        "region",
                        f.gettext(
                            "{programme}: the same costs are funded by {region}; "
                            "one region funds one activity",
                            programme=o.programme,
                            region=region,
                        ),
                        engine.round_grant(o.amount),
                        [o.programme],
                    )
                )
        cats: set[str] = set()
        for o in kept:
            cats |= o.categories or set(by_category)
        costs = _cost_of(frozenset(cats), by_category)
        cost_group = CostGroup(frozenset(cats), costs, [o.programme for o in kept])
        ceiling = None
        if len(kept) > 1:
            ceiling = _group_ceiling(cost_group, kept, by_category, rates)
        cost_groups.append(cost_group)
        left = ceiling
        for o in kept:
            if o.de_minimis:
                continue
            take = o.amount if left is None else min(o.amount, left)
            granted[o.programme] = take
            left = None if left is None else left - take
        for o in kept:
            if o.de_minimis:
                fits = o.amount if left is None else min(o.amount, left)
                room_for_dm.append((o, fits))
                left = None if left is None else left - fits
        offered = sum((o.amount for o in kept), Fraction(0))
        if ceiling is not None and offered > ceiling:
            limits.append(
                CumulationLimit(
                    "intensity",
                    f.gettext(
                        "same costs ({categories}, {costs}): {programmes} together at most "
                        "{ceiling} ({basis})",
                        categories=", ".join(sorted(cats)),
                        costs=f.money(costs),
                        programmes=", ".join(cost_group.programmes),
                        ceiling=f.money(ceiling),
                        basis=_basis(cost_group, by_category, f),
                    ),
                    engine.round_grant(offered) - engine.round_grant(ceiling),
                    list(cost_group.programmes),
                )
            )
    # De minimis programmes share one headroom, whichever costs they fund.
    wanted = sum((fits for _, fits in room_for_dm), Fraction(0))
    budget = wanted if headroom is None else min(wanted, headroom)
    for o, fits in room_for_dm:
        take = min(fits, budget)
        granted[o.programme] = take
        budget -= take
    if headroom is not None and wanted > headroom:
        names = [o.programme for o, _ in room_for_dm]
        limits.append(
            CumulationLimit(
                "de_minimis",
                f.gettext(
                    "de minimis aid of {programmes} together at most the headroom {headroom} "
                    "(eu_de_minimis.headroom)",
                    programmes=", ".join(names),
                    headroom=f.money(headroom),
                ),
                engine.round_grant(wanted) - engine.round_grant(headroom),
                names,
            )
        )
    shares = [
        Share(
            o.programme,
            o.label,
            engine.round_grant(o.amount),
            engine.round_grant(granted[o.programme]),
        )
        for g in groups
        for o in g
    ]
    total = sum((Fraction(s.granted) for s in shares), Fraction(0))
    return total, shares, limits, cost_groups


def _rates(values: dict[str, object], overall: Fraction | None) -> dict[str, Fraction | None]:
    """Ceiling intensity by cost category (`eu_cumulation.ceiling_<category>`, else
    `ceiling_other`); an unknown ceiling falls back to the overall maximum."""
    prefix = f"{CUMULATION}.ceiling_"
    found: dict[str, Fraction | None] = {}
    for qname, value in values.items():
        if qname.startswith(prefix):
            found[qname[len(prefix) :]] = value if isinstance(value, Fraction) else overall
    return found


def _group_ceiling(
    group: CostGroup,
    kept: list[Offer],
    by_category: dict[str, Fraction],
    rates: dict[str, Fraction | None],
) -> Fraction | None:
    """What programmes on the same costs may give together: each category's costs at its
    ceiling intensity, but never less than the best programme gives alone."""
    total = Fraction(0)
    for category in sorted(group.categories or ()):
        rate = rates.get(category, rates.get("other"))
        if rate is None:
            return None  # no ceiling known (before the GBER: not encoded)
        group.rates[category] = rate
        total += rate * by_category.get(category, Fraction(0))
    group.ceiling = max(total, max(o.amount for o in kept))
    return group.ceiling


def _basis(group: CostGroup, by_category: dict[str, Fraction], f: Formatter) -> str:
    parts = [
        f.gettext(
            "{rate} of {category} {amount}",
            rate=f.percent(rate),
            category=category,
            amount=f.money(by_category[category]),
        )
        for category, rate in group.rates.items()
        if by_category.get(category)
    ]
    return "eu_cumulation: " + " + ".join(parts) if parts else "eu_cumulation"


# ---- output


def plan_json(plan: Combination) -> dict:
    return {
        "total": str(plan.total),
        "programmes": [
            {
                "programme": s.programme,
                "label": s.label,
                "offered": str(s.offered),
                "granted": str(s.granted),
            }
            for s in plan.shares
        ],
        "limits": [
            {
                "kind": lim.kind,
                "text": lim.text,
                "reduction": str(lim.reduction),
                "programmes": lim.programmes,
            }
            for lim in plan.limits
        ],
        "cost_groups": [
            {
                "categories": sorted(g.categories or ()),
                "costs": engine.exact_decimal(g.costs),
                "programmes": g.programmes,
                "ceiling": None if g.ceiling is None else str(engine.round_grant(g.ceiling)),
                "rates": {c: engine.exact_decimal(r) for c, r in g.rates.items()},
            }
            for g in plan.groups
        ],
        "de_minimis_headroom": None
        if plan.headroom is None
        else engine.exact_decimal(plan.headroom),
    }


def plan_renderables(plan: Combination, lang: str = "en") -> list:
    """The best combination as a table: each programme alone and in the combination."""
    from rich.table import Table
    from rich.text import Text

    f = formatter(lang)
    if not plan.shares:
        return [
            Text(f.gettext("Stacking: no eligible programme with an amount to combine."), "dim")
        ]
    title = f.gettext("Best combination for the project: {amount}", amount=f.money(plan.total))
    table = Table(title=title)
    table.add_column(f.gettext("programme"), overflow="fold")
    table.add_column(f.gettext("alone"), justify="right")
    table.add_column(f.gettext("in the combination"), justify="right")
    for s in plan.shares:
        name = Text(f"{s.label}\n")
        name.append(s.programme, "dim")
        table.add_row(name, f.money(s.offered), f.money(s.granted))
    parts: list = [table]
    if plan.limits:
        lines = [f"• {lim.text}: {f.money(-lim.reduction)}" for lim in plan.limits]
        parts.append(Text(f.gettext("Limits that bit:") + "\n" + "\n".join(lines), "yellow"))
    return parts
