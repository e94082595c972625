"""Golden files for the messages rule authors see: syntax, names, units, cycles, dates."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dsl.diagnostics import RuleError
from dsl.loader import load_catalogue
from tests.golden_files import GOLDEN, assert_golden

CASES = sorted((GOLDEN / "rules").glob("*.rules"))


def _render(path: Path) -> str:
    # Paths relative to the repository, so golden files do not depend on the checkout.
    rel = os.path.relpath(path, Path(__file__).parent.parent)
    try:
        _, warnings = load_catalogue(rel)
    except RuleError as err:
        return err.render() + "\n"
    return "".join(w.render() + "\n" for w in warnings) or "ok\n"


@pytest.fixture(autouse=True)
def _repo_cwd(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).parent.parent)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_messages_match_golden(path: Path) -> None:
    assert_golden(path.with_suffix(".expected"), _render(path))


def test_every_error_code_has_a_golden_case() -> None:
    rendered = "".join(_render(p) for p in CASES)
    for code in (
        "E101",
        "E201",
        "E203",
        "E207",
        "E208",
        "E301",
        "E302",
        "E401",
        "E501",
        "E502",
        "W601",
        "W602",
        "W603",
    ):
        assert f"[{code}]" in rendered, code


def test_several_syntax_errors_are_reported_per_file() -> None:
    with pytest.raises(RuleError) as info:
        load_catalogue("tests/golden/rules/syntax_errors.rules")
    lines = [d.span.line for d in info.value.diagnostics]
    assert lines == sorted(lines) and len(lines) >= 3


def test_bundled_programmes_check_cleanly() -> None:
    catalogue, warnings = load_catalogue("programmes")
    assert "kmo_groeisubsidie" in catalogue.programmes
    assert warnings == []


def test_themes_are_checked_against_the_closed_list(tmp_path: Path) -> None:
    from dsl.vocabulary import THEMES

    rules = tmp_path / "p.rules"
    base = (
        "programme p {\n  label en \"P\"\n  themes 'innovation', %s\n  valid 2020-01-01..\n"
        "  condition seat {\n    require company.region = 'flanders'\n  }\n}\n"
    )
    rules.write_text(base % "'cooperation'", encoding="utf-8")
    catalogue, _ = load_catalogue(str(rules))
    assert catalogue.programmes["p"].meta["themes"] == ("innovation", "cooperation")
    rules.write_text(base % "'inovation'", encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_catalogue(str(rules))
    rendered = info.value.render()
    assert "[E302]" in rendered and "unknown themes value 'inovation'" in rendered
    assert "did you mean 'innovation'" in rendered
    assert set(THEMES) >= {"research_development", "cooperation"}


def test_every_bundled_programme_declares_its_themes() -> None:
    catalogue, _ = load_catalogue("programmes")
    for pid, prog in catalogue.programmes.items():
        assert prog.meta.get("themes"), pid


def test_a_property_for_every_programme_skips_those_without_the_amount_it_reads() -> None:
    catalogue, _ = load_catalogue("tests/golden/rules/properties_warnings.rules")
    # `about_each` reads `amount`: programme `no_amount` has no copy; `grant` has one.
    assert sorted(catalogue.properties) == [
        "every.about_each[grant]",
        "grant.unlabelled",
        "grant.unsourced",
    ]
