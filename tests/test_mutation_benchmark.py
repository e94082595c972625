"""benchmarks/mutation.py: the mutants it seeds, and that a seeded bug is caught."""

from __future__ import annotations

from pathlib import Path

from benchmarks.mutation import PROGRAMMES, Catalogue, apply, killed_by_cases, mutants
from policy.authoring.cases import find_case_files, load_cases

RULES = """programme p {
  label nl "P < 3" fr "P" en "P"
  valid 2025-01-01..
  param rate : percent {
    2025-01-01.. = 50%
  }
  condition small {
    label nl "a and b" fr "C" en "C"
    require company.staff < 10 and company.turnover >= 5 EUR
  }
  condition flemish {
    require company.region = 'flanders'
  }
}
"""


def _kinds(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in mutants(text, Path("p.rules")):
        out.setdefault(m.kind, []).append(apply(text, m))
    return out


def test_each_kind_of_mutant_changes_the_rules_not_their_texts() -> None:
    kinds = _kinds(RULES)
    assert set(kinds) == {"compare", "constant", "logic", "drop", "date"}
    assert any("company.staff <= 10 and" in t for t in kinds["compare"])
    assert any("company.region != 'flanders'" in t for t in kinds["compare"])
    assert any("company.staff < 11" in t for t in kinds["constant"])
    assert any("2025-01-01.. = 60%" in t for t in kinds["constant"])
    assert any("< 10 or company.turnover" in t for t in kinds["logic"])
    assert any("valid 2025-01-02.." in t for t in kinds["date"])
    assert sorted("condition flemish" in t for t in kinds["drop"]) == [False, True]
    for kind, texts in kinds.items():  # labels are never mutated (drop removes one whole)
        assert all('label nl "P < 3"' in t for t in texts)
        assert kind == "drop" or all('"a and b"' in t for t in texts)


def test_a_changed_rate_is_killed_by_the_cases_and_the_original_is_not() -> None:
    catalogue = Catalogue(PROGRAMMES)
    name = str(PROGRAMMES / "flanders/kmo_groeisubsidie.rules")
    cases = load_cases(PROGRAMMES / "flanders/kmo_groeisubsidie.cases.yaml")
    original = catalogue.with_text(name, catalogue.sources[name])
    assert killed_by_cases(original, cases) == (False, 0)
    mutated = catalogue.with_text(name, catalogue.sources[name].replace("= 50%", "= 90%", 1))
    killed, failed = killed_by_cases(mutated, cases)
    assert killed and failed > 0
    # A mutant the checker rejects is stillborn, not run.
    assert catalogue.with_text(name, catalogue.sources[name] + "\nnonsense") is None
    assert find_case_files(PROGRAMMES)
