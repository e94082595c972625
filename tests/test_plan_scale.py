"""What makes large plans fast keeps them right: Hall sets found by a minimum cut (for
consortia too large to enumerate the subsets of), the first plan from the restricted model,
and the bounded search for alternatives."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.plan import generate
from solver.milp import first_plan, hall
from solver.milp import model as milp
from solver.milp import solve as milp_solve
from tests.test_plan_aggregate import agrees, crowded

SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def transport(draw: st.DrawFn) -> tuple[list[milp.WorkClass], list[int], dict[int, float]]:
    """Work classes open to random members, and random person-months for the members."""
    n = draw(st.integers(1, 6))
    classes = []
    for k in range(draw(st.integers(1, 6))):
        open_to = draw(st.sets(st.integers(0, n - 1), min_size=1))
        effort = Fraction(draw(st.integers(1, 20)))
        classes.append(milp.WorkClass((k,), (effort,), tuple(sorted(open_to))))
    effort = {i: float(draw(st.integers(0, 30))) for i in range(n)}
    return classes, list(range(n)), effort


def _violated(classes: list[milp.WorkClass], t: frozenset[int], effort: dict[int, float]) -> bool:
    reached = sum(float(wc.effort) for wc in classes if not t.isdisjoint(wc.candidates))
    return sum(effort[i] for i in t) > reached + 1e-9


@SETTINGS
@given(transport())
def test_the_minimum_cut_finds_a_violated_set_exactly_when_one_exists(case) -> None:
    classes, chosen, effort = case
    subsets = (
        frozenset(t)
        for size in range(1, len(chosen) + 1)
        for t in itertools.combinations(chosen, size)
    )
    exists = any(_violated(classes, t, effort) for t in subsets)
    found = hall.violated_by_cut(classes, chosen, effort, 1e-9)
    assert (found is not None) == exists
    if found is not None:
        assert _violated(classes, found, effort)


@contextmanager
def cuts_only() -> Iterator[None]:
    """Hall sets found by the minimum cut whatever the consortium's size."""
    saved = hall.ENUMERATED
    hall.ENUMERATED = 0
    try:
        yield
    finally:
        hall.ENUMERATED = saved


@SETTINGS
@given(crowded())
def test_hall_sets_by_minimum_cut_keep_the_full_models_optima(inst: milp.Instance) -> None:
    with cuts_only():
        agrees(inst)


@pytest.mark.parametrize("seed", [0, 1])
def test_the_first_plan_is_a_real_plan_below_the_optimum(seed: int) -> None:
    inst = generate(40, 60, seed, distinct=True)
    model = milp.build(inst, hall=())
    values = first_plan.first_consortium(inst, model, milp_solve.Deadline())
    assert values is not None
    split = milp_solve.exact_split(inst, model, values)  # raises if no split
    members = sum(split.included.values())
    assert 2 <= members <= (inst.rules.max_partners or members)
    out = milp_solve.solve(inst)
    assert out.status == "optimal" and out.best is not None
    assert split.total <= out.best.total


def test_a_large_consortium_is_searched_on_the_aggregated_model() -> None:
    """max_partners 14 at 40 candidates: above what subsets are enumerated for, the same
    optimum as the full model (Hall sets by minimum cut)."""
    base = generate(40, 60, 3, distinct=True)
    inst = milp.Instance(
        base.candidates,
        base.work_packages,
        milp.Rules(
            max_partners=14,
            minimum_regions=2,
            maximum_share=Fraction(7, 10),
            minimum_effort_share=Fraction(1, 20),
        ),
    )
    out = milp_solve.solve(inst)
    full = milp_solve._solve_full(inst)
    assert "hall_rounds" in out.timings  # the aggregated model answered
    assert out.status == full.status == "optimal"
    assert out.best is not None and full.best is not None
    assert out.best.total == full.best.total
