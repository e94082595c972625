"""The command line: JSON contract, tables, and exit code 2 with one clear message on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli import invoke

ROOT = Path(__file__).parent.parent
EXAMPLE = str(ROOT / "examples/profiles/flemish_growth.yaml")


def _run(*args: str):
    return invoke(*args)


def test_check_json_contract() -> None:
    result = _run("check", EXAMPLE, "--as-of", "2026-03-01", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["as_of"] == "2026-03-01"
    assert data["sme"] == {
        "category": "small",
        "staff": "12",
        "turnover": "1800000",
        "balance_sheet": "950000",
    }
    (kmo,) = [r for r in data["results"] if r["programme"] == "kmo_groeisubsidie"]
    assert kmo["status"] == "eligible"
    assert kmo["amount"] == "40000.00"
    # Eligible: every condition met is deciding; the versions the amount rests on, unsourced.
    assert {r["condition"] for r in kmo["deciding"]} >= {"sme", "flemish_seat", "cooldown_elapsed"}
    cooldown = [v for v in kmo["versions"] if v["parameter"] == "kmo_groeisubsidie.cooldown"]
    assert cooldown == [
        {"parameter": "kmo_groeisubsidie.cooldown", "valid_from": "2025-01-01",
         "valid_until": None, "value": "24"}
    ]  # fmt: skip
    assert "reasons" not in kmo
    others = [r for r in data["results"] if r["status"] != "eligible"]
    assert others and all("versions" not in r for r in others)
    assert all(d["status"] != "met" for r in others for d in r["deciding"] if not r["note"])


def test_check_json_full_has_every_condition_source_and_version() -> None:
    compact = _run("check", EXAMPLE, "--as-of", "2026-03-01", "--json")
    result = _run("check", EXAMPLE, "--as-of", "2026-03-01", "--json", "--full")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (kmo,) = [r for r in data["results"] if r["programme"] == "kmo_groeisubsidie"]
    assert {r["condition"] for r in kmo["reasons"]} >= {"sme", "flemish_seat", "cooldown_elapsed"}
    assert all(reason["sources"] for reason in kmo["reasons"])
    cooldown = [v for v in kmo["versions"] if v["parameter"] == "kmo_groeisubsidie.cooldown"]
    assert cooldown[0]["valid_from"] == "2025-01-01" and cooldown[0]["value"] == "24"
    assert cooldown[0]["source"]["url"]
    assert all(r["versions"] for r in data["results"] if not r["note"])
    assert len(compact.stdout) * 4 < len(result.stdout)


def test_as_of_picks_the_older_cooldown() -> None:
    result = _run(
        "check", EXAMPLE, "--as-of", "2024-06-01", "--json", "--full",
        "--programme", "kmo_groeisubsidie",
    )  # fmt: skip
    data = json.loads(result.stdout)
    versions = {v["parameter"]: v for v in data["results"][0]["versions"]}
    assert versions["kmo_groeisubsidie.cooldown"]["value"] == "36"


def test_table_names_status_and_amount() -> None:
    result = _run("check", EXAMPLE, "--as-of", "2026-03-01", "--lang", "nl")
    assert result.exit_code == 0
    # Dutch labels, words and number format: € 40.000,00 (a no-break space after €).
    assert "Kmo-groeisubsidie" in result.stdout and "€\xa040.000,00" in result.stdout
    assert "subsidiabel" in result.stdout and "eligible" not in result.stdout


def test_programmes_lists_the_catalogue() -> None:
    result = _run("programmes")
    assert result.exit_code == 0 and "kmo_groeisubsidie" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "no/such/profile.yaml"], "no such file"),
        (["check", EXAMPLE, "--as-of", "2026-13-01"], "--as-of: '2026-13-01' is not a date"),
        (["check", EXAMPLE, "--programme", "kmo_groei"], "did you mean 'kmo_groeisubsidie'"),
        (["check", EXAMPLE, "--lang", "de"], "--lang: 'de' is not one of nl, fr, en"),
        (["validate", str(ROOT / "tests/golden/rules/units.rules")], "error[E301]"),
    ],
)
def test_bad_input_exits_2_with_one_message(args: list[str], message: str) -> None:
    result = _run(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_bad_profile_field_names_its_path(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "company:\n  id: x\n  region: flandres\n  enterprises:\n"
        "    - {id: a, share: 130, direction: held_by}\n",
        encoding="utf-8",
    )
    result = _run("check", str(bad))
    assert result.exit_code == 2
    assert "company.region" in result.output or "company.enterprises[0].share" in result.output
    assert "Traceback" not in result.output


def test_rule_errors_in_the_catalogue_exit_2(tmp_path: Path) -> None:
    (tmp_path / "broken.rules").write_text("programme p {\n  condition c { require }\n}\n")
    result = _run("check", EXAMPLE, "--rules", str(tmp_path))
    assert result.exit_code == 2
    assert "broken.rules:2:" in result.output


@pytest.mark.parametrize(
    "profile", sorted(str(p) for p in (ROOT / "examples/profiles").glob("*.yaml"))
)
def test_every_backend_prints_the_same_json(profile: str) -> None:
    # `check` answers with the direct backend by default; clingo is the reference.
    outputs = {
        backend: invoke("check", profile, "--as-of", "2026-03-01", "--json", "--backend", backend)
        for backend in ("direct", "clingo", "csp")
    }
    for backend, result in outputs.items():
        assert result.exit_code == 0, (backend, result.output)
    default = invoke("check", profile, "--as-of", "2026-03-01", "--json")
    assert json.loads(default.stdout) == json.loads(outputs["clingo"].stdout)
    assert json.loads(outputs["csp"].stdout) == json.loads(outputs["clingo"].stdout)


def test_every_command_that_reads_the_catalogue_takes_rules() -> None:
    from policy.cli.args import COMMANDS

    # validate and fmt read the rule files they are given, not a catalogue; the language
    # server takes the rule folder of the file being edited; completion reads no rules, nor
    # does import-cbe (it turns a registry extract into a table).
    takes = {name for name, cmd in COMMANDS.items() if any("--rules" in a.flags for a in cmd.args)}
    assert set(COMMANDS) - takes == {"validate", "fmt", "lsp", "completion", "import-cbe"}
