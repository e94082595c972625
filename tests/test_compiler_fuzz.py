"""Hypothesis: on any rule text the front end raises RuleError or nothing, and whatever it
accepts compiles to a program clingo grounds without complaint."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsl.checker import check
from dsl.diagnostics import RuleError
from dsl.parser import parse_text
from solver.asp.compile import compile_programmes
from solver.asp.run import solve
from solver.record import InputRecord

ROOT = Path(__file__).parent.parent
KMO = (ROOT / "programmes/flanders/kmo_groeisubsidie.rules").read_text(encoding="utf-8")
SME = (ROOT / "programmes/eu/sme.rules").read_text(encoding="utf-8")

RECORD = InputRecord(
    {
        "company.region": "flanders",
        "company.staff": Fraction(12),
        "company.turnover": Fraction(10**6),
        "company.equity": Fraction(-5),
        "project.submitted": dt.date(2026, 3, 10),
    },
    {"company.enterprises": [], "company.accounts": [], "company.aid": [], "project.costs": []},
)

TOKENS = [
    "{", "}", "(", ")", "=", "..", ",", ":", "??", "and", "or", "not", "in", "if", "then",
    "else", "for", "where", "sum", "any", "all", "count", "maximum", "EUR", "%", "months",
    "'flanders'", '"x"', "2026-01-01", "12", "company.staff", "project.costs", "rate",
    "condition", "param", "let", "fn", "amount", "require", "label", "source", "valid",
    "true", "false", "+", "-", "*", "/", "<", ">=", "!=", "eu_sme.is_sme", "as_of",
]  # fmt: skip


def _front_end(text: str) -> None:
    """Parse and check `text` with the SME definitions beside it; run what it accepts."""
    try:
        files = [parse_text(SME, "sme.rules"), parse_text(text, "fuzz.rules")]
        catalogue, _ = check(files, {})
    except RuleError:
        return
    for day in (dt.date(2019, 6, 1), dt.date(2026, 3, 1)):
        program = compile_programmes(catalogue, day)
        solve(program, [RECORD])


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = KMO
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["delete", "insert", "replace"]))
        span = draw(st.integers(1, 12))
        token = draw(st.sampled_from(TOKENS))
        if action == "delete":
            text = text[:at] + text[at + span :]
        elif action == "insert":
            text = text[:at] + f" {token} " + text[at:]
        else:
            text = text[:at] + f" {token} " + text[at + span :]
    return text


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_rule_files_raise_only_rule_errors(text: str) -> None:
    _front_end(text)


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0) -> str:
    leaves = [
        "company.staff", "company.turnover", "company.equity", "10 EUR", "25%", "3",
        "24 months", "2025-01-01", "'flanders'", "company.region", "true",
        "project.submitted", "as_of", "eu_sme.is_sme", "eu_sme.staff",
    ]  # fmt: skip
    if depth > 3 or draw(st.booleans()):
        return draw(st.sampled_from(leaves))
    a = draw(expressions(depth + 1))
    b = draw(expressions(depth + 1))
    shape = draw(st.integers(0, 9))
    return [
        f"({a} + {b})",
        f"({a} * {b})",
        f"({a} < {b})",
        f"({a} = {b})",
        f"({a} and {b})",
        f"(not {a})",
        f"({a} ?? {b})",
        f"(if {a} then {b} else {a})",
        f"min({a}, {b})",
        f"sum(c.amount for c in project.costs where {a})",
    ][shape]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(), expressions())
def test_generated_expressions_type_check_or_evaluate(cond: str, value: str) -> None:
    text = (
        "programme fuzz {\n  valid 2020-01-01..\n"
        f"  condition c {{ require {cond} }}\n  amount {{ = {value} }}\n}}\n"
    )
    _front_end(text)
