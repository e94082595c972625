"""`subsidia lint`: every kind of finding, on small rule files written for the purpose."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from dsl.loader import load_catalogue
from policy.authoring.lint import lint_paths, lint_run
from policy.engine import DEFAULT_RULES
from solver.search.candidates import FRESH, Analysis
from tests.cli import invoke

DAY = dt.date(2026, 3, 1)
HEAD = """programme {pid} {{
  label nl "P" fr "P" en "P"
  source s {{ url "https://example.org" }}
  valid 2025-01-01..
"""


def _condition(name: str, expr: str, labelled: bool = True) -> str:
    parts = '    label nl "C" fr "C" en "C"\n    source s\n' if labelled else ""
    return f"  condition {name} {{\n{parts}    require {expr}\n  }}\n"


def _programme(pid: str, *items: str) -> str:
    return HEAD.format(pid=pid) + "".join(items) + "}\n"


def _codes(tmp_path: Path, text: str) -> list[tuple[str, str]]:
    path = tmp_path / "lint_me.rules"
    path.write_text(text, encoding="utf-8")
    findings, _ = lint_paths([path], DEFAULT_RULES, DAY)
    return [(f.code, f.message) for f in findings]


def test_a_clean_programme_has_no_finding(tmp_path: Path) -> None:
    text = _programme(
        "clean",
        _condition("small", "company.staff < 10"),
        _condition("flemish", "company.region = 'flanders'"),
    )
    assert _codes(tmp_path, text) == []


def test_l701_no_profile_satisfies_the_programme(tmp_path: Path) -> None:
    text = _programme(
        "never",
        _condition("small", "company.staff < 10"),
        _condition("large", "company.staff > 20"),
    )
    [(code, message)] = _codes(tmp_path, text)  # each condition alone can be met
    assert code == "L701" and "'never'" in message


def test_l702_a_condition_implied_by_the_others(tmp_path: Path) -> None:
    text = _programme(
        "implied",
        _condition("small", "company.staff < 10"),
        _condition("below_fifty", "company.staff < 50"),
    )
    assert _codes(tmp_path, text) == [
        (
            "L702",
            "condition 'below_fifty' is implied by the others: no profile meets all the "
            "other conditions and fails this one",
        )
    ]


def test_l703_and_l704_conditions_that_cannot_fail_or_be_met(tmp_path: Path) -> None:
    always = _programme(
        "always",
        _condition("small", "company.staff < 10"),
        _condition("any_staff", "company.staff >= 0 or company.staff < 0"),
    )
    assert ("L703", "condition 'any_staff' can never fail") in _codes(tmp_path, always)
    never = _programme(
        "never_met",
        _condition("small", "company.staff < 10"),
        _condition("negative", "company.staff < 0 and company.staff > 0"),
    )
    codes = _codes(tmp_path, never)
    assert [code for code, _ in codes] == ["L701", "L704"]  # the programme, then the culprit
    assert codes[1][1] == "condition 'negative' can never be met"
    # Both point at the culprit, where one allowance covers them (a condition the sources
    # leave unknown from some date is never met from then on: GBER's end, 2026-12-31).
    findings, _ = lint_paths([tmp_path / "lint_me.rules"], DEFAULT_RULES, DAY)
    culprit = never.splitlines().index("  condition negative {") + 1
    assert [f.span.line for f in findings] == [culprit, culprit]


def test_a_condition_only_two_list_elements_can_fail_is_not_reported(tmp_path: Path) -> None:
    """The search tries lists of one element first; "can never fail" needs the longer
    lists tried too."""
    text = _programme(
        "one_hire",
        _condition("small", "company.staff < 10"),
        _condition("hires", "count(c.category = 'hire' for c in project.costs) <= 1"),
    )
    assert _codes(tmp_path, text) == []
    capped = _programme(
        "capped",
        _condition("small", "company.staff < 10"),
        _condition("lines", "count(true for c in project.costs) <= 2"),
    )
    # Two elements at most: the limit of the search, said as it is.
    assert _codes(tmp_path, capped) == [("L703", "condition 'lines' can never fail")]


def test_boundaries_reach_fields_through_arithmetic(tmp_path: Path) -> None:
    """A product of two fields, a constant factor, a sum and a `min` with a constant: each
    field gets values on both sides of the boundary the rules state for the result, not
    only of the boundaries it is compared with directly (12 months, €100)."""
    grant = "min(60% * sum(c.amount for c in project.costs), 9000 EUR)"
    text = _programme(
        "arith",
        _condition("long", "project.duration_months >= 12"),
        _condition("full_time", "project.duration_months * project.time_share <= 48"),
        _condition("lines", "all(c.amount >= 100 EUR for c in project.costs)"),
        _condition("advice", f"{grant} >= 3000 EUR"),
        _condition("capped", f"{grant} < 9000 EUR"),
    )
    assert _codes(tmp_path, text) == []


def test_symbols_are_tested_values_or_a_fresh_one() -> None:
    catalogue, _ = load_catalogue(DEFAULT_RULES)
    programme = catalogue.programmes["kmo_groeisubsidie"]
    analysis = Analysis(catalogue, DAY)
    for condition in programme.conditions:
        analysis.add(condition.expr)
    forms = {"vzw", "ivzw", "asbl", "aisbl", "stichting", "fondation"}
    assert set(analysis.symbol_values("company.legal_form")) == forms | {FRESH}
    assert analysis.symbol_values("company.aid.programme") == ["kmo_groeisubsidie", FRESH]
    # A closed set: the tested values and one other value of the set.
    assert set(analysis.symbol_values("project.costs.category")) == {"advice", "hire", "other"}
    assert set(analysis.symbol_values("company.region")) == {"flanders", "brussels"}


def test_l705_a_gap_between_parameter_versions(tmp_path: Path) -> None:
    param = """  param rate : percent {
    label nl "R" fr "R" en "R"
    source s
    2022-01-01..2022-12-31 = 50%
    2025-01-01.. = 40%
  }
"""
    text = _programme("gappy", param, _condition("cheap", "company.staff * rate < 10"))
    assert _codes(tmp_path, text) == [
        ("L705", "parameter 'gappy.rate' has no value from 2023-01-01 to 2024-12-31")
    ]


def test_w601_w602_missing_labels_and_sources(tmp_path: Path) -> None:
    text = _programme(
        "bare",
        _condition("small", "company.staff < 10"),
        _condition("flemish", "company.region = 'flanders'", labelled=False),
    )
    assert [code for code, _ in _codes(tmp_path, text)] == ["W601", "W602"]


def test_cli_exit_codes_and_overlapping_versions_as_errors(tmp_path: Path) -> None:
    path = tmp_path / "overlap.rules"
    overlap = """  param rate : percent {
    label nl "R" fr "R" en "R"
    source s
    2025-01-01..2025-12-31 = 50%
    2025-06-01.. = 40%
  }
"""
    path.write_text(
        _programme("overlap", overlap, _condition("cheap", "company.staff * rate < 10")),
        encoding="utf-8",
    )
    result = invoke("lint", str(path), "--as-of", "2026-03-01")
    assert result.exit_code == 2
    assert f"{path}:9:5: error[E501]: versions of parameter 'rate' overlap" in (result.stderr)
    path.write_text(_programme("clean", _condition("small", "company.staff < 10")))
    result = invoke("lint", str(path), "--as-of", "2026-03-01")
    assert (result.exit_code, result.stdout) == (0, "0 finding(s)\n")
    path.write_text(
        _programme(
            "never", _condition("a", "company.staff < 1"), _condition("b", "company.staff > 2")
        )
    )
    result = invoke("lint", str(path), "--as-of", "2026-03-01")
    assert result.exit_code == 1
    assert f"{path}:5:3: warning[L701]" in result.stdout and "1 finding(s)" in result.stdout


IMPLIED = (
    _condition("small", "company.staff < 10"),
    _condition("below_fifty", "company.staff < 50"),
)


def test_an_allowance_with_a_reason_moves_the_finding_to_allowed(tmp_path: Path) -> None:
    allow = "  # lint: allow L702 because the call text states it separately\n"
    text = _programme("implied", IMPLIED[0], allow + IMPLIED[1])
    path = tmp_path / "allowed.rules"
    path.write_text(text, encoding="utf-8")
    run = lint_run([path], DEFAULT_RULES, DAY)
    assert run.findings == []
    [allowed] = run.allowed
    assert (allowed.finding.code, allowed.reason) == ("L702", "the call text states it separately")
    result = invoke("lint", str(path), "--as-of", "2026-03-01", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["findings"] == []
    assert data["allowed"][0]["code"] == "L702"
    assert data["allowed"][0]["reason"] == "the call text states it separately"
    assert data["allowed"][0]["line"] == text.splitlines().index("  condition below_fifty {") + 1


def test_an_allowance_for_another_code_allows_nothing(tmp_path: Path) -> None:
    allow = "  # lint: allow L703 because it never fails\n"
    codes = _codes(tmp_path, _programme("implied", IMPLIED[0], allow + IMPLIED[1]))
    assert [code for code, _ in codes] == ["L702"]


@pytest.mark.parametrize("comment", ["# lint: allow L702", "# lint: allow because tired"])
def test_an_allowance_without_a_reason_or_code_is_a_finding(
    tmp_path: Path, comment: str
) -> None:
    text = _programme("implied", IMPLIED[0], f"  {comment}\n" + IMPLIED[1])
    path = tmp_path / "lazy.rules"
    path.write_text(text, encoding="utf-8")
    result = invoke("lint", str(path), "--as-of", "2026-03-01", "--json")
    assert result.exit_code == 1
    codes = [(f["code"], f["line"]) for f in json.loads(result.stdout)["findings"]]
    comment_line = text.splitlines().index(f"  {comment}") + 1
    assert ("L707", comment_line) in codes
    # Without a reason the allowance does not count: the finding stays.
    assert ("L702", comment_line + 1) in codes or comment.endswith("tired")


def test_the_bundled_catalogue_lints_clean() -> None:
    result = invoke("lint", str(DEFAULT_RULES), "--as-of", "2026-03-01")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.startswith("0 finding(s)")


COSTED_AMOUNT = """  amount {
    label nl "A" fr "A" en "A"
    source s
    = sum(c.amount for c in project.costs)
  }
"""


def test_l706_eligible_with_no_cost_line_when_the_amount_reads_the_costs(tmp_path: Path) -> None:
    text = _programme("costly", _condition("small", "company.staff < 10"), COSTED_AMOUNT)
    [(code, message)] = _codes(tmp_path, text)
    assert code == "L706" and "'costly' can be eligible with no eligible cost" in message
    findings, _ = lint_paths([tmp_path / "lint_me.rules"], DEFAULT_RULES, DAY)
    assert findings[0].span.line == text.splitlines().index("  amount {") + 1


def test_l706_not_when_a_condition_asks_for_a_cost_line(tmp_path: Path) -> None:
    text = _programme(
        "costly",
        _condition("small", "company.staff < 10"),
        _condition("some_cost", "sum(c.amount for c in project.costs) >= 1000 EUR"),
        COSTED_AMOUNT,
    )
    assert _codes(tmp_path, text) == []


def test_l706_not_when_the_minimum_is_a_shared_definition_over_the_cost_lines(
    tmp_path: Path,
) -> None:
    """`costing.hire_cost` (programmes/eu/budget.rules) sums the hire lines: with no cost
    line it is 0, so a minimum on it rules the profile out; it is not a free value."""
    text = _programme(
        "hiring",
        _condition("some_hire", "costing.hire_cost >= 10000 EUR"),
        COSTED_AMOUNT,
    )
    assert _codes(tmp_path, text) == []


def test_an_allowed_finding_searches_no_example(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The example search grounds the real shared definitions (slow); an allowed finding
    is never shown, so its example is never searched."""
    from policy.authoring import lint_examples

    def fail(*args: object) -> None:
        raise AssertionError("searched an example for an allowed finding")

    monkeypatch.setattr(lint_examples.ExampleRequest, "search", fail)
    allow = "  # lint: allow L706 because the call sets no minimum\n"
    text = _programme("costly", _condition("small", "company.staff < 10"), allow + COSTED_AMOUNT)
    path = tmp_path / "lint_me.rules"
    path.write_text(text, encoding="utf-8")
    run = lint_run([path], DEFAULT_RULES, DAY)
    assert run.findings == [] and [a.finding.code for a in run.allowed] == ["L706"]


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_lint_speaks_the_readers_language_and_keeps_the_data(tmp_path: Path, lang: str) -> None:
    from tests.translation import assert_translated

    path = tmp_path / "lint_me.rules"
    # L701 with its hint, L702 with its hint, and an allowance without a reason (L707).
    path.write_text(
        _programme("implied", IMPLIED[0], "  # lint: allow L702\n" + IMPLIED[1])
        + _programme(
            "never", _condition("a", "company.staff < 1"), _condition("b", "company.staff > 2")
        ),
        encoding="utf-8",
    )
    english = invoke("lint", str(path), "--as-of", "2026-03-01")
    translated = invoke("lint", str(path), "--as-of", "2026-03-01", "--lang", lang)
    assert english.exit_code == translated.exit_code == 1
    assert "3 finding(s)" in english.stdout and "L707" in english.stdout
    data = [f"{path}:21:3:", f"{path}:10:3:", "[L701]", "'never'", "'below_fifty'", "2026-03-01"]
    assert_translated(english.stdout, translated.stdout, data, lang)
    # The document for programs stays English whatever the reader's language.
    as_json = invoke("lint", str(path), "--as-of", "2026-03-01", "--json", "--lang", lang)
    assert json.loads(as_json.stdout) == json.loads(
        invoke("lint", str(path), "--as-of", "2026-03-01", "--json").stdout
    )


def test_l706_shows_an_example_profile_that_subsidia_check_reproduces(tmp_path: Path) -> None:
    """The example rests on the SME category: the profile's own figures give it, and
    `subsidia check` on the profile finds the programme eligible with no cost line."""
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES, rules, ignore=shutil.ignore_patterns("*.cases.yaml"))
    text = _programme(
        "costly",
        _condition("small", "eu_sme.is_small and company.region = 'flanders'"),
        COSTED_AMOUNT,
    )
    path = rules / "costly.rules"
    path.write_text(text, encoding="utf-8")
    result = invoke("lint", str(path), "--as-of", "2026-03-01", "--json", "--rules", str(rules))
    assert result.exit_code == 1, result.output
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["code"] == "L706"
    example = finding["example"]
    assert example["company"]["id"] and not example.get("project", {}).get("costs")
    profile = tmp_path / "example.json"
    profile.write_text(json.dumps(example), encoding="utf-8")
    check = invoke(
        "check", str(profile), "--rules", str(rules), "--programme", "costly",
        "--as-of", "2026-03-01", "--json",
    )
    assert check.exit_code == 0, check.output
    [answer] = json.loads(check.stdout)["results"]
    assert (answer["status"], answer["amount"]) == ("eligible", "0.00")
    shown = invoke("lint", str(path), "--as-of", "2026-03-01", "--rules", str(rules))
    assert "example (a profile for `subsidia check`):" in shown.stdout
    printed = shown.stdout.split("`subsidia check`):", 1)[1].rsplit("1 finding", 1)[0]
    assert json.loads(printed) == example


def test_findings_without_a_witness_show_no_example(tmp_path: Path) -> None:
    path = tmp_path / "lint_me.rules"
    path.write_text(_programme("implied", *IMPLIED), encoding="utf-8")
    result = invoke("lint", str(path), "--as-of", "2026-03-01", "--json")
    findings = json.loads(result.stdout)["findings"]
    assert findings and all("example" not in f for f in findings)
