"""Consortium planner benchmark: the planner against an independent MILP reference.

Generated instances from 4 candidates × 6 work packages to 100 × 200: at most 5 partners
from at least 2 regions, capacities, each partner at least 10 % of the effort, no partner
above 70 % of the costs, grant = min(rate × cost, cap). Work packages need one of four
skills (or none) and candidates have one to three skills, so `allowed` lists vary.

- planner: `solver.milp.solve` (work classes, exact vertex recovery, proof of optimality);
- reference: a separate formulation written here with highspy's modelling API, one
  effort variable per (work package, candidate) pair, no merging, floats only.

Both must reach the same optimum (to the cent). Run:
`.venv/bin/python -m benchmarks.plan [--write]` (`--write` updates docs/performance.md).
"""

from __future__ import annotations

import random
import sys
import time
from fractions import Fraction
from pathlib import Path

import highspy

from solver import milp, milp_solve

SIZES = ((4, 6), (8, 12), (12, 20), (20, 30), (50, 100), (100, 200))
REGIONS = ("brussels", "flanders", "wallonia")
SKILLS = 4
DOC = Path(__file__).resolve().parent.parent / "docs/performance.md"
BEGIN, END = "<!-- planner:begin -->", "<!-- planner:end -->"


def generate(
    candidates: int, packages: int, seed: int = 0, distinct: bool = False
) -> milp.Instance:
    """A random instance; `distinct`: every package gets its own random half of the
    candidates, so no two packages can be merged (the planner's worst case)."""
    rnd = random.Random(seed * 1000 + candidates * 7 + packages)
    skills = [frozenset(rnd.sample(range(SKILLS), rnd.randint(1, 3))) for _ in range(candidates)]
    wps = []
    for w in range(packages):
        need = rnd.randrange(SKILLS + 1)  # SKILLS: any candidate
        allowed = None
        if distinct:
            size = max(2, candidates // 2)
            allowed = tuple(sorted(f"c{i}" for i in rnd.sample(range(candidates), size)))
        elif need < SKILLS:
            allowed = tuple(f"c{i}" for i in range(candidates) if need in skills[i])
            if not allowed:
                allowed = None
        wps.append(milp.WorkPackage(f"w{w}", Fraction(rnd.randint(2, 12)), allowed))
    total = sum((wp.effort for wp in wps), Fraction(0))
    scale = Fraction(packages, 30)
    cands = []
    for i in range(candidates):
        cands.append(
            milp.Candidate(
                id=f"c{i}",
                region=REGIONS[i % 3],
                monthly_cost=Fraction(rnd.randint(50, 120) * 100),
                capacity=Fraction(int(total * Fraction(rnd.randint(20, 50), 100))),
                fixed_cost=Fraction(rnd.choice((0, 0, 5000, 20000))),
                rate=Fraction(rnd.choice((25, 35, 45, 50, 55, 60)), 100),
                cap=(Fraction(rnd.choice((100_000, 250_000, 500_000))) * scale)
                if rnd.random() < 0.6
                else None,
            )
        )
    rules = milp.Rules(
        max_partners=5,
        minimum_regions=2,
        maximum_share=Fraction(7, 10),
        minimum_effort_share=Fraction(1, 10),
    )
    return milp.Instance(tuple(cands), tuple(wps), rules)


def reference(inst: milp.Instance) -> tuple[float | None, float]:
    """The same problem as one flat MILP (floats), built variable by variable."""
    start = time.perf_counter()
    h = milp.new_highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.0)
    h.setOptionValue("threads", 1)
    cands = inst.candidates
    rules = inst.rules
    join = {c.id: h.addBinary() for c in cands}
    work = {}
    for wp in inst.work_packages:
        for c in cands:
            if wp.allowed is None or c.id in wp.allowed:
                work[wp.id, c.id] = h.addVariable(lb=0.0, ub=float(wp.effort))
    grant = {c.id: h.addVariable(lb=0.0) for c in cands}
    months = {c.id: [v for (w, p), v in work.items() if p == c.id] for c in cands}
    cost = {
        c.id: h.qsum(float(c.monthly_cost) * v for v in months[c.id])
        + float(c.fixed_cost) * join[c.id]
        for c in cands
    }
    budget = h.qsum(cost[c.id] for c in cands)
    total_effort = float(sum(wp.effort for wp in inst.work_packages))
    for wp in inst.work_packages:
        h.addConstr(h.qsum(v for (w, _p), v in work.items() if w == wp.id) == float(wp.effort))
    for c in cands:
        done = h.qsum(months[c.id]) if months[c.id] else 0.0 * join[c.id]
        h.addConstr(done <= float(c.capacity) * join[c.id])
        if rules.minimum_effort_share:
            need = float(rules.minimum_effort_share) * total_effort
            h.addConstr(done >= need * join[c.id])
        if rules.maximum_share is not None:
            h.addConstr(cost[c.id] <= float(rules.maximum_share) * budget)
        h.addConstr(grant[c.id] <= float(c.rate) * cost[c.id])
        if c.cap is not None:
            h.addConstr(grant[c.id] <= float(c.cap) * join[c.id])
    if rules.max_partners is not None:
        h.addConstr(h.qsum(join.values()) <= rules.max_partners)
    present = {r: h.addBinary() for r in REGIONS}
    for r in REGIONS:
        members = [join[c.id] for c in cands if c.region == r]
        h.addConstr(present[r] <= (h.qsum(members) if members else 0.0 * present[r]))
    h.addConstr(h.qsum(present.values()) >= rules.minimum_regions)
    h.maximize(h.qsum(grant.values()))
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None, time.perf_counter() - start
    return h.getInfo().objective_function_value, time.perf_counter() - start


def planner(inst: milp.Instance) -> tuple[Fraction | None, bool, float]:
    start = time.perf_counter()
    out = milp_solve.solve(inst)
    value = None if out.best is None else out.best.total
    return value, out.status == "optimal", time.perf_counter() - start


def run(sizes=SIZES, seeds: int = 3, distinct: bool = False) -> list[dict[str, object]]:
    rows = []
    for candidates, packages in sizes:
        for seed in range(seeds):
            inst = generate(candidates, packages, seed, distinct)
            classes = len(milp.work_classes(inst))
            ours, proven, t_ours = planner(inst)
            ref, t_ref = reference(inst)
            same = (ours is None and ref is None) or (
                ours is not None and ref is not None and abs(float(ours) - ref) < 0.005
            )
            rows.append(
                {
                    "size": f"{candidates} × {packages}",
                    "seed": seed,
                    "classes": classes,
                    "planner": "infeasible" if ours is None else f"{float(ours):,.2f}",
                    "proven": proven,
                    "t_planner": t_ours,
                    "reference": "infeasible" if ref is None else f"{ref:,.2f}",
                    "t_reference": t_ref,
                    "same": same,
                }
            )
            print(rows[-1], file=sys.stderr, flush=True)
    return rows


def table(rows: list[dict[str, object]]) -> str:
    lines = [
        "| candidates × packages | seed | work classes | planner optimum € | proven | planner s "
        "| reference optimum € | reference s | same optimum |",
        "|---|---:|---:|---:|:-:|---:|---:|---:|:-:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['size']} | {r['seed']} | {r['classes']} | {r['planner']} | "
            f"{'yes' if r['proven'] else 'no'} | {r['t_planner']:.3f} | {r['reference']} | "
            f"{r['t_reference']:.3f} | {'yes' if r['same'] else '**no**'} |"
        )
    return "\n".join(lines)


def summary(rows: list[dict[str, object]], label: str) -> str:
    """One line per size: the planner's and the reference's slowest times, and agreement."""
    lines = []
    for size in dict.fromkeys(str(r["size"]) for r in rows):
        group = [r for r in rows if r["size"] == size]
        ours = max(float(r["t_planner"]) for r in group)  # type: ignore[arg-type]
        ref = max(float(r["t_reference"]) for r in group)  # type: ignore[arg-type]
        same = all(r["same"] for r in group)
        lines.append(
            f"- {label} {size}: planner ≤ {ours:.3f} s, reference ≤ {ref:.3f} s, "
            f"ratio {ours / ref:.2f}; optima {'identical' if same else '**differ**'}"
        )
    return "\n".join(lines)


def write(rows: list[dict[str, object]], distinct: list[dict[str, object]]) -> None:
    text = DOC.read_text()
    body = (
        f"{BEGIN}\n## Consortium planner (`benchmarks/plan.py`)\n\n"
        "`.venv/bin/python -m benchmarks.plan --write`. Planner (`solver.milp_solve.solve`: "
        "work packages with the same allowed partners merged into work classes, HiGHS MILP "
        "with mip gap 0, the chosen consortium's LP re-solved and its basis solved again "
        "exactly with fractions) against a reference MILP written independently in the "
        "benchmark (highspy's modelling API, one variable per work package and candidate, "
        "floats only). At most 5 partners from at least 2 regions, each at least 10 % of the "
        "effort, none above 70 % of the costs, grant = min(rate × cost, cap). One thread, "
        "times in seconds including building the model; same machine, same HiGHS "
        f"{milp.new_highs().version()}.\n\n"
        "Times vary with the load of the shared machine (other jobs ran at the same time); "
        "each instance is solved once.\n\n"
        f"{summary(rows, 'generated')}\n{summary(distinct, 'worst case')}\n\n"
        "Generated instances (packages need one of four skills, or none):\n\n"
        f"{table(rows)}\n\n"
        "Worst case for the planner: every package open to its own random half of the "
        "candidates, so nothing merges:\n\n"
        f"{table(distinct)}\n{END}"
    )
    if BEGIN in text:
        head, rest = text.split(BEGIN, 1)
        text = head + body + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + body + "\n"
    DOC.write_text(text)


if __name__ == "__main__":
    results = run()
    worst = run(SIZES, seeds=2, distinct=True)
    print(table(results))
    print(table(worst))
    if "--write" in sys.argv:
        write(results, worst)
