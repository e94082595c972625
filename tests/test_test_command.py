"""`subsidia test`: runs cases beside rule files, reports failures and condition coverage."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from policy.authoring.cases import find_case_files, load_cases
from policy.authoring.testing import gaps, run, selector
from tests.cli import invoke

ROOT = Path(__file__).parent.parent


def test_bundled_cases_pass_and_cover_every_kmo_condition_both_ways() -> None:
    result = run([ROOT / "programmes/flanders/kmo_groeisubsidie.rules"])
    assert result.outcomes and not result.failed
    assert "kmo_groeisubsidie" not in gaps(result)


def test_a_wrong_expectation_fails_with_a_diff(tmp_path: Path) -> None:
    cases = tmp_path / "wrong.cases.yaml"
    cases.write_text(
        """
programme: kmo_groeisubsidie
cases:
  - name: walloon company expected eligible
    as_of: 2026-03-01
    profile:
      company: {id: x, region: wallonia}
    expect: {status: eligible}
""",
        encoding="utf-8",
    )
    result = invoke("test", str(cases))
    assert result.exit_code == 1
    assert "expected eligible, got ineligible" in result.output
    assert "0 passed, 1 failed" in result.output
    assert "never both met and failed" in result.output


def _kmo_copy(tmp_path: Path, rate: str) -> Path:
    """A copy of the catalogue with Kmo-groeisubsidie's 50 % rate changed."""
    copy = tmp_path / "rules"
    shutil.copytree(ROOT / "programmes", copy)
    rules = copy / "flanders/kmo_groeisubsidie.rules"
    text = rules.read_text(encoding="utf-8")
    assert "2021-01-01.. = 50%" in text
    rules.write_text(text.replace("2021-01-01.. = 50%", f"2021-01-01.. = {rate}", 1), "utf-8")
    return copy


def test_a_folder_is_tested_with_its_own_rules_not_the_bundled_ones(tmp_path: Path) -> None:
    copy = _kmo_copy(tmp_path, "90%")
    result = invoke("test", str(copy), "-k", "kmo_groeisubsidie")
    assert result.exit_code == 1
    assert f"rules: {copy}" in result.output
    assert "expected 15000.00, got 25000.00" in result.output
    # The same folder with the bundled rate passes: the failures come from the copy's rules.
    unchanged = _kmo_copy(tmp_path / "again", "50%")
    assert invoke("test", str(unchanged), "-k", "kmo_groeisubsidie").exit_code == 0


def test_json_lists_each_failure_with_its_place_and_values(tmp_path: Path) -> None:
    copy = _kmo_copy(tmp_path, "90%")
    result = invoke("test", str(copy), "--json", "-k", "kmo_groeisubsidie and advice")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    # -k selects properties too: the copy's 90 % breaks "advice at most half".
    assert [(p["name"], p["status"]) for p in data["properties"]] == [
        ("kmo_groeisubsidie.advice_at_most_half", "violated")
    ]
    cases = data["cases"]
    assert cases["failed"] == len(cases["failures"]) > 0
    # Every case of the copy is counted once: run, failed or deselected.
    every = sum(len(load_cases(f)) for f in find_case_files(copy))
    assert cases["passed"] + cases["failed"] + cases["deselected"] == every > 588
    first = cases["failures"][0]
    cases_file = copy / "flanders/kmo_groeisubsidie.cases.yaml"
    assert first["programme"] == "kmo_groeisubsidie"
    assert first["case"] == "base profile, one advice agreement of 30,000 gives 15,000"
    line = cases_file.read_text(encoding="utf-8").splitlines()[first["line"] - 1]
    assert line.strip() == f"- name: {first['case']}"
    assert first["where"] == f"{cases_file}:{first['line']}"
    assert first["mismatches"] == [{"what": "amount", "expected": "15000.00", "got": "25000.00"}]


def test_junit_has_one_testcase_per_case_and_the_failures(tmp_path: Path) -> None:
    copy = _kmo_copy(tmp_path, "90%")
    report = tmp_path / "junit.xml"
    result = invoke("test", str(copy / "flanders"), "--junit", str(report), "-k", "kmo_g")
    assert result.exit_code == 1
    suite = ElementTree.parse(report).getroot().find("testsuite")
    assert suite is not None
    testcases = suite.findall("testcase")
    failures = [t for t in testcases if t.find("failure") is not None]
    cases = yaml.safe_load(CASES.read_text(encoding="utf-8"))["cases"]
    assert len(testcases) == int(suite.get("tests", "")) == len(cases)
    assert len(failures) == int(suite.get("failures", "")) == 19
    failure = failures[0].find("failure")
    assert failure is not None and "amount: expected" in failure.get("message", "")
    assert {t.get("classname") for t in testcases} == {"kmo_groeisubsidie"}
    assert not list(tmp_path.glob(".junit.xml.*"))  # no temporary file left behind


def test_junit_into_a_missing_folder_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "junit.xml"
    result = invoke("test", str(CASES), "--junit", str(target))
    assert result.exit_code == 2
    assert result.stderr.startswith("--junit: cannot write to")
    assert not target.parent.exists()


CASES = ROOT / "programmes/flanders/kmo_groeisubsidie.cases.yaml"


@pytest.mark.parametrize(
    ("pattern", "matches"),
    [
        ("groei", {"kmo_groeisubsidie.hire x", "kmo_groeisubsidie.advice y"}),
        ("groei and not hire", {"kmo_groeisubsidie.advice y"}),
        ("HIRE or portefeuille", {"kmo_groeisubsidie.hire x", "kmo_portefeuille.a"}),
        ("(hire or advice) and groei", {"kmo_groeisubsidie.hire x", "kmo_groeisubsidie.advice y"}),
        ('"advice y"', {"kmo_groeisubsidie.advice y"}),
    ],
)
def test_k_selects_like_pytest(pattern: str, matches: set[str]) -> None:
    keys = ["kmo_groeisubsidie.hire x", "kmo_groeisubsidie.advice y", "kmo_portefeuille.a"]
    match = selector(pattern)
    assert {k for k in keys if match(k)} == matches


@pytest.mark.parametrize("pattern", ["a and", "(a or b", "a b", "or"])
def test_a_bad_k_expression_is_one_message_and_exit_2(pattern: str) -> None:
    result = invoke("test", str(CASES), "-k", pattern)
    assert result.exit_code == 2
    assert result.stderr.startswith("-k: ") and "Traceback" not in result.stderr


def test_k_reports_deselected_cases() -> None:
    result = invoke("test", str(CASES), "-k", "minimum")
    assert result.exit_code == 0
    assert "deselected" in result.output


UPDATE_ME = """\
# readings: kept as they are
programme: kmo_groeisubsidie
as_of: 2026-03-01
base:
  company: {id: "0712.345.678", region: wallonia}
cases:
  - name: wallonia  # a comment after the name
    expect:
      status: eligible   # wrong on purpose
      amount: '1.00'
      failed:
        - sme
      missing: [project.theme]
  - name: untouched
    expect: {status: ineligible}
"""


def test_update_rewrites_only_the_values_that_disagree(tmp_path: Path) -> None:
    cases = tmp_path / "update.cases.yaml"
    cases.write_text(UPDATE_ME, encoding="utf-8")
    result = invoke("test", str(cases), "--update")
    assert result.exit_code == 0, result.output
    assert f"updated: {cases}" in result.output
    text = cases.read_text(encoding="utf-8")
    # Comments, quoting and the passing case stay; the wrong values are replaced in place.
    assert "# readings: kept as they are" in text
    assert "status: ineligible   # wrong on purpose" in text
    assert "amount: null" in text
    assert "- name: untouched\n    expect: {status: ineligible}\n" in text
    assert "      failed:\n        - in_flanders\n" in text or "failed:\n" in text
    # The rewritten file passes, with nothing left to update.
    again = invoke("test", str(cases))
    assert again.exit_code == 0, again.output
    assert invoke("test", str(cases), "--update").exit_code == 0
    assert cases.read_text(encoding="utf-8") == text


def test_direct_and_clingo_backends_agree_on_a_file() -> None:
    direct = run([CASES])
    reference = run([CASES], backend="clingo")
    assert [o.actual for o in direct.outcomes] == [o.actual for o in reference.outcomes]


def test_rules_given_explicitly_are_the_rules_tested(tmp_path: Path) -> None:
    copy = _kmo_copy(tmp_path, "90%")
    # The bundled cases against the changed copy: the copy's rate, so they fail.
    result = invoke("test", str(CASES), "--rules", str(copy))
    assert result.exit_code == 1
    assert f"rules: {copy}\n" in result.output
    # The copy's cases against the bundled rules: they pass.
    bundled = str(ROOT / "programmes")
    assert invoke("test", str(copy / "flanders"), "-k", "kmo_g", "--rules", bundled).exit_code == 0


def test_a_k_pattern_matching_no_case_is_an_error_not_a_pass() -> None:
    result = invoke("test", str(CASES), "-k", "nosuchcase")
    assert result.exit_code == 2
    assert result.stderr.startswith("-k: no case or property matches")


PASSING_CASE = """
programme: kmo_groeisubsidie
cases:
  - name: walloon company
    as_of: 2026-03-01
    profile:
      company: {id: x, region: wallonia}
    expect: {status: ineligible}
"""


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_test_speaks_the_readers_language_and_keeps_the_data(tmp_path: Path, lang: str) -> None:
    from tests.translation import assert_translated

    cases = tmp_path / "ok.cases.yaml"
    cases.write_text(PASSING_CASE, encoding="utf-8")
    english = invoke("test", str(cases), columns=200)
    translated = invoke("test", str(cases), "--lang", lang, columns=200)
    assert english.exit_code == translated.exit_code == 0
    assert "1 passed, 0 failed" in english.stdout and "Condition coverage" in english.stdout
    data = ["kmo_groeisubsidie", "flemish_seat", str(ROOT / "programmes"), "cooldown_elapsed"]
    # Condition names are data too ("sme", "theme" look like words): kept, never translated.
    names = set(run([cases]).coverage["kmo_groeisubsidie"])
    assert_translated(english.stdout, translated.stdout, [*data, *names], lang, names)


def test_test_command_errors_follow_lang(tmp_path: Path) -> None:
    from tests.translation import assert_translated

    missing = str(tmp_path / "nowhere.cases.yaml")
    for args, data in (([missing], [missing]), (["-k", "("], ["'('"])):
        english = invoke("test", *args)
        dutch = invoke("test", *args, "--lang", "nl")
        assert english.exit_code == dutch.exit_code == 2
        assert_translated(english.stderr, dutch.stderr, data, "nl")


def test_property_lines_in_the_readers_language() -> None:
    from dsl.errors import N_
    from policy.authoring.properties import PropertyResult, properties_text
    from tests.translation import assert_translated

    # The bounds are a Message as the checker makes them; the status and method are keys.
    bounds = N_(
        "no counterexample among {count} generated profiles on {day} (a search, not a proof)",
        count=200,
        day="2026-03-01",
    )
    results = [
        PropertyResult("kmo.capped", "one", "holds", "search", bounds=bounds),
        PropertyResult("kmo.monotone", "two", "violated", "solver", counterexample={"a": 1}),
    ]
    english = properties_text(results)
    assert english.splitlines()[0] == (
        "property kmo.capped: holds (search; no counterexample among 200 generated profiles "
        "on 2026-03-01 (a search, not a proof))"
    )
    assert english.splitlines()[-1] == "2 properties: 1 hold, 1 violated, 0 undecided"
    for lang in ("nl", "fr"):
        data = ["kmo.capped", "kmo.monotone", "200", "2026-03-01", '"a": 1']
        assert_translated(english, properties_text(results, lang), data, lang)
