"""Hostile inputs: every reproduction of the fuzzing pass gets a clean answer or one message
with exit code 2, and a bounded fuzz family over profiles, scenarios, rule text and command
options keeps it so (more examples: SUBSIDIA_FUZZ_EXAMPLES, tests/fuzzing.py)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import event, given
from hypothesis import strategies as st

from tests.cli import Result, invoke
from tests.fuzzing import fuzz_settings

ROOT = Path(__file__).parent.parent
PROFILE = ROOT / "examples" / "profiles" / "flemish_growth.yaml"
SCENARIO = ROOT / "examples" / "scenarios" / "bel_sme_seed.yaml"
AS_OF = ("--as-of", "2026-03-01")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def example(path: Path) -> dict[str, Any]:
    return _plain(yaml.safe_load(path.read_text(encoding="utf-8")))


def write_json(tmp_path: Path, data: object, name: str = "input.json") -> Path:
    path = tmp_path / name
    # ensure_ascii: a lone surrogate is written as the escape "\ud800", as a hostile file has it
    path.write_text(json.dumps(data, default=str), encoding="utf-8")
    return path


def one_message(result: Result, *parts: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    for part in parts:
        assert part in result.stderr, result.stderr


# ---- files that are not files


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_special_and_huge_input_files_are_refused_without_reading(tmp_path: Path) -> None:
    fifo = tmp_path / "profile.yaml"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.yaml"
    huge.write_text("company:\n  name: " + "a" * (5 * 1024 * 1024) + "\n", encoding="utf-8")
    cases = [
        (fifo, "not a regular file (a FIFO)"),
        (Path("/dev/zero"), "not a regular file (a device)"),
        (huge, "larger than the limit of 4 MB"),
        (tmp_path, "is a directory"),
    ]
    for path, message in cases:
        done: list[Result] = []
        worker = threading.Thread(
            target=lambda p=path, out=done: out.append(invoke("check", str(p)))
        )
        worker.start()
        worker.join(timeout=20)
        assert not worker.is_alive(), f"{path}: still reading"
        one_message(done[0], message)


# ---- dates


@pytest.mark.parametrize("field", ["founded", "submitted"])
def test_profile_dates_near_9999_are_refused(tmp_path: Path, field: str) -> None:
    data = example(PROFILE)
    section = "company" if field == "founded" else "project"
    data[section][field] = "9999-12-31"
    result = invoke("check", str(write_json(tmp_path, data)), *AS_OF)
    one_message(result, f"{section}.{field}: 9999-12-31 is outside", "1900-01-01 to 2199-12-31")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9999-12-31", "--as-of: 9999-12-31 is outside"),
        ("20260301", "--as-of: '20260301' is not a date (YYYY-MM-DD)"),
        ("2026-W10-1", "--as-of: '2026-W10-1' is not a date (YYYY-MM-DD)"),
    ],
)
def test_as_of_has_one_strict_format_and_range(value: str, message: str) -> None:
    one_message(invoke("check", str(PROFILE), "--as-of", value), message)


# ---- text


@pytest.mark.parametrize(
    "args",
    [
        ("check", "{}", "--backend", "clingo"),
        ("check", "{}", "--backend", "direct"),
        ("explain", "{}", "--programme", "kmo_groeisubsidie"),
    ],
)
def test_a_lone_surrogate_is_refused_at_its_field(tmp_path: Path, args: tuple[str, ...]) -> None:
    data = example(PROFILE)
    data["company"]["name"] = "\ud800"
    path = write_json(tmp_path, data)
    result = invoke(*(str(path) if a == "{}" else a for a in args), *AS_OF)
    one_message(result, "company.name: not valid Unicode text")


def test_a_lone_surrogate_in_a_scenario_is_refused(tmp_path: Path) -> None:
    data = example(SCENARIO)
    data["partners"][0]["id"] = "\udc80x"
    one_message(invoke("plan", str(write_json(tmp_path, data))), "partners[0].id: not valid")


@pytest.mark.parametrize("name", ["[/]", "[bold]x", ":x:", "[red]a[/red]"])
def test_markup_in_ids_prints_literally(tmp_path: Path, name: str) -> None:
    data = example(SCENARIO)
    old = data["partners"][0]["id"]
    data["partners"][0]["id"] = name
    for package in data["work_packages"]:
        package["allowed"] = [name if p == old else p for p in package.get("allowed", [])]
    for cost in data.get("costs", []):
        cost["partner"] = name if cost["partner"] == old else cost["partner"]
    result = invoke("plan", str(write_json(tmp_path, data)), columns=160)
    assert result.exit_code == 0, result.output
    assert name in result.stdout
    # And in a message: an unknown programme named with markup.
    message = invoke("show", name)
    one_message(message, f"'{name}'")


# ---- magnitudes


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        (("partners", 0, "capacity"), 10**12, "partners[0].capacity: must be at most 100,000"),
        (("work_packages", 0, "effort"), 10**12, "work_packages[0].effort: must be at most"),
        (("partners", 0, "monthly_cost"), 10**12, "partners[0].monthly_cost: must be at most"),
    ],
)
def test_plan_magnitudes_beyond_the_solver_are_refused(
    tmp_path: Path, where: tuple[Any, ...], value: int, message: str
) -> None:
    data = example(SCENARIO)
    target: Any = data
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    one_message(invoke("plan", str(write_json(tmp_path, data))), message)


def test_plan_at_the_largest_magnitudes_answers(tmp_path: Path) -> None:
    data = example(SCENARIO)
    for partner in data["partners"]:
        partner["capacity"] = 100_000
        partner["monthly_cost"] = 1_000_000
    for package in data["work_packages"]:
        package["effort"] = 100_000
    result = invoke("plan", str(write_json(tmp_path, data)), "--json")
    assert result.exit_code in (0, 1), result.output
    assert json.loads(result.stdout)["status"]


def test_docs_out_an_existing_file_is_a_message(tmp_path: Path) -> None:
    existing = tmp_path / "page.md"
    existing.write_text("mine\n", encoding="utf-8")
    one_message(invoke("docs", "--out", str(existing)), "--out:", "is not a folder")
    assert existing.read_text(encoding="utf-8") == "mine\n"


# ---- the fuzz family

HOSTILE_TEXT = st.sampled_from(
    [
        "[/]",
        "[bold]x",
        ":x:",
        '"). #include "/etc/passwd". p("',
        "a\nb",
        "\ud800",
        "\x00",
        "é" * 300,
        "",
        " ",
    ]
)
HOSTILE_NUMBER = st.sampled_from(
    [0, -1, 10**17, 10**18, 10**30, "9" * 5000, 1e308, "NaN", "Infinity", "1e999", 0.1, "0x1F"]
)
HOSTILE_DATE = st.sampled_from(
    ["9999-12-31", "0001-01-01", "1899-12-31", "2199-12-31", "20260310", "2026-W10-1", "2026-02-30"]
)
HOSTILE_VALUE = st.one_of(
    HOSTILE_TEXT,
    HOSTILE_NUMBER,
    HOSTILE_DATE,
    st.none(),
    st.booleans(),
    st.just([]),
    st.just({}),
    st.just([[[[[]]]]]),
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += _paths(value, (*prefix, i))
    return found


def _mutate(data: Any, draw: st.DrawFn) -> Any:
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = copy.deepcopy(draw(HOSTILE_VALUE))  # never one object twice
    return data


PROFILE_DATA = example(PROFILE)
SCENARIO_DATA = example(SCENARIO)


@fuzz_settings(12)
@given(data=st.data())
def test_fuzz_profiles_clean_exit_and_backends_agree(
    data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    mutated = _mutate(PROFILE_DATA, data.draw)
    path = write_json(tmp_path_factory.mktemp("fuzz"), mutated)
    outputs = {}
    for backend in ("direct", "clingo", "csp"):
        result = invoke("check", str(path), "--json", "--backend", backend, *AS_OF)
        assert result.exit_code in (0, 2), result.output
        assert "Traceback" not in result.output
        outputs[backend] = (result.exit_code, result.stdout, result.stderr)
    assert len(set(outputs.values())) == 1, outputs
    event(f"exit code {result.exit_code}")  # --hypothesis-show-statistics: how many answered


@fuzz_settings(6)
@given(data=st.data())
def test_fuzz_scenarios_clean_exit(
    data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    mutated = _mutate(SCENARIO_DATA, data.draw)
    path = write_json(tmp_path_factory.mktemp("fuzz"), mutated)
    result = invoke("plan", str(path), "--json")
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    event(f"exit code {result.exit_code}")


OPTION_VALUES = st.sampled_from(
    ["9999-12-31", "[/]", "\udcff", "", "-1", "x" * 2000, "2026-03-01", "kmo_groeisubsidie"]
)


@fuzz_settings(20)
@given(
    command=st.sampled_from(["check", "explain", "budget", "compare", "show"]),
    option=st.sampled_from(["--as-of", "--programme", "--lang", "--backend"]),
    value=OPTION_VALUES,
)
def test_fuzz_command_options_clean_exit(command: str, option: str, value: str) -> None:
    args = {
        "check": ["check", str(PROFILE)],
        "explain": ["explain", str(PROFILE), "--programme", "kmo_groeisubsidie"],
        "budget": ["budget", str(PROFILE)],
        "compare": ["compare", "kmo_groeisubsidie", value],
        "show": ["show", value],
    }[command]
    if option != "--programme" or command != "explain":
        args += [option, value]
    result = invoke(*args)
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output


RULE_PIECES = st.sampled_from(
    [
        "not " * 300,
        "-" * 300,
        "(" * 300,
        "9" * 5000,
        "9999-12-31",
        "\ufeff",
        "\ud800",
        "/ 0",
        "* 999999999999999999999999",
        "-100 EUR",
        "if true then ",
        " and x" * 300,
        "}",
        "{",
        '"',
        "#",
        "\n",
    ]
)


@fuzz_settings(25)
@given(
    pieces=st.lists(st.tuples(st.integers(0, 10**6), RULE_PIECES), min_size=1, max_size=3),
    raw=st.booleans(),
)
def test_fuzz_rule_text_clean_exit(
    pieces: list[tuple[int, str]], raw: bool, tmp_path_factory: pytest.TempPathFactory
) -> None:
    text = (ROOT / "programmes" / "flanders" / "kmo_groeisubsidie.rules").read_text("utf-8")
    for at, piece in pieces:
        at %= len(text)
        text = text[:at] + piece + text[at:]
    path = tmp_path_factory.mktemp("rules") / "fuzzed.rules"
    data = text.encode("utf-8", "surrogatepass")
    if raw:
        data = data.replace(b"e", b"\xe9", 1)  # and not UTF-8
    path.write_bytes(data)
    for command in (("validate", str(path)), ("fmt", "--check", str(path))):
        result = invoke(*command)
        assert result.exit_code in (0, 1, 2), result.output
        assert "Traceback" not in result.output
        event(f"{command[0]}: exit code {result.exit_code}")


# ---- leniency and paths


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("  staff: 0x1F", "company.staff: expected a number, got '0x1F'"),
        ("  staff: 0b101", "company.staff: expected a number, got '0b101'"),
    ],
)
def test_yaml_hex_and_binary_numbers_are_refused(tmp_path: Path, text: str, message: str) -> None:
    source = PROFILE.read_text(encoding="utf-8")
    lines = [text if line.startswith("  staff:") else line for line in source.splitlines()]
    path = tmp_path / "p.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    one_message(invoke("check", str(path), *AS_OF), message)


def test_account_years_are_in_the_date_range(tmp_path: Path) -> None:
    data = example(PROFILE)
    data["company"]["accounts"][0]["year"] = -1
    one_message(
        invoke("check", str(write_json(tmp_path, data)), *AS_OF),
        "company.accounts[0].year: must be a year from 1900 to 2199",
    )


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("/etc/passwd", "must be inside the scenario's folder"),
        ("../../../../../../../../etc/passwd", "must be inside the scenario's folder"),
        ("notes.txt", "ends in .yaml, .yml or .json"),
        ("folder.yaml", "is a folder, not a profile file"),
        ("missing.yaml", "no such profile file"),
    ],
)
def test_partner_profile_paths_stay_inside_the_scenarios_folder(
    tmp_path: Path, ref: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder.yaml").mkdir()
    (tmp_path / "notes.txt").write_text("secret\n", encoding="utf-8")
    data = example(SCENARIO)
    data["partners"][0]["profile"] = ref
    result = invoke("plan", str(write_json(tmp_path, data)))
    one_message(result, "partners[0].profile", message)
    assert "root:" not in result.stderr and "secret" not in result.stderr


def test_a_nul_in_a_partner_profile_path_is_a_message(tmp_path: Path) -> None:
    """Found by the scenario fuzz family (1,000 examples)."""
    data = example(SCENARIO)
    data["partners"][1]["profile"] = "\x00"
    one_message(invoke("plan", str(write_json(tmp_path, data))), "partners[1].profile", "NUL")


ACCEPTED_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40
).filter(str.strip) | st.sampled_from(
    ["[/]", "[bold]x", ":x:", '"). #include "/etc/passwd". p("', "a) :- b.", "\\n%", "é" * 300]
)


@fuzz_settings(4)
@given(name=ACCEPTED_TEXT, company_id=ACCEPTED_TEXT, provider=ACCEPTED_TEXT)
def test_fuzz_hostile_text_changes_no_answer(
    name: str, company_id: str, provider: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Text fields are data: any accepted text gives the answer a benign one gives, on
    every backend (clingo receives it as a symbol built through its API)."""
    folder = tmp_path_factory.mktemp("text")
    answers = set()
    for values in ((name, company_id, provider), ("Benign", "0712.345.678", "Advies NV")):
        data = copy.deepcopy(PROFILE_DATA)
        data["company"]["name"], data["company"]["id"] = values[0], values[1]
        data["project"]["costs"][0]["provider"] = values[2]
        path = write_json(folder, data, f"{len(answers)}.json")
        for backend in ("direct", "clingo", "csp"):
            result = invoke("check", str(path), "--json", "--backend", backend, *AS_OF)
            assert result.exit_code == 0, result.output
            answers.add(result.stdout)
    assert len(answers) == 1
