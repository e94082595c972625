"""The package as a user gets it: a wheel that answers from any folder, its declared
dependencies, `--version`, `lsp` and shell completion."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from policy import engine
from policy.cli.args import COMMANDS
from policy.cli.integration import SHELLS
from tests.cli import invoke
from tests.test_lsp import TIMEOUT, Client, uri

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SHIPPED = ("dsl", "policy", "solver")  # the code packages; programmes/ ships as data
EXAMPLE = ROOT / "examples" / "profiles" / "flemish_growth.yaml"


def _name(requirement: str) -> str:
    """`python-constraint2>=2.0` -> `python-constraint2`, normalised as PEP 503 does."""
    name = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert name is not None, requirement
    return re.sub(r"[-_.]+", "-", name.group()).lower()


def test_the_package_list_matches_the_source_tree() -> None:
    # pyproject.toml lists the packages (a package-dir mapping rules out `packages.find`):
    # a new subpackage missing from the list would be missing from the wheel.
    found = sorted(
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in SHIPPED
        for init in (ROOT / top).rglob("__init__.py")
    )
    listed = PYPROJECT["tool"]["setuptools"]["packages"]
    assert sorted(listed) == sorted([*found, "subsidia_programmes"])
    assert PYPROJECT["tool"]["setuptools"]["package-dir"] == {"subsidia_programmes": "programmes"}


def _imported_top_levels(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_every_imported_third_party_package_is_a_declared_dependency() -> None:
    # Lazy imports inside functions count too: they fail just as hard when missing.
    imported = set().union(
        *(_imported_top_levels(p) for t in SHIPPED for p in (ROOT / t).rglob("*.py"))
    )
    third_party = imported - set(sys.stdlib_module_names) - {*SHIPPED, "subsidia_programmes"}
    owners = metadata.packages_distributions()
    # The `dask` extra: imported only by `subsidia screen --dask` (policy/screening/cluster.py).
    optional = PYPROJECT["project"]["optional-dependencies"]["dask"]
    declared = {_name(r) for r in [*PYPROJECT["project"]["dependencies"], *optional]}
    undeclared = {
        module: owners.get(module)
        for module in third_party
        if not declared & {_name(d) for d in owners.get(module, [module])}
    }
    assert not undeclared, f"imported but not in [project] dependencies: {undeclared}"


def test_the_bundled_rules_are_found_through_the_installed_package() -> None:
    assert engine.DEFAULT_RULES == engine.bundled_rules()
    assert (engine.DEFAULT_RULES / "flanders" / "kmo_groeisubsidie.rules").is_file()


def test_the_cache_folder_is_the_platform_user_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from platformdirs import user_cache_dir

    from dsl import cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == Path(user_cache_dir("subsidia", appauthor=False))
    if sys.platform.startswith("linux"):
        assert cache.cache_dir() == tmp_path / "subsidia"


def test_version_is_the_installed_distributions() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"subsidia {metadata.version('subsidia')}\n"


@pytest.mark.parametrize("shell", SHELLS)
def test_completion_prints_shell_code_registering_subsidia(shell: str) -> None:
    result = invoke("completion", shell)
    assert result.exit_code == 0
    assert "subsidia" in result.stdout
    assert "_ARGCOMPLETE" in result.stdout  # the code asks the command itself


def _completions(line: str, shell: str, tmp_path: Path) -> list[str]:
    """What `subsidia` answers the shell code for the command line `line` (cursor at its end)."""
    out = tmp_path / "completions"
    env = {
        **os.environ,
        "_ARGCOMPLETE": "1",
        "_ARGCOMPLETE_SHELL": shell,
        "COMP_LINE": line,
        "COMP_POINT": str(len(line)),
        "_ARGCOMPLETE_STDOUT_FILENAME": str(out),
    }
    subprocess.run(
        [sys.executable, "-m", "policy.cli"], env=env, check=True, timeout=60, cwd=tmp_path
    )
    # One entry per candidate; zsh adds ":description", fish "\tdescription".
    entries = out.read_text(encoding="utf-8").split("\013")
    return [re.split(r"[:\t]", entry)[0].strip() for entry in entries]


@pytest.mark.parametrize("shell", SHELLS)
def test_completion_offers_every_command_and_option(shell: str, tmp_path: Path) -> None:
    assert set(COMMANDS) <= set(_completions("subsidia ", shell, tmp_path))
    assert "--lang" in _completions("subsidia check --la", shell, tmp_path)


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_completion_in_bash_end_to_end(tmp_path: Path) -> None:
    # The printed code, sourced in a real bash, fills COMPREPLY by running the command.
    script = tmp_path / "subsidia.bash"
    script.write_text(invoke("completion", "bash").stdout, encoding="utf-8")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "subsidia"  # the console script, whichever python runs the tests
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m policy.cli "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    body = (
        f"source {script}\n"
        'COMP_LINE="subsidia ex"; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(subsidia ex); '
        "COMP_CWORD=1\n"
        '_python_argcomplete subsidia; echo "${COMPREPLY[@]}"\n'
    )
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", "-c", body], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["explain"]


def test_lsp_command_starts_the_language_server(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "policy.cli", "lsp"],
        cwd=tmp_path,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = Client(proc)
        result = client.request(
            "initialize", {"processId": os.getpid(), "rootUri": uri(ROOT), "capabilities": {}}
        )
        assert result["serverInfo"]["name"] == "subsidia"
        assert client.request("shutdown", None) is None
        client.notify("exit", None)
        assert proc.wait(timeout=TIMEOUT) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=TIMEOUT)
        for stream in (proc.stdin, proc.stdout):
            if stream:
                stream.close()


# The source a wheel is built from: a copy, so a stale build/ folder of the checkout
# cannot leak files into the wheel.
_NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis"
)


def test_the_wheel_answers_from_outside_the_checkout(tmp_path: Path) -> None:
    """Build the wheel, install it into a fresh venv and check an example from elsewhere.

    The venv reaches the dependencies already installed for the tests through a .pth line
    (a path line: the editable install's own hooks there are not run), so this needs no
    download beyond the build backend. `.ci/run` does the same with a full `pip install`.
    """
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=_NOT_SOURCE)
    wheels = tmp_path / "wheels"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", str(src), "-w", str(wheels), "--no-deps"], check=True)
    [wheel] = wheels.glob("subsidia-*.whl")

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    ours = sysconfig.get_paths()
    deps = dict.fromkeys([ours["purelib"], ours["platlib"]])  # where the tests' packages are
    Path(site, "test-dependencies.pth").write_text("".join(f"{d}\n" for d in deps), "utf-8")
    subprocess.run([*pip, "--python", str(python), "install", "--no-deps", str(wheel)], check=True)

    away = tmp_path / "elsewhere"
    away.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SUBSIDIA_RULES")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    env["XDG_DATA_HOME"] = str(tmp_path / "data")  # the cache key
    where = subprocess.run(
        [
            str(python),
            "-c",
            "import policy, subsidia_programmes as p; print(policy.__file__, p.__file__)",
        ],
        cwd=away,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert str(ROOT) not in where and where.count(site) == 2, where
    for _ in range(2):  # the second run reads the catalogue from the cache
        done = subprocess.run(
            [str(venv / "bin" / "subsidia"), "check", str(EXAMPLE), "--as-of", "2026-03-01"],
            cwd=away,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert "kmo_groeisubsidie" in done.stdout or "KMO" in done.stdout, done.stdout
    assert list((tmp_path / "cache" / "subsidia").glob("catalogue-*.entry"))
