"""Benchmark of `subsidia screen` as a consultant runs it: whole processes on CSV files of
generated companies.

    .venv/bin/python -m benchmarks.screening [--small 500] [--large 10000] [--rounds 3] [--write]

- a 500-row CSV end to end (`subsidia screen companies.csv --out results.csv`), timed
  interleaved with `python -c pass`, the interpreter's start-up;
- rows per second on a 10,000-row CSV with `--workers 1` and `--workers 2`, with the peak
  memory of the process (and of its largest worker), and a check that both outputs are
  byte for byte the same.

The companies are `benchmarks/generate.py`'s (seed 2026), written as the CSV format of
docs/screening.md: exact decimals, lists of records as JSON text. With `--write` the
report replaces the `screening` section of docs/performance.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction
from pathlib import Path

from benchmarks.generate import random_records
from policy.screening.columns import FIELD_KINDS
from solver.record import InputRecord

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- screening:begin -->", "<!-- screening:end -->"
AS_OF = "2026-03-01"
SEED = 2026
RUNS = 5

# Rules see percentages as fractions of one; the profile writes them from 0 to 100.
PERCENT_FIELDS = {"company.public_ownership", "share", "time_share", "rate"}


def _value(value: object, percent: bool = False) -> object:
    """A record's value as the profile writes it: an exact Decimal for a number (a
    percentage from 0 to 100), ISO text for a date."""
    if isinstance(value, Fraction):
        if percent:
            value *= 100
        with localcontext() as context:
            context.prec = 60
            number = Decimal(value.numerator) / Decimal(value.denominator)
        return Decimal(format(number.normalize(), "f"))
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _json(items: list[dict]) -> str:
    """A list of records as JSON text, numbers as JSON numbers written exactly."""
    marked = [
        {n: f"§{v}§" if isinstance(v, Decimal) else v for n, v in item.items()} for item in items
    ]
    return re.sub(r'"§([^§]*)§"', r"\1", json.dumps(marked, ensure_ascii=False))


def csv_row(record: InputRecord, columns: list[str]) -> list[str]:
    """A generated record as one CSV row of the screening format."""
    cells = []
    for path in columns:
        if path in record.scalars:
            cells.append(str(_value(record.scalars[path], path in PERCENT_FIELDS)))
            continue
        items = record.collections.get(path) or []
        if FIELD_KINDS[path] == "scalar list":
            cells.append(";".join(str(i) for i in items))
        elif items:
            rows = [
                {n: _value(v, n in PERCENT_FIELDS) for n, v in dict(item).items()}
                for item in items
            ]
            cells.append(_json(rows))
        else:
            cells.append("")
    return cells


def write_csv(path: Path, n: int) -> None:
    records = random_records(n, SEED)
    columns = [p for p in FIELD_KINDS if p != "project.partners"]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for record in records:
            writer.writerow(csv_row(record, columns))


@dataclass(frozen=True)
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds of the process and its workers
    peak: int  # MiB: the largest resident set of any one of its processes


PROBE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], capture_output=True, check=True)
wall = time.perf_counter() - start
used = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps([wall, used.ru_utime + used.ru_stime, used.ru_maxrss]))
"""


def measure(cmd: list[str]) -> Run:
    """One whole command, run from a fresh process so that only its own processes (the
    command and its workers) are counted."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *cmd], cwd=ROOT, capture_output=True, text=True, check=True
    )
    wall, cpu, peak = json.loads(done.stdout)
    return Run(wall, cpu, peak // 1024)


def _median(times: list[float]) -> str:
    return f"{statistics.median(times) * 1000:.0f} ms"


def run(small: int, large: int, rounds: int) -> str:
    cli = str(ROOT / ".venv" / "bin" / "subsidia")
    python = sys.executable
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        small_csv, large_csv = tmp / f"companies_{small}.csv", tmp / f"companies_{large}.csv"
        write_csv(small_csv, small)
        write_csv(large_csv, large)
        out = tmp / "results.csv"
        base = [cli, "screen", "--as-of", AS_OF, "--out", str(out)]
        latency = {
            "python -c pass": [python, "-c", "pass"],
            f"subsidia screen companies_{small}.csv --out results.csv --as-of {AS_OF}": [
                *base,
                str(small_csv),
            ],
        }
        for cmd in latency.values():  # warm: compiled program, page cache
            subprocess.run(cmd, cwd=ROOT, check=False, capture_output=True)
        runs: dict[str, list[Run]] = {label: [] for label in latency}
        for _ in range(RUNS):
            for label, cmd in latency.items():
                runs[label].append(measure(cmd))
        small_rows = sum(1 for _ in out.open(encoding="utf-8")) - 1
        throughput = []
        outputs = {}
        # Alternated, so that a change in the machine's load hits both alike; medians.
        measured: dict[int, list[Run]] = {1: [], 2: []}
        for _ in range(rounds):
            for workers in (1, 2):
                target = tmp / f"results_{workers}.csv"
                cmd = [
                    cli,
                    "screen",
                    str(large_csv),
                    "--out",
                    str(target),
                    "--as-of",
                    AS_OF,
                    "--workers",
                    str(workers),
                ]
                measured[workers].append(measure(cmd))
                outputs[workers] = target.read_bytes()
        for workers, done in measured.items():
            throughput.append(
                (
                    workers,
                    Run(
                        statistics.median(r.wall for r in done),
                        statistics.median(r.cpu for r in done),
                        max(r.peak for r in done),
                    ),
                )
            )
        same = outputs[1] == outputs[2]
        large_rows = outputs[1].count(b"\n") - 1
    load_end = os.getloadavg()
    lines = [
        "## Screening (`subsidia screen`)",
        "",
        f"Measured {dt.date.today().isoformat()} on {platform.machine()} with "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}; the machine is shared "
        f"with other jobs (load average {load_start[0]:.2f} at the start, {load_end[0]:.2f} at "
        "the end), so the times move by tens of percent from run to run. Command: "
        "`.venv/bin/python -m benchmarks.screening "
        f"--small {small} --large {large} --rounds {rounds} --write`. "
        f"Companies: `benchmarks/generate.py` (seed {SEED}) written as the CSV format of "
        "docs/screening.md, screened against the whole catalogue at "
        f"{AS_OF} (the default backend, vector).",
        "",
        f"A {small}-row CSV end to end, whole processes, {RUNS} runs of each, interleaved "
        f"({small_rows:,} result rows):",
        "",
        "| command | median | min | max | CPU time (median) |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, done in runs.items():
        walls = [r.wall for r in done]
        cpu = statistics.median(r.cpu for r in done)
        lines.append(
            f"| `{label}` | {_median(walls)} | {min(walls) * 1000:.0f} ms | "
            f"{max(walls) * 1000:.0f} ms | {cpu * 1000:.0f} ms |"
        )
    lines += [
        "",
        f"{large:,} companies ({large_rows:,} result rows), {rounds} runs of each, alternated "
        "(medians; peak memory the highest): "
        f"`subsidia screen companies_{large}.csv --out results.csv --as-of {AS_OF} "
        "--workers N`. CPU time is user + system of the command and its workers: on a "
        "shared machine it says more than the wall time about the work done. Peak memory "
        "is the largest resident set of any one of its processes.",
        "",
        "| workers | wall time | companies per second (wall) | CPU time | CPU ms per company "
        "| peak memory |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for workers, done in throughput:
        lines.append(
            f"| {workers} | {done.wall:.1f} s | {large / done.wall:,.0f} | {done.cpu:.1f} s | "
            f"{done.cpu / large * 1000:.2f} | {done.peak} MiB |"
        )
    (_, one), (_, two) = throughput
    lines += [
        "",
        f"The two outputs are {'byte for byte identical' if same else 'DIFFERENT (a bug)'}. "
        f"Two workers against one: {one.wall / two.wall:.2f}× the speed in wall time, for "
        f"{two.cpu / one.cpu:.2f}× the CPU time (two processes start and load the catalogue). "
        "Where the wall time is well above the CPU time, the command was waiting for a core "
        "the other jobs held: on an idle machine it would be about the CPU time divided by "
        f"the workers (an estimate, not a measurement: ~{one.cpu:.1f} s and ~{two.cpu / 2:.1f} "
        "s here).",
    ]
    return "\n".join(lines)


def write_section(text: str, path: Path = REPORT) -> None:
    """Replace only the screening section; keep the rest of the file."""
    block = f"{BEGIN}\n{text}\n{END}"
    current = path.read_text(encoding="utf-8")
    head, sep, rest = current.partition(BEGIN)
    if sep and END in rest:
        path.write_text(head + block + rest.partition(END)[2], encoding="utf-8")
    else:
        path.write_text(current.rstrip("\n") + f"\n\n{block}\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=500, help="rows of the end-to-end run")
    parser.add_argument("--large", type=int, default=10_000, help="rows of the workers runs")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each workers setting")
    parser.add_argument("--write", action="store_true", help="update docs/performance.md")
    args = parser.parse_args(argv)
    text = run(args.small, args.large, args.rounds)
    print(text)
    if args.write:
        write_section(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
