"""`subsidia budget`: a project's cost lines as a grant budget for one programme.

Each cost line becomes its eligible cost (the costing conventions of the budget seed,
docs/cumulation.md "Budget"):

* a line costed from a salary (a hire, or a personnel line giving `gross_salary`): the rule
  files say what it costs (`costing` in programmes/eu/budget.rules: the yearly pay over the
  months employed). A hire line is shown at the programme's own `hire_cost` when its rule
  file defines one (the Kmo-groeisubsidie: gross annual salary × 1.596), else at the shared
  one: the same definition the programme's rules read, so the budget's eligible costs and
  co-financing are the programme's. Each line is priced by evaluating the definition on a
  record holding that line alone;
* personnel: its amount, or its salary cost, × time share;
* equipment: in full, or as depreciation over the project (duration ÷ useful life) when the
  line gives `depreciation_months`;
* recoverable VAT is taken out and lines incurred before the project start are left out,
  unless the programme's rules say otherwise (`budget.rules`);
* overhead: a flat rate on eligible personnel costs where the programme declares
  `overhead_rate` (its own overhead lines are then replaced), else the lines as given;
* subcontracting: at most `subcontracting_cap` of the eligible costs, where declared.

The programme's rules then compute the grant from these eligible costs (the engine is
given the eligible amounts, exactly), co-financing is eligible costs − grant, and the grant
is paid in the tranches the rule file declares (`tranche_1`, `tranche_2`, ...). Every figure
is an exact Fraction; the grant is rounded down to the cent by the engine and each tranche
is rounded down too, the last one taking the remainder so the tranches add up to the grant.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from dsl import ir
from dsl.errors import N_
from dsl.types import BOOL, PERCENT
from policy import engine
from policy.errors import InputError
from policy.inputs.profile import CostLine, Profile
from policy.output.formatting import _, formatter
from solver.record import InputRecord

if TYPE_CHECKING:
    from solver.native.direct import DirectProgram

# The order categories are listed in, as in the budget seed.
CATEGORIES = (
    "personnel",
    "hire",
    "equipment",
    "subcontracting",
    "travel",
    "overhead",
    "advice",
    "training",
    "investment",
    "other",
)
PERSONNEL = ("personnel", "hire")
SHARED_BLOCK = "budget"  # programmes/eu/budget.rules: figures for every programme
COSTING = "costing"  # programmes/eu/budget.rules: what a line costed from a salary costs
HIRE_COST = "hire_cost"  # a hire line's cost: the programme's own definition, else COSTING's
SALARY_COST = f"{COSTING}.personnel_salary_cost"  # a personnel line's salary cost


@dataclass(slots=True)
class Figure:
    """A budget parameter as read from the rule files at the date."""

    qname: str
    labels: dict[str, str]
    value: Fraction | bool | None  # None: `unknown` in the rule file
    note: str | None = None  # the rule file's reason when unknown


@dataclass(slots=True)
class LineCost:
    index: int  # position in project.costs
    category: str
    stated: Fraction  # the cost as given (or costed from the salary)
    eligible: Fraction | None  # None: unknown (a budget figure the sources do not give)
    notes: list[str] = field(default_factory=list)  # why eligible differs from stated


@dataclass(slots=True)
class Tranche:
    name: str
    label: str
    share: Fraction
    amount: Decimal | None
    cumulative: Decimal | None


@dataclass(slots=True)
class Budget:
    programme: str
    label: str
    as_of: dt.date
    lines: list[LineCost]
    overhead: LineCost | None  # the flat-rate overhead, when the programme declares one
    by_category: dict[str, tuple[Fraction, Fraction | None]]  # category -> (stated, eligible)
    eligible_total: Fraction | None
    result: engine.ProgrammeResult
    cofinancing: Decimal | None
    tranches: list[Tranche]
    figures: list[Figure]  # the budget parameters used
    notes: list[str] = field(default_factory=list)


def figure(cat: ir.Catalogue, programme: str, name: str, as_of: dt.date) -> Figure | None:
    """The programme's own `name` parameter, else the shared one, at `as_of`; None if neither."""
    param = cat.params.get(f"{programme}.{name}") or cat.params.get(f"{SHARED_BLOCK}.{name}")
    if param is None:
        return None
    version = param.version_at(as_of)
    if version is None:
        return Figure(param.qname, param.labels, None, f"no version on {as_of}")
    if isinstance(version.value, ir.Unknown):
        return Figure(param.qname, param.labels, None, version.value.reason)
    value = version.value.value
    wanted = BOOL if name.endswith("_eligible") else PERCENT
    if param.type != wanted:
        raise InputError(
            param.qname,
            N_("a budget parameter must be {wanted}, not {type}", wanted=wanted, type=param.type),
        )
    # The checked type (bool or percent) makes the constant a bool or a Fraction.
    assert isinstance(value, bool | Fraction), value
    return Figure(param.qname, param.labels, value)


def tranches_of(cat: ir.Catalogue, programme: str, as_of: dt.date) -> list[Figure]:
    """`tranche_1`, `tranche_2`, ... of the programme, in order, while they exist."""
    found = []
    n = 1
    while f"{programme}.tranche_{n}" in cat.params:
        tranche = figure(cat, programme, f"tranche_{n}", as_of)
        assert tranche is not None
        found.append(tranche)
        n += 1
    return found


def hire_cost_definition(cat: ir.Catalogue, programme: str) -> str:
    """The definition that costs a hire line under `programme`: its own `hire_cost` when
    its rule file defines one, else the shared one."""
    own = f"{programme}.{HIRE_COST}"
    return own if programme and own in cat.definitions else f"{COSTING}.{HIRE_COST}"


# Priced salary lines: index -> (stated, eligible before the time share and the start date,
# the definition that gave the eligible cost).
Prices = dict[int, tuple[Fraction, Fraction | None, str]]


def salary_prices(cat: ir.Catalogue, profile: Profile, programme: str, as_of: dt.date) -> Prices:
    """Every line costed from a salary, priced by the rule files: each evaluated alone.
    Stated: the shared costing; eligible: a hire under `programme`'s `hire_cost`."""
    project = profile.project
    if project is None:
        return {}
    salaried = [i for i, c in enumerate(project.costs) if c.gross_salary is not None]
    if not salaried:
        return {}
    shared_hire = f"{COSTING}.{HIRE_COST}"
    hire = hire_cost_definition(cat, programme)
    # A rule folder without the costing block prices no salary line: its cost is unknown.
    names = sorted({SALARY_COST, shared_hire, hire} & set(cat.definitions))
    whole = profile.to_record()
    given = whole.collections["project.costs"]
    records = []
    for i in salaried:
        record = InputRecord(dict(whole.scalars), dict(whole.collections))
        record.collections["project.costs"] = given[i : i + 1]
        records.append(record)
    values = _definitions(cat, as_of, tuple(names)).evaluate(records) if names else []
    prices: Prices = {}
    for n, i in enumerate(salaried):
        found = dict(values[n].exports) if values else {}
        by = hire if project.costs[i].category == "hire" else SALARY_COST
        priced = found.get(by)
        eligible = priced if isinstance(priced, Fraction) else None
        # Stated: the shared costing (it needs no figure), else the salary as given.
        stated = found.get(shared_hire if by == hire else SALARY_COST)
        if not isinstance(stated, Fraction):
            salary = project.costs[i].gross_salary
            assert salary is not None  # the lines priced here give one
            stated = eligible if eligible is not None else Fraction(salary)
        prices[i] = (stated, eligible, by)
    return prices


_PROGRAMS: dict[tuple[int, dt.date, tuple[str, ...]], tuple[ir.Catalogue, DirectProgram]] = {}


def _definitions(cat: ir.Catalogue, as_of: dt.date, names: tuple[str, ...]) -> DirectProgram:
    """The named definitions at `as_of`, for the direct backend; kept per catalogue (the
    catalogue is held too, so that its id is not reused while the entry lives)."""
    from solver.native.direct import DirectProgram

    key = (id(cat), as_of, names)
    found = _PROGRAMS.get(key)
    if found is None or found[0] is not cat:
        if len(_PROGRAMS) >= 32:
            _PROGRAMS.clear()
        found = _PROGRAMS[key] = (cat, DirectProgram(cat, as_of, [], list(names)))
    return found[1]


def _line_cost(
    index: int,
    line: CostLine,
    profile: Profile,
    rules: dict[str, Figure | None],
    prices: Prices,
    lang: str = "en",
) -> LineCost:
    """One line's stated and eligible cost, without the project-wide caps; its notes in
    `lang`."""
    f = formatter(lang)
    project = profile.project
    assert project is not None
    duration = None if project.duration_months is None else Fraction(project.duration_months)
    share = Fraction(line.time_share) / 100 if line.time_share is not None else Fraction(1)
    notes: list[str] = []
    eligible: Fraction | None
    if line.gross_salary is not None:
        stated, eligible, by = prices[index]
        if line.category == "personnel" and share != 1:
            eligible = None if eligible is None else eligible * share
            notes.append(f.gettext("time share {share}", share=f.percent(share)))
        elif eligible != stated:
            notes.append(f.gettext("costed by {definition}", definition=by))
    else:
        assert line.amount is not None
        stated = Fraction(line.amount)
        cost = stated
        vat = Fraction(line.recoverable_vat or 0)
        allowed = rules["recoverable_vat_eligible"]
        if vat and not (allowed is not None and allowed.value is True):
            cost -= vat
            notes.append(f.gettext("recoverable VAT {amount} excluded", amount=f.money(vat)))
        if line.category == "personnel" and share != 1:
            cost *= share
            notes.append(f.gettext("time share {share}", share=f.percent(share)))
        if line.depreciation_months is not None:
            if duration is None:
                raise InputError(
                    "project.duration_months",
                    N_(
                        "required to depreciate project.costs[{index}] over the project",
                        index=index,
                    ),
                )
            life = Fraction(line.depreciation_months)
            cost = cost * min(duration, life) / life
            notes.append(
                f.gettext(
                    "depreciation {used}/{life} months",
                    used=f.number(min(duration, life)),
                    life=f.number(life),
                )
            )
        eligible = cost
    before_start = rules["costs_before_start_eligible"]
    if line.incurred is not None and not (before_start is not None and before_start.value):
        if project.start is None:
            raise InputError(
                "project.start",
                N_("required to judge project.costs[{index}].incurred", index=index),
            )
        if line.incurred < project.start:
            notes.append(
                f.gettext(
                    "incurred {day}, before the start on {start}",
                    day=f.date(line.incurred),
                    start=f.date(project.start),
                )
            )
            eligible = Fraction(0)
    return LineCost(index, line.category, stated, eligible, notes)


def _rules(cat: ir.Catalogue, programme: str, as_of: dt.date) -> dict[str, Figure | None]:
    names = ("recoverable_vat_eligible", "costs_before_start_eligible")
    found = {name: figure(cat, programme, name, as_of) for name in names}
    if programme:
        for name in ("overhead_rate", "subcontracting_cap"):
            found[name] = figure(cat, programme, name, as_of)
    return found


def line_costs(
    cat: ir.Catalogue, profile: Profile, programme: str, as_of: dt.date
) -> list[LineCost]:
    """Each cost line at its eligible cost under the programme's budget rules; with
    `programme=""`, under the shared rules only (no flat rate, no cap)."""
    if profile.project is None:
        return []
    rules = _rules(cat, programme, as_of)
    prices = salary_prices(cat, profile, programme, as_of)
    costs = profile.project.costs
    return [_line_cost(i, c, profile, rules, prices) for i, c in enumerate(costs)]


def build(
    profile: Profile,
    programme: str,
    as_of: dt.date,
    root: str | Path | None = None,
    lang: str = "en",
    backend: str = "clingo",
) -> Budget:
    """The budget of `profile`'s project for `programme` at `as_of`."""
    cat = engine.catalogue(root)
    if profile.project is None:
        raise InputError("project", N_("required for a budget"))
    prog = cat.programmes[programme]
    rules = _rules(cat, programme, as_of)
    costs = profile.project.costs
    prices = salary_prices(cat, profile, programme, as_of)
    lines = [_line_cost(i, c, profile, rules, prices, lang) for i, c in enumerate(costs)]
    notes: list[str] = []
    overhead = _flat_overhead(lines, rules["overhead_rate"], lang)
    _cap_subcontracting(lines, overhead, rules["subcontracting_cap"], notes, lang)
    record = eligible_record(profile, lines, overhead)
    report = engine.check_records([record], as_of, [programme], root, backend)[0]
    result = report.results[0]
    by_category = _by_category(lines, overhead)
    totals = [eligible for _, eligible in by_category.values()]
    known = [t for t in totals if t is not None]
    eligible_total = sum(known, Fraction(0)) if len(known) == len(totals) else None
    cofinancing = None  # eligible costs − grant, rounded down to the cent like the grant
    if eligible_total is not None and result.amount is not None:
        cofinancing = engine.round_grant(eligible_total) - result.amount
    tranche_figures = tranches_of(cat, programme, as_of)
    tranches = schedule(tranche_figures, result.amount, lang)
    figures = [f for f in rules.values() if f is not None] + tranche_figures
    return Budget(
        programme,
        prog.labels.get(lang, programme),
        as_of,
        lines,
        overhead,
        by_category,
        eligible_total,
        result,
        cofinancing,
        tranches,
        figures,
        notes,
    )


def _flat_overhead(lines: list[LineCost], rate: Figure | None, lang: str) -> LineCost | None:
    """With an `overhead_rate`, overhead is that rate on personnel; the lines give way."""
    f = formatter(lang)
    if rate is None:
        return None
    for line in lines:
        if line.category == "overhead":
            line.eligible = Fraction(0)
            line.notes.append(f.gettext("replaced by the flat rate ({rate})", rate=rate.qname))
    personnel = [line.eligible for line in lines if line.category in PERSONNEL]
    if rate.value is None:
        return LineCost(-1, "overhead", Fraction(0), None, [f"{rate.qname}: {rate.note}"])
    if any(p is None for p in personnel):
        return LineCost(-1, "overhead", Fraction(0), None, [f.gettext("personnel costs unknown")])
    base = sum((p for p in personnel if p is not None), Fraction(0))  # none is, see above
    amount = Fraction(rate.value) * base
    note = f.gettext(
        "flat rate {rate} on personnel {amount}",
        rate=f.percent(Fraction(rate.value)),
        amount=f.money(base),
    )
    return LineCost(-1, "overhead", Fraction(0), amount, [note])


def _cap_subcontracting(
    lines: list[LineCost],
    overhead: LineCost | None,
    cap: Figure | None,
    notes: list[str],
    lang: str,
) -> None:
    """Subcontracting at most `cap` of the eligible costs (subcontracting included):
    S <= cap × (S + other), so S <= cap / (1 − cap) × other. Lines shrink in proportion."""
    f = formatter(lang)
    sub = [line for line in lines if line.category == "subcontracting"]
    if cap is None or not sub:
        return
    if cap.value is None:
        for line in sub:
            line.eligible = None
            line.notes.append(f"{cap.qname}: {cap.note}")
        return
    share = Fraction(cap.value)
    others = [line.eligible for line in lines if line.category != "subcontracting"]
    if overhead is not None:
        others.append(overhead.eligible)
    if any(o is None for o in others) or any(line.eligible is None for line in sub):
        return
    # None of them is None (returned above); the filters tell the type checker so.
    other = sum((o for o in others if o is not None), Fraction(0))
    total = sum((line.eligible for line in sub if line.eligible is not None), Fraction(0))
    allowed = total if share >= 1 else min(total, share / (1 - share) * other)
    if allowed < total:
        factor = allowed / total
        for line in sub:
            if line.eligible is not None:
                line.eligible = line.eligible * factor
            line.notes.append(
                f.gettext(
                    "subcontracting cap {share} ({cap})", share=f.percent(share), cap=cap.qname
                )
            )
        label = cap.labels.get(lang, cap.qname)
        notes.append(
            f.gettext(
                "{label}: subcontracting limited to {allowed} ({cut})",
                label=label,
                allowed=f.money(allowed),
                cut=f.money(allowed - total),
            )
        )


def eligible_record(
    profile: Profile, lines: list[LineCost], overhead: LineCost | None
) -> InputRecord:
    """The profile as the programme's rules should see it: every line at its eligible cost
    (exact), lines not eligible at all left out, the flat-rate overhead as one more line.
    Hire lines keep their salary: programmes cost a hire by their own rules (`hire_cost`),
    which is what the budget shows them at; a hire before the start is left out too."""
    record = profile.to_record()
    given = record.collections["project.costs"]
    costs: list[dict] = []
    for line, element in zip(lines, given, strict=True):
        assert isinstance(element, dict)
        if line.eligible == 0 and line.notes:
            continue  # excluded (before the start, replaced overhead)
        if line.category == "hire":
            costs.append(element)
            continue
        element = dict(element)
        if line.eligible is None:
            element.pop("amount", None)  # unknown: the rules will say what is missing
        else:
            element["amount"] = line.eligible
        costs.append(element)
    if overhead is not None and overhead.eligible:
        costs.append({"category": "overhead", "amount": overhead.eligible})
    record.collections["project.costs"] = costs
    return record


def check_record(cat: ir.Catalogue, profile: Profile, as_of: dt.date) -> InputRecord:
    """The record `subsidia check` evaluates: with a project, its lines at their eligible
    cost under the shared budget rules (personnel costed from salaries, recoverable VAT and
    costs before the start left out); a profile without those fields is unchanged."""
    if profile.project is None:
        return profile.to_record()
    return eligible_record(profile, line_costs(cat, profile, "", as_of), None)


def _by_category(
    lines: list[LineCost], overhead: LineCost | None
) -> dict[str, tuple[Fraction, Fraction | None]]:
    found: dict[str, tuple[Fraction, Fraction | None]] = {}
    for line in [*lines, *([overhead] if overhead else [])]:
        stated, eligible = found.get(line.category, (Fraction(0), Fraction(0)))
        new = None if eligible is None or line.eligible is None else eligible + line.eligible
        found[line.category] = (stated + line.stated, new)
    return {c: found[c] for c in CATEGORIES if c in found}


def schedule(figures: list[Figure], grant: Decimal | None, lang: str) -> list[Tranche]:
    """The grant in the declared tranches: each rounded down to the cent, the last one
    taking the remainder. The shares must add up to 100 %."""
    if not figures:
        return []
    shares = [f.value for f in figures if isinstance(f.value, Fraction)]
    total = sum(shares, Fraction(0))
    if len(shares) == len(figures) and total != 1:
        raise InputError(
            figures[0].qname.rsplit(".", 1)[0],
            N_("the tranches add up to {value}, not 100 %", value=_pct(total)),
        )
    tranches = []
    paid = Decimal(0)
    for i, f in enumerate(figures):
        amount = None
        if grant is not None and isinstance(f.value, Fraction):
            if i == len(figures) - 1:
                amount = grant - paid
            else:
                amount = engine.round_grant(Fraction(grant) * f.value)
            paid += amount
        name = f.qname.rsplit(".", 1)[1]
        share = f.value if isinstance(f.value, Fraction) else Fraction(0)
        cumulative = paid if amount is not None else None
        tranches.append(Tranche(name, f.labels.get(lang, name), share, amount, cumulative))
    return tranches


def _pct(value: Fraction) -> str:
    return formatter("en").percent(value)


# ---- output


def _opt(value: Fraction | None) -> str | None:
    return None if value is None else engine.exact_decimal(value)


def budget_json(budget: Budget, lang: str = "en") -> dict:
    result = budget.result
    return {
        "programme": budget.programme,
        "label": budget.label,
        "as_of": budget.as_of.isoformat(),
        "status": result.status,
        "lines": [
            {
                "index": line.index,
                "category": line.category,
                "stated": _opt(line.stated),
                "eligible": _opt(line.eligible),
                "notes": line.notes,
            }
            for line in budget.lines + ([budget.overhead] if budget.overhead else [])
        ],
        "categories": [
            {"category": c, "stated": _opt(stated), "eligible": _opt(eligible)}
            for c, (stated, eligible) in budget.by_category.items()
        ],
        "eligible_total": _opt(budget.eligible_total),
        "grant": None if result.amount is None else str(result.amount),
        "grant_before_limits": (
            None if result.amount_before_limits is None else str(result.amount_before_limits)
        ),
        "limits": [
            {
                "limit": lim.name,
                "label": lim.labels.get(lang, lim.name),
                "value": _opt(lim.value),
                "binding": lim.binding,
                "reduction": None if lim.reduction is None else str(lim.reduction),
            }
            for lim in result.limits
        ],
        "cofinancing": None if budget.cofinancing is None else str(budget.cofinancing),
        "tranches": [
            {
                "tranche": t.name,
                "label": t.label,
                "share": engine.exact_decimal(t.share * 100),
                "amount": None if t.amount is None else str(t.amount),
                "cumulative": None if t.cumulative is None else str(t.cumulative),
            }
            for t in budget.tranches
        ],
        "missing": result.missing,
        "failed": [r.condition for r in result.reasons if r.status == "failed"],
        "notes": budget.notes,
        "parameters": [
            {"parameter": f.qname, "value": _figure_value(f), "note": f.note}
            for f in budget.figures
        ],
    }


def _figure_value(f: Figure) -> object:
    if isinstance(f.value, Fraction):
        return engine.exact_decimal(f.value)
    return f.value


def budget_table(budget: Budget, lang: str = "en"):
    """The budget template: costs by category, grant and co-financing, cash flow."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from policy.output.check_report import STATUS_WORDS

    f = formatter(lang)
    result = budget.result
    title = Text(
        f.gettext(
            "{label} ({programme}) on {date}: {status}",
            label=budget.label,
            programme=budget.programme,
            date=f.date(budget.as_of),
            status=f.gettext(STATUS_WORDS[result.status]),
        )
    )
    costs = Table(title=f.gettext("Eligible costs by category"))
    costs.add_column(f.gettext("category"))
    costs.add_column(f.gettext("stated"), justify="right")
    costs.add_column(f.gettext("eligible"), justify="right")
    for category, (stated, eligible) in budget.by_category.items():
        costs.add_row(category, f.money(stated), f.money(eligible))
    stated_total = sum((s for s, _ in budget.by_category.values()), Fraction(0))
    costs.add_row(
        f.gettext("total"), f.money(stated_total), f.money(budget.eligible_total), style="bold"
    )
    notes = [
        f"costs[{line.index}] {line.category}: {'; '.join(line.notes)}"
        if line.index >= 0
        else f"{line.category}: {'; '.join(line.notes)}"
        for line in budget.lines + ([budget.overhead] if budget.overhead else [])
        if line.notes
    ] + budget.notes
    financing = Table(title=f.gettext("Financing"))
    financing.add_column("")
    financing.add_column(f.gettext("amount"), justify="right")
    financing.add_row(f.gettext("eligible costs"), f.money(budget.eligible_total))
    if result.amount_before_limits is not None and result.amount_before_limits != result.amount:
        financing.add_row(f.gettext("grant before limits"), f.money(result.amount_before_limits))
    for lim in result.limits:
        if lim.binding:
            label = lim.labels.get(lang, lim.name)
            financing.add_row(
                f.gettext("limited by {label}", label=label), f.money(-(lim.reduction or 0))
            )
    financing.add_row(f.gettext("grant"), f.money(result.amount), style="bold")
    financing.add_row(f.gettext("co-financing (own funds)"), f.money(budget.cofinancing))
    parts: list = [title, costs]
    if notes:
        parts.append(Text("\n".join(notes), style="dim"))
    parts.append(financing)
    if budget.tranches:
        flow = Table(title=f.gettext("Payment schedule (cash flow)"))
        flow.add_column(f.gettext("tranche"))
        flow.add_column(f.gettext("when"))
        for column in (_("share"), _("payment"), _("cumulative")):
            flow.add_column(f.gettext(column), justify="right")
        for t in budget.tranches:
            flow.add_row(
                t.name, t.label, f.percent(t.share), f.money(t.amount), f.money(t.cumulative)
            )
        parts.append(flow)
    else:
        text = f.gettext("No payment schedule in the rule files for this programme.")
        parts.append(Text(text, style="dim"))
    if result.status != "eligible":
        failed = [r.labels.get(lang, r.condition) for r in result.reasons if r.status == "failed"]
        if failed:
            parts.append(
                Text(f.gettext("Failed: {conditions}", conditions="; ".join(failed)), style="red")
            )
        if result.missing:
            missing = ", ".join(result.missing)
            parts.append(Text(f.gettext("Missing: {fields}", fields=missing), style="yellow"))
    return Group(*parts)
