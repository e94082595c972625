"""The consortium planner's optimisation model: a MILP solved by HiGHS, made exact afterwards.

This module knows numbers only: candidates with their rates, caps and capacities, work
packages, and the consortium rules as figures. Where those figures come from (the rule
files, through the engine) is `policy.plan`'s business; no YAML, no CLI here.

Model (maximise the consortium's grant Σ g_i):

- y_i ∈ {0,1}: candidate i joins; x[w,i] ≥ 0: person-months of work package w done by i,
  only for allowed pairs; e_i = Σ_w x[w,i]; costs c_i = monthly_cost_i·e_i + fixed_i·y_i.
- coverage Σ_i x[w,i] = effort_w; capacity e_i ≤ capacity_i·y_i; cover Σ_{i allowed} y_i ≥ 1.
- Σ y_i ≤ max_partners; required candidates y_i = 1. Over several programmes, a company is
  one candidate per programme that may fund it: Σ of its y ≤ 1 (= 1 when required).
- regions: z_r ≤ Σ_{i in r} y_i, Σ_r z_r ≥ minimum_regions (z_r binary: region r is present).
- maximum share: c_i ≤ share·B with B = Σ_j c_j; minimum effort share: e_i ≥ q·Σ effort·y_i.
- grant: g_i ≤ rate_i·c_i and g_i ≤ cap_i·y_i, so at the optimum g_i = min(rate_i·c_i, cap_i).
- a bonus (programmes whose rate rises when no firm has more than `share` of the costs): one
  binary b; g_i ≤ solo_i·c_i + (rate_i − solo_i)·h_i with h_i ≤ c_i and h_i ≤ M_i·b; the
  share rule holds when b = 1 (big-M), b needs two firms and, if so ruled, an SME.
- minimum aid: rate-based grant (before the cap) ≥ minimum_aid_i·y_i.
- cumulation ceiling: g_i ≤ ceiling_i·c_i + offset_i·y_i, raised by the collaboration
  increase on h2_i (h2_i ≤ c_i, h2_i ≤ M_i·k) when the collaboration binary k holds: two
  firms, an SME, none above `collaboration_share` of the costs (big-M).

The aggregated model (`build(..., hall=...)`) replaces the x columns by one e_i per
candidate, the coverage by Σ e_i = Σ effort and Hall rows (`hall_rows`): a relaxation with a
hundred times fewer columns, on which branch and bound runs.

`solver.milp_solve.solve` returns the optimum and up to k−1 next-best consortia (no-good
cuts on y), each re-solved with its binaries fixed on the full model and made exact by
`solver.exact`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

import highspy
import numpy as np

INF = highspy.kHighsInf
ZERO = Fraction(0)


@dataclass(frozen=True, slots=True)
class Candidate:
    id: str
    region: str
    monthly_cost: Fraction
    capacity: Fraction
    fixed_cost: Fraction
    rate: Fraction  # with the bonus where the programme has one
    solo_rate: Fraction | None = None  # without the bonus; None: no bonus structure
    cap: Fraction | None = None
    minimum_aid: Fraction = ZERO
    required: bool = False
    sme: bool = True
    # The rate the minimum aid is tested at, when not `rate`: with a what-if rate, the lower
    # of it and the catalogue's (the programme tests its own rate; the what-if, its own).
    aid_rate: Fraction | None = None
    # Cumulation ceiling (an intensity on the candidate's costs) alone, and with effective
    # collaboration (None: the same); `ceiling_offset` adds, in euros, what the fixed lines'
    # own ceilings give beyond that intensity (their category's ceiling may differ).
    ceiling: Fraction | None = None
    collab_ceiling: Fraction | None = None
    ceiling_offset: Fraction = ZERO
    # The company this candidate is: in a plan over several programmes, one candidate per
    # company and programme that may fund it, of which at most one joins ("" = `id`).
    company: str = ""
    # Its bonus (`rate` over `solo_rate`) comes with any of these companies joining, not
    # with the consortium-wide bonus binary (None: the consortium's, if any).
    bonus_partners: frozenset[str] | None = None

    @property
    def firm(self) -> str:
        return self.company or self.id

    @property
    def max_costs(self) -> Fraction:
        return self.monthly_cost * self.capacity + self.fixed_cost


@dataclass(frozen=True, slots=True)
class WorkPackage:
    id: str
    effort: Fraction
    allowed: tuple[str, ...] | None = None  # None: any candidate


@dataclass(frozen=True, slots=True)
class Rules:
    max_partners: int | None = None
    minimum_regions: int = 1
    maximum_share: Fraction | None = None  # of the consortium's costs, per firm
    share_is_bonus: bool = False  # the share rule conditions a rate bonus, not eligibility
    bonus_needs_sme: bool = False
    minimum_effort_share: Fraction | None = None  # of the total effort, per included firm
    # Effective collaboration (raises the cumulation ceilings): at least two firms, an SME,
    # none above this share of the costs.
    collaboration_share: Fraction | None = None


@dataclass(frozen=True, slots=True)
class Instance:
    candidates: tuple[Candidate, ...]
    work_packages: tuple[WorkPackage, ...]
    rules: Rules


_banner_shown = False


def new_highs() -> highspy.Highs:
    """A silent HiGHS instance (the first one in a process prints a banner on fd 1)."""
    global _banner_shown
    if _banner_shown:
        return highspy.Highs()
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    _banner_shown = True
    return h


# --- the model as exact data -----------------------------------------------------------------


@dataclass(slots=True)
class _Row:
    coeffs: dict[int, Fraction]
    lo: Fraction | None
    hi: Fraction | None
    group: str
    subject: str  # the candidate, work package or region the row is about ("" for global)


@dataclass(slots=True)
class Model:
    """Columns and rows with exact coefficients; `to_highs` hands a float copy to HiGHS."""

    names: list[str] = field(default_factory=list)
    lo: list[Fraction] = field(default_factory=list)
    hi: list[Fraction | None] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    cost: list[Fraction] = field(default_factory=list)  # maximised
    rows: list[_Row] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)

    def col(
        self, name: str, lo: Fraction, hi: Fraction | None, integer: bool = False, cost=ZERO
    ) -> int:
        self.index[name] = len(self.names)
        self.names.append(name)
        self.lo.append(Fraction(lo))
        self.hi.append(None if hi is None else Fraction(hi))
        self.integer.append(integer)
        self.cost.append(Fraction(cost))
        return self.index[name]

    def row(
        self,
        coeffs: dict[int, Fraction],
        lo: Fraction | None,
        hi: Fraction | None,
        group: str,
        subject: str = "",
    ) -> None:
        clean = {c: v if type(v) is Fraction else Fraction(v) for c, v in coeffs.items() if v}
        self.rows.append(_Row(clean, lo, hi, group, subject))

    def to_highs(self, relax: frozenset[str] = frozenset(), lp: bool = False) -> highspy.Highs:
        h = new_highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("mip_abs_gap", 0.0)
        h.setOptionValue("threads", 1)
        # HiGHS 1.16's MIP presolve returned a suboptimal point as optimal on one of these
        # models (tests/test_plan_aggregate.py: 181865 for 211865 on four candidates; similar
        # reports upstream, e.g. ERGO-Code/HiGHS#3094). Without presolve the answer is
        # right, and the aggregated model is small enough not to need it; the exact
        # re-solve needs the solver's own basis anyway.
        h.setOptionValue("presolve", "off")
        model = highspy.HighsLp()
        n = len(self.names)
        rows = [r for r in self.rows if r.group not in relax]
        model.num_col_ = n
        model.num_row_ = len(rows)
        model.sense_ = highspy.ObjSense.kMaximize
        model.col_cost_ = np.array([float(c) for c in self.cost])
        model.col_lower_ = np.array([float(v) for v in self.lo])
        model.col_upper_ = np.array([INF if v is None else float(v) for v in self.hi])
        model.row_lower_ = np.array([-INF if r.lo is None else float(r.lo) for r in rows])
        model.row_upper_ = np.array([INF if r.hi is None else float(r.hi) for r in rows])
        starts, index, value = [0], [], []
        for r in rows:
            for c, v in r.coeffs.items():
                index.append(c)
                value.append(float(v))
            starts.append(len(index))
        model.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        model.a_matrix_.num_col_ = n
        model.a_matrix_.num_row_ = len(rows)
        model.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        model.a_matrix_.index_ = np.array(index, dtype=np.int32)
        model.a_matrix_.value_ = np.array(value, dtype=np.float64)
        if not lp and any(self.integer):
            model.integrality_ = [
                highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                for i in self.integer
            ]
        h.passModel(model)
        return h


@dataclass(frozen=True, slots=True)
class WorkClass:
    """Work packages open to the same candidates, merged: only their total effort matters.

    Any split of the total among the allowed candidates can be spread back over the
    packages (a transportation problem with every pair allowed, solved by the north-west
    corner rule in `spread`), so merging loses no solution and removes the symmetry
    between interchangeable packages.
    """

    packages: tuple[int, ...]
    efforts: tuple[Fraction, ...]  # of each package
    candidates: tuple[int, ...]

    @property
    def effort(self) -> Fraction:
        return sum(self.efforts, ZERO)

    @property
    def name(self) -> str:
        return str(self.packages[0])


def work_classes(instance: Instance) -> list[WorkClass]:
    ids = {c.id: i for i, c in enumerate(instance.candidates)}
    groups: dict[tuple[int, ...], list[int]] = {}
    for w, wp in enumerate(instance.work_packages):
        if wp.allowed is None:
            allowed = tuple(range(len(instance.candidates)))
        else:
            allowed = tuple(sorted({ids[a] for a in wp.allowed if a in ids}))
        groups.setdefault(allowed, []).append(w)
    return [
        WorkClass(tuple(ws), tuple(instance.work_packages[w].effort for w in ws), allowed)
        for allowed, ws in groups.items()
    ]


def build(
    instance: Instance,
    fixed: dict[str, Fraction] | None = None,
    hall: Iterable[HallRow] | None = None,
) -> Model:
    """The model; `fixed` pins binaries (by column name) for the exact re-solve.

    With `hall`, the aggregated relaxation instead: one effort column e_i per candidate,
    the work packages' coverage as the total effort and these Hall rows (`hall_rows`)."""
    fixed = fixed or {}
    cands, rules = instance.candidates, instance.rules
    m = Model()

    def binary(name: str) -> int:
        value = fixed.get(name)
        if value is not None:
            return m.col(name, value, value)
        return m.col(name, ZERO, Fraction(1), integer=True)

    y = [binary(f"y[{c.id}]") for c in cands]
    classes = work_classes(instance)
    if hall is None:
        by_cand = _split_columns(m, instance, classes, fixed)
    else:
        by_cand = _effort_columns(m, instance, classes, fixed, hall)
    # Each candidate's costs and the consortium's budget get a column of their own, so the
    # share rows stay sparse (c_i − share·B) instead of listing every effort column.
    g = [m.col(f"g[{c.id}]", ZERO, None, cost=Fraction(1)) for c in cands]
    # No upper bounds on derived columns: a tight bound would take the dual that belongs
    # to the row that causes it (capacity), and the rows bound them already.
    cost = [m.col(f"c[{c.id}]", ZERO, None) for c in cands]
    one = Fraction(1)
    for i, c in enumerate(cands):
        terms = {col: -c.monthly_cost for col in by_cand[i]}
        terms[y[i]] = -c.fixed_cost
        m.row({cost[i]: one, **terms}, ZERO, ZERO, "costs", c.id)
    firms: dict[str, list[int]] = {}
    for i, c in enumerate(cands):
        m.row({**{col: one for col in by_cand[i]}, y[i]: -c.capacity}, None, ZERO, "capacity", c.id)
        firms.setdefault(c.firm, []).append(i)
    for firm, members in firms.items():
        # A required company joins under one of its programmes; any company under one at most.
        row = {y[i]: one for i in members}
        if any(cands[i].required for i in members):
            m.row(row, one, one, "required", firm)
        elif len(members) > 1:
            m.row(row, None, one, "one_programme", firm)
    # Cover rows: some allowed candidate with capacity joins, Σ y_i ≥ 1 per class. Implied
    # for integral y (the class's effort is positive and only members work), they give the
    # LP relaxation the set-cover structure of the problem in one row per class. They
    # replace the link rows x[k,i] ≤ min(effort_k, capacity_i)·y_i, which are stronger
    # but one per column: on 100 × 200 with nothing merging, HiGHS proved the full model's
    # optimum in 15–21 s with link rows, 3.6–5.3 s with cover rows, 15 s with both.
    state = [fixed.get(f"y[{c.id}]") for c in cands]
    able = [s is None and c.capacity > 0 for s, c in zip(state, cands, strict=True)]
    for k, wc in enumerate(classes):
        if any(state[i] == 1 for i in wc.candidates):
            continue  # covered already
        free = [y[i] for i in wc.candidates if able[i]]
        if free:
            m.row(dict.fromkeys(free, one), one, None, "cover", str(k))
    if rules.max_partners is not None:
        m.row({col: one for col in y}, None, Fraction(rules.max_partners), "max_partners")
    if rules.minimum_regions > 1:
        regions = sorted({c.region for c in cands})
        z = {r: binary(f"z[{r}]") for r in regions}
        for r in regions:
            members = {y[i]: -one for i, c in enumerate(cands) if c.region == r}
            m.row({z[r]: one, **members}, None, ZERO, "regions", r)
        m.row({col: one for col in z.values()}, Fraction(rules.minimum_regions), None, "regions")
    total_effort = sum((wc.effort for wc in classes), ZERO)
    if rules.minimum_effort_share:
        need = rules.minimum_effort_share * total_effort
        for i, c in enumerate(cands):
            m.row(
                {**{col: one for col in by_cand[i]}, y[i]: -need},
                ZERO,
                None,
                "minimum_effort_share",
                c.id,
            )
    bonus = None
    shared = [c for c in cands if c.solo_rate is not None and c.bonus_partners is None]
    if rules.share_is_bonus and shared:
        bonus = binary("b")
        m.row({bonus: Fraction(2), **{col: -one for col in y}}, None, ZERO, "bonus")
        if rules.bonus_needs_sme:
            smes = {y[i]: -one for i, c in enumerate(cands) if c.sme}
            m.row({bonus: one, **smes}, None, ZERO, "bonus")
    capped = [c for c in cands if ceiling_can_bind(c)]
    collab = None  # the collaboration binary's column, while it is free
    collab_on = False  # the binary's value once fixed (the exact re-solve)
    share_rows = False  # whether the collaboration's share rule needs rows of its own
    if rules.collaboration_share is not None and any(collab_gain(c) for c in capped):
        if "k" in fixed:
            # Fixed: no column, no h2 (a fixed column would make the ceiling rows
            # degenerate and the exact duals singular); the share rule only if it is on
            # and not already a row of the programme's own share rule.
            collab_on = fixed["k"] == 1
            same = (
                rules.maximum_share is not None
                and rules.maximum_share <= rules.collaboration_share
                and (not rules.share_is_bonus or fixed.get("b") == 1)
            )
            share_rows = collab_on and not same
        else:
            # Collaboration binary k: two firms, an SME, no firm above the share when k = 1.
            collab = binary("k")
            m.row({collab: Fraction(2), **{col: -one for col in y}}, None, ZERO, "collaboration")
            smes = {y[i]: -one for i, c in enumerate(cands) if c.sme}
            m.row({collab: one, **smes}, None, ZERO, "collaboration")
            share_rows = True
    budget = None
    if rules.maximum_share is not None or share_rows:
        budget = m.col("budget", ZERO, None)
        m.row({budget: one, **{col: -one for col in cost}}, ZERO, ZERO, "costs")
    if share_rows and budget is not None:
        share = rules.collaboration_share or ZERO
        for i, c in enumerate(cands):
            row = {cost[i]: one, budget: -share}
            if collab is not None:
                row[collab] = c.max_costs  # c_i − share·B ≤ M·(1 − k)
            m.row(row, None, c.max_costs if collab is not None else ZERO, "collaboration", c.id)
    if rules.maximum_share is not None and budget is not None:
        for i, c in enumerate(cands):
            row = {cost[i]: one, budget: -rules.maximum_share}
            if bonus is not None:
                row[bonus] = c.max_costs  # c_i − share·B ≤ M·(1 − b)
                m.row(row, None, c.max_costs, "maximum_share", c.id)
            else:
                m.row(row, None, ZERO, "maximum_share", c.id)
    for i, c in enumerate(cands):
        rated = {cost[i]: c.rate}
        if c.solo_rate is not None and c.bonus_partners is not None:
            rated = _partner_bonus(m, i, c, cands, y, cost, fixed)
        elif bonus is not None and c.solo_rate is not None:
            h = m.col(f"h[{c.id}]", ZERO, None)
            m.row({h: one, cost[i]: -one}, None, ZERO, "bonus", c.id)
            m.row({h: one, bonus: -c.max_costs}, None, ZERO, "bonus", c.id)
            rated = {cost[i]: c.solo_rate, h: c.rate - c.solo_rate}
        m.row({g[i]: one, **{col: -v for col, v in rated.items()}}, None, ZERO, "grant_rate", c.id)
        if c.cap is not None:
            m.row({g[i]: one, y[i]: -c.cap}, None, ZERO, "grant_cap", c.id)
        if c.minimum_aid:
            tested = rated if c.aid_rate is None else {cost[i]: c.aid_rate}
            m.row({**tested, y[i]: -c.minimum_aid}, ZERO, None, "minimum_aid", c.id)
        if c in capped and c.ceiling is not None:
            # g_i ≤ ceiling·c_i + offset·y_i (+ the collaboration increase on h2_i ≤ c_i, k).
            gain = collab_gain(c)
            intensity = c.ceiling + (gain if collab_on else ZERO)
            if collab is None and intensity >= c.rate and c.ceiling_offset >= 0:
                continue  # collaborating: the raised ceiling is above the rate, idle
            ceiling_row = {g[i]: one, cost[i]: -intensity, y[i]: -c.ceiling_offset}
            if collab is not None and gain:
                h2 = m.col(f"h2[{c.id}]", ZERO, None)
                m.row({h2: one, cost[i]: -one}, None, ZERO, "collaboration", c.id)
                m.row({h2: one, collab: -c.max_costs}, None, ZERO, "collaboration", c.id)
                ceiling_row[h2] = -gain
            m.row(ceiling_row, None, ZERO, "cumulation", c.id)
    return m


def _partner_bonus(
    m: Model,
    i: int,
    c: Candidate,
    cands: tuple[Candidate, ...],
    y: list[int],
    cost: list[int],
    fixed: dict[str, Fraction],
) -> dict[int, Fraction]:
    """The rate terms of a candidate whose bonus comes with one of `bonus_partners` joining:
    a binary p_i ≤ Σ of their y, and g_i ≤ solo·c_i + (rate − solo)·h_i with h_i ≤ c_i,
    h_i ≤ M·p_i. With the consortium fixed (the exact re-solve) the bonus is known: no
    binary, the rate in force."""
    assert c.solo_rate is not None and c.bonus_partners is not None
    givers = [j for j, d in enumerate(cands) if d.firm in c.bonus_partners and d.firm != c.firm]
    states = [fixed.get(f"y[{cands[j].id}]") for j in givers]
    if f"y[{c.id}]" in fixed and all(state is not None for state in states):
        return {cost[i]: c.rate if any(state == 1 for state in states) else c.solo_rate}
    one = Fraction(1)
    earned = m.col(f"p[{c.id}]", ZERO, one, integer=True)
    m.row({earned: one, **{y[j]: -one for j in givers}}, None, ZERO, "bonus", c.id)
    h = m.col(f"h[{c.id}]", ZERO, None)
    m.row({h: one, cost[i]: -one}, None, ZERO, "bonus", c.id)
    m.row({h: one, earned: -c.max_costs}, None, ZERO, "bonus", c.id)
    return {cost[i]: c.solo_rate, h: c.rate - c.solo_rate}


def _split_columns(
    m: Model, instance: Instance, classes: list[WorkClass], fixed: dict[str, Fraction]
) -> dict[int, list[int]]:
    """x[k,i]: person-months of work class k done by candidate i; coverage rows."""
    by_cand: dict[int, list[int]] = {i: [] for i in range(len(instance.candidates))}
    out = [fixed.get(f"y[{c.id}]") == 0 for c in instance.candidates]
    one = Fraction(1)
    for k, wc in enumerate(classes):
        cols = []
        for i in wc.candidates:
            if out[i]:
                continue  # an excluded candidate's work is zero: no column at all
            # Only the class effort bounds a column: capacity is the capacity row's job, so
            # that its dual (the value of one more person-month) is the row's, not a bound's.
            cols.append(m.col(f"x[{k},{i}]", ZERO, wc.effort))
            by_cand[i].append(cols[-1])
        m.row(dict.fromkeys(cols, one), wc.effort, wc.effort, "coverage", str(k))
    return by_cand


def _effort_columns(
    m: Model,
    instance: Instance,
    classes: list[WorkClass],
    fixed: dict[str, Fraction],
    hall: Iterable[HallRow],
) -> dict[int, list[int]]:
    """e_i: candidate i's person-months, bounded by the work open to it; the total effort,
    and the Hall rows `hall` (the cover rows do the rest, in y)."""
    cands = instance.candidates
    reach = [ZERO] * len(cands)
    for wc in classes:
        effort = wc.effort
        for i in wc.candidates:
            reach[i] += effort
    by_cand: dict[int, list[int]] = {i: [] for i in range(len(cands))}
    for i, c in enumerate(cands):
        if fixed.get(f"y[{c.id}]") != 0 and reach[i] > 0:
            by_cand[i].append(m.col(f"e[{c.id}]", ZERO, reach[i]))
    one = Fraction(1)
    total = sum((wc.effort for wc in classes), ZERO)
    m.row({cols[0]: one for cols in by_cand.values() if cols}, total, total, "coverage")
    for row in hall:
        cols = [by_cand[i][0] for i in sorted(row.members) if by_cand[i]]
        lo, hi = (row.bound, None) if row.at_least else (None, row.bound)
        m.row(dict.fromkeys(cols, one), lo, hi, "hall")
    return by_cand


@dataclass(frozen=True, slots=True)
class HallRow:
    """Σ_{i ∈ members} e_i ≤ bound, or ≥ bound when `at_least`."""

    members: frozenset[int]
    bound: Fraction
    at_least: bool = False


def hall_rows(classes: list[WorkClass], t: frozenset[int]) -> list[HallRow]:
    """Hall's condition for the set T of candidates, in their person-months e_i.

    With Σ_i e_i = the total effort, an assignment of the work to the candidates with these
    person-months exists exactly when no set T does more than the work of the classes open
    to one of its members, N(T) (Hall's theorem; max flow = min cut on the transportation
    network). Two rows per set, both valid for every split (they cut off no solution):

    - Σ_{i∈T} e_i ≤ effort of N(T);
    - the same condition seen from the other classes U (those open to no member of T):
      the candidates open to U do at least U's effort. Equivalent for a consortium
      containing T, it also binds every other consortium, which saves rounds.

    For a consortium S the sets T ⊆ S are all that matter; the few the solver needs are
    found by `violated_sets`.
    """
    reached = [wc for wc in classes if not t.isdisjoint(wc.candidates)]
    rows = [HallRow(t, sum((wc.effort for wc in reached), ZERO))]
    rest = [wc for wc in classes if t.isdisjoint(wc.candidates)]
    if rest:
        members = frozenset(i for wc in rest for i in wc.candidates)
        rows.append(HallRow(members, sum((wc.effort for wc in rest), ZERO), at_least=True))
    return rows


def violated_sets(
    classes: list[WorkClass], chosen: list[int], effort: dict[int, float], tolerance: float
) -> list[frozenset[int]]:
    """The sets T ⊆ chosen whose Hall row the (float) person-months `effort` violate."""
    masks = []
    for wc in classes:
        mask = 0
        for bit, i in enumerate(chosen):
            if i in wc.candidates:
                mask |= 1 << bit
        masks.append((mask, float(wc.effort)))
    found = []
    for t in range(1, 1 << len(chosen)):
        done = sum(effort.get(i, 0.0) for bit, i in enumerate(chosen) if t >> bit & 1)
        open_to = sum(e for mask, e in masks if mask & t)
        if done > open_to + tolerance:
            found.append(frozenset(i for bit, i in enumerate(chosen) if t >> bit & 1))
    return found


def collab_gain(c: Candidate) -> Fraction:
    """How much effective collaboration raises the candidate's ceiling intensity."""
    if c.ceiling is None or c.collab_ceiling is None:
        return ZERO
    return max(c.collab_ceiling - c.ceiling, ZERO)


def ceiling_can_bind(c: Candidate) -> bool:
    """Whether the ceiling (alone, the lower one) can be below the rate-based grant; if not,
    its row would be idle."""
    if c.ceiling is None:
        return False
    return c.ceiling < c.rate or c.ceiling_offset < 0


def ceiling_amount(c: Candidate, costs: Fraction, collaboration: bool) -> Fraction | None:
    """The cumulation ceiling on the candidate's costs, in euros (None: no ceiling)."""
    if c.ceiling is None:
        return None
    intensity = c.ceiling + (collab_gain(c) if collaboration else ZERO)
    return intensity * costs + c.ceiling_offset


def effective_rate(c: Candidate, bonus: bool) -> Fraction:
    """The rate in force: `bonus` says whether the candidate's bonus holds (the
    consortium's, or its own with `bonus_partners`: `Split.has_bonus`)."""
    return c.rate if bonus or c.solo_rate is None else c.solo_rate


def grant_of(c: Candidate, costs: Fraction, bonus: bool, collaboration: bool = False) -> Fraction:
    """Exact grant = min(rate × costs, cap, cumulation ceiling)."""
    amount = effective_rate(c, bonus) * costs
    ceiling = ceiling_amount(c, costs, collaboration)
    if ceiling is not None:
        amount = min(amount, max(ceiling, ZERO))
    return amount if c.cap is None else min(amount, c.cap)
