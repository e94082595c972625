"""`subsidia plan`: the consortium and work split that maximise the funding, from the rules.

1. Each candidate is evaluated as the applicant by the engine (clingo): the programme's
   conditions that do not depend on the split (region, SME status, difficulty, duration)
   decide its eligibility; the conditions and amount that do are compiled into the model
   (`compile_rules`): its rate, cap, bonus, minimum aid and the consortium rules (regions,
   largest share) — see docs/planner.md.
2. `solver.milp` finds the optimal consortium and split with HiGHS and makes it exact.
3. Every returned split is re-checked by the engine: each included partner's profile with
   its costs and the others as `project.partners` must be eligible, and its grant must be
   what the rules give, to the cent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from pathlib import Path
from typing import cast

from dsl import ir
from dsl.errors import N_
from policy import engine
from policy.errors import InputError
from policy.inputs.scenario import LoadedScenario
from policy.output.formatting import Label, Money
from policy.planner.programme_terms import (
    OVERALL_CEILING,
    PartnerPlan,
    ProgrammeTerms,
    build_instance,
    candidate_facts,
    ceiling_of,
    derive_terms,
    direct_program,
    group_rule,
    num,
    param_value,
    precheck,
    probe_project,
    single,
)
from policy.planner.readable import funder_of, left_out
from solver.milp import model as milp
from solver.milp import solve as milp_solve
from solver.record import InputRecord


@dataclass(slots=True)
class Binding:
    rule: str  # constraint group
    subject: str
    description: str
    marginal: Fraction | None = None
    # The rule in the rule file it comes from (a programme's condition or amount): its
    # qualified name, label and sources; empty for the scenario's own limits.
    qname: str = ""
    label: Label | None = None
    sources: tuple[ir.Source, ...] = ()


@dataclass(slots=True)
class Alternative:
    total: Decimal
    partners: dict[str, Decimal]  # included partner -> grant
    verified: bool


@dataclass(slots=True)
class PlanResult:
    programme: str
    as_of: dt.date
    status: str  # optimal | feasible | infeasible
    total: Decimal
    partners: list[PartnerPlan]
    allocation: list[tuple[str, str, Fraction]]
    alternatives: list[Alternative] = field(default_factory=list)
    binding: list[Binding] = field(default_factory=list)
    marginal: list[Binding] = field(default_factory=list)
    proven: bool = False
    # An upper bound on the optimum (the exact sum of grants before rounding): the optimum
    # itself when proven, else HiGHS's dual bound when the time limit stopped the search.
    bound: Fraction | None = None
    time_limit: float | None = None  # seconds asked for, if any
    time_limit_reached: bool = False  # the limit ended the search or skipped a later stage
    seconds: float = 0.0
    infeasible: list[str] = field(default_factory=list)  # the rules that cannot be met
    # The programmes of a plan over several (`programme` then joins them with " + ").
    programmes: tuple[str, ...] = ()
    verified: bool = False
    notes: list[str] = field(default_factory=list)

    def bound_cents(self) -> Decimal | None:
        """The bound on the optimum to the cent, rounded up: the optimum is at most this."""
        if self.bound is None:
            return None
        return Decimal(f"{-((-self.bound * 100).__floor__())}E-2")

    def gap(self) -> Decimal | None:
        """How far the plan may be from the optimum, as a share of the bound: 0 when proven
        optimal, else (bound − total) / bound from the figures shown (the bound rounded up
        to the cent, the total of the rounded grants), rounded up to 6 decimals so that it
        never understates."""
        if self.proven:
            return Decimal(0)
        bound = self.bound_cents()
        if bound is None or self.status not in ("optimal", "feasible"):
            return None
        if bound <= 0:
            return Decimal(0)
        share = Fraction(bound - self.total) / Fraction(bound)
        return Decimal(f"{-((-share * 10**6).__floor__())}E-6")


@dataclass(slots=True)
class Solved:
    """A solved model and how to read it: which company and programme each of its
    candidates is (one candidate per company in a one-programme plan; one per company and
    programme that may fund it over several), and each one's reading of the rules."""

    instance: milp.Instance
    outcome: milp_solve.Outcome
    terms: ProgrammeTerms
    origin: dict[str, tuple[str, str]]  # candidate -> (company id, programme)
    plans: dict[str, PartnerPlan]  # candidate -> its reading under its programme


def plan(
    loaded: LoadedScenario,
    k: int = 3,
    root: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
    time_limit: float | None = None,
) -> PlanResult:
    """Plan a one-programme scenario: exact optimum, k−1 alternatives, binding rules,
    engine-verified (`policy.planner.several.plan` takes any scenario).

    `time_limit` (seconds) bounds the whole search, from the start of this call: the
    optimisation, its alternatives and the relaxations that value the consortium rules
    share it. When it runs out the answer is the best plan found (status `feasible`, with
    the bound on the optimum) or none (status `timeout`); the engine's evaluation of the
    candidates before, and its re-check of the plan shown after, always run."""
    deadline = milp_solve.Deadline.after(time_limit)
    say = progress or (lambda _m: None)
    sc = loaded.scenario
    cat = engine.catalogue(root)
    pid = single(sc)
    prog = programme_in_force(cat, pid, loaded, "programme")
    say(N_("evaluating the candidates against the rules"))
    facts = candidate_facts(loaded, cat, str(root or engine.rules_root()))
    partners = [f.partner for f in facts]
    for partner in partners:
        partner.funder = funder_of(prog, partner.region)
        partner.programme = pid
    result = PlanResult(pid, sc.as_of, "infeasible", Decimal("0.00"), partners, [])
    result.time_limit = time_limit
    rules = derive_terms(loaded, cat, facts)
    blocked = precheck(loaded, cat, facts, rules)
    if blocked:
        result.infeasible = blocked
        return result
    instance = build_instance(loaded, facts, rules)
    outcome = milp_solve.solve(instance, k=k, progress=say, deadline=deadline)
    result.seconds = outcome.seconds
    if outcome.status == "timeout":
        result.status, result.time_limit_reached = "timeout", True
        return result
    if outcome.best is None:
        result.infeasible = [group_rule(g, pid, cat, rules) for g in outcome.broken] or [
            N_("no split meets all the rules together (no single rule explains it)")
        ]
        return result
    origin = {c.id: (c.id, pid) for c in instance.candidates}
    plans = {p.id: p for p in partners}
    solved = Solved(instance, outcome, rules, origin, {c: plans[c] for c in origin})
    finish(result, loaded, cat, solved, k, root, deadline, say)
    return result


def programme_in_force(
    cat: ir.Catalogue, pid: str, loaded: LoadedScenario, path: str
) -> ir.Programme:
    """The programme of the scenario's field `path`; bad input when it is not in the
    catalogue or not in force on the scenario's date."""
    if pid not in cat.programmes:
        raise InputError(path, _unknown_programme(cat, pid), loaded.file)
    prog = cat.programmes[pid]
    if not prog.valid.contains(loaded.scenario.as_of):
        raise InputError(
            "as_of",
            N_(
                "{programme} is not in force on {as_of} (valid {valid})",
                programme=pid,
                as_of=loaded.scenario.as_of,
                valid=prog.valid,
            ),
            loaded.file,
        )
    return prog


def finish(
    result: PlanResult,
    loaded: LoadedScenario,
    cat: ir.Catalogue,
    solved: Solved,
    k: int,
    root: str | Path | None,
    deadline: milp_solve.Deadline,
    say: Callable[[str], None],
) -> None:
    """The answer from a solved model: the engine's re-check of every split shown, each
    company's figures and programme, the alternatives and what binds."""
    sc = loaded.scenario
    instance, outcome, rules, origin = solved.instance, solved.outcome, solved.terms, solved.origin
    best = outcome.best
    assert best is not None
    say(N_("re-checking the split with the engine"))
    splits = [best, *outcome.alternatives]
    checks = _verify(loaded, cat, solved, splits, root)
    ok, notes = checks[0]
    result.status = outcome.status if ok else "feasible"
    result.proven = outcome.status == "optimal" and ok
    result.verified = ok
    result.notes = notes + result.notes
    if outcome.status == "optimal":
        result.bound = best.total
    elif outcome.dual_bound is not None:
        # HiGHS's bound is a float: read exactly, and never below the plan it bounds.
        result.bound = max(Fraction(outcome.dual_bound), best.total)
    by_id = {p.id: p for p in result.partners}
    cands = {c.id: c for c in instance.candidates}
    for cid, included in best.included.items():
        company, pid = origin[cid]
        if not included:
            continue
        partner = solved.plans[cid]
        by_id[company] = partner  # its reading under the programme that funds it
        partner.included = True
        if cands[cid].solo_rate is not None and not best.has_bonus(cands[cid]):
            # No cooperation bonus in this split: the rate actually used is the solo rate.
            partner.rate = cands[cid].solo_rate
            partner.rate_source = f"{pid}.amount, without the bonus"
        partner.costs = best.costs[cid]
        partner.grant = engine.round_grant(best.grants[cid])
    result.partners = [by_id[p.id] for p in sc.partners]
    result.total = sum((p.grant for p in result.partners), Decimal("0.00"))
    for partner in result.partners:
        if not partner.included:
            partner.left_out = left_out(partner.eligible, partner.reasons, result.proven)
    result.allocation = sorted(
        ((w, origin[p][0], v) for (w, p), v in best.effort.items()),
        key=lambda t: (_order(sc, t[0]), t[1]),
    )
    for split, (verified, _notes) in zip(splits[1:], checks[1:], strict=True):
        grants = {origin[p][0]: engine.round_grant(g) for p, g in split.grants.items()}
        result.alternatives.append(
            Alternative(sum(grants.values(), Decimal("0.00")), grants, verified)
        )
    if len(outcome.alternatives) < k - 1 and deadline.expired():
        result.notes.append(N_("alternatives not searched: the time limit was reached"))
    elif outcome.alternatives_cut:
        result.notes.append(
            N_(
                "next-best consortium {n} not proven within twice the time the best took: left out",
                n=len(outcome.alternatives) + 2,
            )
        )
    say(N_("valuing the consortium rules"))
    # The one re-solve (one more partner) may take as long as the plan itself did, and at
    # least a second, ending by the deadline; the share rules come from the exact duals.
    # Against a plan not proven optimal, none is meaningful.
    limit = max(1.0, 2 * outcome.seconds)
    result.binding, result.marginal, unvalued = _binding(
        best,
        instance,
        rules,
        limit,
        deadline if result.proven else milp_solve.Deadline(0.0),
        result.proven,
        {cid: company for cid, (company, _) in origin.items()},
    )
    if unvalued:
        result.notes.append(
            N_(
                "consortium rules not valued in the time allowed: {rules}",
                rules=", ".join(sorted(unvalued)),
            )
            if result.proven
            else N_("consortium rules not valued: the plan is not proven optimal")
        )
    result.time_limit_reached = result.time_limit is not None and (
        outcome.status != "optimal" or deadline.expired()
    )
    for entry in _ceilings_binding(best, instance, solved.plans, origin):
        result.binding.append(entry)
        if entry.marginal:
            result.marginal.append(entry)
    result.notes.extend(_what_if_above_ceiling(sc, by_id))


def _ceilings_binding(
    split: milp_solve.Split,
    instance: milp.Instance,
    by_id: dict[str, PartnerPlan],
    origin: dict[str, tuple[str, str]],
) -> list[Binding]:
    """Partners whose grant the cumulation ceiling limits (below the programme's rate)."""
    found = []
    for c in instance.candidates:
        if not split.included[c.id]:
            continue
        costs, grant = split.costs[c.id], split.grants[c.id]
        ceiling = milp.ceiling_amount(c, costs, split.collaboration)
        rated = milp.effective_rate(c, split.has_bonus(c)) * costs
        if ceiling is None or not ceiling < rated or grant != ceiling:
            continue
        partner = by_id[c.id]
        assert c.ceiling is not None  # ceiling_amount found an amount, so there is a ceiling
        intensity = c.ceiling + (milp.collab_gain(c) if split.collaboration else 0)
        values = {
            "partner": origin[c.id][0],
            "ceiling": num(intensity * 100),
            "source": partner.ceiling_source,
            "costs": _eur(costs),
            "amount": _eur(ceiling),
            "rated": _eur(rated),
            "rate": num(milp.effective_rate(c, split.has_bonus(c)) * 100),
            "offset": N_(" (its fixed cost lines at their own categories' ceilings)")
            if c.ceiling_offset
            else "",
        }
        if split.collaboration and milp.collab_gain(c):
            text = N_(
                "{partner}'s grant is at the cumulation ceiling of {ceiling} % ({source}, with "
                "effective collaboration) on {costs} of costs: {amount}, not the {rated} of its "
                "rate of {rate} %{offset}",
                **values,
            )
        else:
            text = N_(
                "{partner}'s grant is at the cumulation ceiling of {ceiling} % ({source}) on "
                "{costs} of costs: {amount}, not the {rated} of its rate of {rate} %{offset}",
                **values,
            )
        found.append(
            Binding("cumulation", origin[c.id][0], text, split.marginal.get(("cumulation", c.id)))
        )
    return found


def _what_if_above_ceiling(sc, by_id: dict[str, PartnerPlan]) -> list[str]:
    notes: list[str] = []
    for spec in sc.partners:
        partner = by_id[spec.id]
        if spec.rate is None or partner.ceiling is None:
            continue
        highest = max(partner.ceiling, partner.collab_ceiling or partner.ceiling)
        if Fraction(spec.rate) / 100 > partner.ceiling:
            collaboration = (
                N_(", {highest} % with effective collaboration", highest=num(highest * 100))
                if highest != partner.ceiling
                else ""
            )
            notes.append(
                N_(
                    "{partner}: the what-if rate of {rate} % is above its cumulation ceiling "
                    "({source}: {ceiling} %{collaboration}); the ceiling still applies",
                    partner=spec.id,
                    rate=num(Fraction(spec.rate)),
                    source=partner.ceiling_source,
                    ceiling=num(partner.ceiling * 100),
                    collaboration=collaboration,
                )
            )
    return notes


def _order(sc, wp_id: str) -> int:
    return next(i for i, wp in enumerate(sc.work_packages) if wp.id == wp_id)


def _unknown_programme(cat: ir.Catalogue, pid: str) -> str:
    import difflib

    close = difflib.get_close_matches(pid, list(cat.programmes), n=1)
    hint = N_("; did you mean {close!r}?", close=close[0]) if close else ""
    return N_("unknown programme {pid!r}{hint}", pid=pid, hint=hint)


# --- re-checking with the engine --------------------------------------------------------------


def _verify(
    loaded: LoadedScenario,
    cat: ir.Catalogue,
    solved: Solved,
    splits: list[milp_solve.Split],
    root: str | Path | None,
) -> list[tuple[bool, list[str]]]:
    """Per split: whether the engine finds every included partner eligible with this grant,
    each under the programme that funds it."""
    sc = loaded.scenario
    origin = solved.origin
    cands = {c.id: c for c in solved.instance.candidates}
    regions = {p.id: p.region for p in solved.plans.values()}
    categories = {p.id: p.category for p in solved.plans.values()}
    overrides = {p.id: p.rate for p in sc.partners if p.rate is not None}
    # (split, candidate) -> the applicant's record, grouped by the programme it applies to
    by_programme: dict[str, list[tuple[tuple[int, str], InputRecord]]] = {}
    pricing: dict[str, list[tuple[tuple[int, str], InputRecord]]] = {}
    for s, split in enumerate(splits):
        members = [origin[c][0] for c, inc in split.included.items() if inc]
        company_split = _by_company(split, origin)
        for cid, inc in split.included.items():
            if not inc:
                continue
            company, pid = origin[cid]
            record = _record(
                loaded, pid, company, members, company_split, regions, categories, overrides
            )
            by_programme.setdefault(pid, []).append(((s, cid), record))
            total_q, company_q = f"{pid}.consortium_total", f"{pid}.company_grant"
            if (
                company in overrides
                and len(members) > 1
                and total_q in cat.definitions
                and company_q in cat.definitions
            ):
                # A what-if rate is priced by the rules' consortium total, seen from another
                # member applying to the same programme.
                other = next(m for m in members if m != company)
                pricing.setdefault(pid, []).append(
                    (
                        (s, cid),
                        _record(
                            loaded,
                            pid,
                            other,
                            [other, company],
                            company_split,
                            regions,
                            categories,
                            overrides,
                        ),
                    )
                )
    checked: list[tuple[tuple[int, str], InputRecord, object]] = []
    for pid, entries in by_programme.items():
        reports = engine.check_records([r for _, r in entries], sc.as_of, [pid], root)
        checked += [
            (key, record, report) for (key, record), report in zip(entries, reports, strict=True)
        ]
    priced: dict[tuple[int, str], Fraction] = {}
    for pid, entries in pricing.items():
        total_q, company_q = f"{pid}.consortium_total", f"{pid}.company_grant"
        # The direct backend, as the candidates were read: one clingo grounding for a few
        # records cost more than the rest of the re-check (the eligibility and amounts
        # above stay clingo's, independent of the evaluator the model was compiled with).
        program = direct_program(
            str(root or engine.rules_root()), sc.as_of, pid, (total_q, company_q)
        )
        answers = program.evaluate([r for _, r in entries])
        for (key, _), answer in zip(entries, answers, strict=True):
            total, company = answer.exports.get(total_q), answer.exports.get(company_q)
            if isinstance(total, Fraction) and isinstance(company, Fraction):
                priced[key] = total - company
    overall = param_value(cat, OVERALL_CEILING, sc.as_of)
    results: list[tuple[bool, list[str]]] = [(True, []) for _ in splits]
    for (s, cid), record, checked_report in checked:
        report = cast(engine.CheckReport, checked_report)
        p = origin[cid][0]
        ok, notes = results[s]
        res = report.results[0]
        # The cumulation ceiling on these costs, as the engine computes it for this split
        # (with the actual partners: effective collaboration is the rules' to decide).
        lines = record.collections["project.costs"]
        ceiling = _ceiling_amount(cat, report.values, lines, overall)  # type: ignore[arg-type]
        if res.status != "eligible":
            failed = [r.condition for r in res.reasons if r.status != "met"]
            notes.append(
                N_(
                    "{partner}: the engine finds it {status} ({conditions})",
                    partner=p,
                    status=STATUS_WORDS.get(res.status, res.status),
                    conditions=", ".join(failed),
                )
            )
            ok = False
        planned = splits[s].grants[cid]
        if p in overrides:
            expected = priced.get((s, cid))
            if expected is None:
                c = cands[cid]
                expected = milp.grant_of(
                    c, splits[s].costs[cid], splits[s].has_bonus(c), splits[s].collaboration
                )
                notes.append(
                    N_(
                        "{partner}: what-if rate; grant = min(rate × costs, cap, ceiling)",
                        partner=p,
                    )
                )
        else:
            expected = None
            if res.amount is None:
                notes.append(
                    N_(
                        "{partner}: the engine gives no amount ({missing})",
                        partner=p,
                        missing=", ".join(res.missing),
                    )
                )
                ok = False
            else:
                allowed = res.amount
                if ceiling is not None:
                    allowed = min(allowed, engine.round_grant(ceiling))
                if allowed != engine.round_grant(planned):
                    notes.append(
                        N_(
                            "{partner}: the engine gives {amount} (within the cumulation "
                            "ceiling: {allowed}), the plan {planned}",
                            partner=p,
                            amount=res.amount,
                            allowed=allowed,
                            planned=engine.round_grant(planned),
                        )
                    )
                    ok = False
        if expected is not None and ceiling is not None:
            expected = min(expected, ceiling)
        if ceiling is not None and planned > ceiling:
            notes.append(
                N_(
                    "{partner}: planned {planned} is above its cumulation ceiling {ceiling}",
                    partner=p,
                    planned=planned,
                    ceiling=ceiling,
                )
            )
            ok = False
        if expected is not None and expected != planned:
            notes.append(
                N_(
                    "{partner}: the rules give {expected} at the what-if rate, the plan {planned}",
                    partner=p,
                    expected=expected,
                    planned=planned,
                )
            )
            ok = False
        results[s] = (ok, notes)
    return results


def _ceiling_amount(
    cat: ir.Catalogue,
    values: dict[str, object],
    lines: list[dict[str, object]],
    overall: Fraction | None,
) -> Fraction | None:
    """Σ over the cost lines of the line's amount × its category's ceiling intensity."""
    total = Fraction(0)
    for line in lines:
        intensity, _ = ceiling_of(cat, values, str(line["category"]), overall)
        if intensity is None:
            return None
        total += intensity * Fraction(line["amount"])  # type: ignore[call-overload]
    return total


def _by_company(split: milp_solve.Split, origin: dict[str, tuple[str, str]]) -> milp_solve.Split:
    """The split with each company's figures under its company id (over several programmes,
    the model has one candidate per company and programme)."""
    included = {origin[c][0]: False for c in split.included}
    for c, inc in split.included.items():
        included[origin[c][0]] |= inc
    return replace(
        split,
        included=included,
        effort={(w, origin[c][0]): v for (w, c), v in split.effort.items()},
        costs={origin[c][0]: v for c, v in split.costs.items()},
        grants={origin[c][0]: v for c, v in split.grants.items()},
    )


def _record(
    loaded: LoadedScenario,
    programme: str,
    applicant: str,
    members: list[str],
    split: milp_solve.Split,
    regions: dict[str, str | None],
    categories: dict[str, str | None],
    overrides: dict[str, Decimal],
) -> InputRecord:
    """The applicant's profile applying to `programme` with its planned costs, and the other
    members (whatever programme funds them) as partners. `split` by company id."""
    sc = loaded.scenario
    profile = replace(loaded.profiles[applicant], project=probe_project(loaded, programme))
    record = profile.to_record()
    spec = next(p for p in sc.partners if p.id == applicant)
    months = sum((v for (_w, p), v in split.effort.items() if p == applicant), Fraction(0))
    costs: list[dict[str, object]] = []
    if months:
        costs.append({"category": "personnel", "amount": Fraction(spec.monthly_cost) * months})
    for line in sc.costs:
        if line.partner == applicant:
            costs.append({"category": line.category, "amount": Fraction(line.amount)})
    partners: list[dict[str, object]] = []
    for other in members:
        if other == applicant:
            continue
        element: dict[str, object] = {"id": other, "costs": split.costs[other]}
        if regions.get(other):
            element["region"] = regions[other]
        if categories.get(other):
            element["category"] = categories[other]
        if other in overrides:
            element["rate"] = Fraction(overrides[other]) / 100
        partners.append(element)
    record.collections["project.costs"] = costs  # type: ignore[assignment]
    record.collections["project.partners"] = partners  # type: ignore[assignment]
    return record


# --- what binds ------------------------------------------------------------------------------


def _binding(
    split: milp_solve.Split,
    instance: milp.Instance,
    rules: ProgrammeTerms,
    time_limit: float,
    deadline: milp_solve.Deadline,
    proven: bool = True,
    names: dict[str, str] | None = None,
) -> tuple[list[Binding], list[Binding], list[str]]:
    cands = {c.id: c for c in instance.candidates}
    names = names or {}
    binding: list[Binding] = []
    marginal: list[Binding] = []

    def cited(entry: Binding, group: str, name: str = "") -> Binding:
        """`entry` with the rule of the rule file its group comes from, if any (`name`:
        the model's candidate it is about)."""
        key = rules.key(group.removesuffix("_point"), name)
        if key is not None:
            entry.qname = rules.qnames[key]
            entry.label = rules.labels.get(key)
            entry.sources = rules.sources.get(key, ())
        return entry

    for group, name in split.binding:
        value = split.marginal.get((group, name))
        c = cands.get(name)
        # A candidate is shown as its company (over several programmes the model has one
        # candidate per company and programme); a work package as itself.
        subject = names.get(name, name)
        if group == "coverage":
            if value:
                more = N_(
                    "{value} more grant if {subject} had one more person-month of effort",
                    value=_eur(value),
                    subject=subject,
                )
                marginal.append(Binding(group, subject, more, value))
            continue
        key = rules.key(group, name)
        rule = f" ({rules.qnames[key]})" if key is not None else ""
        if group == "grant_cap" and c is not None:
            text = N_(
                "{subject}'s grant is at its cap of {cap}{rule}",
                subject=subject,
                cap=_eur(c.cap or 0),
                rule=rule,
            )
            if value:
                text = N_(
                    "{subject}'s grant is at its cap of {cap}{rule}: {value} more grant for "
                    "each euro more of cap",
                    subject=subject,
                    cap=_eur(c.cap or 0),
                    rule=rule,
                    value=_eur(value),
                )
        elif group == "capacity" and c is not None:
            text = N_(
                "{subject} works its full capacity of {capacity} person-months",
                subject=subject,
                capacity=num(c.capacity),
            )
            if value:
                text = N_(
                    "{subject} works its full capacity of {capacity} person-months: {value} "
                    "more grant if it could do one more person-month",
                    subject=subject,
                    capacity=num(c.capacity),
                    value=_eur(value),
                )
        elif group == "maximum_share":
            share = rules.milp.maximum_share or Fraction(0)
            text = N_(
                "{subject} has exactly {share} % of the consortium's costs{rule}",
                subject=subject,
                share=num(share * 100),
                rule=rule,
            )
        elif group == "minimum_effort_share":
            text = N_(
                "{subject} does exactly the scenario's minimum share of the effort",
                subject=subject,
            )
        elif group == "minimum_aid" and c is not None:
            text = N_(
                "{subject}'s grant is exactly the minimum aid of {amount}",
                subject=subject,
                amount=_eur(c.minimum_aid),
            )
        else:
            continue  # consortium-wide rules are valued by relaxation below
        entry = cited(Binding(group, subject, text, value), group, name)
        binding.append(entry)
        if value:
            marginal.append(entry)
    share_cap = rules.milp.maximum_share or Fraction(0)
    texts = {
        "max_partners": N_(
            "at most {count} partners (the scenario's max_partners)",
            count=rules.milp.max_partners,
        ),
        "regions": N_("at least {count} regions", count=rules.milp.minimum_regions),
        "maximum_share": N_("no firm above {share} % of costs", share=num(share_cap * 100)),
        "minimum_effort_share": N_("each partner's minimum share of the effort (the scenario's)"),
    }
    values, unvalued = milp_solve.rule_values(
        instance, split.total, time_limit, deadline, milp_solve.RESOLVED_GROUPS
    )
    if proven:
        # What one percentage point of each share rule is worth to this consortium: the
        # exact duals' rate of change, not a relaxation (a different quantity: "without
        # the rule" could change the consortium; this does not).
        for group, rate in milp_solve.share_values(split, instance).items():
            fill = {
                "rule": texts[group],
                "qname": f" ({rules.qnames[group]})" if group in rules.qnames else "",
                "value": _eur(rate),
            }
            if group == "maximum_share":
                text = N_(
                    "{rule}{qname}: {value} more grant for this consortium for each percentage "
                    "point more of the largest share allowed (at the margin)",
                    **fill,
                )
            else:
                text = N_(
                    "{rule}{qname}: {value} more grant for this consortium for each percentage "
                    "point less of the minimum share of effort (at the margin)",
                    **fill,
                )
            entry = cited(Binding(f"{group}_point", "", text, rate), group)
            binding.append(entry)
            marginal.append(entry)
    for group, gain in values.items():
        relaxed = {
            "max_partners": N_("one more partner"),
            "regions": N_("one region fewer"),
        }.get(group, N_("without it"))
        text = N_(
            "{rule}{qname}: {gain} more grant with {relaxed}",
            rule=texts[group],
            qname=f" ({rules.qnames[group]})" if group in rules.qnames else "",
            relaxed=relaxed,
            gain=_eur(gain),
        )
        entry = cited(Binding(group, "", text, gain), group)
        binding.append(entry)
        marginal.append(entry)
    return binding, marginal, unvalued


# A status inside a note, in the reader's language.
STATUS_WORDS = {
    "eligible": N_("eligible"),
    "ineligible": N_("ineligible"),
    "unknown": N_("unknown"),
}


def _eur(value: Fraction | int) -> Money:
    """A euro figure in running text, rounded down to the cent like every amount shown, in
    the notation of the language the text is shown in."""
    return Money(value)


def money(value: Fraction | int) -> str:
    """A euro figure to the cent (half-even); exact when it is whole cents."""
    value = Fraction(value)
    cents = Decimal(value.numerator) / Decimal(value.denominator)
    return str(cents.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN))


def effort_text(value: Fraction) -> str:
    """Person-months as a decimal: exact when it terminates, else to 6 places."""
    d = Decimal(value.numerator) / Decimal(value.denominator)
    if Fraction(d) == value:
        return engine.exact_decimal(value)
    return str(d.quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN))
