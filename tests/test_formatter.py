"""`subsidia fmt`: idempotent, meaning-preserving, comment-preserving layout of rule files."""

from __future__ import annotations

import datetime as dt
import os
import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsl import ast
from dsl.diagnostics import RuleError
from dsl.formatter import (
    WIDTH,
    extract_comments,
    fmt_paths,
    format_expr,
    format_file,
    format_text,
    literal,
)
from dsl.parser import parse_text
from tests.golden_files import GOLDEN, assert_golden

ROOT = Path(__file__).parent.parent
RULE_FILES = sorted(
    [*ROOT.glob("programmes/**/*.rules"), *(GOLDEN / "rules").glob("*.rules")],
)
FMT = GOLDEN / "fmt"
FMT_INPUTS = sorted(FMT.glob("*.rules"))


def _comment_texts(text: str) -> list[str]:
    return [c for _, c in extract_comments(text)]


def _assert_well_formatted(text: str, file: str = "<text>") -> str:
    out = format_text(text, file)
    assert parse_text(out, file) == parse_text(text, file), "formatting changed the meaning"
    assert format_text(out, file) == out, "formatting is not idempotent"
    assert sorted(_comment_texts(out)) == sorted(_comment_texts(text)), "comments changed"
    return out


# ---- every rule file in the repository


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_rule_files_format_idempotently_and_keep_meaning_and_comments(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    try:
        parse_text(text, str(path))
    except RuleError:
        pytest.skip("does not parse (a syntax-error fixture)")
    out = _assert_well_formatted(text, str(path))
    for line in out.splitlines():
        assert line == line.rstrip(), "trailing whitespace"
        assert "\t" not in line


def test_the_rule_folder_is_not_empty() -> None:
    assert any("programmes" in str(p) for p in RULE_FILES)


# ---- golden files: messy inputs and their canonical layout


@pytest.mark.parametrize("path", FMT_INPUTS, ids=lambda p: p.name)
def test_golden_layout(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    out = _assert_well_formatted(text, path.name)
    assert_golden(path.with_suffix(".formatted"), out)


def test_there_are_golden_inputs() -> None:
    assert len(FMT_INPUTS) >= 3


# ---- literals


def _lit(kind: str, value: object) -> ast.Literal:
    return ast.Literal(kind, value)


@pytest.mark.parametrize(
    ("lit", "written"),
    [
        (_lit("money", Fraction(25_000)), "25_000 EUR"),
        (_lit("money", Fraction(9_999)), "9999 EUR"),
        (_lit("money", Fraction(1_250_000)), "1_250_000 EUR"),
        (_lit("money", Fraction("12345.05")), "12_345.05 EUR"),
        (_lit("number", Fraction("1.596")), "1.596"),
        (_lit("number", Fraction(0)), "0"),
        (_lit("percent", Fraction(45, 100)), "45%"),
        (_lit("percent", Fraction(125, 1000)), "12.5%"),
        (_lit("percent", Fraction(1, 1000)), "0.1%"),
        (_lit("months", Fraction(24)), "24 months"),
        (_lit("months", Fraction(1)), "1 month"),
        (_lit("date", dt.date(2025, 1, 1)), "2025-01-01"),
        (_lit("symbol", "flanders"), "'flanders'"),
        (_lit("text", 'say "hi" # not a comment \\ ok'), r'"say \"hi\" # not a comment \\ ok"'),
        (_lit("bool", True), "true"),
    ],
)
def test_literals_are_exact(lit: ast.Literal, written: str) -> None:
    assert literal(lit) == written


def test_literals_without_a_written_form_are_refused() -> None:
    with pytest.raises(ValueError):
        literal(_lit("number", Fraction(1, 3)))
    with pytest.raises(ValueError):
        literal(_lit("money", Fraction(-5)))
    with pytest.raises(ValueError):
        literal(_lit("text", "two\nlines"))


# ---- minimal parentheses


def _require(text: str) -> ast.Expr:
    item = parse_text(f"programme p {{ condition c {{ require {text} }} }}").blocks[0].items[0]
    assert isinstance(item, ast.Condition)
    return item.require


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("((a))", "a"),
        ("(a and b) or (c and d)", "a and b or c and d"),
        ("a and (b or c)", "a and (b or c)"),
        ("(a - (b - c))", "a - (b - c)"),
        ("((a - b) - c)", "a - b - c"),
        ("a / (b * c)", "a / (b * c)"),
        ("(a ?? b) + c", "(a ?? b) + c"),
        ("a + b ?? c", "a + b ?? c"),
        ("not (a = b)", "not a = b"),
        ("(not a) = b", "(not a) = b"),
        ("not (a and b)", "not (a and b)"),
        ("(a < b) = c", "(a < b) = c"),
        ("-(a + b) * -(-c)", "-(a + b) * --c"),
        ("(if a then b else c) + 1", "(if a then b else c) + 1"),
        ("if a then b else (c or d)", "if a then b else c or d"),
        ("(if a then b else c) or d", "(if a then b else c) or d"),
        ("(x in {'a', 'b'}) = (y not in s)", "(x in {'a', 'b'}) = (y not in s)"),
        ("not (x in s)", "not x in s"),
        ("sum((c.v) for c in cs where (c.ok))", "sum(c.v for c in cs where c.ok)"),
        ("f((a or b), (if a then b else c))", "f(a or b, if a then b else c)"),
        ("eu_sme.category(1, 2_000 EUR)", "eu_sme.category(1, 2000 EUR)"),
    ],
)
def test_minimal_parentheses(written: str, canonical: str) -> None:
    assert format_expr(_require(written)) == canonical
    assert _require(canonical) == _require(written)


def test_long_and_chains_break_before_the_operator_four_spaces_deeper() -> None:
    terms = " and ".join(f"company.field_{i} = 'value_{i}'" for i in range(6))
    out = format_text(f"programme p {{ condition c {{ require {terms} }} }}")
    lines = out.splitlines()
    assert lines[2] == "    require company.field_0 = 'value_0'"
    assert lines[3] == "        and company.field_1 = 'value_1'"
    assert all(len(line) <= WIDTH for line in lines)


# ---- comments


def test_hash_inside_a_string_is_not_a_comment() -> None:
    text = 'programme p {  # real\n  label en "#1 \\"# still text\\"" # also real\n}\n'
    assert extract_comments(text) == [(1, "# real"), (2, "# also real")]


def test_comment_on_a_version_line_stays_there() -> None:
    text = (
        "programme p {\n"
        "  param rate : percent { 2021-01-01..2021-12-31 = 50%   # old rate\n"
        "    2022-01-01.. = 40% # new rate\n"
        "  }\n"
        "}\n"
    )
    out = _assert_well_formatted(text)
    assert "    2022-01-01.. = 40%  # new rate\n" in out


def test_comment_inside_an_expression_moves_above_its_line() -> None:
    text = "programme p {\n  condition c {\n    require a\n      or b  # why b\n  }\n}\n"
    out = _assert_well_formatted(text)
    assert "    # why b\n    require a or b\n" in out


def test_blank_lines_between_items_are_kept_once_and_blocks_get_one() -> None:
    text = (
        "programme p {\n\n\n  valid 2021-01-01..\n\n\n\n  let a : number = 1\n"
        "  let b : number = 2\n\n}\ndefinitions d {\n  let c : number = 3\n}\n\n\n"
    )
    assert format_text(text) == (
        "programme p {\n  valid 2021-01-01..\n\n  let a : number = 1\n  let b : number = 2\n}\n"
        "\ndefinitions d {\n  let c : number = 3\n}\n"
    )


def test_a_file_of_comments_only() -> None:
    assert format_text("\n\n# only\n\n# comments\n\n") == "# only\n\n# comments\n"
    assert format_text("") == ""


def test_syntax_errors_raise_rule_errors() -> None:
    with pytest.raises(RuleError):
        format_text("programme p { let a : number = }")


def test_format_file_without_comments_drops_them() -> None:
    text = "programme p {  # gone\n  let a : number = 1\n}\n"
    assert format_file(parse_text(text)) == "programme p {\n  let a : number = 1\n}\n"


EDITS = st.lists(
    st.tuples(st.integers(0, 10_000), st.sampled_from(["own line", "after code", "blank line"])),
    min_size=1,
    max_size=16,
    unique_by=lambda t: t[0],
)


def _parses(path: Path) -> bool:
    try:
        parse_text(path.read_text(encoding="utf-8"), str(path))
    except (OSError, RuleError):
        return False
    return True


# Rule files are edited while the suite runs: sprinkle only what parses at collection time.
SPRINKLED = [p for p in RULE_FILES if _parses(p)] + FMT_INPUTS


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SPRINKLED), EDITS)
def test_comments_anywhere_survive_and_settle(path: Path, edits: list[tuple[int, str]]) -> None:
    """Comments (and blank lines) added anywhere are kept and reach a fixed point."""
    lines = path.read_text(encoding="utf-8").split("\n")
    for n, (at, edit) in enumerate(sorted(edits, reverse=True)):
        i = at % len(lines)
        if edit == "own line":
            lines.insert(i, f"  # sprinkled {n}")
        elif edit == "after code":
            lines[i] += f"  # sprinkled {n}"
        else:
            lines.insert(i, "")
    _assert_well_formatted("\n".join(lines), path.name)


# ---- generated expressions: the real test of the parenthesiser

NAMES = ["a", "b", "rate", "company", "staff", "x_1", "as_of"]
# After a dot only a name can follow, so keywords are fine there.
LATER_NAMES = [*NAMES, "source", "sum", "in", "if", "label", "unknown", "months", "then"]
DECIMALS = st.builds(lambda m, k: Fraction(m, 10**k), st.integers(0, 10**10), st.integers(0, 4))

literals = st.one_of(
    st.builds(ast.Literal, st.just("number"), DECIMALS),
    st.builds(ast.Literal, st.just("money"), DECIMALS),
    st.builds(ast.Literal, st.just("percent"), DECIMALS.map(lambda d: d / 100)),
    st.builds(ast.Literal, st.just("months"), DECIMALS),
    st.builds(ast.Literal, st.just("date"), st.dates(dt.date(1900, 1, 1), dt.date(2199, 12, 31))),
    st.builds(
        ast.Literal, st.just("symbol"), st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True)
    ),
    st.builds(ast.Literal, st.just("text"), st.text(st.sampled_from("ab #\"\\né{}'"), max_size=8)),
    st.builds(ast.Literal, st.just("bool"), st.booleans()),
)
paths = st.builds(
    lambda first, rest: ast.Path((first, *rest)),
    st.sampled_from(NAMES),
    st.lists(st.sampled_from(LATER_NAMES), max_size=2),
)
sets = st.builds(lambda vs: ast.SetLiteral(tuple(vs)), st.lists(literals, max_size=3))
OPS = ["or", "and", "??", "+", "-", "*", "/", "=", "!=", "<", "<=", ">", ">="]


def _extend(children: st.SearchStrategy[ast.Expr]) -> st.SearchStrategy[ast.Expr]:
    return st.one_of(
        st.builds(ast.Binary, st.sampled_from(OPS), children, children),
        st.builds(ast.Unary, st.sampled_from(["not", "-"]), children),
        st.builds(ast.If, children, children, children),
        st.builds(ast.InSet, children, st.one_of(sets, children), st.booleans()),
        st.builds(
            lambda name, args: ast.Call(name, tuple(args)),
            st.sampled_from(["min", "max", "f", "eu_sme.category"]),
            st.lists(children, max_size=3),
        ),
        st.builds(
            ast.Aggregate,
            st.sampled_from(["sum", "count", "any", "all", "maximum", "minimum"]),
            children,
            st.sampled_from(NAMES),
            paths,
            st.none() | children,
        ),
    )


expressions = st.recursive(st.one_of(literals, paths, sets), _extend, max_leaves=24)


def _programme(e: ast.Expr) -> ast.RuleFile:
    """`e` in every position an expression can take, before every kind of follower."""
    start, end = dt.date(2021, 1, 1), dt.date(2021, 12, 31)
    items: tuple[ast.Item, ...] = (
        ast.Let("v", "number", (), (), e),
        ast.Fn("f", (ast.FnParam("x", "number"),), "number", e),
        ast.Param(
            "p",
            "number",
            (),
            (ast.SourceRef("s", None),),
            (
                ast.Version(ast.Period(start, None), e, ast.SourceRef("s", "art. 1")),
                ast.Version(ast.Period(None, end), e, None),
                ast.Version(ast.Period(start, end), e, None),
            ),
        ),
        ast.Condition("c", (ast.Labels((("en", "C"),)),), (), e),
        ast.Let("w", "number", (), (ast.SourceRef("s", None),), e),
        ast.Amount((), (), e),
    )
    return ast.RuleFile("<generated>", (ast.Block("programme", "gen", items),))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions)
def test_generated_expressions_round_trip(e: ast.Expr) -> None:
    rule_file = _programme(e)
    out = format_file(rule_file)
    assert parse_text(out, "<generated>") == rule_file
    assert format_text(out, "<generated>") == out


@settings(max_examples=200, deadline=None)
@given(expressions)
def test_redundant_parentheses_disappear(e: ast.Expr) -> None:
    """Wrapping any subexpression in parentheses changes nothing after formatting."""
    flat = format_expr(e)
    wrapped = format_expr(_require(f"({flat})"))
    assert wrapped == flat


# ---- fmt_paths: the command's worker


MESSY = "programme p {   let a : number = (1) }\n"
TIDY = "programme p {\n  let a : number = 1\n}\n"


def test_fmt_paths_check_reports_without_writing(tmp_path: Path) -> None:
    messy, tidy = tmp_path / "messy.rules", tmp_path / "tidy.rules"
    messy.write_text(MESSY, encoding="utf-8")
    tidy.write_text(TIDY, encoding="utf-8")
    changed, errors = fmt_paths([messy, tidy], check=True)
    assert (changed, errors) == ([messy], [])
    assert messy.read_text(encoding="utf-8") == MESSY


def test_fmt_paths_rewrites_in_place_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    sub = tmp_path / "sub"
    sub.mkdir()
    messy = sub / "messy.rules"
    messy.write_text(MESSY, encoding="utf-8")
    os.chmod(messy, 0o640)
    (sub / "notes.txt").write_text(MESSY, encoding="utf-8")
    changed, errors = fmt_paths([tmp_path], check=False)
    assert (changed, errors) == ([messy], [])
    assert messy.read_text(encoding="utf-8") == TIDY
    assert messy.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in sub.iterdir()) == ["messy.rules", "notes.txt"]
    assert fmt_paths([tmp_path], check=True) == ([], [])


def test_fmt_paths_reports_syntax_errors_and_leaves_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.rules"
    broken.write_text("programme p {\n  let a : number = \n}\n", encoding="utf-8")
    messy = tmp_path / "messy.rules"
    messy.write_text(MESSY, encoding="utf-8")
    changed, errors = fmt_paths([broken, messy], check=False)
    assert changed == [messy]
    assert len(errors) == 1
    assert re.match(r".*broken\.rules:3:1: error\[E101\]", errors[0])
    assert broken.read_text(encoding="utf-8") == "programme p {\n  let a : number = \n}\n"


def test_fmt_paths_reports_unreadable_files(tmp_path: Path) -> None:
    missing = tmp_path / "missing.rules"
    changed, errors = fmt_paths([missing], check=True)
    assert changed == []
    assert len(errors) == 1 and "missing.rules" in errors[0]


# ---- `subsidia fmt`: the command


def _fmt(*args: str):

    from tests.cli import invoke

    return invoke("fmt", *args)


def test_fmt_command_check_lists_files_and_exits_1_without_writing(tmp_path: Path) -> None:
    messy, tidy = tmp_path / "messy.rules", tmp_path / "tidy.rules"
    messy.write_text(MESSY, encoding="utf-8")
    tidy.write_text(TIDY, encoding="utf-8")
    result = _fmt("--check", str(tmp_path))
    assert result.exit_code == 1
    assert result.stdout == f"would reformat: {messy}\n"
    assert messy.read_text(encoding="utf-8") == MESSY
    assert _fmt("--check", str(tidy)).exit_code == 0


def test_fmt_command_rewrites_then_check_passes(tmp_path: Path) -> None:
    messy = tmp_path / "messy.rules"
    messy.write_text(MESSY, encoding="utf-8")
    result = _fmt(str(messy))
    assert (result.exit_code, result.stdout) == (0, f"reformatted: {messy}\n")
    assert messy.read_text(encoding="utf-8") == TIDY
    assert _fmt("--check", str(messy)).exit_code == 0


def test_fmt_command_syntax_error_is_file_line_col_and_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.rules"
    text = "programme p {\n  let a : number = \n}\n"
    broken.write_text(text, encoding="utf-8")
    result = _fmt(str(broken))
    assert result.exit_code == 2
    assert re.match(rf"{re.escape(str(broken))}:3:1: error\[E101\]", result.stderr)
    assert "Traceback" not in result.output
    assert broken.read_text(encoding="utf-8") == text
    missing = _fmt(str(tmp_path / "nothing.rules"))
    assert missing.exit_code == 2 and "no such file or folder" in missing.stderr


def test_bundled_rule_files_are_in_the_canonical_layout() -> None:
    """What `subsidia fmt` would write is what is committed: run it when this fails."""
    changed, errors = fmt_paths([ROOT / "programmes", ROOT / "docs/examples"], check=True)
    assert not errors
    assert [str(p.relative_to(ROOT)) for p in changed] == []


# ---- writing: links, special files, large files

UNFORMATTED = 'programme   x {\n label nl "a" fr "b" en "c"\n}\n'
FORMATTED = 'programme x {\n  label nl "a" fr "b" en "c"\n}\n'


def test_fmt_formats_a_symlinks_target_and_keeps_the_link(tmp_path: Path) -> None:
    target = tmp_path / "real.rules"
    target.write_text(UNFORMATTED, encoding="utf-8")
    link = tmp_path / "link.rules"
    link.symlink_to(target.name)
    changed, errors = fmt_paths([link], check=False)
    assert (changed, errors) == ([link], [])
    assert link.is_symlink() and os.readlink(link) == "real.rules"
    assert target.read_text(encoding="utf-8") == FORMATTED


def test_fmt_keeps_hard_links(tmp_path: Path) -> None:
    first = tmp_path / "a.rules"
    first.write_text(UNFORMATTED, encoding="utf-8")
    second = tmp_path / "b.rules"
    os.link(first, second)
    first.chmod(0o640)
    changed, errors = fmt_paths([first], check=False)
    assert (changed, errors) == ([first], [])
    assert os.path.samefile(first, second)
    assert second.read_text(encoding="utf-8") == FORMATTED
    assert first.stat().st_mode & 0o777 == 0o640


def test_fmt_replaces_a_single_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "a.rules"
    path.write_text(UNFORMATTED, encoding="utf-8")
    before = path.stat().st_ino
    fmt_paths([path], check=False)
    assert path.stat().st_ino != before  # a rename: readers see the old or the new file
    assert path.read_text(encoding="utf-8") == FORMATTED
    assert [p.name for p in tmp_path.iterdir()] == ["a.rules"]  # no temporary file left


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_fmt_refuses_special_files_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "x.rules"
    os.mkfifo(fifo)
    changed, errors = fmt_paths([fifo], check=True)
    assert changed == [] and len(errors) == 1 and "not a regular file" in errors[0]


def test_fmt_check_is_linear_in_the_file_size(tmp_path: Path) -> None:
    """Attaching comments looked at every entry for every comment, and counted lines from
    the start of the file for each: minutes for 1 MB. Ten times the lines must cost about
    ten times the work, not a hundred (the best of three runs each, CPU time, with a wide
    margin: the machine may be busy)."""
    import time

    lines = []
    for i in range(1000):
        lines += [f"# about {i}", f"programme p{i} {{", f'  label nl "a" fr "b" en "c"  # {i}', "}"]
    small, large = "\n".join(lines[:400]) + "\n", "\n".join(lines) + "\n"

    def seconds(text: str) -> float:
        path = tmp_path / "t.rules"
        path.write_text(text, encoding="utf-8")
        best = float("inf")
        for _ in range(3):
            start = time.process_time()
            fmt_paths([path], check=True)
            best = min(best, time.process_time() - start)
        return best

    seconds(small)  # warm up the parser
    ratio = seconds(large) / max(seconds(small), 1e-3)
    assert ratio < 40, ratio  # 10x the lines: linear gives ~10, quadratic ~100
