"""`subsidia plan` over several programmes: each partner funded by the one that gives most.

A scenario's `programme` may be a list (`[vlaio_development_project, innoviris_rd_project]`):
a Flemish firm funded by VLAIO and a Brussels firm by Innoviris in one consortium. Each
programme reads the candidates as in a one-programme plan (`programme_terms`), with every
company eligible under a programme of the combination as a possible partner: VLAIO's
applicant sees the Brussels firm as its partner whoever funds it, exactly as the engine's
re-check sees it.

The model has one candidate per company and programme that may fund it, at most one of which
joins (`solver.milp.model`). A programme's consortium rules (two regions, the largest share,
the cooperation bonus) bind the whole consortium once it funds a member, and what a
programme's rules make of a candidate depends on who else may join; so each combination of
the programmes (every non-empty subset: at most 15 for the four a scenario may name) is read
and solved on its own, and the best plan is kept. A combination of one programme is exactly
that programme's own plan, so the answer is never below the best one-programme plan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from itertools import combinations
from pathlib import Path

from dsl import ir
from dsl.errors import N_
from policy import engine
from policy.inputs.scenario import LoadedScenario
from policy.output.formatting import Label, Money
from policy.planner import consortium
from policy.planner import programme_terms as pt
from policy.planner.readable import funder_of
from solver.milp import model as milp
from solver.milp import solve as milp_solve
from solver.native.direct import DirectProgram
from solver.record import InputRecord


def plan(
    loaded: LoadedScenario,
    k: int = 3,
    root: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
    time_limit: float | None = None,
) -> consortium.PlanResult:
    """Plan the scenario, over one programme or several (see `consortium.plan` for the
    answer and the time limit)."""
    if isinstance(loaded.scenario.programme, str):
        return consortium.plan(loaded, k, root, progress, time_limit)
    return _plan_several(loaded, k, root, progress or (lambda _m: None), time_limit)


@dataclass(slots=True)
class Side:
    """One programme's reading of the candidates, within one combination of programmes."""

    pid: str
    loaded: LoadedScenario  # the scenario with this programme alone
    facts: list[pt.Facts]
    program: DirectProgram
    records: list[InputRecord]
    terms: pt.ProgrammeTerms | None = None

    def eligible(self) -> list[pt.Facts]:
        return [f for f in self.facts if f.partner.eligible]

    def fresh(self) -> Side:
        """A copy whose candidates are as evaluated, before any compilation."""
        facts = [
            replace(f, partner=replace(f.partner, reasons=list(f.partner.reasons)), rules=None)
            for f in self.facts
        ]
        return Side(self.pid, self.loaded, facts, self.program, self.records)


def _plan_several(
    loaded: LoadedScenario,
    k: int,
    root: str | Path | None,
    say: Callable[[str], None],
    time_limit: float | None,
) -> consortium.PlanResult:
    deadline = milp_solve.Deadline.after(time_limit)
    sc = loaded.scenario
    cat = engine.catalogue(root)
    pids = list(sc.programme)
    progs = [
        consortium.programme_in_force(cat, pid, loaded, f"programme[{i}]")
        for i, pid in enumerate(pids)
    ]
    say(N_("evaluating the candidates against the rules"))
    evaluated = _evaluate(loaded, cat, pids, progs, str(root or engine.rules_root()))
    result = consortium.PlanResult(
        " + ".join(pids), sc.as_of, "infeasible", Decimal("0.00"), _shown(evaluated, pids), []
    )
    result.programmes = tuple(pids)
    result.time_limit = time_limit
    solved: list[tuple[tuple[Side, ...], consortium.Solved]] = []
    blocked: dict[tuple[str, ...], list[str]] = {}
    seen: list[tuple[tuple[str, ...], milp.Instance]] = []  # the combinations built so far
    # What each combination solved or bounded could reach at most (None: not known, the
    # time limit stopped it); those offered by a larger one are within its bound.
    bounds: list[Fraction | None] = []
    open_ended = False  # a combination not solved to the end (time limit)
    for chosen in _combinations(evaluated):
        names = tuple(s.pid for s in chosen)
        combo = _read(chosen, cat)
        problems = [p for side in combo for p in (side.terms.problems if side.terms else [])]
        joined = _combined(combo, sc)
        if isinstance(joined, str):
            problems.append(joined)
        if not problems and not all(side.eligible() for side in combo):
            problems.append(N_("a programme of the combination funds no candidate"))
        if problems:
            blocked[names] = problems
            continue
        assert not isinstance(joined, str)
        instance, origin, plans = _instance(combo, joined, sc)
        problems = _precheck(loaded, instance)
        if problems:
            blocked[names] = problems
            continue
        wider = next(
            (
                other
                for other, built in seen
                if set(names) < set(other) and _offers_all(built, instance)
            ),
            None,
        )
        seen.append((names, instance))
        if wider is not None:
            blocked[names] = [
                N_(
                    "not solved on its own: {programmes} offers every choice it does",
                    programmes=" + ".join(wider),
                )
            ]
            continue
        if deadline.expired():
            open_ended = True
            bounds.append(None)
            blocked[names] = [N_("not solved: the time limit was reached")]
            continue
        leader = max((s.outcome.best.total for _, s in solved if s.outcome.best), default=None)
        if leader is not None:
            # Solved only if it could do better than the best plan so far: its LP bound.
            bound = milp_solve.relaxation_bound(instance, deadline)
            if bound is None and deadline.expired():
                open_ended = True
                bounds.append(None)
                blocked[names] = [N_("not solved: the time limit was reached")]
                continue
            if bound is not None and bound <= float(leader) * (1 + RELATIVE):
                bounds.append(Fraction(bound))
                blocked[names] = [
                    N_(
                        "not solved: at most {bound}, not above the plan shown",
                        bound=Money(Fraction(bound)),
                    )
                ]
                continue
        say(N_("planning with {programmes}", programmes=" + ".join(names)))
        outcome = milp_solve.solve(instance, k=k, progress=say, deadline=deadline)
        result.seconds += outcome.seconds
        bounds.append(_bound(outcome))
        open_ended |= outcome.status in ("feasible", "timeout")
        if outcome.best is None and outcome.status == "infeasible":
            blocked[names] = [pt.group_rule(g, names[0], cat, joined) for g in outcome.broken] or [
                N_("no split meets all the rules together (no single rule explains it)")
            ]
        solved.append((combo, consortium.Solved(instance, outcome, joined, origin, plans)))
    found = [(combo, s) for combo, s in solved if s.outcome.best is not None]
    if not found:
        if open_ended:
            result.status, result.time_limit_reached = "timeout", True
        else:
            result.infeasible = _why_not(blocked)
        return result
    combo, best = max(found, key=lambda pair: pair[1].outcome.best.total)  # type: ignore[union-attr]
    if open_ended:
        # A combination was not solved to the end: this plan is the best found, and the
        # optimum is at most the highest bound of any combination (unknown if one has none).
        assert best.outcome.best is not None
        known = [b for b in bounds if b is not None]
        bound = None if len(known) < len(bounds) else max([best.outcome.best.total, *known])
        best.outcome = replace(
            best.outcome, status="feasible", dual_bound=None if bound is None else float(bound)
        )
    result.partners = _shown(combo, pids)
    result.notes = _compared(solved, best, blocked)
    consortium.finish(result, loaded, cat, best, k, root, deadline, say)
    if open_ended:
        result.time_limit_reached = True
    return result


# A combination whose LP bound is within this share of the best plan found is not solved:
# it cannot do better (HiGHS's bound is a float; the planner proves optima to 10⁻⁹ too).
RELATIVE = 1e-9


def _evaluate(
    loaded: LoadedScenario,
    cat: ir.Catalogue,
    pids: list[str],
    progs: list[ir.Programme],
    root: str,
) -> list[Side]:
    """Each programme's reading of every candidate on the conditions that do not depend on
    the split (once: the combinations compile copies of it)."""
    sides = []
    for pid, prog in zip(pids, progs, strict=True):
        alone = LoadedScenario(
            replace(loaded.scenario, programme=pid), loaded.profiles, loaded.file
        )
        facts, program, records = pt.evaluate_candidates(alone, cat, root)
        for f in facts:
            f.partner.programme = pid
            f.partner.funder = funder_of(prog, f.partner.region)
        sides.append(Side(pid, alone, facts, program, records))
    return sides


def _read(chosen: tuple[Side, ...], cat: ir.Catalogue) -> tuple[Side, ...]:
    """The combination's programmes, each candidate's split rules compiled with every company
    eligible under one of them as a possible partner."""
    combo = tuple(side.fresh() for side in chosen)
    pool = [f for side in combo for f in side.facts]
    # A company left out by one programme's compilation is still a possible partner while
    # another programme funds it; once it is left out by all, the others compile again.
    # Ends: a round that leaves nobody out is the last, and each other round leaves out
    # at least one of finitely many (company, programme) pairs for good.
    dropped = True
    while dropped:
        dropped = False
        for side in combo:
            dropped |= pt.compile_split_rules(
                side.loaded, cat, side.program, side.facts, side.records, pool
            )
    for side in combo:
        side.terms = pt.derive_terms(side.loaded, cat, side.facts)
    return combo


def _shown(sides: list[Side] | tuple[Side, ...], pids: list[str]) -> list[pt.PartnerPlan]:
    """Each company as the table shows it: under the first programme of `sides` that finds
    it eligible, else with their reasons (and the programmes left out of `sides` named)."""
    shown = []
    outside = [pid for pid in pids if pid not in {side.pid for side in sides}]
    for i, first in enumerate(sides[0].facts):
        readings = [side.facts[i].partner for side in sides]
        eligible = [p for p in readings if p.eligible]
        if eligible:
            shown.append(eligible[0])
            continue
        merged = replace(first.partner, funder=None, programme=None)
        merged.reasons = [r for p in readings for r in p.reasons] + [
            N_("{programme}: not in the best combination of programmes", programme=pid)
            for pid in outside
        ]
        shown.append(merged)
    return shown


def _combinations(sides: list[Side]) -> list[tuple[Side, ...]]:
    """Every non-empty combination of the programmes that find a candidate eligible, the
    largest first."""
    usable = [s for s in sides if s.eligible()]
    return [combo for size in range(len(usable), 0, -1) for combo in combinations(usable, size)]


def _combined(combo: tuple[Side, ...], sc) -> pt.ProgrammeTerms | str:
    """The consortium rules of the programmes of `combo` together (each binds the whole
    consortium), or why the model cannot take them together."""
    terms = [s.terms for s in combo if s.terms is not None]
    shares = {
        (t.milp.maximum_share, t.milp.share_is_bonus)
        for t in terms
        if t.milp.maximum_share is not None
    }
    if len(shares) > 1:
        return N_("their largest-share rules cannot be planned together")
    share, is_bonus = next(iter(shares), (None, False))
    rules = replace(
        terms[0].milp,
        minimum_regions=max(t.milp.minimum_regions for t in terms),
        maximum_share=share,
        share_is_bonus=is_bonus,
        bonus_needs_sme=any(t.milp.bonus_needs_sme for t in terms),
    )
    joined = pt.ProgrammeTerms(rules, {})
    for t in terms:
        # The consortium's rules are cited from the first programme that has each; a
        # candidate's own (its cap, its minimum aid) from its programme, in `_instance`.
        for group, qname in t.qnames.items():
            if group not in OWN_GROUPS:
                joined.qnames.setdefault(group, qname)
                joined.labels.setdefault(group, t.labels.get(group, Label({}, qname)))
                joined.sources.setdefault(group, t.sources.get(group, ()))
    return joined


# Rules about one candidate: cited per candidate (`group@candidate`, ProgrammeTerms.key),
# from the programme that funds it.
OWN_GROUPS = ("grant_cap", "minimum_aid")


def _instance(
    combo: tuple[Side, ...], terms: pt.ProgrammeTerms, sc
) -> tuple[milp.Instance, dict[str, tuple[str, str]], dict[str, pt.PartnerPlan]]:
    """One candidate per company and programme of `combo` that finds it eligible: named by
    the company's id where only one programme may fund it, else `id@programme`."""
    count: dict[str, int] = {}
    for side in combo:
        for f in side.eligible():
            count[f.partner.id] = count.get(f.partner.id, 0) + 1
    candidates, origin, plans = [], {}, {}
    named: dict[str, list[str]] = {}
    for side in combo:
        assert side.terms is not None
        by_id = {f.partner.id: f.partner for f in side.facts}
        for c in pt.build_instance(side.loaded, side.facts, side.terms).candidates:
            name = c.id if count[c.id] == 1 else f"{c.id}@{side.pid}"
            candidates.append(replace(c, id=name, company=c.id))
            origin[name] = (c.id, side.pid)
            plans[name] = by_id[c.id]
            named.setdefault(c.id, []).append(name)
            for group in OWN_GROUPS:
                if group in side.terms.qnames:
                    terms.qnames[f"{group}@{name}"] = side.terms.qnames[group]
                    terms.labels[f"{group}@{name}"] = side.terms.labels[group]
                    terms.sources[f"{group}@{name}"] = side.terms.sources.get(group, ())
    wps = tuple(
        milp.WorkPackage(
            wp.id,
            Fraction(wp.effort),
            None if wp.allowed is None else tuple(n for a in wp.allowed for n in named.get(a, ())),
        )
        for wp in sc.work_packages
    )
    return milp.Instance(tuple(candidates), wps, terms.milp), origin, plans


def _offers_all(wider: milp.Instance, narrower: milp.Instance) -> bool:
    """Whether every plan of `narrower` is a plan of `wider` with at least its grants: the
    same consortium rules, and each candidate of `narrower` in `wider` with the same
    figures and a bonus within reach of at least the same partners. (Work packages follow:
    a company open to a package is so in both.)"""
    if wider.rules != narrower.rules:
        return False
    present = {(c.firm, c.rate, c.cap): c for c in wider.candidates}
    for c in narrower.candidates:
        other = present.get((c.firm, c.rate, c.cap))
        if other is None:
            return False
        if replace(other, id=c.id, bonus_partners=c.bonus_partners) != c:
            return False
        if c.bonus_partners is not None and not (
            other.bonus_partners is not None and other.bonus_partners >= c.bonus_partners
        ):
            return False
    return True


def _precheck(loaded: LoadedScenario, instance: milp.Instance) -> list[str]:
    """What no consortium of this combination can meet, said before solving."""
    sc = loaded.scenario
    firms = {c.firm for c in instance.candidates}
    problems: list[str] = [
        N_("required partner {partner} is not eligible for any of them", partner=p.id)
        for p in sc.partners
        if p.required and p.id not in firms
    ]
    problems += pt.unreachable_packages(sc, firms)
    return problems


def _bound(outcome: milp_solve.Outcome) -> Fraction | None:
    """The highest grant this combination could reach: its optimum, its bound, or 0 when it
    has no plan; None when the search stopped without one."""
    if outcome.status == "optimal" and outcome.best is not None:
        return outcome.best.total
    if outcome.status == "infeasible":
        return Fraction(0)
    if outcome.dual_bound is not None:
        return Fraction(outcome.dual_bound)
    return None


def _compared(
    solved: list[tuple[tuple[Side, ...], consortium.Solved]],
    best: consortium.Solved,
    blocked: dict[tuple[str, ...], list[str]],
) -> list[str]:
    """One note per combination of programmes: its best total, or why it has no plan, so
    that a reader sees what funding partners from several programmes gains over one."""
    notes: list[str] = []
    for combo, s in solved:
        names = " + ".join(side.pid for side in combo)
        if s.outcome.best is None:
            if s.outcome.status == "timeout":
                notes.append(N_("{programmes}: no plan found in time", programmes=names))
            else:
                notes.append(N_("{programmes}: no plan meets the rules", programmes=names))
            continue
        total = sum(
            (engine.round_grant(g) for g in s.outcome.best.grants.values()), Decimal("0.00")
        )
        text = (
            N_(
                "{programmes}: {total}, the plan shown",
                programmes=names,
                total=Money(Fraction(total)),
            )
            if s is best
            else N_("{programmes}: {total}", programmes=names, total=Money(Fraction(total)))
        )
        notes.append(text)
    for names, reasons in blocked.items():
        if not any(tuple(side.pid for side in combo) == names for combo, _ in solved):
            notes.append(
                N_("{programmes}: {reason}", programmes=" + ".join(names), reason=reasons[0])
            )
    return notes


def _why_not(blocked: dict[tuple[str, ...], list[str]]) -> list[str]:
    """Why no combination of the programmes gives a plan: each one's reasons."""
    out: list[str] = []
    for names, reasons in blocked.items():
        for reason in reasons:
            out.append(N_("{programmes}: {reason}", programmes=" + ".join(names), reason=reason))
    return out or [N_("no candidate is eligible for any of the programmes")]
