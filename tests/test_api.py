"""The facade (`import policy`): the same answers as the command line, one profile → record
path with the costing, lazy loading."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

import policy
from policy import api
from policy.errors import InputError
from tests.cli import invoke

ROOT = Path(__file__).parent.parent
DAY = dt.date(2026, 3, 1)
AS_OF = ("--as-of", DAY.isoformat())
WORKED = ROOT / "tests/fixtures/budget/kmo_groeisubsidie_project.yaml"
FLEMISH = ROOT / "examples/profiles/flemish_growth.yaml"


def _profile_files() -> list[Path]:
    """Every profile file of the examples and the fixtures, valid or not (the fixtures'
    rule files and scenarios are not profiles)."""
    found = sorted((ROOT / "examples/profiles").iterdir())
    found += sorted(
        p for p in (ROOT / "tests/fixtures").rglob("*") if p.suffix in (".yaml", ".json")
    )
    return found


def _cli_json(*args: str) -> object:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("path", _profile_files(), ids=lambda p: p.name)
def test_check_as_json_is_what_the_command_prints(path: Path) -> None:
    try:
        report = policy.check(path, DAY)
    except InputError as err:  # a broken profile: the command prints the same message
        result = invoke("check", str(path), *AS_OF, "--json")
        assert result.exit_code == 2 and result.stdout == ""
        assert result.stderr.strip() == str(err) and err.file == str(path)
        return
    assert report.as_json() == _cli_json("check", str(path), *AS_OF, "--json")
    assert report.as_json(full=True) == _cli_json("check", str(path), *AS_OF, "--json", "--full")


@pytest.mark.parametrize(
    ("path", "programme"),
    [(FLEMISH, "kmo_groeisubsidie"), (WORKED, "kmo_groeisubsidie"),
     (ROOT / "examples/profiles/walloon_large.yaml", "kmo_groeisubsidie"),
     (ROOT / "examples/profiles/startup_unknown.yaml", "baekeland_mandate")],
)  # fmt: skip
def test_explain_as_json_is_what_the_command_prints(path: Path, programme: str) -> None:
    report = policy.explain(path, programme, DAY)
    args = ("explain", str(path), "--programme", programme, *AS_OF, "--json")
    assert report.as_json() == _cli_json(*args)
    assert report.as_json(tree=True) == _cli_json(*args, "--tree")
    assert "tree" not in report.as_json() and report.as_json(tree=True)["tree"]
    text = invoke(*args[:-1], "--tree").stdout
    assert text == report.as_text(80, tree=True)
    summary = report.as_text(80)
    assert "Deciding conditions" in summary and "Proof tree" not in summary
    assert text.index("Deciding conditions") < text.index("Proof tree")


def test_budget_as_json_is_what_the_command_prints() -> None:
    report = policy.budget(WORKED, as_of=DAY)
    assert report.as_json() == _cli_json("budget", str(WORKED), *AS_OF, "--json")
    assert invoke("budget", str(WORKED), *AS_OF).stdout == report.as_text(80)


def test_plan_as_json_is_what_the_command_prints() -> None:
    scenario = ROOT / "examples/scenarios/bel_sme_seed.yaml"
    report = policy.plan(scenario, alternatives=1)
    assert report.as_json() == _cli_json("plan", str(scenario), "--alternatives", "1", "--json")


def test_check_text_is_what_the_command_prints() -> None:
    report = policy.check(WORKED, DAY)
    assert invoke("check", str(WORKED), *AS_OF).stdout == report.as_text(80)


def test_the_record_is_costed_vat_out_and_lines_before_the_start_dropped() -> None:
    from policy import engine

    profile = policy.load_profile(WORKED)
    record = api.profile_record(engine.catalogue(), profile, DAY)
    advice = [c for c in record.collections["project.costs"] if c["category"] == "advice"]
    # €36,300 incl. €6,300 recoverable VAT → €30,000; the €22,000 invoice of 2026-03-20,
    # before the start on 2026-04-01, is not there at all.
    assert [c["amount"] for c in advice] == [Fraction(30000)]
    raw = profile.to_record().collections["project.costs"]
    assert [c["amount"] for c in raw if c["category"] == "advice"] == [36300, 22000]
    # The facade's answer rests on that record, whatever the profile is given as.
    amounts = {
        str(policy.check(given, DAY, "kmo_groeisubsidie").result("kmo_groeisubsidie").amount)
        for given in (WORKED, str(WORKED), profile, _mapping(WORKED))
    }
    assert amounts == {"35000.00"}


def _mapping(path: Path) -> dict:
    from policy.inputs.loading import read_profile_data

    data = read_profile_data(path)
    assert isinstance(data, dict)
    return data


def test_check_many_yields_what_check_gives_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "BATCH", 2)  # three batches for five profiles
    paths = [*sorted((ROOT / "examples/profiles").iterdir()), WORKED]
    screened = policy.check_many(iter(paths), DAY)
    assert not isinstance(screened, list)  # lazy
    assert [r.as_json() for r in screened] == [policy.check(p, DAY).as_json() for p in paths]


def test_check_many_names_the_bad_file() -> None:
    bad = ROOT / "tests/fixtures/profiles/share_over_100.yaml"
    with pytest.raises(InputError) as caught:
        list(policy.check_many([FLEMISH, bad], DAY))
    assert caught.value.file == str(bad)


def test_unknown_programme_and_missing_project() -> None:
    with pytest.raises(InputError, match="unknown programme 'kmo_groei'; did you mean"):
        policy.check(FLEMISH, DAY, "kmo_groei")
    with pytest.raises(InputError, match="project: required for a budget"):
        policy.budget({"company": {"id": "x"}}, as_of=DAY)


def test_explain_reads_the_rules_folder_it_is_given(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "programmes/eu", tmp_path / "eu")
    shutil.copy(ROOT / "tests/fixtures/budget/budgeted.rules", tmp_path)
    profile = tmp_path / "p.yaml"
    profile.write_text("company: {id: t, region: flanders, staff: 300}\n", encoding="utf-8")
    args = ("explain", str(profile), "--programme", "budgeted", *AS_OF)
    assert "unknown programme 'budgeted'" in invoke(*args).stderr
    result = invoke(*args, "--rules", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "Budgeted (budgeted) on 2026-03-01: ineligible" in result.stdout
    assert "✗ SME [sme]" in result.stdout


def test_import_policy_loads_no_engine_and_no_heavy_library() -> None:
    code = (
        "import sys, policy; "
        "print(sorted(m for m in ('clingo', 'rich', 'yaml', 'policy.engine', 'solver') "
        "if m in sys.modules)); "
        "policy.check; policy.CheckReport; "
        "print(sorted(m for m in ('clingo', 'rich', 'yaml') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "[]"]
    assert set(policy.__all__) <= set(dir(policy))
    with pytest.raises(AttributeError):
        policy.no_such_name  # noqa: B018
