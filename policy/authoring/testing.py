"""`subsidia test`: run the cases beside rule files and report which conditions they exercise.

Coverage here is about rules, not code: for every condition of a programme, how many cases
saw it met, failed and unknown. A condition never seen failing has no test of its boundary.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from policy import engine
from policy.authoring.cases import CaseOutcome, find_case_files, load_cases, run_case
from solver.record import InputRecord

SUFFIX = ".cases.yaml"


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

    @property
    def failed(self) -> list[CaseOutcome]:
        return [o for o in self.outcomes if not o.passed]


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


def run(paths: list[Path], root: str | Path | None = None) -> TestRun:
    result = TestRun()
    cat = engine.catalogue(root)
    for pid, prog in cat.programmes.items():
        result.coverage[pid] = {c.name: ConditionCoverage() for c in prog.conditions}
    for path in case_files(paths):
        for case in load_cases(path):
            result.outcomes.append(run_case(case, root))
            if case.programme is None or case.programme not in cat.programmes:
                continue
            record: InputRecord = case.profile.to_record()
            report = engine.check(record, case.as_of, case.programme, root)
            counts = result.coverage[case.programme]
            for reason in report.results[0].reasons:
                cover = counts[reason.condition]
                if reason.status == "met":
                    cover.met += 1
                elif reason.status == "failed":
                    cover.failed += 1
                else:
                    cover.unknown += 1
    tested = {o.case.programme for o in result.outcomes if o.case.programme}
    result.coverage = {p: c for p, c in result.coverage.items() if p in tested}
    return result


def gaps(run_result: TestRun) -> dict[str, list[str]]:
    """Per programme, the conditions no case saw both met and failed."""
    out: dict[str, list[str]] = defaultdict(list)
    for pid, conditions in run_result.coverage.items():
        for name, cover in conditions.items():
            if not cover.complete:
                out[pid].append(name)
    return dict(out)
