"""Rule files never crash the front end: every hostile file found by the fuzzing pass gets
one located E-code message and exit code 2 (docs/reliability.md)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dsl.diagnostics import RuleError
from dsl.loader import load_catalogue
from dsl.parser import MAX_DEPTH
from tests.cli import invoke

ROOT = Path(__file__).parent.parent
PROFILE = ROOT / "examples" / "profiles" / "flemish_growth.yaml"

HEAD = """\
programme hostile {
  label nl "H" fr "H" en "H"
  source s { url "https://example.org" }
  valid 2025-01-01..
"""


def programme(require: str = "company.staff >= 0", extra: str = "", valid: str = "") -> str:
    head = HEAD.replace("2025-01-01..", valid) if valid else HEAD
    return (
        head
        + f"""  condition c {{
    label nl "C" fr "C" en "C"
    source s
    require {require}
  }}
{extra}}}
"""
    )


def deep(kind: str, n: int) -> str:
    return {
        "not": "not " * n + "company.insolvency",
        "neg": "-" * n + "company.staff > 0",
        "if": "if company.insolvency then " * n + "true" + " else false" * n,
        "plus": " + ".join(["company.staff"] * n) + " > 0",
        "and": " and ".join(["company.insolvency"] * n),
    }[kind]


def write(tmp_path: Path, text: str | bytes) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    path = folder / "hostile.rules"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path: Path, text: str | bytes, code: str, *where: str) -> str:
    """`subsidia validate` on the file: exit 2, one located message with `code`."""
    path = write(tmp_path, text)
    result = invoke("validate", str(path))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"error[{code}]" in result.stderr, result.stderr
    for text_part in where:
        assert text_part in result.stderr, result.stderr
    return result.stderr


@pytest.mark.parametrize("kind", ["not", "neg", "if", "plus", "and"])
def test_deep_nesting_is_one_located_message(tmp_path: Path, kind: str) -> None:
    # 10^4 levels as the fuzzing pass had them; `if` 3,000 (parsing 10^4 takes 7 s).
    n = 3_000 if kind == "if" else 10_000
    message = refused(tmp_path, programme(deep(kind, n)), "E104", "hostile.rules:8:13")
    assert f"the limit is {MAX_DEPTH}" in message
    assert len(message.splitlines()) <= 4  # the long line is shown cut, not whole


@pytest.mark.parametrize("kind", ["not", "neg", "if", "plus", "and"])
def test_nesting_up_to_the_limit_works_on_every_backend(tmp_path: Path, kind: str) -> None:
    path = write(tmp_path, programme(deep(kind, MAX_DEPTH - 5)))
    answers = set()
    for backend in ("direct", "clingo", "csp"):
        result = invoke(
            "check",
            str(PROFILE),
            "--rules",
            str(path.parent),
            "--backend",
            backend,
            "--json",
            "--as-of",
            "2026-03-01",
        )
        assert result.exit_code == 0, result.output
        answers.add(result.stdout)
    assert len(answers) == 1


def test_definitions_inlined_beyond_the_limit_are_refused(tmp_path: Path) -> None:
    lets = "\n".join(
        f"  let d{i} : number = {'company.staff' if i == 0 else f'd{i - 1}'} + 1"
        for i in range(150)
    )
    refused(tmp_path, programme("d149 > 0", lets + "\n"), "E104", "inlined")


def test_long_chains_of_definitions_are_refused_not_a_stack_overflow(tmp_path: Path) -> None:
    lets = "\n".join(
        f"  let d{i} : number = {'company.staff' if i == 0 else f'd{i - 1}'}" for i in range(3000)
    )
    refused(tmp_path, programme("d2999 > 0", lets + "\n"), "E104")


def test_not_utf8_is_located(tmp_path: Path) -> None:
    text = programme().encode("utf-8").replace(b'"C" en', b'"\xe9" en', 1)
    refused(tmp_path, text, "E103", "hostile.rules:6:", "0xe9")


def test_a_byte_order_mark_is_allowed(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeff".encode() + programme().encode())
    result = invoke("validate", str(path))
    assert result.exit_code == 0, result.output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_special_files_are_refused_without_reading(tmp_path: Path) -> None:
    fifo = tmp_path / "x.rules"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        result = invoke("validate", str(path))
        assert result.exit_code == 2
        assert "error[E100]" in result.stderr and "not a regular file" in result.stderr


def test_a_huge_rule_file_is_refused(tmp_path: Path) -> None:
    text = programme() + "#" * (3 * 1024 * 1024) + "\n"
    refused(tmp_path, text, "E100", "larger than the limit")


def test_dates_outside_the_range_are_located(tmp_path: Path) -> None:
    refused(tmp_path, programme(valid="2025-01-01..9999-12-31"), "E102", "hostile.rules:4:21")


def test_long_literals_are_refused(tmp_path: Path) -> None:
    refused(tmp_path, programme(f"company.staff < {'9' * 5000}"), "E102", "at most 24 digits")


def test_huge_constant_products_are_refused(tmp_path: Path) -> None:
    product = " * ".join(["999999999999"] * 6)
    refused(tmp_path, programme(f"company.staff < {product}"), "E307")


def test_negative_caps_and_rates_are_refused(tmp_path: Path) -> None:
    cap = (
        '  amount { = 1000 EUR }\n  limit cap { label nl "C" fr "C" en "C"\n'
        "    source s\n    = -100 EUR }\n"
    )
    refused(tmp_path, programme(extra=cap), "E305", "hostile.rules:13:7")
    rate = "  param r : percent { source s 2025-01-01.. = -5% }\n  amount { = 1000 EUR * r }\n"
    refused(tmp_path, programme(extra=rate), "E305", "rate 'r'")


def test_division_by_a_constant_zero_is_refused(tmp_path: Path) -> None:
    refused(tmp_path, programme(extra="  amount { = 1000 EUR / 0 }\n"), "E306", ":10:25")
    by_param = "  param z : number { source s 2025-01-01.. = 0 }\n  amount { = 1000 EUR / z }\n"
    refused(tmp_path, programme(extra=by_param), "E306")


def test_division_by_zero_at_run_time_is_unknown_not_eligible(tmp_path: Path) -> None:
    import json

    path = write(tmp_path, programme(extra="  amount { = 1000 EUR / company.staff }\n"))
    profile = tmp_path / "zero.yaml"
    text = PROFILE.read_text(encoding="utf-8")
    profile.write_text(text.replace("  staff: 12 ", "  staff: 0 "), encoding="utf-8")
    for backend in ("direct", "clingo", "csp"):
        result = invoke(
            "check",
            str(profile),
            "--rules",
            str(path.parent),
            "--backend",
            backend,
            "--json",
            "--as-of",
            "2026-03-01",
        )
        assert result.exit_code == 0, result.output
        [answer] = json.loads(result.stdout)["results"]
        assert answer["status"] == "unknown" and answer["amount"] is None


def test_the_checker_reports_rather_than_raises(tmp_path: Path) -> None:
    path = write(tmp_path, programme(deep("not", 500)))
    with pytest.raises(RuleError):
        load_catalogue(path)


def test_amounts_too_large_to_report_are_unknown(tmp_path: Path) -> None:
    import json

    power = " * ".join(["(company.turnover / 1 EUR)"] * 3)
    extra = (
        f"  amount {{ = company.turnover * {power} }}\n"
        '  limit cap { label nl "C" fr "C" en "C"\n    source s\n    = 100 EUR }\n'
    )
    path = write(tmp_path, programme(extra=extra))
    profile = tmp_path / "rich.yaml"
    text = PROFILE.read_text(encoding="utf-8")
    profile.write_text(
        text.replace("  turnover: 1800000 ", "  turnover: 99999999999999999 "), encoding="utf-8"
    )
    assert "99999999999999999" in profile.read_text(encoding="utf-8")
    outputs = set()
    for backend in ("direct", "clingo", "csp"):
        result = invoke(
            "check",
            str(profile),
            "--rules",
            str(path.parent),
            "--backend",
            backend,
            "--json",
            *("--as-of", "2026-03-01"),
        )
        assert result.exit_code == 0, result.output
        [answer] = json.loads(result.stdout)["results"]
        # The cap bounds the grant; the amount before it (10^68 euro) is not printed.
        assert answer["amount"] == "100.00" and answer["amount_before_limits"] is None
        outputs.add(result.stdout)
    assert len(outputs) == 1
    for command in ("check", "budget"):
        args = [command, str(profile), "--rules", str(path.parent), "--as-of", "2026-03-01"]
        result = invoke(*args, *(["--programme", "hostile"] if command == "budget" else []))
        assert result.exit_code == 0, result.output
