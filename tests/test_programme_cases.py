"""The worked cases beside the rule files (`programmes/**/*.cases.yaml`), one test each.

A failing case prints expected against actual. Cases that expose a genuine engine bug are
listed in `KNOWN_ENGINE_BUGS` and marked xfail(strict=True), so fixing the bug makes the
test suite say so.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from policy import engine
from policy.authoring.cases import (
    SUFFIX,
    Case,
    CaseOutcome,
    find_case_files,
    load_cases,
    run_case,
    run_cases,
)
from policy.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
PROGRAMMES = ROOT / "programmes"
MINIMUM_CASES = 6

# Case id -> why the engine is wrong there (only for genuine engine bugs, not rule changes).
KNOWN_ENGINE_BUGS: dict[str, str] = {}


def _params() -> list[object]:
    params: list[object] = []
    for path in find_case_files(PROGRAMMES):
        try:
            cases = load_cases(path)
        except InputError as exc:
            # A malformed file fails as one test with its message instead of breaking
            # collection for every other file.
            params.append(pytest.param(exc, id=f"{path.name.removesuffix(SUFFIX)}: file"))
            continue
        for case in cases:
            reason = KNOWN_ENGINE_BUGS.get(case.id)
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(pytest.param(case, id=case.id, marks=marks))
    return params


@cache
def _batched() -> dict[str, CaseOutcome]:
    """Every well-formed case, evaluated together: one grounding per date and programme.

    If one case names something the rules lack, the batch gives up and each case runs on
    its own, so only that case fails (with its InputError).
    """
    cases = [c for path in find_case_files(PROGRAMMES) for c in _load_or_skip(path)]
    try:
        return {o.case.id: o for o in run_cases(cases, PROGRAMMES)}
    except InputError:
        return {}


def _load_or_skip(path: Path) -> list[Case]:
    try:
        return load_cases(path)
    except InputError:
        return []  # reported by its own "file" parameter


@pytest.mark.parametrize("case", _params())
def test_case(case: Case | InputError) -> None:
    if isinstance(case, InputError):
        pytest.fail(str(case), pytrace=False)
    outcome = _batched().get(case.id) or run_case(case, PROGRAMMES)
    if not outcome.passed:
        pytest.fail(outcome.diff, pytrace=False)


def test_every_programme_has_cases_beside_it() -> None:
    problems = []  # all of them at once: several programmes may be added together
    for pid, programme in engine.catalogue(PROGRAMMES).programmes.items():
        rules = Path(programme.file)
        cases_file = rules.with_name(rules.name.removesuffix(".rules") + SUFFIX)
        if not cases_file.is_file():
            problems.append(f"{pid}: no cases file {cases_file.relative_to(ROOT)}")
            continue
        cases = load_cases(cases_file)
        if len(cases) < MINIMUM_CASES:
            problems.append(f"{pid}: {cases_file.name} has {len(cases)} cases, want >= 6")
        if {c.programme for c in cases} != {pid}:
            problems.append(f"{pid}: {cases_file.name} does not check {pid}")
    assert not problems, "\n".join(problems)


def test_case_files_start_with_their_readings() -> None:
    for path in find_case_files(PROGRAMMES):
        first = path.read_text(encoding="utf-8").lstrip("\ufeff").splitlines()[0]
        assert first.startswith("#"), f"{path.name}: start with a comment on the readings"


def test_known_bugs_name_existing_cases() -> None:
    ids = {c.id for path in find_case_files(PROGRAMMES) for c in load_cases(path)}
    assert set(KNOWN_ENGINE_BUGS) <= ids


def test_direct_backend_gives_every_case_the_reference_answer() -> None:
    """`subsidia test` evaluates cases with the direct backend for speed; this keeps it
    answering every bundled case exactly as the reference (clingo) program does: status,
    amount, category, failed and missing conditions, each condition's state and the
    definitions' values, not only pass or fail."""
    reference = _batched()
    assert reference, "a case file is malformed: see its own test"
    cases = [c for path in find_case_files(PROGRAMMES) for c in _load_or_skip(path)]
    differences = []
    for outcome in run_cases(cases, PROGRAMMES, backend="direct"):
        expected = reference[outcome.case.id]
        if (_answer(outcome), outcome.actual) != (_answer(expected), expected.actual):
            differences.append(outcome.case.id)
    assert not differences, "direct and clingo disagree on: " + ", ".join(differences)


def _answer(outcome: CaseOutcome) -> object:
    if outcome.report is None:
        return None
    result = outcome.report.results[0]
    reasons = sorted((r.condition, r.status, tuple(r.missing)) for r in result.reasons)
    return result.status, result.amount, reasons, result.missing, outcome.report.sme
