"""One error model: every exception derives from SubsidiaError, every diagnostic code is
registered once and documented, the exit codes agree with docs/cli.md, and the CLI turns
errors into one message and an exit code in one place."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dsl import codes
from dsl.errors import InternalError, SubsidiaError, UsageError
from policy.cli import args, exit_codes
from policy.cli.main import main
from policy.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
CODE = re.compile(r"\b([EWL]\d{3})\b")


def _sources() -> list[Path]:
    return [p for pkg in ("policy", "dsl", "solver") for p in (ROOT / pkg).rglob("*.py")]


def test_docs_errors_md_is_generated_from_the_registry() -> None:
    current = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    assert current == codes.markdown(), "run: python -m dsl.codes > docs/errors.md"


def test_a_code_cannot_be_registered_twice() -> None:
    assert len(set(codes.REGISTRY)) == len(codes.REGISTRY)
    with pytest.raises(ValueError, match="E301 registered twice"):
        codes._code("E301", "again")
    assert codes.REGISTRY["E301"] is codes.TYPE_MISMATCH


def test_report_sites_use_the_named_constants_not_literals() -> None:
    literal = re.compile(r"""["']([EWL]\d{3})["']""")
    offenders = [
        f"{path.relative_to(ROOT)}: {m.group(0)}"
        for path in _sources()
        if path.name != "codes.py"
        for m in literal.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_every_code_mentioned_in_code_or_docs_is_registered() -> None:
    texts = [p.read_text(encoding="utf-8") for p in _sources()]
    texts += [p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md")]
    mentioned = {m for text in texts for m in CODE.findall(text)}
    assert mentioned - set(codes.REGISTRY) == set()


def test_a_code_is_a_string_with_a_title_and_survives_pickling() -> None:
    import pickle

    code = pickle.loads(pickle.dumps(codes.TYPE_MISMATCH))
    assert code == "E301" and f"{code}" == "E301"
    assert (code.summary, code.severity) == ("type mismatch", "error")


def test_every_project_exception_derives_from_subsidia_error() -> None:
    classes = {}
    for pkg in ("policy", "dsl", "solver"):
        for info in pkgutil.walk_packages([str(ROOT / pkg)], f"{pkg}."):
            if info.name.endswith("__main__"):
                continue
            module = importlib.import_module(info.name)
            for name, obj in vars(module).items():
                if (
                    inspect.isclass(obj)
                    and issubclass(obj, BaseException)
                    and obj.__module__ == info.name
                ):
                    classes[f"{info.name}.{name}"] = obj
    assert len(classes) >= 12
    assert [n for n, c in classes.items() if not issubclass(c, SubsidiaError)] == []


def test_the_exit_code_table_in_docs_cli_md_is_the_one_in_the_code() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    table = {m[1]: int(m[0]) for m in re.findall(r"^\| (\d+) \| `([A-Z_]+)` \|", text, re.M)}
    constants = {n: v for n, v in vars(exit_codes).items() if n.isupper()}
    assert table == constants
    assert SubsidiaError.exit_code == exit_codes.BAD_INPUT


def _with_command(monkeypatch: pytest.MonkeyPatch, fn) -> None:
    cmd = args.Command("boom", fn, (args.arg("profile", type=Path),), "Fail.")
    monkeypatch.setitem(args.COMMANDS, "boom", cmd)


def test_an_input_error_without_a_file_is_attributed_to_the_command_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom(profile: Path) -> None:
        raise InputError("project.start", "required")

    _with_command(monkeypatch, boom)
    assert main(["boom", "p.yaml"]) == exit_codes.BAD_INPUT
    assert capsys.readouterr().err == "p.yaml: project.start: required\n"


def test_a_usage_error_prints_its_message_only(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom(profile: Path) -> None:
        raise UsageError("--alternatives: must not be negative")

    _with_command(monkeypatch, boom)
    assert main(["boom", "p.yaml"]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "--alternatives: must not be negative\n")


def test_an_internal_error_keeps_its_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    class Bug(InternalError):
        pass

    def boom(profile: Path) -> None:
        raise Bug("clingo said no")

    _with_command(monkeypatch, boom)
    with pytest.raises(Bug):
        main(["boom", "p.yaml"])


def test_a_closed_output_pipe_stops_quietly() -> None:
    example = ROOT / "examples" / "profiles" / "flemish_growth.yaml"
    proc = subprocess.Popen(
        [sys.executable, "-m", "policy.cli", "check", str(example), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the first byte is written
    err = proc.stderr.read().decode()
    assert proc.wait() == exit_codes.PIPE_CLOSED
    assert err == ""
