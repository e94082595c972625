"""`subsidia test`: run the cases beside rule files and report which conditions they exercise.

Coverage here is about rules, not code: for every condition of a programme, how many cases
saw it met, failed and unknown. A condition never seen failing has no test of its boundary.

The rules tested are the ones the paths hold: rule files under a folder (or beside a case
file) outside the rules root take the place of the root's blocks of the same name, so a
copy of the catalogue is tested as the copy, never as the bundled rules it came from.

Cases are evaluated with the direct backend by default (docs/performance.md: the whole
catalogue's cases in about 3 s instead of 20 s of grounding). The reference semantics stay
tested: tests/test_programme_cases.py runs every bundled case on clingo and checks that
both backends give every case the same full answer, and `--backend clingo` runs a folder's
cases on the reference.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from dsl import ir
from dsl.errors import N_, UsageError
from dsl.loader import load_overriding, rule_files
from policy import engine, well_known
from policy.authoring.cases import Case, CaseOutcome, find_case_files, load_cases, run_cases

SUFFIX = ".cases.yaml"
BACKENDS = ("direct", "clingo")


@dataclass(slots=True)
class ConditionCoverage:
    met: int = 0
    failed: int = 0
    unknown: int = 0

    @property
    def complete(self) -> bool:
        return self.met > 0 and self.failed > 0


@dataclass(slots=True)
class TestRun:
    outcomes: list[CaseOutcome] = field(default_factory=list)
    # programme -> condition -> counts, in the programme's condition order
    coverage: dict[str, dict[str, ConditionCoverage]] = field(default_factory=dict)
    deselected: int = 0  # cases `-k` left out
    rules: str = ""  # what was tested: the rules root, and the folders overriding it
    backend: str = "direct"

    @property
    def failed(self) -> list[CaseOutcome]:
        return [o for o in self.outcomes if not o.passed]

    @property
    def passed(self) -> int:
        return len(self.outcomes) - len(self.failed)


def case_files(paths: list[Path]) -> list[Path]:
    """Case files for the given case files, rule files (their sibling) or folders."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(find_case_files(path))
        elif path.name.endswith(SUFFIX):
            found.append(path)
        elif path.suffix == ".rules":
            sibling = path.with_name(path.name.removesuffix(".rules") + SUFFIX)
            if sibling.exists():
                found.append(sibling)
        else:
            found.append(path)  # let the loader report what is wrong with it
    return list(dict.fromkeys(found))


def own_rule_files(paths: list[Path]) -> list[Path]:
    """The rule files the paths hold: under folders, given, or beside a given case file."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(rule_files(path))
        elif path.suffix == ".rules":
            found.append(path)
        elif path.name.endswith(SUFFIX):
            sibling = path.with_name(path.name.removesuffix(SUFFIX) + ".rules")
            if sibling.is_file():
                found.append(sibling)
    return list(dict.fromkeys(found))


def rules_under_test(
    paths: list[Path], rules: Path | None
) -> tuple[ir.Catalogue | None, Path, str]:
    """The catalogue the cases run against: `None` when it is a rules root's own (the
    engine's memoised catalogue): `rules` when given, else the default root when the paths
    hold no rule file outside it; otherwise the default root's with the paths' rule files
    in place of its blocks of the same name. Also the root, and a description."""
    if rules is not None:  # said explicitly: exactly those rules, whatever the paths hold
        return None, rules, str(rules)
    root = engine.rules_root()
    inside = root.resolve()
    outside = [f for f in own_rule_files(paths) if inside not in f.resolve().parents]
    if not outside:
        return None, root, str(root)
    cat, _ = load_overriding(root, *outside)
    well_known.check(cat)
    folders = sorted({str(p) for p in paths if p.is_dir()} or {str(f) for f in outside})
    bundled = inside == engine.DEFAULT_RULES.resolve()
    rest = N_("the bundled catalogue") if bundled else str(root)
    # A Message: `subsidia test` prints it in the reader's language, --json in English.
    return cat, root, N_("{folders} (other blocks: {rest})", folders=tuple(folders), rest=rest)


# ---- selecting cases: -k as pytest reads it


_TOKEN = re.compile(r"\s*(\(|\)|\"[^\"]*\"|'[^']*'|[^\s()]+)")


def case_key(case: Case) -> str:
    """What `-k` matches: `<programme>.<case name>` (the file's name for definition-only
    case files)."""
    owner = case.programme or case.file.name.removesuffix(SUFFIX)
    return f"{owner}.{case.name}"


def selector(pattern: str) -> Callable[[str], bool]:
    """A `-k` expression: words (or quoted texts) matched as case-insensitive substrings,
    combined with `and`, `or`, `not` and parentheses, as pytest's `-k`. Raises
    `UsageError` naming `-k` for an expression that does not parse."""
    tokens: list[str] = []
    pos = 0
    while pattern[pos:].strip():
        found = _TOKEN.match(pattern, pos)
        if found is None:  # the pattern's alternatives match any text but spaces
            raise UsageError(N_("-k: cannot read the expression {pattern}", pattern=repr(pattern)))
        tokens.append(found.group(1))
        pos = found.end()
    if not tokens:
        raise UsageError(N_("-k: the expression is empty"))
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def disjunction() -> Callable[[str], bool]:
        parts = [conjunction()]
        while peek() == "or":
            take()
            parts.append(conjunction())
        return lambda key: any(p(key) for p in parts)

    def conjunction() -> Callable[[str], bool]:
        parts = [negation()]
        while peek() == "and":
            take()
            parts.append(negation())
        return lambda key: all(p(key) for p in parts)

    def negation() -> Callable[[str], bool]:
        if peek() == "not":
            take()
            inner = negation()
            return lambda key: not inner(key)
        return atom()

    def atom() -> Callable[[str], bool]:
        token = peek()
        if token is None or token in ("and", "or", ")"):
            raise UsageError(N_("-k: expected a word in {pattern}", pattern=repr(pattern)))
        take()
        if token == "(":
            inner = disjunction()
            if peek() != ")":
                raise UsageError(N_("-k: a '(' is not closed in {pattern}", pattern=repr(pattern)))
            take()
            return inner
        word = token[1:-1] if token[0] in "\"'" else token
        word = word.lower()
        return lambda key: word in key.lower()

    match = disjunction()
    if peek() is not None:
        raise UsageError(
            N_("-k: unexpected {token} in {pattern}", token=repr(peek()), pattern=repr(pattern))
        )
    return match


# ---- running


Progress = Callable[[int, int], None]  # cases done, cases in all


def run(
    paths: list[Path],
    rules: str | Path | None = None,
    *,
    select: str | None = None,
    backend: str = "direct",
    progress: Progress | None = None,
    require_match: bool = True,
) -> TestRun:
    """Run the cases under `paths` against the rules they hold (see `rules_under_test`).
    `require_match` False: `select` may match no case (`subsidia test` checks it against
    the properties too)."""
    cat_override, root, described = rules_under_test(paths, Path(rules) if rules else None)
    cat = cat_override if cat_override is not None else engine.catalogue(root)
    result = TestRun(rules=described, backend=backend)
    match = selector(select) if select else None
    by_file: list[list[Case]] = []
    for path in case_files(paths):
        cases = load_cases(path)  # every file is read (and refused) before anything runs
        chosen = [c for c in cases if match is None or match(case_key(c))]
        result.deselected += len(cases) - len(chosen)
        if chosen:
            by_file.append(chosen)
    total = sum(len(cases) for cases in by_file)
    if select and total == 0 and require_match:
        # A gate whose pattern matches nothing would pass without testing anything.
        raise UsageError(
            N_(
                "-k: no case or property matches {pattern} ({count} deselected)",
                pattern=repr(select),
                count=result.deselected,
            )
        )
    for pid, prog in cat.programmes.items():
        result.coverage[pid] = {c.name: ConditionCoverage() for c in prog.conditions}
    # All cases in one call: the direct backend builds one program per date for every
    # file's cases of that date.
    cases = [c for chosen in by_file for c in chosen]
    done = 0
    if progress is not None:
        progress(0, total)

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(done, total)

    result.outcomes = run_cases(cases, root, backend, cat_override, advance)
    for outcome in result.outcomes:
        _count(result, outcome)
    tested = {o.case.programme for o in result.outcomes if o.case.programme}
    result.coverage = {p: c for p, c in result.coverage.items() if p in tested}
    return result


def _count(result: TestRun, outcome: CaseOutcome) -> None:
    if outcome.report is None or not outcome.report.results:
        return
    counts = result.coverage.get(outcome.case.programme or "")
    if counts is None:
        return
    for reason in outcome.report.results[0].reasons:
        cover = counts[reason.condition]
        if reason.status == "met":
            cover.met += 1
        elif reason.status == "failed":
            cover.failed += 1
        else:
            cover.unknown += 1


def gaps(run_result: TestRun) -> dict[str, list[str]]:
    """Per programme, the conditions no case saw both met and failed."""
    out: dict[str, list[str]] = defaultdict(list)
    for pid, conditions in run_result.coverage.items():
        for name, cover in conditions.items():
            if not cover.complete:
                out[pid].append(name)
    return dict(out)


# ---- reports


def where(case: Case) -> str:
    return f"{case.file}:{case.line}" if case.line else str(case.file)


def as_json(result: TestRun) -> dict[str, object]:
    """The `cases` part of `subsidia test --json` (docs/cli.md)."""
    failures = []
    for outcome in result.failed:
        case = outcome.case
        failures.append(
            {
                "programme": case.programme,
                "case": case.name,
                "file": str(case.file),
                "line": case.line or None,
                "where": where(case),
                "as_of": case.as_of.isoformat(),
                "mismatches": [
                    {"what": m.what, "expected": m.expected, "got": m.actual}
                    | ({"detail": m.detail} if m.detail else {})
                    for m in outcome.mismatches
                ],
            }
        )
    return {
        "rules": result.rules,
        "backend": result.backend,
        "passed": result.passed,
        "failed": len(result.failed),
        "deselected": result.deselected,
        "failures": failures,
        "coverage": {
            pid: {
                name: {"met": c.met, "failed": c.failed, "unknown": c.unknown}
                for name, c in conditions.items()
            }
            for pid, conditions in result.coverage.items()
        },
        "gaps": gaps(result),
    }


def junit_xml(result: TestRun) -> bytes:
    """JUnit XML: one testcase per case, named `<programme>.<case>` by its class and name."""
    suite = ElementTree.Element(
        "testsuite",
        name="subsidia",
        tests=str(len(result.outcomes)),
        failures=str(len(result.failed)),
        errors="0",
        skipped="0",
    )
    for outcome in result.outcomes:
        case = outcome.case
        element = ElementTree.SubElement(
            suite,
            "testcase",
            classname=case.programme or case.file.name.removesuffix(SUFFIX),
            name=case.name,
            file=str(case.file),
            line=str(case.line),
        )
        if not outcome.passed:
            summary = "; ".join(
                f"{m.what}: expected {m.expected}, got {m.actual}" for m in outcome.mismatches
            )
            failure = ElementTree.SubElement(element, "failure", message=summary)
            failure.text = outcome.diff
    root = ElementTree.Element("testsuites")
    root.append(suite)
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def write_atomically(path: Path, data: bytes, option: str) -> None:
    """The whole file or, on any failure, nothing: a temporary file beside it, renamed over.
    A failure is one `UsageError` naming the option."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError(N_("{option}: {path} is a folder", option=option, path=str(path)))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as err:
        raise UsageError(
            N_(
                "{option}: cannot write to {path}: {reason}",
                option=option,
                path=str(path),
                reason=err.strerror or str(err),
            )
        ) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        # mkstemp makes the file private; a report is as readable as any file written.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise UsageError(
            N_(
                "{option}: cannot write to {path}: {reason}",
                option=option,
                path=str(path),
                reason=err.strerror or str(err),
            )
        ) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
