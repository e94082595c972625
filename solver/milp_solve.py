"""Solving the planner's MILP: optimum, next-best consortia, exact vertices, diagnosis.

HiGHS solves `solver.milp`'s model in floating point with mip gap 0. The chosen consortium
is then fixed and the LP re-solved; its optimal basis is solved again with fractions
(`solver.exact`), giving the exact vertex and exact duals, checked against every row.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from fractions import Fraction

import highspy
import numpy as np

from solver.exact import SingularSystem, solve_square
from solver.milp import (
    INF,
    ZERO,
    Instance,
    Model,
    Rules,
    WorkClass,
    build,
    grant_of,
    work_classes,
)

# --- results -------------------------------------------------------------------------------


@dataclass(slots=True)
class Split:
    """One consortium and its exact work split, grants recomputed with fractions."""

    included: dict[str, bool]
    effort: dict[tuple[str, str], Fraction]  # (work package, candidate) -> person-months
    costs: dict[str, Fraction]
    grants: dict[str, Fraction]
    bonus: bool
    total: Fraction
    binding: list[tuple[str, str]]  # (group, subject) of constraints tight at the vertex
    marginal: dict[tuple[str, str], Fraction]  # exact duals of tight rows (max sense)
    collaboration: bool = False  # effective collaboration: the raised cumulation ceilings


@dataclass(slots=True)
class Outcome:
    status: str  # optimal | feasible (time limit, a split found) | infeasible | timeout
    best: Split | None
    alternatives: list[Split]
    dual_bound: float | None
    mip_gap: float | None
    seconds: float
    broken: list[str] = field(default_factory=list)  # groups whose removal restores feasibility


def solve(
    instance: Instance,
    k: int = 1,
    progress: Callable[[str], None] | None = None,
    time_limit: float | None = None,
) -> Outcome:
    """The optimal consortium and split, and up to k−1 next-best consortia."""
    start = time.perf_counter()
    say = progress or (lambda _message: None)
    model = build(instance)
    h = model.to_highs()
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    y_cols = [model.index[f"y[{c.id}]"] for c in instance.candidates]
    say("solving the MILP")
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return Outcome(
            "infeasible",
            None,
            [],
            None,
            None,
            time.perf_counter() - start,
            broken=_diagnose(instance, model),
        )
    info = h.getInfo()
    proven = status == highspy.HighsModelStatus.kOptimal
    if not proven and info.primal_solution_status != 2:  # no feasible point at all
        if status == highspy.HighsModelStatus.kTimeLimit:
            return Outcome("timeout", None, [], None, None, time.perf_counter() - start)
        raise RuntimeError(f"HiGHS stopped with {h.modelStatusToString(status)}")
    dual_bound, gap = float(info.mip_dual_bound), float(info.mip_gap)
    splits: list[Split] = []
    while True:
        values = h.getSolution().col_value
        chosen = [round(values[col]) for col in y_cols]
        say(f"verifying consortium {len(splits) + 1}")
        splits.append(exact_split(instance, model, values))
        if len(splits) >= k:
            break
        # No-good cut: at least one candidate changes its membership.
        ones = [col for col, v in zip(y_cols, chosen, strict=True) if v == 1]
        coeffs = {col: (-1.0 if v == 1 else 1.0) for col, v in zip(y_cols, chosen, strict=True)}
        h.addRow(
            1.0 - len(ones),
            INF,
            len(coeffs),
            np.array(list(coeffs), dtype=np.int32),
            np.array(list(coeffs.values())),
        )
        say(f"searching alternative {len(splits)}")
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
    best, alternatives = splits[0], splits[1:]
    return Outcome(
        "optimal" if proven else "feasible",
        best,
        alternatives,
        dual_bound,
        gap,
        time.perf_counter() - start,
    )


def exact_split(instance: Instance, mip: Model, values) -> Split:
    """Fix the MILP's binaries, re-solve the LP and recover its optimal vertex exactly."""
    fixed = {
        name: Fraction(round(values[col])) for name, col in mip.index.items() if mip.integer[col]
    }
    model = build(instance, fixed)
    # Simplex without presolve, so the basis is the solver's own; a second try with tight
    # tolerances when the first basis is not exactly feasible (a near-degenerate vertex).
    failure = ""
    for tolerance in (1e-7, 1e-10):
        h = model.to_highs(lp=True)
        h.setOptionValue("presolve", "off")
        h.setOptionValue("solver", "simplex")
        h.setOptionValue("primal_feasibility_tolerance", tolerance)
        h.setOptionValue("dual_feasibility_tolerance", tolerance)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            failure = h.modelStatusToString(h.getModelStatus())
            continue
        basis = h.getBasis()
        try:
            x, duals = _exact_vertex(model, basis)
        except InexactVertex as exc:
            failure = str(exc)
            continue
        bonus, collaboration = bool(fixed.get("b", 0)), bool(fixed.get("k", 0))
        return _split(instance, model, x, duals, bonus, collaboration)
    raise RuntimeError(f"could not recover the exact optimal split: {failure}")


class InexactVertex(RuntimeError):
    """The float basis does not give an exactly feasible vertex."""


def _exact_vertex(model: Model, basis) -> tuple[list[Fraction], dict[int, Fraction]]:
    B = highspy.HighsBasisStatus
    n = len(model.names)
    value: list[Fraction | None] = [None] * n
    basic: list[int] = []
    for j, st in enumerate(basis.col_status):
        if st == B.kBasic:
            basic.append(j)
        elif st == B.kUpper and model.hi[j] is not None:
            value[j] = model.hi[j]
        elif st == B.kZero:
            value[j] = ZERO
        else:
            value[j] = model.lo[j]
    tight: list[tuple[int, Fraction]] = []
    for r, st in enumerate(basis.row_status):
        if st == B.kBasic:
            continue
        row = model.rows[r]
        bound = row.hi if (st == B.kUpper and row.hi is not None) or row.lo is None else row.lo
        tight.append((r, bound))
    known = {j for j in range(n) if value[j] is not None}
    equations = []
    for r, bound in tight:
        coeffs = model.rows[r].coeffs
        rhs = bound - sum((v * value[c] for c, v in coeffs.items() if c in known), ZERO)
        equations.append(({c: v for c, v in coeffs.items() if c not in known}, rhs))
    try:
        solved = solve_square(equations, basic)
    except SingularSystem as exc:
        raise InexactVertex(f"singular basis: {exc}") from exc
    for j, v in solved.items():
        value[j] = v
    full = [v if v is not None else ZERO for v in value]
    _check_feasible(model, full)
    # Duals: for each basic column j, Σ_r π_r·a_rj = cost_j over the tight rows.
    columns: dict[int, dict[int, Fraction]] = {j: {} for j in basic}
    for k, (r, _bound) in enumerate(tight):
        for c, v in model.rows[r].coeffs.items():
            if c in columns:
                columns[c][k] = v
    dual_eqs = [(columns[j], model.cost[j]) for j in basic]
    try:
        pi = solve_square(dual_eqs, list(range(len(tight))))
    except SingularSystem:
        pi = {}
    return full, {tight[k][0]: v for k, v in pi.items()}


def _check_feasible(model: Model, x: list[Fraction]) -> None:
    for j, v in enumerate(x):
        if v < model.lo[j] or (model.hi[j] is not None and v > model.hi[j]):
            raise InexactVertex(f"exact vertex violates the bounds of {model.names[j]}")
    for row in model.rows:
        activity = sum((v * x[c] for c, v in row.coeffs.items()), ZERO)
        if (row.lo is not None and activity < row.lo) or (row.hi is not None and activity > row.hi):
            raise InexactVertex(f"exact vertex violates a {row.group} row ({row.subject})")


def spread(wc: WorkClass, amounts: list[tuple[int, Fraction]]) -> dict[tuple[int, int], Fraction]:
    """Distribute each candidate's share of a class over its packages (north-west corner)."""
    result: dict[tuple[int, int], Fraction] = {}
    packages = list(zip(wc.packages, wc.efforts, strict=True))
    p = 0
    left = packages[0][1] if packages else ZERO
    for i, amount in amounts:
        while amount > 0:
            take = min(amount, left)
            if take:
                w = packages[p][0]
                result[w, i] = result.get((w, i), ZERO) + take
            amount -= take
            left -= take
            if left == 0 and p + 1 < len(packages):
                p += 1
                left = packages[p][1]
            elif left == 0 and amount > 0:
                raise RuntimeError("work class over-assigned")
    return result


def _split(
    instance: Instance,
    model: Model,
    x: list[Fraction],
    duals: dict[int, Fraction],
    bonus: bool,
    collaboration: bool = False,
) -> Split:
    included = {c.id: x[model.index[f"y[{c.id}]"]] == 1 for c in instance.candidates}
    classes = work_classes(instance)
    effort: dict[tuple[str, str], Fraction] = {}
    for k, wc in enumerate(classes):
        shares = [
            (i, x[model.index[f"x[{k},{i}]"]])
            for i in wc.candidates
            if f"x[{k},{i}]" in model.index
        ]
        for (w, i), amount in spread(wc, [(i, v) for i, v in shares if v]).items():
            effort[instance.work_packages[w].id, instance.candidates[i].id] = amount
    costs, grants = {}, {}
    for c in instance.candidates:
        if not included[c.id]:
            continue
        months = sum((v for (_w, i), v in effort.items() if i == c.id), ZERO)
        costs[c.id] = c.monthly_cost * months + c.fixed_cost
        grants[c.id] = grant_of(c, costs[c.id], bonus, collaboration)
    binding = []
    marginal = {}
    for r, row in enumerate(model.rows):
        if row.group in ("costs", "link", "required", "bonus", "collaboration"):
            continue
        activity = sum((v * x[col] for col, v in row.coeffs.items()), ZERO)
        if activity not in (row.lo, row.hi):
            continue
        if row.group != "coverage" and row.subject and not included.get(row.subject, True):
            continue  # a rule about an absent candidate says nothing
        subjects = [row.subject]
        if row.group == "coverage":
            subjects = [instance.work_packages[w].id for w in classes[int(row.subject)].packages]
        for subject in subjects:
            binding.append((row.group, subject))
            if r in duals:
                marginal[row.group, subject] = duals[r]
    total = sum(grants.values(), ZERO)
    return Split(included, effort, costs, grants, bonus, total, binding, marginal, collaboration)


# Constraint groups a relaxation may drop to explain infeasibility, most telling first.
RELAXABLE = (
    "regions",
    "maximum_share",
    "minimum_effort_share",
    "minimum_aid",
    "max_partners",
    "capacity",
    "required",
)


def _diagnose(instance: Instance, model: Model) -> list[str]:
    """The constraint groups whose removal alone makes the model feasible."""
    broken = []
    total = sum((wp.effort for wp in instance.work_packages), ZERO)
    for group in RELAXABLE:
        if not any(r.group == group for r in model.rows):
            continue
        if group == "capacity":
            # Unlimited capacity, not no capacity row: the row also ties work to joining.
            roomy = tuple(replace(c, capacity=max(c.capacity, total)) for c in instance.candidates)
            h = build(replace(instance, candidates=roomy)).to_highs()
        else:
            h = model.to_highs(relax=frozenset({group}))
        h.setOptionValue("time_limit", 10.0)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kInfeasible:
            broken.append(group)
    return broken


# What relaxing each consortium rule means: one more partner, one region fewer, no share
# rule, no minimum effort share.
def _relaxed(rules: Rules, group: str) -> Rules | None:
    if group == "max_partners" and rules.max_partners is not None:
        return replace(rules, max_partners=rules.max_partners + 1)
    if group == "regions" and rules.minimum_regions > 1:
        return replace(rules, minimum_regions=rules.minimum_regions - 1)
    if group == "maximum_share" and rules.maximum_share is not None:
        return replace(rules, maximum_share=None)
    if group == "minimum_effort_share" and rules.minimum_effort_share:
        return replace(rules, minimum_effort_share=None)
    return None


RULE_GROUPS = ("max_partners", "regions", "maximum_share", "minimum_effort_share")


def rule_values(
    instance: Instance, total: Fraction, time_limit: float | None = None
) -> dict[str, Fraction]:
    """For each consortium rule that binds: how much more the exact optimum is without it
    (with one more partner allowed, one region fewer required). A relaxation not proven
    optimal within `time_limit` seconds is left out rather than reported inexactly."""
    values = {}
    for group in RULE_GROUPS:
        rules = _relaxed(instance.rules, group)
        if rules is None:
            continue
        out = solve(replace(instance, rules=rules), time_limit=time_limit)
        if out.status == "optimal" and out.best is not None and out.best.total > total:
            values[group] = out.best.total - total
    return values
