"""A first plan for the aggregated model's branch and bound, before it starts.

On large instances (400 candidates × 800 work packages, nothing merging) HiGHS's own
heuristics found no plan at all in minutes, so a time limit had nothing to answer with.
The candidates the LP relaxation uses (y_i > 0) are, in practice, where the optimum is: the
aggregated MILP restricted to the most used of them (the others fixed out) is small and
solves fast, and the consortium it chooses is a real plan once its work can be assigned to
the packages (Hall rows added to the restricted model until it can, a few rounds at most).
The caller makes it exact and hands it to HiGHS as its start; the proof of optimality is
still the whole model's, so the optimum cannot change, only the time to reach it and what a
time limit can answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import highspy
import numpy as np

from solver.milp.hall import violated
from solver.milp.model import (
    INF,
    ZERO,
    Instance,
    Model,
    build,
    hall_rows,
    work_classes,
)

if TYPE_CHECKING:
    from solver.milp.solve import Deadline

# The restricted model keeps this many candidates per allowed partner, the most used first.
PER_PARTNER = 4
NODES = 500
ROUNDS = 5
# Below this many candidates the whole model is as quick as the restricted one.
SMALLEST = 30


def first_consortium(instance: Instance, model: Model, deadline: Deadline) -> np.ndarray | None:
    """Column values of `model` (the aggregated model) for a consortium whose person-months
    can be assigned to the packages, or None (none found quickly, or not worth looking)."""
    cands = instance.candidates
    limit = instance.rules.max_partners
    if len(cands) < SMALLEST or limit is None:
        return None
    lp = model.to_highs(lp=True)
    deadline.limit(lp)
    lp.run()
    if lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None  # infeasible or out of time: the search itself says so
    values = lp.getSolution().col_value
    level = {c.id: values[model.index[f"y[{c.id}]"]] for c in cands}
    keep = {c.id for c in cands if c.required}
    ranked = sorted((c.id for c in cands if level[c.id] > 1e-6), key=lambda i: -level[i])
    keep |= set(ranked[: PER_PARTNER * max(limit, 1)])
    if len(keep) >= len(cands) or len(keep) < 2:
        return None
    out = {f"y[{c.id}]": ZERO for c in cands if c.id not in keep}
    sub = build(instance, out, hall=())
    h = sub.to_highs()
    h.setOptionValue("mip_max_nodes", NODES)
    classes = work_classes(instance)
    tolerance = 1e-7 * max(1.0, float(sum((wc.effort for wc in classes), ZERO)))
    for _round in range(ROUNDS):
        deadline.limit(h)
        h.run()
        if h.getInfo().primal_solution_status != 2:
            return None
        got = h.getSolution().col_value
        members = [i for i, c in enumerate(cands) if round(got[sub.index[f"y[{c.id}]"]]) == 1]
        effort = {
            i: got[sub.index[name]] for i in members if (name := f"e[{cands[i].id}]") in sub.index
        }
        sets = violated(classes, members, effort, tolerance)
        if not sets:
            full = np.zeros(len(model.names))
            for name, col in sub.index.items():
                full[model.index[name]] = got[col]
            return full
        for t in sets:
            for row in hall_rows(classes, t):
                named = (sub.index.get(f"e[{cands[i].id}]") for i in sorted(row.members))
                cols = [c for c in named if c is not None]
                lo, hi = (float(row.bound), INF) if row.at_least else (-INF, float(row.bound))
                h.addRow(lo, hi, len(cols), np.array(cols, dtype=np.int32), np.ones(len(cols)))
    return None
