"""Where one `subsidia check` spends its time, stage by stage.

    .venv/bin/python -m benchmarks.stages [--runs 7] [--write]

Each run is a fresh process that does what `subsidia check PROFILE` does, one stage at a
time, and reports the CPU time of each (`time.process_time`: less disturbed by other jobs
than wall time); the table keeps each stage's best run. Imports are stages of their own
because in a fresh process they are most of the cost. `--write` replaces the stages
section of docs/performance.md.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

# Nothing else is imported up here: a measured run (`--one`) imports what the check needs
# inside its stages.
PROFILE = "examples/profiles/flemish_growth.yaml"
BEGIN, END = "<!-- stages:begin -->", "<!-- stages:end -->"


def _one_run() -> None:
    """The check, stage by stage, in this (fresh) process; prints {stage: ms} as JSON."""
    marks: list[tuple[str, float]] = []
    last = time.process_time()

    def mark(stage: str) -> None:
        nonlocal last
        now = time.process_time()
        marks.append((stage, (now - last) * 1000))
        last = now

    import argparse  # noqa: F401
    import dataclasses  # noqa: F401
    import datetime as dt
    import decimal  # noqa: F401
    import fractions  # noqa: F401
    import io
    import json
    import pathlib
    import re  # noqa: F401

    mark("standard-library modules (argparse, dataclasses, decimal, json, pathlib, re, …)")
    import yaml  # noqa: F401

    mark("PyYAML")
    import dsl.ir  # noqa: F401

    mark("the IR module (29 frozen dataclasses)")
    from policy import engine

    mark("the engine and its answer types")
    from policy.inputs.loading import load_profile

    mark("the profile models and their reader")
    from policy import cli  # noqa: F401
    from policy.funding.budget import check_record
    from policy.funding.stacking import plan_renderables, propose
    from policy.output.check_report import report_text
    from policy.output.console import render

    mark("the CLI, budget, stacking and table modules")
    root = pathlib.Path(__file__).resolve().parent.parent
    day = dt.date(2026, 12, 1)
    cat = engine.catalogue(None)
    mark("loading the cached rule catalogue")
    profile = load_profile(root / PROFILE)
    mark("reading and validating the profile")
    record = check_record(cat, profile, day)
    mark("costing the project (budget lines)")
    report = engine.check(record, day, None, None, "direct")
    mark("evaluating the whole catalogue (direct backend: its modules loaded, evaluator built)")
    plan = propose(report, profile, None, "en")
    mark("the best combination of programmes (stacking)")
    out = io.StringIO()
    out.write(report_text(report))
    if plan is not None:
        out.write(render(plan_renderables(plan)))
    mark("rendering the table")
    print(json.dumps(dict(marks)))


def _startup_ms(runs: int) -> float:
    import subprocess

    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        best = min(best, (time.perf_counter() - start) * 1000)
    return best


def measure(runs: int, root: Path) -> tuple[dict[str, float], float]:
    import json
    import subprocess

    best: dict[str, float] = {}
    # The first process may rebuild the disk caches; it is not counted.
    command = [sys.executable, "-m", "benchmarks.stages", "--one"]
    subprocess.run(command, check=True, cwd=root, capture_output=True)
    for _ in range(runs):
        done = subprocess.run(command, check=True, cwd=root, capture_output=True, text=True)
        for stage, ms in json.loads(done.stdout).items():
            best[stage] = min(best.get(stage, float("inf")), ms)
    return best, _startup_ms(runs)


def render(best: dict[str, float], startup: float, runs: int) -> str:
    import datetime as dt

    lines = [
        BEGIN,
        "## Where a single check spends its time",
        "",
        f"Measured {dt.date.today()} with `python -m benchmarks.stages --runs {runs}`: a fresh "
        f"process does what `subsidia check {PROFILE}` does, one stage at a time, and the "
        "table keeps each stage's best CPU time (`time.process_time`) over the runs; the "
        "rule catalogue comes from its disk cache, the bytecode is compiled.",
        "",
        "| stage | ms (CPU) |",
        "|---|---:|",
        f"| interpreter start-up (`python -c pass`, wall, best run) | {startup:.0f} |",
    ]
    lines += [f"| {stage} | {ms:.0f} |" for stage, ms in best.items()]
    total = startup + sum(best.values())
    lines += [f"| **total** | **{total:.0f}** |", "", END]
    return "\n".join(lines) + "\n"


def main() -> None:
    import argparse
    from pathlib import Path

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--write", action="store_true", help="update docs/performance.md")
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    best, startup = measure(args.runs, root)
    section = render(best, startup, args.runs)
    sys.stdout.write(section)
    if args.write:
        doc = root / "docs" / "performance.md"
        text = doc.read_text(encoding="utf-8")
        if BEGIN in text:
            head, rest = text.split(BEGIN, 1)
            text = head + section + rest.split(END, 1)[1].lstrip("\n")
        else:
            text = text.rstrip("\n") + "\n\n" + section
        doc.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] == ["--one"]:
        _one_run()
    else:
        main()
