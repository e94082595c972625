"""`--lang nl|fr` leaves no English on the command line (docs/i18n.md): argparse's own
headings and errors, `--help` of every command, usage errors, `validate`'s closing line,
`screen`'s and `import-cbe`'s lines on stderr.

An English word is a word of one of the messages the command line's modules mark for
translation (argparse's among them, policy/cli/language.py) that the language's own
translations of those messages do not use; data is left out first: option names, command
names, choices, quoted values, paths and file names."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from policy.cli.args import COMMANDS
from policy.cli.exit_codes import BAD_INPUT, OK, ROWS_REJECTED
from policy.output.formatting import formatter
from tests.cli import invoke
from tests.test_cbe import write_extract

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("nl", "fr")
WORD = re.compile(r"[^\W\d_]{3,}")
DATA = [
    r"'[^']*'",  # quoted values, argparse's choices
    r"`[^`]*`",  # a comment as it must be written, a status name
    r"<[^>]*>",
    r"\{[^}]*\}",  # choices in usage lines, placeholders in the messages
    r"(?<![\w-])--?[a-z][\w-]*",  # option names
    r"\S*[/@]\S*",  # paths, addresses
    r"\S*\w[.:]\w\S*|(?<!\w)\.\w+",  # file names, field paths, file:line:col, .csv
]


def _scrub(text: str) -> str:
    for pattern in DATA:
        text = re.sub(pattern, " ", text)
    return text


def _words(text: str) -> set[str]:
    names = {"subsidia", *(name for cmd in COMMANDS for name in cmd.split("-"))}
    return {w.lower() for w in WORD.findall(_scrub(text))} - names


@cache
def _english(lang: str) -> frozenset[str]:
    """The words of the command line's messages that are not also words of their
    translations into `lang` (a "programme" or "options" is French as well)."""
    from babel.messages.extract import extract_from_file

    messages = set()
    for module in sorted((ROOT / "policy" / "cli").glob("*.py")):
        for _line, message, _comments, _context in extract_from_file("python", str(module)):
            if isinstance(message, str):
                messages.add(message)
    assert "usage: " in messages and "Company profile, YAML or JSON." in messages
    lookup = formatter(lang).lookup
    english = set().union(*(_words(m) for m in messages))
    translated = set().union(*(_words(lookup(m)) for m in messages))
    assert {"usage", "required", "invalid", "choice", "the"} <= english
    return frozenset(english - translated)


def _assert_no_english(text: str, lang: str) -> None:
    assert text.strip(), "nothing printed"
    assert "Traceback" not in text
    left = _words(text) & _english(lang)
    assert not left, f"English words {sorted(left)} left in:\n{text}"


def _runs() -> list[list[str]]:
    """`--help` of the command and of each subcommand, and a usage error of each: a
    missing argument where one is required, an unknown option anyway."""
    runs = [["--help"], [], ["chek"], ["check", "x.yaml", "--backend", "foo"]]
    for name in COMMANDS:
        runs += [[name, "--help"], [name, "--no-such-option"]]
    runs += [["screen", "x.csv", "--workers", "0"], ["check", "x.yaml", "--as-of"]]
    return runs


@pytest.mark.parametrize("lang", LANGS)
def test_help_and_usage_errors_have_no_english_left(lang: str) -> None:
    for args in _runs():
        result = invoke(*args, "--lang", lang)
        assert result.exit_code in (OK, BAD_INPUT), (args, result.output)
        _assert_no_english(result.output, lang)


def test_the_english_help_is_unchanged_by_a_translated_run() -> None:
    # argparse's messages are ours only while one command line is parsed.
    invoke("check", "--help", "--lang", "nl")
    english = invoke("check", "--help").stdout
    assert english.startswith("usage: subsidia check")
    assert "positional arguments:" in english and "show this help message" in english


def test_a_translated_usage_error_keeps_the_house_style() -> None:
    result = invoke("check", "--lang", "fr")
    assert result.exit_code == BAD_INPUT
    assert result.stderr == (
        "subsidia check : les arguments suivants sont obligatoires : PROFIL "
        "(voir subsidia check --help)\n"
    )
    result = invoke("check", "p.yaml", "--lang", "nl", "--backend", "foo")
    assert result.stderr.startswith("subsidia check: --backend: ongeldige keuze: 'foo'")


SCREENED = """\
company.id,company.name,company.region,company.staff
0712.345.678,Voorbeeld BV,flanders,12
0401.234.567,Exemple SA,wallonia,-3
"""


@pytest.mark.parametrize("lang", LANGS)
def test_validate_screen_and_import_cbe_lines_have_no_english_left(
    tmp_path: Path, lang: str
) -> None:
    result = invoke("validate", "programmes/eu/sme.rules", "--lang", lang)
    assert result.exit_code == OK
    _assert_no_english(result.output, lang)

    source = tmp_path / "companies.csv"
    source.write_text(SCREENED, encoding="utf-8")
    args = ["screen", str(source), "--out", str(tmp_path / "out.csv"), "--workers", "1"]
    result = invoke(*args, "--programme", "kmo_groeisubsidie", "--lang", lang)
    assert result.exit_code == ROWS_REJECTED, result.output
    assert "company.staff" in result.stderr and "out.csv" in result.stderr
    _assert_no_english(result.stderr, lang)

    out = tmp_path / "profiles.csv"
    result = invoke("import-cbe", str(write_extract(tmp_path / "kbo")), "--out", str(out))
    english = result.stderr
    result = invoke("import-cbe", str(tmp_path / "kbo"), "--out", str(out), "--lang", lang)
    assert result.exit_code == OK
    assert result.stderr != english
    _assert_no_english(result.stderr, lang)


def test_the_word_list_catches_an_english_line() -> None:
    with pytest.raises(AssertionError, match="usage"):
        _assert_no_english("usage: subsidia check [-h] PROFIEL", "nl")


def test_subsidia_lang_is_the_default_of_lang(monkeypatch: pytest.MonkeyPatch) -> None:
    args = ("validate", "programmes/eu/sme.rules")
    monkeypatch.setenv("SUBSIDIA_LANG", "nl")
    assert re.match(r"ok: 0 programma\('s\), \d+ definitie\(s\)", invoke(*args).stdout)
    assert invoke(*args, "--lang", "en").stdout.startswith("ok: 0 programme(s)")
    assert invoke("chek").stderr.startswith("subsidia: OPDRACHT: ongeldige keuze: 'chek'")
    monkeypatch.setenv("SUBSIDIA_LANG", "de")
    result = invoke(*args)
    assert (result.exit_code, result.stderr) == (
        BAD_INPUT,
        "SUBSIDIA_LANG: 'de' is not one of nl, fr, en\n",
    )
    french = invoke(*args, "--lang", "fr").stderr
    assert french == "SUBSIDIA_LANG : 'de' ne fait pas partie de nl, fr, en\n"
