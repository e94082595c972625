"""Benchmark of the vector backend (solver/vector/) against the direct backend and the
hand-written baseline, on the same generated companies, in the same run.

    .venv/bin/python -m benchmarks.vector [--sizes 10000 100000] [--screen 10000] [--write]

- `engine.check_records(records, 2026-03-01, programmes, backend=...)` for the EU SME
  category + Kmo-groeisubsidie (`programmes=["kmo_groeisubsidie"]`, the SME figures come
  with every report) and for the whole catalogue, at each size; the baseline
  (benchmarks/baseline.py, plain Python, one profile at a time) for the first scope. Each
  run is a fresh process (so its peak memory is its own), records generated first
  (`benchmarks/generate.py`, seed 2026), the program compiled by a warm-up call on 200
  records, then the timed calls, in batches of 10,000 records (the reports of a batch are
  reduced to their answers before the next, for every backend alike).
- Disagreements: every record's status, amount and missing fields per programme and its
  SME category, vector against direct (and against the baseline's status, amount and
  category in the first scope).
- `subsidia screen` end to end on a CSV of `--screen` rows with each backend,
  `--workers 1`, whole processes (benchmarks/screening.py's probe), outputs compared.

With `--write` the report replaces the `vector` section of docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import pickle
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- vector:begin -->", "<!-- vector:end -->"
AS_OF = dt.date(2026, 3, 1)
SEED = 2026
BATCH = 10_000
SCOPES = {"sme+kmo": ["kmo_groeisubsidie"], "catalogue": None}

Outcome = tuple[object, ...]


def _outcomes(reports: list) -> list[Outcome]:
    return [
        (
            report.sme.category,
            tuple((r.programme, r.status, str(r.amount), tuple(r.missing)) for r in report.results),
        )
        for report in reports
    ]


def one(kind: str, scope: str, n: int, out: Path) -> None:
    """In a fresh process: one timed run; its figures and outcomes into `out`."""
    from benchmarks.generate import random_records

    records = random_records(n, SEED)
    before = _rss_mib()
    programmes = SCOPES[scope]
    outcomes: list[Outcome] = []
    fallback = 0
    if kind == "baseline":
        from benchmarks.baseline import baseline_check

        start, cpu = time.perf_counter(), time.process_time()
        for record in records:
            base = baseline_check(record, AS_OF)
            outcomes.append((base["category"], base["status"], base["amount"]))
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    else:
        from policy import engine

        engine.check_records(records[:200], AS_OF, programmes, backend=kind)  # compile
        start, cpu = time.perf_counter(), time.process_time()
        for first in range(0, n, BATCH):
            reports = engine.check_records(
                records[first : first + BATCH], AS_OF, programmes, backend=kind
            )
            fallback += sum(r.fallback for r in reports)
            outcomes.extend(_outcomes(reports))
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    out.write_bytes(pickle.dumps((elapsed, cpu, before, peak, fallback, outcomes)))


def inner_one(kind: str, scope: str, n: int, out: Path) -> None:
    """In a fresh process: the backend's own evaluation (answers, no reports), timed."""
    from benchmarks.generate import random_records
    from policy import engine

    records = random_records(n, SEED)
    key = (str(engine.rules_root()), AS_OF, tuple(SCOPES[scope] or ()) or None)
    program = engine._vector(*key) if kind == "vector" else engine._direct(*key)
    program.evaluate(records[:200])
    cpu = time.process_time()
    for first in range(0, n, BATCH):
        program.evaluate(records[first : first + BATCH])
    cpu = time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    out.write_bytes(pickle.dumps((cpu, peak)))


def inner(sizes: list[int]) -> str:
    """The inner part alone: `program.evaluate` (the backend's answers), no reports."""
    lines = [
        "| scope | companies | backend | CPU time | decisions per CPU second | vs direct |",
        "|---|---:|---|---:|---:|---:|",
    ]
    env = {**os.environ, "POLARS_MAX_THREADS": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        for scope in SCOPES:
            for n in sizes:
                cpu = {}
                for kind in ("direct", "vector"):
                    out = Path(tmp) / f"{kind}.pickle"
                    cmd = [sys.executable, "-m", "benchmarks.vector", "--inner-one", kind, scope]
                    subprocess.run([*cmd, str(n), str(out)], cwd=ROOT, check=True, env=env)
                    cpu[kind] = pickle.loads(out.read_bytes())[0]
                per = 10 if scope == "catalogue" else 1  # programmes in force at AS_OF
                for kind, seconds in cpu.items():
                    lines.append(
                        f"| {scope} | {n:,} | {kind} | {seconds:.2f} s | {n * per / seconds:,.0f} "
                        f"| {cpu['direct'] / seconds:.1f}× |"
                    )
    return "\n".join(lines)


def _rss_mib() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 2**20


def _run(kind: str, scope: str, n: int, folder: Path) -> tuple:
    out = folder / f"{kind}-{scope}-{n}.pickle"
    # One core: polars would otherwise start a thread per CPU.
    env = {**os.environ, "POLARS_MAX_THREADS": "1"}
    subprocess.run(
        [sys.executable, "-m", "benchmarks.vector", "--one", kind, scope, str(n), str(out)],
        cwd=ROOT,
        check=True,
        env=env,
    )
    return pickle.loads(out.read_bytes())  # type: ignore[no-any-return]


def _disagree_with_baseline(vector: list[Outcome], base: list[Outcome]) -> int:
    count = 0
    for (category, results), (b_category, b_status, b_amount) in zip(vector, base, strict=True):
        _, status, amount, _ = results[0]  # type: ignore[index]
        b_amount_text = str(b_amount)
        count += (category, status, amount) != (b_category, b_status, b_amount_text)
    return count


def throughput(sizes: list[int], folder: Path) -> list[str]:
    lines = [
        "| scope | companies | backend | wall time | CPU time | decisions per CPU second "
        "| vs direct (CPU) | peak memory (records alone) | answers from direct | disagreements |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for scope, programmes in SCOPES.items():
        for n in sizes:
            runs = {}
            kinds = ["baseline", "direct", "vector"] if scope == "sme+kmo" else ["direct", "vector"]
            for kind in kinds:
                runs[kind] = _run(kind, scope, n, folder)
                print(scope, n, kind, f"{runs[kind][1]:.1f} s CPU", file=sys.stderr)
            vector_outcomes = runs["vector"][5]
            per_company = len(vector_outcomes[0][1]) if programmes is None else 1
            for kind, (elapsed, cpu, before, peak, fallback, outcomes) in runs.items():
                decisions = n * (1 if kind == "baseline" else per_company)
                if kind == "vector":
                    wrong = sum(a != b for a, b in zip(outcomes, runs["direct"][5], strict=True))
                    if "baseline" in runs:
                        wrong += _disagree_with_baseline(outcomes, runs["baseline"][5])
                    disagreements = f"{wrong:,} of {n:,}"
                else:
                    disagreements = "—"
                speed = runs["direct"][1] / cpu
                lines.append(
                    f"| {scope} | {n:,} | {kind} | {elapsed:.2f} s | {cpu:.2f} s "
                    f"| {decisions / cpu:,.0f} | {speed:.1f}× | {peak} MiB ({before} MiB) | "
                    f"{fallback if kind == 'vector' else '—'} | {disagreements} |"
                )
    return lines


def screen(rows: int, folder: Path) -> list[str]:
    from benchmarks.screening import measure, write_csv

    source = folder / f"companies_{rows}.csv"
    write_csv(source, rows)
    subsidia = str(Path(sys.executable).parent / "subsidia")
    lines = [
        "| command | wall time | CPU time | companies per second (CPU) | peak memory |",
        "|---|---:|---:|---:|---:|",
    ]
    outputs = {}
    os.environ["POLARS_MAX_THREADS"] = "1"  # one core, as the runs above
    for backend in ("direct", "vector"):
        out = folder / f"results_{backend}.csv"
        cmd = [subsidia, "screen", str(source), "--out", str(out), "--as-of", str(AS_OF)]
        cmd += ["--workers", "1", "--backend", backend]
        run = measure(cmd)
        outputs[backend] = out.read_bytes()
        shown = f"subsidia screen companies_{rows}.csv --out results.csv --as-of {AS_OF} "
        shown += f"--workers 1 --backend {backend}"
        lines.append(
            f"| `{shown}` | {run.wall:.1f} s | {run.cpu:.1f} s | {rows / run.cpu:,.0f} "
            f"| {run.peak} MiB |"
        )
    same = outputs["direct"] == outputs["vector"]
    lines.append("")
    lines.append(f"The two outputs are {'byte for byte identical' if same else 'DIFFERENT'}.")
    return lines


def render(sizes: list[int], rows: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        load = os.getloadavg()
        table = throughput(sizes, folder)
        screening = screen(rows, folder) if rows else []
        load_end = os.getloadavg()
    command = ".venv/bin/python -m benchmarks.vector --sizes " + " ".join(map(str, sizes))
    command += f" --screen {rows} --write"
    head = [
        "### Re-run (`benchmarks/vector.py`)",
        "",
        f"Measured {dt.date.today()} on {platform.machine()} with {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}; the machine is shared (load average "
        f"{load[0]:.2f} at the start, {load_end[0]:.2f} at the end). Command: `{command}`. "
        "Companies: `benchmarks/generate.py` (seed 2026), checked at 2026-03-01 by "
        "`engine.check_records` in batches of 10,000, one process per run, one core "
        "(`POLARS_MAX_THREADS=1`). On a shared machine the wall time can be mostly waiting "
        "for a core: the CPU time is the figure to compare. A "
        "decision is one company against one programme (the baseline: one company's SME "
        "category and Kmo-groeisubsidie answer). Peak memory is the process's largest "
        "resident set; in brackets, after generating the records, before checking them. "
        "Disagreements: status, amount and missing fields per programme and SME category, "
        "vector against direct (and status, amount, category against the baseline).",
        "",
    ]
    tail = ["", f"`subsidia screen` end to end, {rows:,} rows, whole processes:", ""]
    return "\n".join(head + table + (tail + screening if screening else []))


def write_section(text: str, path: Path = REPORT) -> None:
    block = f"{BEGIN}\n{text}\n{END}"
    current = path.read_text(encoding="utf-8")
    head, sep, rest = current.partition(BEGIN)
    if sep and END in rest:
        path.write_text(head + block + rest.partition(END)[2], encoding="utf-8")
    else:
        path.write_text(current.rstrip("\n") + f"\n\n{block}\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--screen", type=int, default=10_000, help="rows of the screen runs")
    parser.add_argument("--write", action="store_true", help="update docs/performance.md")
    parser.add_argument("--inner", action="store_true", help="time program.evaluate only")
    parser.add_argument("--screen-only", action="store_true", help="only the screen runs")
    parser.add_argument("--one", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--inner-one", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner_one:
        kind, scope, n, out = args.inner_one
        inner_one(kind, scope, int(n), Path(out))
        return 0
    if args.inner:
        print(inner(args.sizes))
        return 0
    if args.screen_only:
        with tempfile.TemporaryDirectory() as tmp:
            print("\n".join(screen(args.screen, Path(tmp))))
        return 0
    if args.one:
        kind, scope, n, out = args.one
        one(kind, scope, int(n), Path(out))
        return 0
    text = render(args.sizes, args.screen)
    print(text)
    if args.write:
        write_section(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
