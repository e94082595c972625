"""Invariants of the planner's optimisation (solver.milp), against an independent evaluator.

The evaluator below re-implements the consortium rules from their description (not from
the model's rows): a split is a set of members and person-months per (package, member).
"""

from __future__ import annotations

import dataclasses
import random
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver.milp import model as milp
from solver.milp import solve as milp_solve

REGIONS = ("brussels", "flanders", "wallonia")
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def instances(draw: st.DrawFn) -> milp.Instance:
    n = draw(st.integers(2, 4))
    bonus = draw(st.booleans())
    cands = []
    for i in range(n):
        rate = Fraction(draw(st.sampled_from([25, 35, 45, 50, 55, 60])), 100)
        fixed = Fraction(draw(st.sampled_from([0, 0, 5000])))
        # Cumulation ceilings: alone, raised by effective collaboration, and a fixed line
        # whose category's ceiling is lower (offset −€500 on €5,000).
        ceiling = draw(st.sampled_from([None, None, Fraction(1, 4), Fraction(45, 100)]))
        collab = None
        offset = Fraction(0)
        if ceiling is not None:
            collab = ceiling + Fraction(draw(st.sampled_from([0, 15])), 100)
            offset = Fraction(draw(st.sampled_from([0, -500]))) if fixed else Fraction(0)
        cands.append(
            milp.Candidate(
                id=f"c{i}",
                region=draw(st.sampled_from(REGIONS)),
                monthly_cost=Fraction(draw(st.integers(2, 24)) * 500),
                capacity=Fraction(draw(st.integers(0, 30))),
                fixed_cost=fixed,
                rate=rate,
                solo_rate=rate - Fraction(1, 10) if bonus else None,
                cap=draw(st.sampled_from([None, Fraction(30000), Fraction(100000)])),
                minimum_aid=Fraction(draw(st.sampled_from([0, 0, 10000]))),
                required=draw(st.booleans()) and i == 0,
                sme=draw(st.booleans()),
                ceiling=ceiling,
                collab_ceiling=collab,
                ceiling_offset=offset,
            )
        )
    if not bonus and draw(st.booleans()):
        # A bonus of its own: the candidate's rate rises when one of these others joins
        # (Innoviris's cooperation, Wallonia's partner outside Wallonia).
        i = draw(st.integers(0, n - 1))
        others = [c.id for c in cands if c.id != cands[i].id]
        givers = draw(st.lists(st.sampled_from(others), min_size=1, unique=True))
        c = cands[i]
        cands[i] = dataclasses.replace(
            c, solo_rate=c.rate - Fraction(15, 100), bonus_partners=frozenset(givers)
        )
    if draw(st.booleans()):
        # The first company may also be funded by a second programme: a second candidate
        # of the same company, at another rate and cap; at most one of them joins.
        first = dataclasses.replace(cands[0], company="c0")
        twin = dataclasses.replace(
            first,
            id="c0@other",
            rate=Fraction(draw(st.sampled_from([20, 40, 70])), 100),
            solo_rate=None,
            bonus_partners=None,
            cap=draw(st.sampled_from([None, Fraction(20000)])),
        )
        cands = [first, *cands[1:], twin]
    ids = [c.id for c in cands]
    wps = []
    for w in range(draw(st.integers(1, 3))):
        allowed = draw(st.none() | st.lists(st.sampled_from(ids), min_size=1, unique=True))
        wps.append(
            milp.WorkPackage(
                f"w{w}",
                Fraction(draw(st.integers(1, 20))),
                None if allowed is None else tuple(allowed),
            )
        )
    rules = milp.Rules(
        max_partners=draw(st.none() | st.integers(1, n)),
        minimum_regions=draw(st.sampled_from([1, 2])),
        maximum_share=draw(st.sampled_from([None, Fraction(7, 10)])),
        share_is_bonus=bonus,
        bonus_needs_sme=draw(st.booleans()),
        minimum_effort_share=draw(st.sampled_from([None, Fraction(1, 10)])),
        collaboration_share=draw(st.sampled_from([None, Fraction(7, 10)])),
    )
    return milp.Instance(tuple(cands), tuple(wps), rules)


# --- the independent evaluator -----------------------------------------------------------


def evaluate(
    inst: milp.Instance, members: set[str], effort: dict[tuple[str, str], Fraction]
) -> Fraction | None:
    """The total grant of a split, or None if it breaks a rule."""
    cands = {c.id: c for c in inst.candidates}
    rules = inst.rules
    firms = [cands[m].company or m for m in members]
    if not members or len(set(firms)) < len(firms):
        return None  # a company joins once, under one programme
    if any(c.required and (c.company or c.id) not in firms for c in inst.candidates):
        return None
    if rules.max_partners is not None and len(members) > rules.max_partners:
        return None
    if len({cands[m].region for m in members}) < rules.minimum_regions:
        return None
    for (_w, p), v in effort.items():
        if v < 0 or (v and p not in members):
            return None
    for wp in inst.work_packages:
        done = sum((v for (w, p), v in effort.items() if w == wp.id), Fraction(0))
        if done != wp.effort:
            return None
        if wp.allowed is not None and any(
            v and p not in wp.allowed for (w, p), v in effort.items() if w == wp.id
        ):
            return None
    months = {m: sum((v for (w, p), v in effort.items() if p == m), Fraction(0)) for m in members}
    total_effort = sum((wp.effort for wp in inst.work_packages), Fraction(0))
    costs = {m: cands[m].monthly_cost * months[m] + cands[m].fixed_cost for m in members}
    budget = sum(costs.values(), Fraction(0))
    balanced = rules.maximum_share is None or all(
        costs[m] <= rules.maximum_share * budget for m in members
    )
    for m in members:
        if months[m] > cands[m].capacity:
            return None
        if rules.minimum_effort_share and months[m] < rules.minimum_effort_share * total_effort:
            return None
    bonus = False
    if rules.share_is_bonus:
        bonus = (
            balanced
            and len(members) >= 2
            and (not rules.bonus_needs_sme or any(cands[m].sme for m in members))
        )
    elif not balanced:
        return None
    total = Fraction(0)
    collaborating = collaboration(inst, members, costs)
    for m in members:
        c = cands[m]
        own = c.company or c.id
        earned = bonus
        if c.bonus_partners is not None:
            earned = any((cands[j].company or j) in c.bonus_partners - {own} for j in members)
        rate = c.rate if earned or c.solo_rate is None else c.solo_rate
        if rate * costs[m] < c.minimum_aid:
            return None
        grant = rate * costs[m] if c.cap is None else min(rate * costs[m], c.cap)
        ceiling = ceiling_of(c, costs[m], collaborating)
        total += grant if ceiling is None else min(grant, ceiling)
    return total


def collaboration(inst: milp.Instance, members: set[str], costs: dict[str, Fraction]) -> bool:
    """Effective collaboration: two firms or more, an SME, none above the share."""
    share = inst.rules.collaboration_share
    budget = sum(costs.values(), Fraction(0))
    smes = any(c.sme for c in inst.candidates if c.id in members)
    return (
        share is not None
        and len(members) >= 2
        and smes
        and all(costs[m] <= share * budget for m in members)
    )


def ceiling_of(c: milp.Candidate, costs: Fraction, collaborating: bool) -> Fraction | None:
    """The cumulation ceiling in euros: the intensity (raised when collaborating) on the
    costs, plus the fixed line's own adjustment."""
    if c.ceiling is None:
        return None
    intensity = c.collab_ceiling if collaborating and c.collab_ceiling else c.ceiling
    return intensity * costs + c.ceiling_offset


def random_split(inst: milp.Instance, rnd: random.Random):
    ids = [c.id for c in inst.candidates]
    members = {i for i in ids if rnd.random() < 0.6}
    effort: dict[tuple[str, str], Fraction] = {}
    for wp in inst.work_packages:
        able = [m for m in members if wp.allowed is None or m in wp.allowed]
        if not able:
            continue
        weights = [Fraction(rnd.randint(0, 4)) for _ in able]
        if not any(weights):
            weights[0] = Fraction(1)
        for m, wgt in zip(able, weights, strict=True):
            if wgt:
                effort[wp.id, m] = wp.effort * wgt / sum(weights)
    return members, effort


def optimum(inst: milp.Instance) -> Fraction | None:
    out = milp_solve.solve(inst)
    return None if out.best is None else out.best.total


# --- properties --------------------------------------------------------------------------


@SETTINGS
@given(instances(), st.randoms(use_true_random=False))
def test_planner_beats_every_random_feasible_split(inst: milp.Instance, rnd: random.Random) -> None:
    out = milp_solve.solve(inst)
    best = out.best
    if best is not None:
        members = {p for p, inc in best.included.items() if inc}
        # The planner's own split is feasible by the independent rules and worth its total.
        assert evaluate(inst, members, best.effort) == best.total
        cands = {c.id: c for c in inst.candidates}
        collaborating = collaboration(inst, members, best.costs)
        for p, g in best.grants.items():
            assert cands[p].cap is None or g <= cands[p].cap  # no cap exceeded
            ceiling = ceiling_of(cands[p], best.costs[p], collaborating)
            assert ceiling is None or g <= ceiling  # no cumulation ceiling exceeded
    for _ in range(8):
        members, effort = random_split(inst, rnd)
        value = evaluate(inst, members, effort)
        if value is not None:
            assert best is not None, "the planner missed a feasible split"
            assert best.total >= value


@SETTINGS
@given(instances(), st.data())
def test_removing_a_candidate_never_raises_the_optimum(inst: milp.Instance, data) -> None:
    removable = [c for c in inst.candidates if not c.required]
    if not removable:
        return
    gone = data.draw(st.sampled_from(removable)).id
    wps = tuple(
        dataclasses.replace(wp, allowed=tuple(a for a in wp.allowed if a != gone))
        if wp.allowed is not None
        else wp
        for wp in inst.work_packages
    )
    smaller = milp.Instance(tuple(c for c in inst.candidates if c.id != gone), wps, inst.rules)
    before, after = optimum(inst), optimum(smaller)
    if after is not None:
        assert before is not None and after <= before


@SETTINGS
@given(instances(), st.data())
def test_adding_capacity_never_lowers_the_optimum(inst: milp.Instance, data) -> None:
    index = data.draw(st.integers(0, len(inst.candidates) - 1))
    extra = Fraction(data.draw(st.integers(1, 20)))
    cands = list(inst.candidates)
    cands[index] = dataclasses.replace(cands[index], capacity=cands[index].capacity + extra)
    bigger = milp.Instance(tuple(cands), inst.work_packages, inst.rules)
    before, after = optimum(inst), optimum(bigger)
    if before is not None:
        assert after is not None and after >= before


# --- the rules compiled into the model agree with the engine on every planned split -------

SIZES = {
    "micro": (5, 900_000),
    "small": (30, 6_000_000),
    "medium": (120, 30_000_000),
    "large": (600, 200_000_000),
}


def company(ident: str, region: str, staff: int, turnover: int, **more: object) -> dict:
    """A generated scenario's company: its size figures, and what the difficulty test reads
    (founded 2010, equity well above half the subscribed capital: not in difficulty)."""
    return {
        "id": ident,
        "region": region,
        "staff": staff,
        "turnover": turnover,
        "balance_sheet": turnover // 2,
        "founded": "2010-01-01",
        "subscribed_capital": 100000,
        "reserves": 50000,
        "accumulated_losses": 0,
        **more,
    }


@st.composite
def scenarios(draw: st.DrawFn) -> dict:
    programme = draw(st.sampled_from(["bel_coo", "vlaio_development_project"]))
    partners = []
    regions = draw(st.permutations(REGIONS))  # distinct: one region only is tested elsewhere
    for i in range(draw(st.integers(2, 3))):
        staff, turnover = SIZES[draw(st.sampled_from(sorted(SIZES)))]
        region = regions[i] if programme == "bel_coo" else "flanders"
        entry = {
            "id": f"p{i}",
            "monthly_cost": draw(st.integers(8, 30)) * 500,
            "capacity": draw(st.integers(10, 60)),
            "profile": {"company": company(f"p{i}", region, staff, turnover)},
        }
        if draw(st.integers(0, 4)) == 0:
            entry["rate"] = draw(st.sampled_from([20, 35, 50]))
        partners.append(entry)
    return {
        "programme": programme,
        "as_of": draw(st.sampled_from(["2023-03-01", "2026-03-01"])),
        "project": {
            "submitted": "2022-12-10",
            "start": "2023-04-01",
            "duration_months": 18,
            "research_category": draw(
                st.sampled_from(["experimental_development", "industrial_research"])
            ),
            "international_cooperation": draw(st.booleans()),
        },
        "partners": partners,
        "work_packages": [
            {"id": f"w{j}", "effort": draw(st.integers(1, 30))}
            for j in range(draw(st.integers(1, 2)))
        ],
    }


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_every_planned_split_is_what_the_engine_gives(data: dict) -> None:
    from policy.inputs.scenario import parse_scenario
    from policy.planner.consortium import plan

    result = plan(parse_scenario(data), k=2)
    if result.status != "infeasible":
        assert result.verified, result.notes
        assert all(a.verified for a in result.alternatives)


# --- exact linear algebra -------------------------------------------------------------------


@SETTINGS
@given(st.integers(1, 6), st.randoms(use_true_random=False))
def test_exact_solve_recovers_a_known_solution(n: int, rnd: random.Random) -> None:
    from solver.milp.exact import solve_square

    # A random unit lower-triangular matrix times a random upper-triangular one with nonzero
    # diagonal is nonsingular; its rows, shuffled, with a known rational solution.
    lower = [
        [Fraction(rnd.randint(-3, 3)) if j < i else Fraction(i == j) for j in range(n)]
        for i in range(n)
    ]
    upper = [
        [
            Fraction(rnd.choice([1, 2, -1, 3]))
            if j == i
            else (Fraction(rnd.randint(-2, 2)) if j > i else Fraction(0))
            for j in range(n)
        ]
        for i in range(n)
    ]
    matrix = [
        [sum((lower[i][k] * upper[k][j] for k in range(n)), Fraction(0)) for j in range(n)]
        for i in range(n)
    ]
    rnd.shuffle(matrix)
    truth = [Fraction(rnd.randint(-50, 50), rnd.randint(1, 9)) for _ in range(n)]
    equations = [
        (
            {j: v for j, v in enumerate(row) if v},
            sum((v * truth[j] for j, v in enumerate(row)), Fraction(0)),
        )
        for row in matrix
    ]
    assert solve_square(equations, list(range(n))) == dict(enumerate(truth))


def test_exact_solve_rejects_dependent_equations() -> None:
    import pytest

    from solver.milp.exact import SingularSystem, solve_square

    one = Fraction(1)
    with pytest.raises(SingularSystem):
        solve_square([({0: one, 1: one}, one), ({0: 2 * one, 1: 2 * one}, 2 * one)], [0, 1])
