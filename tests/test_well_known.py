"""The well-known definitions the code looks up by name are checked when a catalogue loads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dsl.diagnostics import RuleError
from dsl.loader import load_catalogue
from dsl.vocabulary import LANGS
from policy import engine, well_known
from policy.inputs.profile import Regime

RULES = Path(__file__).resolve().parent.parent / "programmes"


def test_the_bundled_catalogue_keeps_the_contract() -> None:
    assert well_known.problems(engine.catalogue()) == []


def test_a_renamed_well_known_definition_is_a_clear_load_error(tmp_path: Path) -> None:
    (tmp_path / "eu").mkdir()
    text = (RULES / "eu/sme.rules").read_text(encoding="utf-8")
    assert "let category_of_company" in text
    (tmp_path / "eu/sme.rules").write_text(
        text.replace("category_of_company", "size_class"), encoding="utf-8"
    )
    catalogue, _ = load_catalogue(tmp_path)
    with pytest.raises(RuleError) as caught:
        well_known.check(catalogue)
    rendered = str(caught.value)
    assert "E503" in rendered and "eu_sme.category_of_company" in rendered
    assert str(tmp_path / "eu/sme.rules") in rendered
    with pytest.raises(RuleError):
        engine.catalogue(tmp_path)


def test_a_folder_without_the_block_loads(tmp_path: Path) -> None:
    shutil.copy(RULES / "eu/budget.rules", tmp_path)
    assert well_known.problems(load_catalogue(tmp_path)[0]) == []


def test_closed_sets_have_one_source() -> None:
    import importlib

    from dsl import checker
    from dsl import vocabulary as vocab

    main = importlib.import_module("policy.cli.main")
    server = importlib.import_module("policy.lsp.server")

    assert checker.LANGS is main.LANGS is server.LANGS is LANGS
    # The programme regimes are the aid regimes a profile can report, plus "none".
    assert Regime.choices == vocab.AID_REGIMES
    assert checker.META_VALUES["regime"] == {*vocab.AID_REGIMES, "none"}
