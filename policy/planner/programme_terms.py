"""The planner's view of the rule files: each candidate evaluated as the applicant.

The programme's conditions that do not depend on the split decide each candidate's
eligibility (the engine, one clingo grounding for all candidates); the conditions and the
amount that do are compiled for each candidate by `compile_rules` into the model's rows:
rate, cap, bonus, minimum aid and the consortium rules (docs/planner.md). This module
builds the `solver.milp` instance from both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from functools import partial

from dsl import ir
from dsl.errors import N_, Message
from policy import engine, well_known
from policy.inputs.profile import Profile, Project
from policy.inputs.scenario import LoadedScenario, Scenario
from policy.output.formatting import Label
from policy.planner import compile_rules as rc
from solver.asp.compile import CompiledProgram, compile_programmes
from solver.milp import model as milp
from solver.native.direct import DirectProgram
from solver.record import InputRecord

# The names these terms read from the catalogue are declared in policy/well_known.py.
CATEGORY = well_known.CATEGORY
IS_SME = well_known.IS_SME
HEADROOM = well_known.HEADROOM
OVERALL_CEILING = well_known.OVERALL_CEILING
COLLABORATION_SHARE = well_known.COLLABORATION_SHARE
# A member making the probed candidate collaborate: an SME bearing none of the costs (the
# candidate bears none either), so the ceilings come out as under effective collaboration.
COLLABORATION_PROBE = {"id": "collaboration_probe", "category": "small", "costs": Fraction(0)}
# Lists whose content the plan decides: conditions reaching them are checked on the split.
SPLIT_LISTS = ("project.costs", "project.partners")


@dataclass(slots=True)
class PartnerPlan:
    id: str
    region: str | None
    category: str | None
    eligible: bool
    reasons: list[str]  # why not eligible
    rate: Fraction | None  # the rate used (override or catalogue)
    rate_source: str  # "scenario" or the definition it came from
    cap: Fraction | None
    # Cumulation ceiling on its work (personnel) costs, alone and with collaboration, and
    # the definition it comes from.
    ceiling: Fraction | None = None
    collab_ceiling: Fraction | None = None
    ceiling_source: str = ""
    included: bool = False
    costs: Fraction = Fraction(0)
    grant: Decimal = Decimal("0.00")
    funder: str | None = None  # the agency funding it (`readable.funder_of`)
    programme: str | None = None  # the programme funding it (several in one plan)
    left_out: str | None = None  # why it is not in the plan shown


# --- the candidates, through the engine --------------------------------------------------------


@dataclass(slots=True)
class Facts:
    partner: PartnerPlan
    exports: dict[str, object]
    profile: Profile
    ceiling_offset: Fraction = Fraction(0)  # see milp.Candidate.ceiling_offset
    rules: rc.CandidateRules | None = None  # its compiled conditions and amount


def probe_project(loaded: LoadedScenario, programme: str | None = None) -> Project:
    """The scenario's project without costs or partners (the plan supplies those), applied
    for under `programme` (default: the scenario's one programme)."""
    p = loaded.scenario.project
    return Project(
        programme=programme or single(loaded.scenario),
        submitted=p.submitted,
        start=p.start,
        duration_months=p.duration_months,
        research_category=p.research_category,
        international_cooperation=p.international_cooperation,
    )


def static_conditions(cat: ir.Catalogue, pid: str) -> list[ir.Condition]:
    """The programme's conditions that do not depend on the split (no costs, no partners)."""
    return [c for c in cat.programmes[pid].conditions if not _reaches_split(c.expr, cat)]


def _reaches_split(node: ir.Node, cat: ir.Catalogue) -> bool:
    return any(
        (isinstance(n, ir.Field) and n.path in SPLIT_LISTS)
        or (isinstance(n, ir.Aggregate) and n.var.collection in SPLIT_LISTS)
        for n in ir.walk(node, catalogue=cat)
    )


def probe_program(root: str, as_of: dt.date, pid: str, exports: tuple[str, ...]) -> CompiledProgram:
    """The programme compiled at the date for `exports`, kept with its catalogue."""
    cat = engine.catalogue(root)
    build = partial(compile_programmes, cat, as_of, [pid], list(exports))
    return cat.derived.get("planner probe program", (as_of, pid, exports), build, kept=16)


def _exports(cat: ir.Catalogue, pid: str) -> tuple[str, ...]:
    names = [CATEGORY, IS_SME]
    if "de_minimis" in cat.programmes[pid].meta.get("regime", ()):
        names.append(HEADROOM)
    names += sorted(q for q in cat.definitions if q.startswith(engine.CEILING_PREFIX))
    return tuple(q for q in names if q in cat.definitions)


def ceiling_of(
    cat: ir.Catalogue, values: dict[str, object], category: str, overall: Fraction | None
) -> tuple[Fraction | None, str]:
    """The cumulation ceiling intensity on a cost category and the definition giving it:
    `ceiling_<category>`, else `ceiling_other`; an unknown one (absent from the computed
    `values`) falls back to the overall maximum, as in stacking (docs/cumulation.md).
    (None, "") when the catalogue defines no ceiling at all."""
    qname = engine.CEILING_PREFIX + category
    if qname not in cat.definitions:
        qname = engine.CEILING_PREFIX + "other"
    if qname not in cat.definitions:
        return None, ""
    value = values.get(qname)
    if isinstance(value, Fraction):
        return value, qname
    return (overall, OVERALL_CEILING) if overall is not None else (None, "")


def candidate_facts(loaded: LoadedScenario, cat: ir.Catalogue, root: str) -> list[Facts]:
    """Each candidate evaluated as the applicant, its split-dependent rules compiled with
    the other eligible candidates as its possible partners."""
    facts, program, records = evaluate_candidates(loaded, cat, root)
    compile_split_rules(loaded, cat, program, facts, records)
    return facts


def evaluate_candidates(
    loaded: LoadedScenario, cat: ir.Catalogue, root: str
) -> tuple[list[Facts], DirectProgram, list[InputRecord]]:
    """Each candidate evaluated as the applicant on the conditions that do not depend on
    the split (not compiled yet), with the program and the records it was evaluated on."""
    sc = loaded.scenario
    pid = single(sc)
    # The direct backend: a few hundred records at most, where one clingo grounding of the
    # programme with the shared definitions costs more than evaluating them all.
    program = direct_program(root, sc.as_of, pid, _exports(cat, pid))
    profiles = [replace(loaded.profiles[p.id], project=probe_project(loaded)) for p in sc.partners]
    records = [p.to_record() for p in profiles]
    collaborating = []
    for prof in profiles:
        record = prof.to_record()
        record.collections["project.partners"] = [dict(COLLABORATION_PROBE)]  # type: ignore[assignment]
        collaborating.append(record)
    answers = program.evaluate(records + collaborating)
    alone, together = answers[: len(records)], answers[len(records) :]
    overall = param_value(cat, OVERALL_CEILING, sc.as_of)
    static = static_conditions(cat, pid)
    facts = []
    for partner, prof, answer, collab in zip(sc.partners, profiles, alone, together, strict=True):
        ex = answer.exports
        raw = answer.programmes[pid]
        reasons: list[str] = []
        for cond in static:
            state = raw.conditions.get(cond.name)
            label = Label(cond.labels, cond.name)
            name = f"{pid}.{cond.name}"
            if state == "no":
                reasons.append(N_("{name} not met: {label}", name=name, label=label))
            elif state is None:
                missing = ", ".join(sorted(raw.missing.get(cond.name, ())))
                need = missing or N_("unknown figures")
                reasons.append(
                    N_("{name} unknown ({label}); needs {need}", name=name, label=label, need=need)
                )
        region = prof.company.region
        if region is None:
            reasons.append(N_("company.region is not given"))
        rate = Fraction(partner.rate) / 100 if partner.rate is not None else None
        cap = fraction(ex.get(HEADROOM))  # the de minimis headroom; the amount's cap below
        category = ex.get(CATEGORY)
        ceiling, ceiling_source = ceiling_of(cat, ex, WORK_CATEGORY, overall)
        collab_ceiling, _ = ceiling_of(cat, collab.exports, WORK_CATEGORY, overall)
        facts.append(
            Facts(
                PartnerPlan(
                    partner.id,
                    region,
                    category if isinstance(category, str) else None,
                    not reasons,
                    reasons,
                    rate,
                    "scenario" if rate is not None else f"{pid}.amount",
                    cap,
                    ceiling,
                    collab_ceiling,
                    ceiling_source,
                ),
                ex,
                loaded.profiles[partner.id],
                _ceiling_offset(cat, ex, ceiling, partner.id, loaded, overall),
            )
        )
    return facts, program, records


def compile_split_rules(
    loaded: LoadedScenario,
    cat: ir.Catalogue,
    program: DirectProgram,
    facts: list[Facts],
    records: list[InputRecord],
    pool: list[Facts] | None = None,
) -> bool:
    """Each eligible candidate's split-dependent conditions and amount, compiled with the
    other eligible candidates as its possible partners. A candidate whose rules fall outside
    the model is left out with the construct named; the others are compiled again without
    it, until no more is left out. `program`: the programme resolved at the scenario's
    date (`direct_program`), as the candidates were evaluated with. `pool`: the possible
    partners when they are not `facts` (a plan over several programmes: a company eligible
    under any of them, once). Returns whether a candidate was left out."""
    pid = single(loaded.scenario)
    split = {c.name for c in cat.programmes[pid].conditions} - {
        c.name for c in static_conditions(cat, pid)
    }
    conditions = [(name, node) for name, node in program.conditions[pid] if name in split]
    amount = program.amounts[pid]
    overrides = {p.id: p.rate for p in loaded.scenario.partners}
    dynamic: dict[int, bool] = {}
    reads_id: dict[int, bool] = {}
    changed = True
    dropped = False
    while changed:
        changed = False
        elements: dict[str, rc.Other] = {}
        for g in pool if pool is not None else facts:
            if g.partner.eligible and g.partner.id not in elements:
                elements[g.partner.id] = _element(g, overrides[g.partner.id])
        grouped = rc.group(list(elements.values()))
        for f, record in zip(facts, records, strict=True):
            if not f.partner.eligible:
                continue
            others = [e for i, e in elements.items() if i != f.partner.id]
            compiler = rc.Compiler(program, program.context(record), others, dynamic, reads_id)
            compiler.grouped = rc.without(grouped, f.partner.id)
            where = "amount"
            try:
                if amount is None:
                    raise rc.Refused("the programme has no amount")
                grant = compiler.num(amount, ())
                forms = []
                for name, node in conditions:
                    where = name
                    forms.append((name, compiler.bool(node, ())))
                where = "amount"
                rules = rc.recognise(
                    f.partner.id,
                    f.exports.get(IS_SME) is True,
                    f.partner.region,
                    others,
                    grant,
                    forms,
                )
            except rc.Refused as refused:
                f.partner.eligible = False
                f.partner.reasons.append(
                    N_("{name} cannot be planned: {why}", name=f"{pid}.{where}", why=str(refused))
                )
                changed = dropped = True
                continue
            f.rules = rules
            if overrides[f.partner.id] is None:
                # The catalogue's rate, as compiled this round: with fewer possible partners
                # than in an earlier round, the bonus may no longer be within reach.
                f.partner.rate = rules.rate
            if rules.cap is not None:
                f.partner.cap = (
                    rules.cap if f.partner.cap is None else min(f.partner.cap, rules.cap)
                )
    return dropped


def single(sc: Scenario) -> str:
    """The scenario's one programme (a plan over several is taken apart, one programme at a
    time, by `policy.planner.several`)."""
    assert isinstance(sc.programme, str), "a plan over several programmes is taken apart first"
    return sc.programme


def _element(f: Facts, rate: Decimal | None) -> rc.Other:
    """The candidate as a partner element, as the engine's re-check gives it."""
    element: dict[str, object] = {"id": f.partner.id, "costs": Fraction(0)}
    if f.partner.region:
        element["region"] = f.partner.region
    if f.partner.category:
        element["category"] = f.partner.category
    if rate is not None:
        element["rate"] = Fraction(rate) / 100
    return rc.Other(f.partner.id, element, f.exports.get(IS_SME) is True, f.partner.region)


def direct_program(
    root: str, as_of: dt.date, pid: str, exports: tuple[str, ...] = ()
) -> DirectProgram:
    """The programme resolved at the date with the definitions `exports`, for the direct
    backend (the engine's Python evaluation of the same rules, tested to agree with
    clingo's): the candidates are evaluated and their split-dependent rules compiled with
    it. Kept with its catalogue."""
    cat = engine.catalogue(root)
    build = partial(DirectProgram, cat, as_of, [pid], list(exports))
    return cat.derived.get("planner direct program", (as_of, pid, exports), build, kept=16)


def _ceiling_offset(
    cat: ir.Catalogue,
    exports: dict[str, object],
    ceiling: Fraction | None,
    partner_id: str,
    loaded: LoadedScenario,
    overall: Fraction | None,
) -> Fraction:
    """What the partner's fixed lines' own ceilings add beyond the work ceiling, in euros
    (zero for an R&D project, where every category has the art. 25 ceiling)."""
    if ceiling is None:
        return Fraction(0)
    offset = Fraction(0)
    for line in loaded.scenario.costs:
        if line.partner == partner_id:
            own, _ = ceiling_of(cat, exports, line.category, overall)
            offset += ((own if own is not None else ceiling) - ceiling) * Fraction(line.amount)
    return offset


# The cost category of the person-months a partner works (its `monthly_cost`).
WORK_CATEGORY = "personnel"


def param_value(cat: ir.Catalogue, qname: str, as_of: dt.date) -> Fraction | None:
    """A parameter's constant value at the date (None when unknown or not constant)."""
    param = cat.params.get(qname)
    version = param.version_at(as_of) if param else None
    if version is None or not isinstance(version.value, ir.Const):
        return None
    value = version.value.value
    return value if isinstance(value, Fraction) else None


def fraction(value: object) -> Fraction | None:
    return value if isinstance(value, Fraction) else None


# --- the MILP instance ---------------------------------------------------------------------


@dataclass(slots=True)
class ProgrammeTerms:
    milp: milp.Rules
    qnames: dict[str, str]  # constraint group -> the condition (or amount) it comes from
    labels: dict[str, Label] = field(default_factory=dict)  # constraint group -> its label
    problems: list[str] = field(default_factory=list)  # rules the model cannot take
    # constraint group -> the sources of the condition (or amount) it comes from
    sources: dict[str, tuple[ir.Source, ...]] = field(default_factory=dict)

    def key(self, group: str, subject: str = "") -> str | None:
        """Where a constraint group's rule is cited: per candidate (`group@candidate`, in a
        plan over several programmes: its own programme's cap), else the group's."""
        for key in (f"{group}@{subject}", group):
            if key in self.qnames:
                return key
        return None


def derive_terms(loaded: LoadedScenario, cat: ir.Catalogue, facts: list[Facts]) -> ProgrammeTerms:
    """The consortium-wide rules, from the candidates' compiled conditions: each must be the
    same rule for every eligible candidate (the model has one row family per rule)."""
    pid = single(loaded.scenario)
    sc = loaded.scenario
    compiled = [f.rules for f in facts if f.partner.eligible and f.rules is not None]
    conditions = {c.name: c for c in cat.programmes[pid].conditions}
    kinds: dict[str, set[str]] = {}
    shares: set[Fraction] = set()
    readings: dict[str, set[str]] = {}  # count condition -> readings every candidate allows
    for rules in compiled:
        for name, rule in rules.rules.items():
            if rule[0] == "count":
                allowed = set(rule[1])  # type: ignore[call-overload]
                readings[name] = readings[name] & allowed if name in readings else allowed
                continue
            kinds.setdefault(str(rule[0]), set()).add(name)
            if rule[0] == "share":
                shares.add(rule[1])  # type: ignore[arg-type]
    problems: list[str] = []
    for name, allowed in sorted(readings.items()):
        kind = "regions" if "regions" in allowed else "members" if allowed else ""
        if not kind:
            problems.append(
                N_(
                    "{name} cannot be planned: a different count per candidate",
                    name=f"{pid}.{name}",
                )
            )
        kinds.setdefault(kind or "members", set()).add(name)
    for name in sorted(kinds.get("share", ())):
        if not all(name in r.rules for r in compiled):
            problems.append(
                N_(
                    "{name} cannot be planned: it binds some candidates and not others",
                    name=f"{pid}.{name}",
                )
            )
    bonus_shares = {r.bonus_share for r in compiled if r.bonus_share is not None}
    if len(shares) > 1 or len(bonus_shares) > 1 or (shares and bonus_shares):
        problems.append(
            N_("{programme}: several largest-share rules cannot be planned together", programme=pid)
        )
    if "members" in kinds and "regions" not in kinds:
        for name in sorted(kinds["members"]):
            problems.append(
                N_("{name} cannot be planned: at least two members alone", name=f"{pid}.{name}")
            )
    share = next(iter(shares or bonus_shares), None)
    rules = milp.Rules(
        max_partners=sc.max_partners,
        minimum_regions=2 if "regions" in kinds else 1,
        maximum_share=share,
        share_is_bonus=bool(bonus_shares),
        bonus_needs_sme=any(r.bonus_needs_sme for r in compiled),
        minimum_effort_share=(
            Fraction(sc.minimum_effort_share) / 100 if sc.minimum_effort_share else None
        ),
        collaboration_share=param_value(cat, COLLABORATION_SHARE, sc.as_of),
    )
    qnames: dict[str, str] = {}
    labels: dict[str, Label] = {}
    sources: dict[str, tuple[ir.Source, ...]] = {}
    for group, kind in (
        ("regions", "regions"),
        ("maximum_share", "share"),
        ("minimum_aid", "minimum_aid"),
    ):
        names = sorted(kinds.get(kind, ()))
        if names:
            qnames[group] = f"{pid}.{names[0]}"
            labels[group] = Label(conditions[names[0]].labels, names[0])
            sources[group] = tuple(conditions[names[0]].sources)
    if bonus_shares or any(r.cap is not None for r in compiled):
        amount = cat.programmes[pid].amount
        label = Label(amount.labels if amount else {}, "amount")
        for group in (("maximum_share",) if bonus_shares else ()) + ("grant_cap",):
            qnames[group] = f"{pid}.amount"
            labels[group] = label
            sources[group] = tuple(amount.sources) if amount else ()
    return ProgrammeTerms(rules, qnames, labels, problems, sources)


def build_instance(
    loaded: LoadedScenario, facts: list[Facts], rules: ProgrammeTerms
) -> milp.Instance:
    sc = loaded.scenario
    fixed: dict[str, Fraction] = {}
    for cost in sc.costs:
        fixed[cost.partner] = fixed.get(cost.partner, Fraction(0)) + Fraction(cost.amount)
    candidates = []
    specs = {p.id: p for p in sc.partners}
    for f in facts:
        if not f.partner.eligible:
            continue
        spec = specs[f.partner.id]
        compiled = f.rules
        assert compiled is not None  # every eligible candidate was compiled
        solo = None if spec.rate is not None else compiled.solo_rate
        aid_rate = compiled.aid_rate
        if spec.rate is not None and f.partner.rate is not None:
            # The programme tests the minimum aid at its own rate, the what-if at the
            # scenario's: a split must pass both.
            lowest = compiled.solo_rate or compiled.aid_rate or compiled.rate
            aid_rate = min(lowest, f.partner.rate)
        candidates.append(
            milp.Candidate(
                id=f.partner.id,
                region=f.partner.region or "",
                monthly_cost=Fraction(spec.monthly_cost),
                capacity=Fraction(spec.capacity),
                fixed_cost=fixed.get(f.partner.id, Fraction(0)),
                rate=f.partner.rate or Fraction(0),
                solo_rate=solo,
                cap=f.partner.cap,
                minimum_aid=compiled.minimum_aid,
                required=spec.required,
                sme=f.exports.get(IS_SME) is True,
                aid_rate=aid_rate,
                ceiling=f.partner.ceiling,
                collab_ceiling=f.partner.collab_ceiling,
                ceiling_offset=f.ceiling_offset,
                bonus_partners=None if solo is None else compiled.bonus_partners,
            )
        )
    eligible = {c.id for c in candidates}
    wps = tuple(
        milp.WorkPackage(
            wp.id,
            Fraction(wp.effort),
            None if wp.allowed is None else tuple(a for a in wp.allowed if a in eligible),
        )
        for wp in sc.work_packages
    )
    return milp.Instance(tuple(candidates), wps, rules.milp)


def precheck(
    loaded: LoadedScenario, cat: ir.Catalogue, facts: list[Facts], rules: ProgrammeTerms
) -> list[str]:
    """Rules that no consortium can meet, named before any solving."""
    sc = loaded.scenario
    pid = single(sc)
    eligible = [f.partner for f in facts if f.partner.eligible]
    problems = list(rules.problems)
    for f in facts:
        spec = next(p for p in sc.partners if p.id == f.partner.id)
        if spec.required and not f.partner.eligible:
            problems.append(
                N_(
                    "required partner {partner} is not eligible: {reasons}",
                    partner=f.partner.id,
                    reasons=_joined(f.partner.reasons),
                )
            )
    regions = sorted({p.region for p in eligible if p.region})
    need = rules.milp.minimum_regions
    if need > 1 and len(regions) < need and "regions" in rules.qnames:
        qname = rules.qnames["regions"]
        problems.append(
            N_(
                "{label} ({qname}): the eligible candidates are all in {regions}",
                label=rules.labels["regions"],
                qname=qname,
                regions=", ".join(regions) if regions else N_("no region"),
            )
        )
    ids = {p.id for p in eligible}
    problems += unreachable_packages(sc, ids)
    specs = {p.id: p for p in sc.partners}
    capacity = sum((Fraction(specs[i].capacity) for i in ids), Fraction(0))
    effort = sum((Fraction(wp.effort) for wp in sc.work_packages), Fraction(0))
    if capacity < effort:
        problems.append(
            N_(
                "capacity: the eligible candidates can do {capacity} person-months, the work "
                "packages need {effort}",
                capacity=num(capacity),
                effort=num(effort),
            )
        )
    required = sum(1 for p in sc.partners if p.required)
    if sc.max_partners is not None and required > sc.max_partners:
        problems.append(
            N_(
                "max_partners ({max_partners}) is below the {required} required partners",
                max_partners=sc.max_partners,
                required=required,
            )
        )
    if not eligible:
        problems.append(N_("no candidate is eligible for {programme}", programme=pid))
    return problems


def unreachable_packages(sc: Scenario, eligible: set[str]) -> list[str]:
    """The work packages none of whose allowed partners is among the `eligible` ones."""
    return [
        N_(
            "{path} ({id}): none of its allowed partners is eligible",
            path=f"work_packages[{index}]",
            id=wp.id,
        )
        for index, wp in enumerate(sc.work_packages)
        if wp.allowed is not None and not eligible & set(wp.allowed)
    ]


def _joined(reasons: list[str]) -> Message:
    """Reasons (messages themselves) as one "; "-separated text, each translated."""
    values = {f"r{i}": reason for i, reason in enumerate(reasons)}
    return Message("; ".join(f"{{r{i}}}" for i in range(len(reasons))), **values)


# The rules of a consortium the scenario sets, named when no consortium can meet them.
GROUP_TEXT = {
    "max_partners": N_("the scenario's max_partners"),
    "minimum_effort_share": N_("the scenario's minimum_effort_share"),
    "capacity": N_("the partners' capacities"),
    "required": N_("the required partners"),
}


def group_rule(group: str, pid: str, cat: ir.Catalogue, rules: ProgrammeTerms) -> str:
    if group in rules.qnames:
        qname = rules.qnames[group]
        return N_("{label} ({qname})", label=rules.labels.get(group, qname), qname=qname)
    return GROUP_TEXT.get(group, group)


def num(value: Fraction) -> str:
    return engine.exact_decimal(value) if value.denominator in (1, 2, 4, 5, 10) else str(value)
