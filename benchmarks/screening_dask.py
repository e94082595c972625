"""Benchmark of `subsidia screen --dask` on a local cluster against the same command without
Dask (its process pool), whole processes, on the same generated companies in Parquet.

    .venv/bin/python -m benchmarks.screening_dask [--rows 4000] [--parts 4] [--rounds 2] [--write]

- baseline: `subsidia screen companies.parquet --workers 2` (one file, the process pool);
- Dask: `subsidia screen parts/ --dask --workers 2` (the same rows as PARTS Parquet files,
  a LocalCluster of 2 worker processes started and stopped by the command);
- Dask's fixed cost: the same on two parts of one row each (the cluster's start and
  stop, each worker importing subsidia and loading the catalogue, if the scheduler gives
  each a part), so that the per-row cost can be told from it.

Alternated rounds, medians; wall time, CPU time of the command and its processes, peak
memory of the largest one; both outputs compared byte for byte. With `--write` the
report replaces the `screening-dask` section of docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.screening import AS_OF, ROOT, SEED, Run, measure, write_csv

REPORT = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- screening-dask:begin -->", "<!-- screening-dask:end -->"


def run(rows: int, parts: int, rounds: int) -> str:
    import polars as pl

    cli = str(ROOT / ".venv" / "bin" / "subsidia")
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        write_csv(tmp / "companies.csv", rows)
        frame = pl.read_csv(tmp / "companies.csv", infer_schema=False)
        frame.write_parquet(tmp / "companies.parquet")
        (tmp / "two").mkdir()  # two parts of one row: both workers get a partition
        frame.slice(0, 1).write_parquet(tmp / "two" / "part-000.parquet")
        frame.slice(1, 1).write_parquet(tmp / "two" / "part-001.parquet")
        (tmp / "parts").mkdir()
        size = -(-rows // parts)
        for index in range(parts):
            part = frame.slice(index * size, size)
            part.write_parquet(tmp / "parts" / f"part-{index:03}.parquet")
        base = [cli, "screen", "--as-of", AS_OF, "--workers", "2"]
        commands = {
            "pool": [*base, str(tmp / "companies.parquet"), "--out", str(tmp / "pool.csv")],
            "dask": [*base, str(tmp / "parts"), "--dask", "--out", str(tmp / "dask.csv")],
            "dask_two": [*base, str(tmp / "two"), "--dask", "--out", str(tmp / "2.csv")],
        }
        measured: dict[str, list[Run]] = {name: [] for name in commands}
        for _ in range(rounds):
            for name, cmd in commands.items():
                measured[name].append(measure(cmd))
        same = (tmp / "pool.csv").read_bytes() == (tmp / "dask.csv").read_bytes()
    load_end = os.getloadavg()[0]
    median = {
        name: Run(
            statistics.median(r.wall for r in done),
            statistics.median(r.cpu for r in done),
            max(r.peak for r in done),
        )
        for name, done in measured.items()
    }
    labels = {
        "pool": f"`subsidia screen companies.parquet --workers 2` ({rows:,} rows; baseline)",
        "dask": f"`subsidia screen parts/ --dask --workers 2` ({rows:,} rows in {parts} parts)",
        "dask_two": "`subsidia screen two/ --dask --workers 2` (2 rows in 2 parts: the fixed cost)",
    }
    lines = [
        BEGIN,
        "## Screening on Dask (`subsidia screen --dask`)",
        "",
        f"Measured {dt.date.today().isoformat()} on {platform.machine()} with {os.cpu_count()} "
        f"CPUs, Python {platform.python_version()}, shared with other jobs (load average "
        f"{load_start:.1f} at the start, {load_end:.1f} at the end). Command: "
        f"`.venv/bin/python -m benchmarks.screening_dask --rows {rows} --parts {parts} "
        f"--rounds {rounds} --write`. Companies: `benchmarks/generate.py` (seed {SEED}) as "
        f"Parquet text columns, the whole catalogue at {AS_OF}; {rounds} alternated rounds, "
        "medians (peak memory: the highest, of the largest single process).",
        "",
        "| command | wall time | CPU time | peak memory |",
        "|---|---:|---:|---:|",
    ]
    for name, label in labels.items():
        r = median[name]
        lines.append(f"| {label} | {r.wall:.1f} s | {r.cpu:.1f} s | {r.peak} MiB |")
    per_row = (median["dask"].cpu - median["dask_two"].cpu) / (rows - 2) * 1000
    lines += [
        "",
        f"The outputs of the first two are {'byte for byte identical' if same else 'DIFFERENT'}."
        f" Dask's CPU time beyond its fixed cost: {per_row:.2f} ms per company, against "
        f"{median['pool'].cpu / rows * 1000:.2f} ms per company for the whole baseline "
        "command (the pool's own start-up included).",
        END,
    ]
    return "\n".join(lines)


def _write(text: str) -> None:
    doc = REPORT.read_text(encoding="utf-8")
    start, end = doc.index(BEGIN), doc.index(END) + len(END)
    REPORT.write_text(doc[:start] + text + doc[end:], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.screening_dask")
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--parts", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--write", action="store_true", help="update docs/performance.md")
    args = parser.parse_args(argv)
    text = run(args.rows, args.parts, args.rounds)
    print(text)
    if args.write:
        _write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
