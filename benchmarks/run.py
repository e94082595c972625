"""Benchmarks: single-check latency of the CLI and batch throughput against a Python baseline.

    python -m benchmarks.run [--profiles N]

Prints a markdown report and writes it into docs/performance.md, between the
`engine-core` markers (the rest of that file belongs to other sections).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import clingo

from benchmarks.baseline import PROGRAMME, baseline_check
from benchmarks.generate import random_records
from policy import engine

ROOT = Path(__file__).resolve().parent.parent
PROFILE = "examples/profiles/flemish_growth.yaml"
REPORT = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- engine-core:begin -->", "<!-- engine-core:end -->"
AS_OF = dt.date(2026, 3, 1)  # fixed, so runs on different days measure the same thing
SEED = 2026
RUNS = 9


@dataclass(slots=True)
class Latency:
    label: str
    command: str
    times: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.times)


@dataclass(slots=True)
class Throughput:
    label: str
    runs: list[float]  # seconds of each timed run
    records: int
    programmes: int
    disagreements: int | None = None  # with the baseline; None for the baseline itself
    # The baseline runs timed right beside this row's, in the same phase of the machine.
    baseline_runs: list[float] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(self.runs)

    @property
    def vs_baseline(self) -> float:
        """Per decision, against the baseline's (one programme) from the same rounds."""
        base = statistics.median(self.baseline_runs or self.runs)
        return self.seconds / self.programmes / base

    @property
    def per_profile_ms(self) -> float:
        return self.seconds / self.records * 1000

    @property
    def per_decision_us(self) -> float:
        """A decision: one profile against one programme."""
        return self.seconds / (self.records * self.programmes) * 1e6


def single_check_latency() -> list[Latency]:
    """Wall time of whole processes, interleaved so a change in the machine's load hits
    every command alike: the interpreter alone (the floor), the hand-written baseline
    reading the same profile, and `subsidia check` with its default and reference
    backends. Bytecode is compiled first, as an installed package would have it (this
    environment sets PYTHONDONTWRITEBYTECODE, so an editable install otherwise recompiles
    every module on every run)."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "policy", "dsl", "solver", "benchmarks"],
        cwd=ROOT,
        check=True,
    )
    cli = ROOT / ".venv" / "bin" / "subsidia"
    if not cli.exists():
        raise SystemExit("benchmarks: the `subsidia` command is not installed (run make install)")
    python = sys.executable
    commands = [
        ("interpreter start-up", [python, "-c", "pass"], "python -c pass"),
        (
            "baseline (hand-written Kmo + SME rules)",
            [python, "-m", "benchmarks.baseline", PROFILE],
            f"python -m benchmarks.baseline {PROFILE}",
        ),
        ("`subsidia check` (direct backend, default)", [str(cli), "check", PROFILE], ""),
        (
            "`subsidia check --backend clingo`",
            [str(cli), "check", PROFILE, "--backend", "clingo"],
            "",
        ),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    results = [
        Latency(label, shown or " ".join(["subsidia", *cmd[1:]]), [])
        for label, cmd, shown in commands
    ]
    for cmd in (c for _, c, _ in commands):  # warm the caches (compiled program, page cache)
        subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True)
    for _ in range(RUNS):
        for result, (_, cmd, _) in zip(results, commands, strict=True):
            start = time.perf_counter()
            subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True)
            result.times.append(time.perf_counter() - start)
    return results


def _disagreements(reports: list[engine.CheckReport], expected: list[dict]) -> int:
    count = 0
    for report, base in zip(reports, expected, strict=True):
        result = next(r for r in report.results if r.programme == PROGRAMME)
        got = (result.status, result.amount, report.sme.category)
        count += got != (base["status"], base["amount"], base["category"])
    return count


ROUNDS = 3  # interleaved rounds of the baseline and the direct backend


def throughput(n: int) -> tuple[list[Throughput], Counter[str]]:
    """The engine's screening against the baseline's. This machine's speed changes from
    phase to phase, so each engine row is compared with baseline runs timed beside it: the
    direct rows and the baseline alternate for ROUNDS rounds, and each (slow) clingo row is
    followed by one baseline run."""
    records = random_records(n, SEED)
    catalogue_size = len(engine.catalogue().programmes)
    expected = [baseline_check(record, AS_OF) for record in records]
    statuses = Counter(base["status"] for base in expected)

    def timed_baseline() -> float:
        start = time.perf_counter()
        for record in records:
            baseline_check(record, AS_OF)
        return time.perf_counter() - start

    def row(backend: str, programmes: list[str] | None, label: str) -> Throughput:
        # Warm up: load the catalogue and compile the program for the date, so the timed
        # call measures screening, not the one-off compilation (cached per date).
        engine.check_records(records[:1], AS_OF, programmes, backend=backend)
        size = catalogue_size if programmes is None else len(programmes)
        return Throughput(label, [], n, size, 0)

    def screen(line: Throughput, backend: str, programmes: list[str] | None) -> None:
        start = time.perf_counter()
        reports = engine.check_records(records, AS_OF, programmes, backend=backend)
        line.runs.append(time.perf_counter() - start)
        line.disagreements = max(line.disagreements or 0, _disagreements(reports, expected))

    rows = []
    for programmes, label in (
        (None, "engine (clingo), whole catalogue"),
        ([PROGRAMME], "engine (clingo), Kmo-groeisubsidie only"),
    ):
        line = row("clingo", programmes, label)
        screen(line, "clingo", programmes)
        line.baseline_runs.append(timed_baseline())
        rows.append(line)
    baseline = Throughput("baseline, Kmo-groeisubsidie", [], n, 1)
    direct = [
        (row("direct", None, "engine (direct backend), whole catalogue"), None),
        (
            row("direct", [PROGRAMME], "engine (direct backend), Kmo-groeisubsidie only"),
            [PROGRAMME],
        ),
    ]
    for _ in range(ROUNDS):
        baseline.runs.append(timed_baseline())
        for line, programmes in direct:
            screen(line, "direct", programmes)
    for line, _ in direct:
        line.baseline_runs = baseline.runs
        rows.append(line)
    return [*rows, baseline], statuses


def _nproc() -> int:
    """What `nproc` prints: the CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def render(latencies: list[Latency], rows: list[Throughput], statuses: Counter[str]) -> str:
    n = rows[0].records
    lines = [
        "## Engine core: latency and throughput",
        "",
        f"Measured {dt.date.today()} on {platform.machine()} with {_nproc()} CPUs "
        f"(`nproc`), Python {platform.python_version()}, clingo {clingo.__version__}. "
        "Regenerate with `make bench` (or `python -m benchmarks.run --profiles N`).",
        "",
        f"- **Single check**: wall time of one whole process on `{PROFILE}` (start-up, "
        "imports, rule catalogue and compiled program from their caches, profile "
        f"validation, evaluation, printing the table); {RUNS} runs of each command, "
        "interleaved.",
        f"- **Throughput**: {n:,} generated profiles (`benchmarks/generate.py`, seed {SEED}) "
        f"screened at {AS_OF} in one `check_records` call, after a warm-up call that "
        "compiles the program for the date. A *decision* is one profile against one "
        "programme; the whole catalogue has "
        f"{rows[0].programmes} programmes, so the like-for-like comparison with the baseline "
        "is the Kmo-groeisubsidie-only row. The machine's speed changes by phase, so each "
        "row is compared with baseline runs timed beside it: the direct-backend rows and "
        f"the baseline alternate for {ROUNDS} rounds (times are medians), and each clingo "
        "row, run once, is followed by one baseline run.",
        "- **Baseline**: `benchmarks/baseline.py`, the EU SME definition (aggregation, "
        "investor exceptions, public bodies, two-year rule) and the Kmo-groeisubsidie "
        "hand-written in plain Python with the same three-valued semantics and exact "
        "fractions, one profile at a time. It is what the engine's generality costs against, "
        "and an independent oracle: every engine run must agree with it on status, amount "
        "and SME category for every profile.",
        "",
        "| run | programmes | total | per profile | per decision | vs baseline "
        "(per decision) | disagreements |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        ratio = row.vs_baseline
        differ = "—" if row.disagreements is None else f"{row.disagreements} of {n:,}"
        lines.append(
            f"| {row.label} | {row.programmes} | {row.seconds:.2f} s | "
            f"{row.per_profile_ms:.3f} ms | {row.per_decision_us:.0f} µs | {ratio:.1f}× | "
            f"{differ} |"
        )
    lines += [
        "",
        "| single check | command | median | min | max |",
        "|---|---|---:|---:|---:|",
        *(
            f"| {lat.label} | `{lat.command}` | {lat.median * 1000:.0f} ms | "
            f"{min(lat.times) * 1000:.0f} ms | {max(lat.times) * 1000:.0f} ms |"
            for lat in latencies
        ),
        "",
        "Kmo-groeisubsidie statuses in the sample: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(statuses.items()))
        + ".",
        "",
    ]
    return "\n".join(lines)


def write_section(text: str, path: Path = REPORT) -> None:
    """Replace only our marked section; keep whatever else the file holds."""
    block = f"{BEGIN}\n{text}\n{END}"
    if not path.exists():
        path.write_text(f"# Performance\n\n{block}\n", encoding="utf-8")
        return
    current = path.read_text(encoding="utf-8")
    head, sep, rest = current.partition(BEGIN)
    if sep and END in rest:
        path.write_text(head + block + rest.partition(END)[2], encoding="utf-8")
    else:
        path.write_text(current.rstrip("\n") + f"\n\n{block}\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=10_000, help="profiles to screen")
    args = parser.parse_args(argv)
    latencies = single_check_latency()
    rows, statuses = throughput(args.profiles)
    text = render(latencies, rows, statuses)
    print(text)
    write_section(text)
    # A disagreement is a correctness bug in the engine or the baseline: fail loudly.
    return 1 if any(row.disagreements for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
