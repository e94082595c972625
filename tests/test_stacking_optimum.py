"""Stacking's optimum (policy/funding/stacking.py) against a MILP written from the rules.

Stacking computes the best combination in closed form: within programmes on the same costs
the aid without de minimis takes the room first, de minimis aid fills what is left and
shares the headroom, and the region of each group of programmes on the same costs is
chosen by trying each. Here the same allocation is a mixed-integer program solved by HiGHS
(a variable per programme's share, a binary per group and region, the ceilings and the
headroom as rows), written from the cumulation rules as docs/cumulation.md states them, not
from stacking's code; on random offers both must reach the same total (to the cent per
programme: stacking rounds each share down).
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import highspy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy.funding import stacking
from solver.milp.model import new_highs

CATEGORIES = ("personnel", "equipment", "advice")
REGIONS = ("flanders", "brussels", "wallonia")


@st.composite
def situations(draw: st.DrawFn):
    offers = []
    for i in range(draw(st.integers(1, 5))):
        categories = draw(
            st.none() | st.frozensets(st.sampled_from(CATEGORIES), min_size=1, max_size=2)
        )
        offers.append(
            stacking.Offer(
                f"p{i}",
                f"p{i}",
                Fraction(draw(st.integers(1, 200))) * 1000,
                categories,
                draw(st.none() | st.sampled_from(REGIONS)),
                draw(st.booleans()),
            )
        )
    costs = {c: Fraction(draw(st.integers(0, 400))) * 1000 for c in CATEGORIES}
    rates: dict[str, Fraction | None] = {
        c: draw(st.none() | st.sampled_from([Fraction(1, 4), Fraction(1, 2), Fraction(4, 5)]))
        for c in (*CATEGORIES, "other")
    }
    headroom = draw(st.none() | st.integers(0, 300).map(lambda k: Fraction(k) * 1000))
    return offers, costs, rates, headroom


def stacked(offers, costs, rates, headroom) -> Fraction:
    """Stacking's total, as `propose` finds it (one region per group of same costs)."""
    groups = stacking._groups(offers)
    choices = [stacking._regions(g) for g in groups]
    return max(
        stacking._allocate(groups, pick, costs, headroom, rates)[0]
        for pick in itertools.product(*choices)
    )


def ceiling(kept, costs, rates) -> Fraction | None:
    """docs/cumulation.md: programmes on the same costs together at most each category's
    costs at its ceiling intensity (`ceiling_<category>`, else `ceiling_other`), never
    less than the best of them alone; one programme alone is not cut; no ceiling when an
    intensity is unknown."""
    if len(kept) < 2:
        return None
    categories: set[str] = set()
    for o in kept:
        categories |= o.categories or set(costs)
    total = Fraction(0)
    for c in categories:
        rate = rates.get(c, rates.get("other"))
        if rate is None:
            return None
        total += rate * costs[c]
    return max(total, max(o.amount for o in kept))


def milp_optimum(offers, costs, rates, headroom) -> float:
    h = new_highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    share = {}
    for o in offers:
        share[o.programme] = h.addVariable(lb=0, ub=float(o.amount), obj=1.0)
    for group in stacking._groups(offers):  # programmes that share a cost category
        regions = sorted({o.region for o in group if o.region}) or [None]
        pick = {r: h.addVariable(lb=0, ub=1, type=highspy.HighsVarType.kInteger) for r in regions}
        h.addConstr(sum(pick.values()) == 1)
        bound = float(sum(o.amount for o in group))
        for region, chosen in pick.items():
            kept = [o for o in group if region is None or o.region in (None, region)]
            for o in group:
                if o not in kept:  # one region funds one activity
                    h.addConstr(share[o.programme] <= float(o.amount) * (1 - chosen))
            top = ceiling(kept, costs, rates)
            if top is not None:
                total = sum(share[o.programme] for o in kept)
                h.addConstr(total <= float(top) + bound * (1 - chosen))
    dm = [share[o.programme] for o in offers if o.de_minimis]
    if headroom is not None and dm:
        h.addConstr(sum(dm) <= float(headroom))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return float(h.getInfo().objective_function_value)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(situations())
def test_stacking_reaches_the_milp_optimum(situation) -> None:
    offers, costs, rates, headroom = situation
    exact = stacked(offers, costs, rates, headroom)
    reference = milp_optimum(offers, costs, rates, headroom)
    # Stacking rounds each programme's share down to the cent; HiGHS works in floats.
    assert abs(float(exact) - reference) <= 0.01 * len(offers) + 1e-6 * max(1.0, reference)
