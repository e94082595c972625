"""Solving the planner's MILP: optimum, next-best consortia, exact vertices, diagnosis.

HiGHS solves `solver.milp`'s model in floating point with mip gap 0. The chosen consortium
is then fixed and the LP re-solved; its optimal basis is solved again with fractions
(`solver.exact`), giving the exact vertex and exact duals, checked against every row.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from fractions import Fraction

import highspy
import numpy as np

from dsl.errors import N_, InternalError
from solver.milp.exact import SingularSystem, solve_square
from solver.milp.first_plan import first_consortium
from solver.milp.hall import violated
from solver.milp.model import (
    INF,
    ZERO,
    Candidate,
    Instance,
    Model,
    Rules,
    WorkClass,
    build,
    grant_of,
    hall_rows,
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
    # Candidates whose own bonus holds (one of their `bonus_partners` joined).
    own_bonus: frozenset[str] = frozenset()

    def has_bonus(self, c: Candidate) -> bool:
        """Whether candidate `c`'s bonus holds in this split."""
        return c.id in self.own_bonus if c.bonus_partners is not None else self.bonus


@dataclass(slots=True)
class Outcome:
    status: str  # optimal | feasible (time limit, a split found) | infeasible | timeout
    best: Split | None
    alternatives: list[Split]
    dual_bound: float | None
    mip_gap: float | None
    seconds: float
    broken: list[str] = field(default_factory=list)  # groups whose removal restores feasibility
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    # Alternatives left out because their search took too long (not the time limit).
    alternatives_cut: bool = False


class Deadline:
    """When the search must be over (a `time.perf_counter()` instant), or never.

    One deadline is shared by every stage of a plan (the search, its alternatives, the
    diagnosis of an infeasible model, the relaxations that value the consortium rules):
    each HiGHS run gets what is left of it, so a time limit holds end to end."""

    __slots__ = ("at",)

    def __init__(self, at: float | None = None) -> None:
        self.at = at

    @classmethod
    def after(cls, seconds: float | None) -> Deadline:
        return cls(None if seconds is None else time.perf_counter() + seconds)

    def left(self) -> float | None:
        """Seconds left (never negative), or None without a limit."""
        return None if self.at is None else max(self.at - time.perf_counter(), 0.0)

    def expired(self) -> bool:
        return self.at is not None and time.perf_counter() >= self.at

    def limit(self, h: highspy.Highs, cap: float | None = None) -> None:
        """Set HiGHS's time limit to what is left, and at most `cap` seconds."""
        left = self.left()
        if left is not None or cap is not None:
            seconds = min(s for s in (left, cap) if s is not None)
            h.setOptionValue("time_limit", max(seconds, 0.001))


def relaxation_bound(instance: Instance, deadline: Deadline) -> float | None:
    """An upper bound on the instance's optimum from the LP relaxation of its aggregated
    model (no binaries, no Hall rows: a relaxation of a relaxation, so still a bound); 0.0
    when even that has no solution; None when it did not finish by the deadline. A float,
    as HiGHS gives it: compare with a relative tolerance."""
    h = build(instance, hall=()).to_highs(lp=True)
    deadline.limit(h)
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return 0.0
    if status != highspy.HighsModelStatus.kOptimal:
        return None
    return float(h.getInfo().objective_function_value)


# The aggregated model separates Hall rows by enumerating the subsets of a consortium up
# to 12 members, and by a minimum cut above (`solver.milp.hall`). Consortia that may be
# larger than this are solved on the full model.
HALL_PARTNERS = 50


def solve(
    instance: Instance,
    k: int = 1,
    progress: Callable[[str], None] | None = None,
    time_limit: float | None = None,
    deadline: Deadline | None = None,
) -> Outcome:
    """The optimal consortium and split, and up to k−1 next-best consortia.

    With a `time_limit` (seconds) or a `deadline`, the search stops when it is reached:
    the answer is then the best consortium found (status `feasible`, with HiGHS's dual
    bound and gap), or none (status `timeout`); alternatives are only searched for a
    proven optimum, while time is left."""
    start = time.perf_counter()
    deadline = deadline or Deadline.after(time_limit)
    largest = len(instance.candidates)
    if instance.rules.max_partners is not None:
        largest = min(largest, instance.rules.max_partners)
    if largest <= HALL_PARTNERS:
        out = _solve_aggregated(instance, k, progress, deadline)
        if out is not None:
            return out
        if deadline.expired():
            return Outcome("timeout", None, [], None, None, time.perf_counter() - start)
    return _solve_full(instance, k, progress, deadline)


def _solve_aggregated(
    instance: Instance,
    k: int,
    progress: Callable[[str], None] | None,
    deadline: Deadline,
) -> Outcome | None:
    """Branch and bound on the aggregated model, Hall rows added where a consortium's
    person-months cannot be assigned to the packages (None: give up, use the full model).

    The aggregated model is a relaxation of the full one (one effort column per candidate
    instead of one per candidate and work class; Hall rows instead of the transportation),
    so its optimum bounds the full optimum from above. Its optimal consortium S is then
    solved on the full model with the binaries fixed (`exact_split`, as always): once a
    consortium found so far reaches the bound, it is optimal for the full model too. If
    none does, the person-months the aggregated optimum gave S violate Hall's condition for
    some T ⊆ S (an assignment exists exactly when none is violated); those rows are added,
    and the model is solved again with the best consortium found so far as its start.
    Each round cuts the wrong point off for good, so this ends. The model has hundreds of
    columns where the full one has ten thousand (100 × 200), which is what makes branch and
    bound fast (docs/planner.md).
    """
    start = time.perf_counter()
    say = progress or (lambda _message: None)
    clock = _Clock()
    classes = work_classes(instance)
    model = build(instance, hall=())
    h = model.to_highs()
    clock.lap("build")
    y_cols = [model.index[f"y[{c.id}]"] for c in instance.candidates]
    e_cols = {
        i: model.index[f"e[{c.id}]"]
        for i, c in enumerate(instance.candidates)
        if f"e[{c.id}]" in model.index
    }
    tolerance = 1e-7 * max(1.0, float(sum((wc.effort for wc in classes), ZERO)))
    # Every consortium the solver proposed: its exact split, or no split at all (tried).
    found: dict[tuple[int, ...], Split] = {}
    tried: set[tuple[int, ...]] = set()
    splits: list[Split] = []
    # The companies of each consortium in the answer: the next best is another set of
    # companies, not the same companies under other programmes.
    taken: set[frozenset[str]] = set()
    firms = [c.firm for c in instance.candidates]
    proven, dual_bound, gap, rounds = True, None, None, 0
    say(N_("looking for a first plan"))
    start_values = first_consortium(instance, model, deadline)
    if start_values is not None:
        chosen = tuple(round(start_values[col]) for col in y_cols)
        tried.add(chosen)
        with contextlib.suppress(NoSplit):
            found[chosen] = exact_split(instance, model, start_values)
    clock.lap("incumbent")
    say(N_("solving the MILP"))
    phase, cut = deadline, False  # the deadline of the current search: the best, or an alternative
    best_took = 0.0
    while len(splits) < k:
        best = _best_unexcluded(found, taken, firms)
        if best is not None:
            _offer_start(h, model, instance, found[best])
        phase.limit(h)
        h.run()
        clock.lap("solve")
        status = h.getModelStatus()
        info = h.getInfo()
        if status == highspy.HighsModelStatus.kInfeasible or info.primal_solution_status != 2:
            if splits:
                cut = status == highspy.HighsModelStatus.kTimeLimit
                break
            if status == highspy.HighsModelStatus.kTimeLimit and found:
                # Out of time in a later Hall round: the best consortium found so far.
                best = _best_unexcluded(found, taken, firms)
                assert best is not None
                splits.append(found[best])
                proven, dual_bound = False, _bound(info)
                break
            if found:
                return None  # a consortium known feasible, a model said infeasible: floats
            if status == highspy.HighsModelStatus.kInfeasible:
                return _infeasible(instance, start, clock, deadline)
            if status == highspy.HighsModelStatus.kTimeLimit:
                return Outcome(
                    "timeout", None, [], None, None, time.perf_counter() - start, timings=clock.laps
                )
            raise RuntimeError(f"HiGHS stopped with {h.modelStatusToString(status)}")
        optimal = status == highspy.HighsModelStatus.kOptimal
        if splits and not optimal:
            cut = True
            break  # out of time for this alternative: left out, not even made exact
        values = h.getSolution().col_value
        chosen = tuple(round(values[col]) for col in y_cols)
        if chosen not in tried:
            tried.add(chosen)
            say(N_("verifying consortium {number}", number=len(splits) + 1))
            with contextlib.suppress(NoSplit):
                found[chosen] = exact_split(instance, model, values)
            clock.lap("exact")
        best = _best_unexcluded(found, taken, firms)
        bound = float(info.mip_dual_bound)
        if best is not None and (
            not optimal or float(found[best].total) >= bound - 1e-9 * max(1.0, abs(bound))
        ):
            if not splits:
                proven = optimal
                dual_bound, gap = _bound(info), float(info.mip_gap)
            elif not optimal:
                cut = True
                break  # an alternative not proven optimal is left out
            splits.append(found[best])
            taken.add(_firms_in(best, firms))
            if not proven or deadline.expired():
                break  # no alternatives to a plan the search did not prove, or without time
            if len(splits) == 1:
                best_took = time.perf_counter() - start
            phase = _alternative_deadline(deadline, best_took)
            if len(splits) < k:
                _no_good(h, y_cols, list(best), firms)
                say(N_("searching alternative {number}", number=len(splits)))
            continue
        if not optimal:
            break  # out of time before a consortium reached the bound
        members = [i for i, v in enumerate(chosen) if v == 1]
        effort = {i: values[e_cols[i]] for i in members if i in e_cols}
        sets = violated(classes, members, effort, tolerance)
        if not sets or rounds >= MAX_HALL_ROUNDS:
            return None  # float trouble, or too many rounds: the full model decides
        rounds += 1
        for t in sets:
            for row in hall_rows(classes, t):
                cols = np.array([e_cols[i] for i in sorted(row.members) if i in e_cols])
                lo, hi = (float(row.bound), INF) if row.at_least else (-INF, float(row.bound))
                h.addRow(lo, hi, len(cols), cols.astype(np.int32), np.ones(len(cols)))
    clock.laps["hall_rounds"] = rounds
    if not splits:
        return Outcome(
            "timeout", None, [], None, None, time.perf_counter() - start, timings=clock.laps
        )
    return Outcome(
        "optimal" if proven else "feasible",
        splits[0],
        splits[1:],
        dual_bound,
        gap,
        time.perf_counter() - start,
        timings=clock.laps,
        alternatives_cut=cut and not deadline.expired(),
    )


MAX_HALL_ROUNDS = 100


def _alternative_deadline(deadline: Deadline, searched: float) -> Deadline:
    """An alternative is searched for at most twice as long as the best took, and a second
    at least, within the plan's own deadline: one not proven in that time is left out
    (`Outcome.alternatives_cut`) rather than shown unproven."""
    at = time.perf_counter() + max(1.0, 2 * searched)
    return Deadline(at if deadline.at is None else min(at, deadline.at))


def _bound(info) -> float | None:
    """HiGHS's dual bound, or None before it has one (stopped before the root LP)."""
    bound = float(info.mip_dual_bound)
    return bound if np.isfinite(bound) else None


def _best_unexcluded(
    found: dict[tuple[int, ...], Split], taken: set[frozenset[str]], firms: list[str]
) -> tuple[int, ...] | None:
    """The best consortium found so far whose companies are not yet in the answer."""
    rest = [key for key in found if _firms_in(key, firms) not in taken]
    return max(rest, key=lambda key: found[key].total, default=None)


def _firms_in(chosen: tuple[int, ...] | list[int], firms: list[str]) -> frozenset[str]:
    return frozenset(firms[i] for i, v in enumerate(chosen) if v == 1)


def _offer_start(h: highspy.Highs, model: Model, instance: Instance, split: Split) -> None:
    """Hand HiGHS a known consortium as a start: its binaries only (HiGHS completes the
    continuous columns with an LP), so it can prune by that value from the first node."""
    ones = {f"y[{c.id}]" for c in instance.candidates if split.included[c.id]}
    ones |= {f"z[{c.region}]" for c in instance.candidates if split.included[c.id]}
    if split.bonus:
        ones.add("b")
    ones |= {f"p[{c}]" for c in split.own_bonus}
    if split.collaboration:
        ones.add("k")
    cols = [j for j, integer in enumerate(model.integer) if integer]
    values = [1.0 if model.names[j] in ones else 0.0 for j in cols]
    h.setSolution(len(cols), np.array(cols, dtype=np.int32), np.array(values))


def _infeasible(
    instance: Instance,
    start: float,
    clock: _Clock,
    deadline: Deadline,
    model: Model | None = None,
) -> Outcome:
    return Outcome(
        "infeasible",
        None,
        [],
        None,
        None,
        time.perf_counter() - start,
        broken=_diagnose(instance, model or build(instance), deadline),
        timings=clock.laps,
    )


def _solve_full(
    instance: Instance,
    k: int = 1,
    progress: Callable[[str], None] | None = None,
    deadline: Deadline | None = None,
) -> Outcome:
    """The full model (one effort column per candidate and work class) in one solve."""
    deadline = deadline or Deadline()
    start = time.perf_counter()
    say = progress or (lambda _message: None)
    clock = _Clock()
    model = build(instance)
    h = model.to_highs()
    clock.lap("build")
    y_cols = [model.index[f"y[{c.id}]"] for c in instance.candidates]
    firms = [c.firm for c in instance.candidates]
    say(N_("solving the MILP"))
    seed = _Seed.start(instance, model, deadline)
    clock.lap("incumbent")
    if seed is not None:
        seed.offer(h)
    deadline.limit(h)
    h.run()
    clock.lap("solve")
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return _infeasible(instance, start, clock, deadline, model)
    info = h.getInfo()
    proven = status == highspy.HighsModelStatus.kOptimal
    if not proven and info.primal_solution_status != 2:  # no feasible point at all
        if status == highspy.HighsModelStatus.kTimeLimit:
            return Outcome(
                "timeout", None, [], None, None, time.perf_counter() - start, timings=clock.laps
            )
        raise RuntimeError(f"HiGHS stopped with {h.modelStatusToString(status)}")
    dual_bound, gap = _bound(info), float(info.mip_gap)
    splits: list[Split] = []
    while True:
        values = h.getSolution().col_value
        chosen = [round(values[col]) for col in y_cols]
        say(N_("verifying consortium {number}", number=len(splits) + 1))
        splits.append(exact_split(instance, model, values))
        clock.lap("exact")
        if len(splits) >= k or not proven or deadline.expired():
            break  # alternatives only beside a proven optimum, while time is left
        # No-good cut: at least one candidate changes its membership.
        _no_good(h, y_cols, chosen, firms)
        say(N_("searching alternative {number}", number=len(splits)))
        if seed is not None:
            seed.exclude(chosen, firms, deadline)
            clock.lap("incumbent")
            seed.offer(h)
        deadline.limit(h)
        h.run()
        clock.lap("solve")
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
        timings=clock.laps,
    )


class _Clock:
    """Seconds spent per stage, summed over repeats (the benchmark reports them)."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.laps[stage] = self.laps.get(stage, 0.0) + now - self._last
        self._last = now


def _no_good(h: highspy.Highs, y_cols: list[int], chosen: list[int], firms: list[str]) -> None:
    """Σ_{i∈S}(1 − y_i) + Σ_{i∉S} y_i ≥ 1 over companies: at least one company changes its
    membership (a company with a candidate per programme, at most one of which joins, is in
    or out whichever programme funds it; with one candidate per company, the usual cut)."""
    inside = _firms_in(chosen, firms)
    coeffs = np.array([-1.0 if firm in inside else 1.0 for firm in firms])
    h.addRow(1.0 - len(inside), INF, len(y_cols), np.array(y_cols, dtype=np.int32), coeffs)


# At most this many candidates per allowed partner go into the restricted MILP.
SEED_PER_PARTNER = 4
SEED_NODES = 1000


class _Seed:
    """A good first solution for HiGHS, found on a restricted model.

    The candidates the LP relaxation uses (y_i > 0) are, in practice, where the optimum
    is; the MILP restricted to them (the others fixed out) is small and solves fast, and
    its solution is feasible for the full model. Handed to HiGHS as an incumbent, it lets
    the full solve prune by bound from the first node (reduced-cost fixing removed three
    quarters of the binaries at once on 100 × 200): the proof of optimality is still the
    full model's, so the optimum cannot change, only the time to reach it. For the next
    alternative the restricted model gets the same no-good cut and is solved again.
    """

    def __init__(self, full: Model, sub: Model, h: highspy.Highs, deadline: Deadline) -> None:
        self.full, self.sub, self.h = full, sub, h
        self.y_cols = [sub.index[n] for n in full.names if n.startswith("y[")]
        self.to_full = np.array([full.index[n] for n in sub.names], dtype=np.int64)
        deadline.limit(self.h)
        self.h.run()

    @classmethod
    def start(cls, instance: Instance, model: Model, deadline: Deadline) -> _Seed | None:
        lp = model.to_highs(lp=True)
        deadline.limit(lp)
        lp.run()
        if lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None  # infeasible: the full solve says so (and diagnoses it)
        values = lp.getSolution().col_value
        cands = instance.candidates
        level = {c.id: values[model.index[f"y[{c.id}]"]] for c in cands}
        used = sorted(
            (c.id for c in cands if level[c.id] > 1e-6 or c.required), key=lambda i: level[i]
        )
        limit = instance.rules.max_partners
        if limit is not None:
            used = used[-SEED_PER_PARTNER * max(limit, 1) :]
        if len(used) >= len(cands):
            return None  # nothing to restrict: the restricted model is the full one
        keep = set(used)
        sub = build(instance, {f"y[{c.id}]": ZERO for c in cands if c.id not in keep})
        h = sub.to_highs()
        h.setOptionValue("mip_max_nodes", SEED_NODES)
        return cls(model, sub, h, deadline)

    def exclude(self, chosen: list[int], firms: list[str], deadline: Deadline) -> None:
        _no_good(self.h, self.y_cols, chosen, firms)
        deadline.limit(self.h)
        self.h.run()

    def offer(self, h: highspy.Highs) -> None:
        if self.h.getInfo().primal_solution_status != 2:
            return  # no feasible point in the restricted model
        full = np.zeros(len(self.full.names))
        full[self.to_full] = self.h.getSolution().col_value
        solution = highspy.HighsSolution()
        solution.col_value = full.tolist()
        solution.value_valid = True
        h.setSolution(solution)


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
        h.setOptionValue("solver", "simplex")
        h.setOptionValue("primal_feasibility_tolerance", tolerance)
        h.setOptionValue("dual_feasibility_tolerance", tolerance)
        h.run()
        if h.getModelStatus() == highspy.HighsModelStatus.kInfeasible:
            raise NoSplit("no assignment of the work to this consortium")
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


class NoSplit(InternalError, RuntimeError):
    """The consortium the binaries choose has no feasible split."""


class InexactVertex(InternalError, RuntimeError):
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
        assert bound is not None  # a row at a bound has that bound
        tight.append((r, bound))
    known = {j for j in range(n) if value[j] is not None}
    equations = []
    for r, bound in tight:
        coeffs = model.rows[r].coeffs
        rhs = bound - sum((v * x for c, v in coeffs.items() if (x := value[c]) is not None), ZERO)
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
        if v < model.lo[j] or ((hi := model.hi[j]) is not None and v > hi):
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
    firms = {c.firm for c in instance.candidates if included[c.id]}
    own = frozenset(
        c.id
        for c in instance.candidates
        if c.bonus_partners is not None and c.bonus_partners & (firms - {c.firm})
    )
    for c in instance.candidates:
        if not included[c.id]:
            continue
        months = sum((v for (_w, i), v in effort.items() if i == c.id), ZERO)
        costs[c.id] = c.monthly_cost * months + c.fixed_cost
        has = c.id in own if c.bonus_partners is not None else bonus
        grants[c.id] = grant_of(c, costs[c.id], has, collaboration)
    binding = []
    marginal = {}
    for r, row in enumerate(model.rows):
        if row.group in ("costs", "cover", "required", "one_programme", "bonus", "collaboration"):
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
    return Split(
        included, effort, costs, grants, bonus, total, binding, marginal, collaboration, own
    )


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


def _diagnose(instance: Instance, model: Model, deadline: Deadline) -> list[str]:
    """The constraint groups whose removal alone makes the model feasible (each relaxation
    tried for at most 10 s, and none once the deadline is past)."""
    broken = []
    total = sum((wp.effort for wp in instance.work_packages), ZERO)
    for group in RELAXABLE:
        if not any(r.group == group for r in model.rows):
            continue
        if deadline.expired():
            break
        if group == "capacity":
            # Unlimited capacity, not no capacity row: the row also ties work to joining.
            roomy = tuple(replace(c, capacity=max(c.capacity, total)) for c in instance.candidates)
            h = build(replace(instance, candidates=roomy)).to_highs()
        else:
            h = model.to_highs(relax=frozenset({group}))
        deadline.limit(h, 10.0)
        h.run()
        if h.getModelStatus() not in (
            highspy.HighsModelStatus.kInfeasible,
            highspy.HighsModelStatus.kTimeLimit,
        ):
            broken.append(group)
    return broken


# What relaxing each consortium rule means: one more partner, one region fewer, no share
# rule, no minimum effort share.
def _relaxed(instance: Instance, group: str) -> Rules | None:
    """The rules with `group` relaxed; None when it does not apply, or when relaxing it
    leaves the same splits feasible (so the optimum cannot move: no solve needed)."""
    rules = instance.rules
    if group == "max_partners" and rules.max_partners is not None:
        more = rules.max_partners + 1
        # One more partner can join no consortium when there are no more candidates, or
        # when each member must do at least a share of the effort that many cannot share.
        share = rules.minimum_effort_share
        if len(instance.candidates) < more or (share and share * more > 1):
            return None
        return replace(rules, max_partners=more)
    if group == "regions" and rules.minimum_regions > 1:
        return replace(rules, minimum_regions=rules.minimum_regions - 1)
    if group == "maximum_share" and rules.maximum_share is not None:
        return replace(rules, maximum_share=None)
    if group == "minimum_effort_share" and rules.minimum_effort_share:
        return replace(rules, minimum_effort_share=None)
    return None


RULE_GROUPS = ("max_partners", "regions", "maximum_share", "minimum_effort_share")
# Valued by a re-solve: the scenario's own limit on the number of partners, a choice the
# user can change and whose value is combinatorial (no dual gives it). The share rules are
# valued from the exact duals instead (`share_values`), the programme's regions rule not
# at all: one bounded re-solve, not one MILP per rule.
RESOLVED_GROUPS = ("max_partners",)


def share_values(split: Split, instance: Instance) -> dict[str, Fraction]:
    """The value of one percentage point of each continuous consortium rule, from the exact
    duals π of the final exact solve (the consortium fixed): the largest share of the costs
    (rows c_i − s·B ≤ 0: d optimum/d s = Σ π_i·B) and the minimum share of the effort (rows
    Σ x_i − q·E·y_i ≥ 0 with y_i = 1: d optimum/d(−q) = Σ −π_i·E). Exact rates of change
    while the same rows bind; zero rules are left out."""
    budget = sum(split.costs.values(), ZERO)
    effort = sum((wp.effort for wp in instance.work_packages), ZERO)
    rules = instance.rules
    # Under effective collaboration with the same (or a lower) share, the exact model keeps
    # one row for both rules: its dual is theirs together, and relaxing the programme's rule
    # alone gains nothing while the collaboration's still holds at that share.
    merged = (
        split.collaboration
        and rules.collaboration_share is not None
        and rules.maximum_share is not None
        and rules.maximum_share >= rules.collaboration_share
    )
    per_point = {
        "maximum_share": sum(
            (v * budget for (g, _s), v in split.marginal.items() if g == "maximum_share"), ZERO
        )
        if not merged
        else ZERO,
        "minimum_effort_share": sum(
            (-v * effort for (g, _s), v in split.marginal.items() if g == "minimum_effort_share"),
            ZERO,
        ),
    }
    return {group: value / 100 for group, value in per_point.items() if value > 0}


def rule_values(
    instance: Instance,
    total: Fraction,
    time_limit: float | None = None,
    deadline: Deadline | None = None,
    groups: tuple[str, ...] = RULE_GROUPS,
) -> tuple[dict[str, Fraction], list[str]]:
    """For each consortium rule that binds: how much more the exact optimum is without it
    (with one more partner allowed, one region fewer required). A relaxation not proven
    optimal within `time_limit` seconds (each) and before the `deadline` (all) is left out
    rather than reported inexactly; the second list names the rules left out so."""
    deadline = deadline or Deadline()
    values, unvalued = {}, []
    for group in groups:
        rules = _relaxed(instance, group)
        if rules is None:
            continue
        left = deadline.left()
        if left is not None and left < 0.01:
            unvalued.append(group)
            continue
        limits = [s for s in (time_limit, left) if s is not None]
        out = solve(replace(instance, rules=rules), time_limit=min(limits, default=None))
        if out.status == "optimal" and out.best is not None:
            if out.best.total > total:
                values[group] = out.best.total - total
        else:
            unvalued.append(group)
    return values, unvalued
