"""`subsidia test programmes` as a whole process, this tree against an earlier one, cold
and warm, in the same run.

    git archive main | (mkdir -p /tmp/base && tar -x -C /tmp/base)
    .venv/bin/python -m benchmarks.test_command --baseline /tmp/base [--runs 3]

Each round runs, for each tree (the order alternating between rounds, so both see the
same load): `subsidia test programmes` with an empty cache folder (`XDG_CACHE_HOME` a new
empty folder: no checked catalogue, no property answer, no counterexample database: cold),
then the same command again with that folder (warm). Each tree is imported through
`PYTHONPATH` and tests its own programmes/ as the rules root (`SUBSIDIA_RULES`). Printed per
tree and phase: the median wall time and the median CPU time (user + system, the process and its
worker processes) over the rounds, and the load average. Both trees must pass.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMAND = ("-c", "from policy.cli.main import main; main()", "test", "programmes")


def timed(tree: Path, cache: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one `subsidia test programmes` in `tree`."""
    # Its own programmes/ as the rules root (the bundled rules of an editable install are
    # this checkout's, whatever `PYTHONPATH` says): answers cached as `subsidia test` caches
    # a rules root's.
    env = dict(
        os.environ,
        PYTHONPATH=str(tree),
        XDG_CACHE_HOME=str(cache),
        SUBSIDIA_RULES=str(tree / "programmes"),
    )
    env.pop("SUBSIDIA_PROPERTY_DB", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *COMMAND], cwd=tree, env=env, capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{tree}: exit {done.returncode}\n{done.stdout[-2000:]}{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, required=True, help="The earlier tree.")
    parser.add_argument("--runs", type=int, default=3, help="Rounds (cold + warm each).")
    args = parser.parse_args(argv)
    trees = {"baseline": args.baseline.resolve(), "now": ROOT}
    figures: dict[tuple[str, str], list[tuple[float, float]]] = {}
    loads = [os.getloadavg()[0]]
    for round_ in range(args.runs):
        order = list(trees) if round_ % 2 == 0 else list(reversed(trees))
        for name in order:
            with tempfile.TemporaryDirectory() as cache:
                for phase in ("cold", "warm"):
                    wall, cpu = timed(trees[name], Path(cache))
                    figures.setdefault((name, phase), []).append((wall, cpu))
                    print(
                        f"round {round_ + 1} {name} {phase}: {wall:.2f} s wall, {cpu:.2f} s CPU, "
                        f"load {os.getloadavg()[0]:.1f}",
                        file=sys.stderr,
                        flush=True,
                    )
        loads.append(os.getloadavg()[0])
    print(f"{'tree':9} {'phase':5} {'wall (s)':>9} {'CPU (s)':>8}  runs")
    for (name, phase), runs in figures.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"{name:9} {phase:5} {wall:9.2f} {cpu:8.2f}  {len(runs)}")
    print(
        f"load average (1 min) {min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} cores; "
        f"baseline {trees['baseline']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
