"""`subsidia diff` and `subsidia lint` on the real catalogue: wall time of the command, as a
rule author runs it.

Each scenario copies programmes/ twice into a temporary folder, edits one rule file of the
copy (a few literal replacements, each of which must match exactly once) and runs
`subsidia diff OLD/ NEW/ --programme ID --as-of 2026-03-01` in a fresh process; the lint
row runs `subsidia lint programmes/ --as-of 2026-03-01`. Reported: the median wall time,
the kinds of change found and the exit code. Run:
`.venv/bin/python -m benchmarks.diff [--runs N] [--only TEXT] [--timeout S] [--write]`
(`--write` updates docs/performance.md).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs/performance.md"
BEGIN, END = "<!-- diff:begin -->", "<!-- diff:end -->"
DAY = "2026-03-01"
SUBSIDIA = Path(sys.executable).with_name("subsidia")
LINT_BEFORE = "29.1"  # as `Scenario.before`


@dataclass(frozen=True)
class Scenario:
    name: str
    file: str  # under programmes/
    programme: str
    edits: tuple[tuple[str, str], ...]  # (old text, new text), each matching once
    # Seconds with the search of commit d942a61 (every field given every constant of its
    # type, two list elements from the start, amounts compiled into every search), measured
    # once with this benchmark (one run, cut off at 300 s); not re-measured by `--write`.
    before: str = ""


SCENARIOS = (
    Scenario(
        "rate 50 → 40 %, advice cap €25,000 → €20,000",
        "flanders/kmo_groeisubsidie.rules",
        "kmo_groeisubsidie",
        (
            ("2021-01-01.. = 50%\n", "2021-01-01.. = 40%\n"),
            (
                "    2021-01-01.. = 25_000 EUR\n  }\n  param hire_cap",
                "    2021-01-01.. = 20_000 EUR\n  }\n  param hire_cap",
            ),
        ),
        "105.6",
    ),
    Scenario(
        "total cap €50,000 → €40,000 (needs two cost lines)",
        "flanders/kmo_groeisubsidie.rules",
        "kmo_groeisubsidie",
        (("2021-01-01.. = 50_000 EUR", "2021-01-01.. = 40_000 EUR"),),
        "> 300",
    ),
    Scenario(
        "minimum project €20,000 → €25,000 (a condition)",
        "flanders/kmo_groeisubsidie.rules",
        "kmo_groeisubsidie",
        (
            (
                "    2021-01-01.. = 20_000 EUR\n  }\n  param minimum_advice_contract",
                "    2021-01-01.. = 25_000 EUR\n  }\n  param minimum_advice_contract",
            ),
        ),
        "47.3",
    ),
    Scenario(
        "cooldown 24 → 18 months",
        "flanders/kmo_groeisubsidie.rules",
        "kmo_groeisubsidie",
        (("2025-01-01.. = 24 months", "2025-01-01.. = 18 months"),),
        "55.5",
    ),
    Scenario(
        "small rate 30 → 25 %, small cap €7,500 → €10,000",
        "flanders/kmo_portefeuille.rules",
        "kmo_portefeuille",
        (
            ("2019-12-01.. = 30%", "2019-12-01.. = 25%"),
            (
                '2020-01-01.. = 7500 EUR source ecx "sinds 1 januari 2020 7.500 euro"\n'
                "  }\n  param cap_medium",
                '2020-01-01.. = 10_000 EUR source ecx "sinds 1 januari 2020 7.500 euro"\n'
                "  }\n  param cap_medium",
            ),
        ),
        "115.2",
    ),
    Scenario(
        "minimum aid €100,000 → €150,000",
        "flanders/vlaio_research_project.rules",
        "vlaio_research_project",
        (("2018-01-01.. = 100_000 EUR", "2018-01-01.. = 150_000 EUR"),),
        "4.1",
    ),
)


@dataclass(frozen=True)
class Result:
    times: list[float]
    found: list[str]  # the kinds of change of the examples, or the lint finding codes
    timeout: float | None = None

    @property
    def median(self) -> str:
        value = statistics.median(self.times)
        return f"> {self.timeout:.0f}" if value == float("inf") else f"{value:.2f}"


def _edit(text: str, edits: tuple[tuple[str, str], ...]) -> str:
    for old, new in edits:
        if text.count(old) != 1:
            raise SystemExit(f"edit does not match exactly once: {old!r}")
        text = text.replace(old, new)
    return text


def _wall(
    args: list[str], runs: int, env: dict[str, str], timeout: float | None = None
) -> tuple[list[float], str]:
    """Wall times of the runs and the last one's output; a run cut off after `timeout`
    seconds counts as that long and ends the row (reported as "> timeout")."""
    times, out = [], ""
    for _ in range(runs):
        start = time.perf_counter()
        try:
            done = subprocess.run(
                args, capture_output=True, text=True, cwd=ROOT, env=env, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            return [float("inf")], ""
        times.append(time.perf_counter() - start)
        out = done.stdout
        if done.returncode not in (0, 1):  # 1: some answer changes, or lint findings
            raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return times, out


def run_diff(
    scenario: Scenario, runs: int, env: dict[str, str], timeout: float | None = None
) -> Result:
    with tempfile.TemporaryDirectory(prefix="subsidia-diff-") as tmp:
        old, new = Path(tmp, "old"), Path(tmp, "new")
        shutil.copytree(ROOT / "programmes", old)
        shutil.copytree(ROOT / "programmes", new)
        path = new / scenario.file
        path.write_text(_edit(path.read_text(encoding="utf-8"), scenario.edits), "utf-8")
        args = [str(SUBSIDIA), "diff", f"{old}/", f"{new}/"]
        args += ["--programme", scenario.programme, "--as-of", DAY]
        times, out = _wall(args, runs, env, timeout)
    return Result(times, re.findall(r"^example \d+: (.*)$", out, re.M), timeout)


def run_lint(runs: int, env: dict[str, str], timeout: float | None = None) -> Result:
    args = [str(SUBSIDIA), "lint", "programmes/", "--as-of", DAY]
    times, out = _wall(args, runs, env, timeout)
    return Result(times, re.findall(r"warning\[(L\d+)\]", out), timeout)


def table(rows: list[tuple[Scenario, Result]], lint: Result) -> str:
    lines = [
        "| programme | change | d942a61 (s) | now (s) | kinds of change found now |",
        "|---|---|---:|---:|---|",
    ]
    for scenario, result in rows:
        kinds = "; ".join(result.found) or ("—" if result.median.startswith(">") else "none")
        lines.append(
            f"| {scenario.programme} | {scenario.name} | {scenario.before} | {result.median} "
            f"| {kinds} |"
        )
    findings = ", ".join(lint.found) or "none"
    lines.append(
        f"| whole catalogue | `subsidia lint programmes/` | {LINT_BEFORE} | {lint.median} "
        f"| findings: {findings} |"
    )
    return "\n".join(lines)


def write(text_table: str, runs: int, loads: tuple[str, str]) -> None:
    body = (
        f"{BEGIN}\n## Rule-author toolkit: diff and lint (`benchmarks/diff.py`)\n\n"
        "`.venv/bin/python -m benchmarks.diff --write`. Each row copies programmes/ twice, "
        "edits one rule file of the copy and runs `subsidia diff OLD/ NEW/ --programme ID "
        f"--as-of {DAY}` in a fresh process (the last row: `subsidia lint programmes/ "
        f"--as-of {DAY}`); median wall time of {runs} run(s), interpreter start-up and "
        "parsing and checking both catalogues (about 1.5 s, no cache for overridden "
        "rule folders) included. An example's answers are those of the engine's re-check "
        "under each version.\n\n"
        f"{text_table}\n\n"
        "The machine has 2 cores shared with other jobs; load average "
        f"{loads[0]} at the start, {loads[1]} at the end.\n\n"
        "The d942a61 column is the search before `solver/search/candidates.py`: every field "
        "given every constant of its type, lists of two elements from the start, the "
        "amounts compiled into every question; on the first row 75-83 s went into "
        "grounding the first search (~845,000 atoms: the amounts over two cost lines, for both "
        "versions), and the total-cap row did not finish. Now a field's candidates are the "
        "boundaries the rules compare it with (through the arithmetic in between), a status "
        "question compiles no amounts, an amount question is asked only if the amount "
        "changed, and lists get a second element only for the kinds one element does not "
        "show. Same kinds of change found on every row that finished. Lint's third finding "
        "at d942a61 (vlaio_research_project: `research_category_supported` implied by the "
        "others) is no longer reported, rightly: with a size or cooperation bonus the "
        "minimum aid can be reached at a base rate of 0 %, i.e. without a supported "
        "category.\n"
        f"{END}"
    )
    text = DOC.read_text(encoding="utf-8")
    if BEGIN in text:
        head, rest = text.split(BEGIN, 1)
        text = head + body + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + body + "\n"
    DOC.write_text(text, encoding="utf-8")


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.diff",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per row (median)")
    parser.add_argument("--only", help="only the scenarios whose change contains this text")
    parser.add_argument("--timeout", type=float, help="seconds a run may take (default: none)")
    parser.add_argument("--write", action="store_true", help="update docs/performance.md")
    args = parser.parse_args(argv)
    if args.write and args.only:
        parser.error("--write runs every scenario: no --only")
    env = dict(os.environ)
    start = _load()
    rows = []
    for scenario in SCENARIOS:
        if args.only and args.only not in scenario.name:
            continue
        result = run_diff(scenario, args.runs, env, args.timeout)
        rows.append((scenario, result))
        print(f"{scenario.programme}: {scenario.name}: {result.median} s, {result.found}")
    lint = run_lint(args.runs, env, args.timeout) if not args.only else Result([0.0], [])
    print(table(rows, lint))
    if args.write:
        write(table(rows, lint), args.runs, (start, _load()))


if __name__ == "__main__":
    main()
