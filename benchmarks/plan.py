"""Consortium planner benchmark: the planner against an independent MILP reference.

Generated instances from 4 candidates × 6 work packages to 100 × 200: at most 5 partners
from at least 2 regions, capacities, each partner at least 10 % of the effort, no partner
above 70 % of the costs, grant = min(rate × cost, cap). Work packages need one of four
skills (or none) and candidates have one to three skills, so `allowed` lists vary; in the
worst case every package is open to its own random half of the candidates.

- planner: `solver.milp_solve.solve` (aggregated model with Hall rows, exact re-solve of
  the chosen consortium on the full model, proof of optimality), with its time per stage;
- reference: a separate formulation written here with highspy's modelling API, one
  effort variable per (work package, candidate) pair, no merging, floats only.

Both must reach the same optimum (to the cent). Run:
`.venv/bin/python -m benchmarks.plan [--write]` (`--write` updates docs/performance.md);
one instance while iterating: `--size 100x200 --seed 2 --worst [--no-reference]`; that
instance as a scenario for `subsidia plan` (end to end, with the catalogue's rules and the
instance's rates as what-ifs): `--size 100x200 --seed 2 --worst --scenario FILE.json`.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import highspy

from solver.milp import model as milp
from solver.milp import solve as milp_solve

SIZES = ((4, 6), (8, 12), (12, 20), (20, 30), (50, 100), (100, 200))
REGIONS = ("brussels", "flanders", "wallonia")
SKILLS = 4
DOC = Path(__file__).resolve().parent.parent / "docs/performance.md"
BEGIN, END = "<!-- planner:begin -->", "<!-- planner:end -->"
WORST_SEEDS = 2


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


def scenario(inst: milp.Instance, programme: str | list[str] = "bel_coo") -> dict[str, object]:
    """The instance as a planning scenario for `subsidia plan` (profiles inline): each
    candidate a company of its region (an SME or not, by its index) with the instance's
    rate as a what-if `rate`, its fixed cost as an equipment line; the programme's own
    caps and rules apply, so the optimum is not the instance's. `programme` may be a list:
    a plan over several programmes (each company's figures then let every programme read
    it: legal form, age and equity for the difficulty test, a submission date)."""
    partners = []
    for i, c in enumerate(inst.candidates):
        staff, turnover = (40, 6_000_000) if i % 2 else (400, 90_000_000)
        partners.append(
            {
                "id": c.id,
                "monthly_cost": str(c.monthly_cost),
                "capacity": str(c.capacity),
                "rate": str(c.rate * 100),
                "profile": {
                    "company": {
                        "id": f"0999.{i:03d}.{i:03d}",
                        "region": c.region,
                        "staff": staff,
                        "turnover": turnover,
                        "balance_sheet": turnover // 2,
                        "legal_form": "srl",
                        "founded": "2010-01-01",
                        "subscribed_capital": 100000,
                        "reserves": 50000,
                        "accumulated_losses": 0,
                    }
                },
            }
        )
    rules = inst.rules
    return {
        "programme": programme,
        "as_of": "2026-03-01",
        "project": {
            "submitted": "2026-02-01",
            "start": "2026-06-01",
            "duration_months": 24,
            "research_category": "experimental_development",
        },
        **({"max_partners": rules.max_partners} if rules.max_partners else {}),
        **(
            {"minimum_effort_share": str(rules.minimum_effort_share * 100)}
            if rules.minimum_effort_share
            else {}
        ),
        "partners": partners,
        "work_packages": [
            {
                "id": wp.id,
                "effort": str(wp.effort),
                **({"allowed": list(wp.allowed)} if wp.allowed is not None else {}),
            }
            for wp in inst.work_packages
        ],
        "costs": [
            {"partner": c.id, "category": "equipment", "amount": str(c.fixed_cost)}
            for c in inst.candidates
            if c.fixed_cost
        ],
    }


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


def planner(inst: milp.Instance) -> tuple[Fraction | None, bool, float, dict[str, float]]:
    start = time.perf_counter()
    out = milp_solve.solve(inst)
    value = None if out.best is None else out.best.total
    return value, out.status == "optimal", time.perf_counter() - start, out.timings


def run(
    sizes=SIZES,
    seeds: Iterable[int] = range(3),
    distinct: bool = False,
    with_reference: bool = True,
) -> list[dict[str, object]]:
    rows = []
    for candidates, packages in sizes:
        for seed in seeds:
            inst = generate(candidates, packages, seed, distinct)
            classes = len(milp.work_classes(inst))
            ours, proven, t_ours, stages = planner(inst)
            ref, t_ref = reference(inst) if with_reference else (None, float("nan"))
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
                    "stages": stages,
                    "reference": "infeasible" if ref is None else f"{ref:,.2f}",
                    "t_reference": t_ref,
                    "same": same if with_reference else None,
                }
            )
            print(progress_line(rows[-1], distinct), file=sys.stderr, flush=True)
    return rows


def stage_text(stages: dict[str, float]) -> str:
    """The planner's seconds per stage: model building, HiGHS, the exact re-solve."""
    parts = [f"{name} {stages[name]:.3f}" for name in ("build", "solve", "exact") if name in stages]
    rounds = int(stages.get("hall_rounds", 0))
    return ", ".join(parts) + (f"; {rounds} Hall round{'s' * (rounds != 1)}" if rounds else "")


def progress_line(row: dict[str, object], distinct: bool) -> str:
    kind = "worst case" if distinct else "generated"
    ref = (
        ""
        if row["same"] is None
        else (
            f"; reference {row['reference']} in {row['t_reference']:.3f} s"
            f"{'' if row['same'] else ' (**differs**)'}"
        )
    )
    return (
        f"{kind} {row['size']} seed {row['seed']}: planner {row['planner']} in "
        f"{row['t_planner']:.3f} s ({stage_text(row['stages'])}){ref}"
    )


def table(rows: list[dict[str, object]]) -> str:
    lines = [
        "| candidates × packages | seed | work classes | planner optimum € | proven | planner s "
        "| build / HiGHS / exact s | Hall rounds | reference optimum € | reference s "
        "| same optimum |",
        "|---|---:|---:|---:|:-:|---:|---:|---:|---:|---:|:-:|",
    ]
    for r in rows:
        stages: dict[str, float] = r["stages"]
        split = " / ".join(f"{stages.get(name, 0.0):.3f}" for name in ("build", "solve", "exact"))
        lines.append(
            f"| {r['size']} | {r['seed']} | {r['classes']} | {r['planner']} | "
            f"{'yes' if r['proven'] else 'no'} | {r['t_planner']:.3f} | {split} | "
            f"{int(stages.get('hall_rounds', 0))} | {r['reference']} | "
            f"{r['t_reference']:.3f} | {'yes' if r['same'] else '**no**'} |"
        )
    return "\n".join(lines)


def seconds(row: dict[str, object], key: str) -> float:
    return float(row[key])


def summary(rows: list[dict[str, object]], label: str) -> str:
    """One line per size: the planner's and the reference's slowest times, and agreement."""
    lines = []
    for size in dict.fromkeys(str(r["size"]) for r in rows):
        group = [r for r in rows if r["size"] == size]
        ours = max(seconds(r, "t_planner") for r in group)
        ref = max(seconds(r, "t_reference") for r in group)
        ratio = max(seconds(r, "t_planner") / seconds(r, "t_reference") for r in group)
        same = all(r["same"] for r in group)
        lines.append(
            f"- {label} {size}: planner ≤ {ours:.3f} s, reference ≤ {ref:.3f} s, "
            f"planner / reference ≤ {ratio:.2f}; optima {'identical' if same else '**differ**'}"
        )
    return "\n".join(lines)


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"


def write(
    rows: list[dict[str, object]], distinct: list[dict[str, object]], loads: tuple[str, str]
) -> None:
    text = DOC.read_text()
    body = (
        f"{BEGIN}\n## Consortium planner (`benchmarks/plan.py`)\n\n"
        "`.venv/bin/python -m benchmarks.plan --write` (one instance: `--size 100x200 --seed 2 "
        "--worst`; `--help`). Planner: `solver.milp_solve.solve`, the aggregated model (one "
        "effort column per candidate, a cover row per work class, Hall rows added when a "
        "consortium's person-months cannot be assigned to the packages, re-solved until a "
        "consortium reaches the bound; docs/planner.md), HiGHS without presolve and with mip "
        "gap 0, then the chosen consortium's LP on the full model (one column per work class "
        "and partner) re-solved and its basis solved again exactly with fractions. Reference: "
        "a MILP written independently in the benchmark (highspy's modelling API, one "
        "variable per work package and candidate, HiGHS's defaults but the gap, floats "
        "only). At most 5 partners from at least 2 regions, each at least 10 % of the effort, "
        "none above 70 % of the costs, grant = min(rate × cost, cap). One thread, times in "
        "seconds including building the model (`build / HiGHS / exact` split the planner's: "
        "the Python model, HiGHS's branch and bound over all rounds, the exact re-solves); "
        f"same machine, same HiGHS {milp.new_highs().version()}.\n\n"
        "The machine has 2 cores shared with other jobs; load average "
        f"{loads[0]} at the start, {loads[1]} at the end. Each instance is solved once, so "
        "small times vary by tens of milliseconds from run to run.\n\n"
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.plan",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--write", action="store_true", help="update docs/performance.md")
    parser.add_argument(
        "--size",
        action="append",
        metavar="CxP",
        help="only this size (candidates x packages), e.g. 100x200; repeatable",
    )
    parser.add_argument("--seed", type=int, action="append", help="only this seed; repeatable")
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--worst", action="store_true", help="only the worst-case instances")
    kind.add_argument("--generated", action="store_true", help="only the generated instances")
    parser.add_argument(
        "--no-reference", action="store_true", help="skip the reference MILP (it is slow)"
    )
    parser.add_argument(
        "--scenario",
        metavar="FILE",
        help="write the (first) instance as a BEL-COO scenario for `subsidia plan` and stop",
    )
    parser.add_argument(
        "--programme",
        action="append",
        metavar="ID",
        help="with --scenario: plan for this programme instead of BEL-COO; repeat it for a "
        "plan over several programmes",
    )
    args = parser.parse_args(argv)
    if args.scenario:
        import json

        candidates, packages = (int(n) for n in (args.size or ["100x200"])[0].lower().split("x"))
        seed = (args.seed or [0])[0]
        named = args.programme or ["bel_coo"]
        data = scenario(
            generate(candidates, packages, seed, distinct=args.worst),
            named[0] if len(named) == 1 else named,
        )
        Path(args.scenario).write_text(json.dumps(data, indent=1) + "\n")
        return
    sizes = SIZES
    if args.size:
        sizes = tuple(tuple(int(n) for n in size.lower().split("x")) for size in args.size)
    if args.write and (args.size or args.seed or args.worst or args.generated or args.no_reference):
        parser.error("--write runs the full benchmark: no --size, --seed, --worst, ...")
    reference_too = not args.no_reference
    start_load = load()
    results = worst = []
    if not args.worst:
        results = run(sizes, args.seed or range(3), False, reference_too)
        print(table(results))
    if not args.generated:
        worst = run(sizes, args.seed or range(WORST_SEEDS), True, reference_too)
        print(table(worst))
    if args.write:
        write(results, worst, (start_load, load()))


if __name__ == "__main__":
    main()
