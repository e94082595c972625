"""Mutation score of the catalogue's cases: how many seeded bugs `subsidia test` catches.

Each mutant is the catalogue with one small textual change to one rule file:

- `compare`: a comparison operator in a condition changed (`<` ↔ `<=`, `>` ↔ `>=`,
  `=` → `!=`, `!=` → `=`);
- `constant`: a number in a parameter version or a condition changed (`n` → `n + 1`; a
  percentage `p%` → `p + 10%`);
- `logic`: an `and` in a condition made `or`, or an `or` made `and`;
- `drop`: a whole condition removed (not the only one of its programme);
- `date`: a date in a validity or a parameter version moved one day later.

A mutant the checker rejects (a type error, overlapping versions, ...) is stillborn and
not counted. Every other mutant runs all the catalogue's cases on the direct backend (as
`subsidia test` does) and is killed when a case fails or errs (a case naming a condition
that was dropped fails the gate the same way). With `--properties`, each mutant the cases
miss has its properties checked too (`check_properties`, as `subsidia test` does, on
2026-03-01, without the disk cache or the counterexample database), and is killed when one
is violated; the run reports both scores, cases only and cases and properties.

A surviving mutant of a programme's file is checked for equivalence with `subsidia diff`:
if the solver finds no profile whose status or amount differs between the original and the
mutant (at 2026-03-01, and at the dates the mutated line names), the mutant is counted as
equivalent and left out of the score. That is equivalence within the diff's candidate
values and those dates, not a proof; a diff still searching after `--diff-seconds` (60)
counts as not equivalent. Survivors in files without a programme (the EU
definitions) are called equivalent only in one case, by the language's semantics: the start
of a version `= unknown` moved one day later (`unknown_start_moved`: that day is then in no
version, which reads as unknown too).

Run: `.venv/bin/python -m benchmarks.mutation [--limit N] [--seed S] [--properties]
[--only TEXT] [--write]` (`--write` records the score in docs/performance.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROGRAMMES = ROOT / "programmes"
DOC = ROOT / "docs/performance.md"
BEGIN, END = "<!-- mutation:begin -->", "<!-- mutation:end -->"
DAY = dt.date(2026, 3, 1)

_COMPARE = {"<=": "<", "<": "<=", ">=": ">", ">": ">=", "!=": "=", "=": "!="}
_COMPARE_RE = re.compile(r"(?<![<>!=])(<=|>=|!=|<|>|=)(?![<>=])")
_NUMBER_RE = re.compile(r"(?<![\w.-])(\d[\d_]*(?:\.\d+)?)(\s*%)?(?![\w-])")
_DATE_RE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_LOGIC_RE = re.compile(r"\b(and|or)\b")


@dataclass(frozen=True)
class Mutant:
    file: Path  # relative to programmes/
    line: int  # 1-based
    kind: str
    before: str  # the line (or block) as written
    after: str  # the replacement
    dates: tuple[dt.date, ...] = ()  # dates the change is about, for the equivalence check

    def describe(self) -> str:
        old = " ".join(self.before.split())[:60]
        new = " ".join(self.after.split())[:60]
        return f"{self.file}:{self.line} {self.kind}: {old!r} -> {new!r}"


def _strip_strings(line: str) -> str:
    """The line with "..." texts blanked: nothing inside a label or source is mutated."""
    return re.sub(r'"[^"]*"', lambda m: " " * len(m.group(0)), line)


def mutants(text: str, file: Path) -> list[Mutant]:
    """Every mutant of one rule file, in file order."""
    lines = text.splitlines(keepends=True)
    out: list[Mutant] = []
    in_condition = False
    in_require = False
    condition_start = 0
    conditions_in_programme: list[tuple[int, int]] = []
    programme_conditions: list[list[tuple[int, int]]] = []
    for index, raw in enumerate(lines):
        line = _strip_strings(raw.split("#", 1)[0] if "#" in raw else raw)
        stripped = line.strip()
        if re.match(r"programme\s", stripped):
            conditions_in_programme = []
            programme_conditions.append(conditions_in_programme)
        if re.match(r"condition\s+\w+\s*\{", stripped):
            in_condition, in_require, condition_start = True, False, index
        elif in_condition and stripped == "}":
            conditions_in_programme.append((condition_start, index))
            in_condition = in_require = False
        elif in_condition and stripped.startswith("require"):
            in_require = True
        version = re.match(r"\s*(\d{4}-\d{2}-\d{2})?\.\.(\d{4}-\d{2}-\d{2})?\s*=", line)
        expression = in_require or version is not None
        start_dates = tuple(
            dt.date.fromisoformat(d) for d in _DATE_RE.findall(line) if _valid_date(d)
        )
        if in_require:
            for match in _COMPARE_RE.finditer(line):
                after = _COMPARE[match.group(1)]
                out.append(_replace(file, index, raw, match, after, "compare", start_dates))
            for match in _LOGIC_RE.finditer(line):
                after = "or" if match.group(1) == "and" else "and"
                out.append(_replace(file, index, raw, match, after, "logic", start_dates))
        if expression:
            body = line[version.end() :] if version else line
            offset = version.end() if version else 0
            for match in _NUMBER_RE.finditer(body):
                number, percent = match.group(1), match.group(2)
                if _DATE_RE.search(line[offset + match.start() - 4 : offset + match.end() + 6]):
                    continue
                value = float(number.replace("_", ""))
                bumped = value + (10 if percent else 1)
                text_value = str(int(bumped)) if bumped == int(bumped) else str(bumped)
                start, end = offset + match.start(1), offset + match.end(1)
                new = raw[:start] + text_value + raw[end:]
                out.append(Mutant(file, index + 1, "constant", raw, new, start_dates))
        if version is not None or re.match(r"\s*valid\s", line):
            for match in _DATE_RE.finditer(line):
                if not _valid_date(match.group(1)):
                    continue
                day = dt.date.fromisoformat(match.group(1))
                later = (day + dt.timedelta(days=1)).isoformat()
                new = raw[: match.start(1)] + later + raw[match.end(1) :]
                dates = (day, day + dt.timedelta(days=1))
                out.append(Mutant(file, index + 1, "date", raw, new, dates))
    for conditions in programme_conditions:
        if len(conditions) < 2:
            continue  # a programme needs a condition (E205): not a mutant
        for start, end in conditions:
            block = "".join(lines[start : end + 1])
            out.append(Mutant(file, start + 1, "drop", block, ""))
    return out


def _valid_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _replace(
    file: Path,
    index: int,
    raw: str,
    match: re.Match[str],
    after: str,
    kind: str,
    dates: tuple[dt.date, ...],
) -> Mutant:
    new = raw[: match.start(1)] + after + raw[match.end(1) :]
    return Mutant(file, index + 1, kind, raw, new, dates)


def apply(text: str, mutant: Mutant) -> str:
    """The file's text with the mutant's change (its line, or its condition block)."""
    lines = text.splitlines(keepends=True)
    if mutant.kind == "drop":
        count = mutant.before.count("\n")
        start = mutant.line - 1
        assert "".join(lines[start : start + count]) == mutant.before
        return "".join(lines[:start] + lines[start + count :])
    assert lines[mutant.line - 1] == mutant.before
    lines[mutant.line - 1] = mutant.after
    return "".join(lines)


# ---- running


class Catalogue:
    """The catalogue's files parsed once; a mutant re-parses only its own file."""

    def __init__(self, root: Path) -> None:
        from dsl.loader import read_rule_text, rule_files
        from dsl.parser import parse_text

        self.root = root
        self.sources = {str(f): read_rule_text(f) for f in rule_files(root)}
        self.parsed = {name: parse_text(text, name) for name, text in self.sources.items()}

    def with_text(self, name: str, text: str) -> object | None:
        """The checked catalogue with one file's text replaced; None when it does not
        parse or check (a stillborn mutant)."""
        from dsl.checker import check
        from dsl.diagnostics import RuleError
        from dsl.parser import parse_text
        from policy import well_known
        from policy.errors import SubsidiaError

        try:
            parsed = {**self.parsed, name: parse_text(text, name)}
            sources = {**self.sources, name: text}
            catalogue, _ = check(list(parsed.values()), sources)
            well_known.check(catalogue)
        except (RuleError, SubsidiaError):
            return None
        return catalogue


def killed_by_cases(catalogue: object, cases: list) -> tuple[bool, int]:
    """Whether a case fails (or errs) on the mutant; and how many failed."""
    from policy.authoring.cases import run_cases
    from policy.errors import SubsidiaError

    try:
        outcomes = run_cases(cases, PROGRAMMES, "direct", catalogue)  # type: ignore[arg-type]
    except SubsidiaError:
        return True, -1
    failed = sum(1 for o in outcomes if not o.passed)
    return failed > 0, failed


def killed_by_properties(catalogue: object, mutated: Path) -> list[str]:
    """The properties the mutant violates on the benchmark's date, checked as `subsidia
    test` checks them (solver, then search; in forked workers), without the disk cache
    or the counterexample database (every mutant afresh, deterministic searches). Only
    those the mutated file can change: written in it, or reading a programme it defines;
    every property when it defines no programme (the EU definitions reach them all)."""
    from dsl import ir
    from policy.authoring.properties import check_properties

    assert isinstance(catalogue, ir.Catalogue)
    file = str(mutated.resolve())
    own = {p for p, prog in catalogue.programmes.items() if str(Path(prog.file).resolve()) == file}

    def affected(qname: str) -> bool:
        prop = catalogue.properties[qname]
        return not own or str(Path(prop.file).resolve()) == file or bool(own & set(prop.programmes))

    results = check_properties(catalogue, DAY, select=affected)
    return [r.name for r in results if r.status == "violated"]


_UNKNOWN_FROM = re.compile(r"\s*(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})?\s*=\s*unknown\b")


def unknown_start_moved(mutant: Mutant) -> bool:
    """A version `D.. = unknown` (or `D..E = unknown`) whose start moved to D + 1: the day
    D is then in no version, and a parameter without a version on a day reads as unknown
    there, as the version said (the checker refuses the mutant if a programme valid on D
    needs a version there, E502). Equivalent by the language's own semantics."""
    found = _UNKNOWN_FROM.match(mutant.before)
    return (
        mutant.kind == "date"
        and found is not None
        and bool(mutant.dates)
        and found.group(1) == mutant.dates[0].isoformat()
    )


def equivalent(
    original: Path, mutated: Path, dates: tuple[dt.date, ...], seconds: float
) -> bool | None:
    """True when `subsidia diff` finds no profile whose answer differs (at 2026-03-01 and
    the mutant's dates), each search finished within `seconds`; None when the file has no
    programme to diff. A search the time limit stops, or one whose changed answers need
    values no profile states, is no proof: not equivalent."""
    from policy.authoring.diff import diff_within
    from policy.errors import SubsidiaError

    if "programme " not in mutated.read_text(encoding="utf-8"):
        return None
    for day in sorted({DAY, *dates}):
        try:
            _, differences, searched = diff_within(
                original, mutated, None, day, PROGRAMMES, 1, seconds
            )
        except SubsidiaError:
            return None
        if differences or not searched.conclusive:
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="Sample this many mutants (0: all).")
    parser.add_argument("--seed", type=int, default=15, help="Seed of the sample.")
    parser.add_argument("--only", default="", help="Only mutants whose description has TEXT.")
    parser.add_argument(
        "--properties",
        action="store_true",
        help="Also check the properties of each mutant the cases miss: a violated one kills.",
    )
    parser.add_argument("--no-equivalence", action="store_true", help="Skip the diff check.")
    parser.add_argument(
        "--diff-seconds",
        type=float,
        default=60,
        help="Time limit of each equivalence diff; one not finished counts as not equivalent.",
    )
    parser.add_argument("--write", action="store_true", help="Record in docs/performance.md.")
    parser.add_argument("--verbose", action="store_true", help="Print every mutant's fate.")
    args = parser.parse_args(argv)
    os.environ["SUBSIDIA_NO_CACHE"] = "1"  # thousands of one-off catalogues: keep the cache
    os.environ["SUBSIDIA_PROPERTY_DB"] = ""  # no counterexample of another mutant

    from policy.authoring.cases import find_case_files, load_cases

    started = time.perf_counter()
    catalogue = Catalogue(PROGRAMMES)
    cases = [c for path in find_case_files(PROGRAMMES) for c in load_cases(path)]
    everything = [
        m
        for name, text in sorted(catalogue.sources.items())
        for m in mutants(text, Path(name).relative_to(PROGRAMMES))
    ]
    chosen = [m for m in everything if args.only in m.describe()]
    if args.limit and args.limit < len(chosen):
        chosen = sorted(random.Random(args.seed).sample(chosen, args.limit), key=_order)
    counts = {"stillborn": 0, "killed": 0, "survived": 0, "equivalent": 0}
    by_properties = 0  # survivors of the cases that a property kills
    survivors: list[Mutant] = []
    with tempfile.TemporaryDirectory() as work:
        for mutant in chosen:
            name = str(PROGRAMMES / mutant.file)
            text = apply(catalogue.sources[name], mutant)
            mutated = catalogue.with_text(name, text)
            violated: list[str] = []
            if mutated is None:
                fate = "stillborn"
            elif killed_by_cases(mutated, cases)[0]:
                fate = "killed"
            else:
                # What the cases miss, the properties may catch; a mutant the cases kill is
                # killed with the properties too (the gate runs both).
                violated = killed_by_properties(mutated, Path(name)) if args.properties else []
                fate = "properties" if violated else "survived"
            if fate == "survived" and unknown_start_moved(mutant):
                fate = "equivalent"
            if fate == "survived" and not args.no_equivalence:
                probe = Path(work) / "probe" / mutant.file.name
                probe.parent.mkdir(exist_ok=True)
                probe.write_text(text, encoding="utf-8")
                if equivalent(PROGRAMMES / mutant.file, probe, mutant.dates, args.diff_seconds):
                    fate = "equivalent"
            if fate == "properties":
                by_properties += 1
                counts["survived"] += 1  # for the cases alone
            else:
                counts[fate] += 1
            if fate == "survived":
                survivors.append(mutant)
            if args.verbose:
                shown = f" (violated: {', '.join(violated)})" if violated else ""
                print(f"{fate:10} {mutant.describe()}{shown}", flush=True)
    elapsed = time.perf_counter() - started
    counted = counts["killed"] + counts["survived"]
    score = counts["killed"] / counted if counted else 0.0
    load = os.getloadavg()
    lines = [
        f"mutants: {len(chosen)} of {len(everything)} "
        f"({'sample, seed ' + str(args.seed) if args.limit else 'all'}); "
        + ", ".join(f"{k} {v}" for k, v in counts.items())
        + (f" (of them killed by a property: {by_properties})" if args.properties else ""),
        f"mutation score: {counts['killed']}/{counted} = {score:.1%} of the non-equivalent "
        "mutants killed (cases only)",
    ]
    if args.properties:
        both = counts["killed"] + by_properties
        lines.append(
            f"mutation score: {both}/{counted} = {both / counted if counted else 0:.1%} of the "
            "non-equivalent mutants killed (cases and properties)"
        )
    lines.append(
        f"{elapsed:.0f} s wall, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} "
        f"on {os.cpu_count()} cores"
    )
    print("\n".join(lines))
    if survivors:
        print("survivors:")
        for mutant in survivors:
            print("  " + mutant.describe())
    if args.write:
        _write(lines, argv if argv is not None else sys.argv[1:])
    return 0


def _order(m: Mutant) -> tuple[str, int, str]:
    return (str(m.file), m.line, m.kind)


def _write(lines: list[str], argv: list[str]) -> None:
    text = DOC.read_text(encoding="utf-8")
    command = " ".join([".venv/bin/python -m benchmarks.mutation", *argv])
    block = "\n".join([BEGIN, "```text", f"$ {command}", *lines, "```", END])
    if BEGIN in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n## Mutation score\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
