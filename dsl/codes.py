"""The one registry of diagnostic codes: every code rule files, the checker, lint and the
language server report, with a title and a one-line explanation.

Report sites use the named constants (`codes.TYPE_MISMATCH`), never a literal "E301".
A `Code` is a `str` (its code), so a `Diagnostic.code` still compares, prints and serialises
as "E301". docs/errors.md is generated from this module: `python -m dsl.codes > docs/errors.md`
(tests/test_error_codes.py fails when it is not current).

Ranges: E0 internal, E1 reading and syntax, E2 names and structure, E3 types and values,
E4 cycles, E5 dated versions, W6 checker warnings, L7 `subsidia lint` findings.
"""

from __future__ import annotations

REGISTRY: dict[str, Code] = {}


class Code(str):
    """A diagnostic code ("E301") that also carries its title (`summary`: `str.title` is
    taken) and a one-line explanation."""

    summary: str
    explanation: str

    def __new__(cls, code: str, summary: str, explanation: str = "") -> Code:
        self = super().__new__(cls, code)
        self.summary = summary
        self.explanation = explanation
        return self

    # mypy, ignored below: str's __getnewargs__ returns one str; a Code is rebuilt from three
    def __getnewargs__(self) -> tuple[str, str, str]:  # type: ignore[override]
        # Diagnostics cross process boundaries (pickle): rebuild with every attribute.
        return (str(self), self.summary, self.explanation)

    @property
    def severity(self) -> str:
        return {"E": "error", "W": "warning", "L": "lint finding"}[self[0]]


def _code(code: str, summary: str, explanation: str = "") -> Code:
    if code in REGISTRY:
        raise ValueError(f"diagnostic code {code} registered twice")
    REGISTRY[code] = Code(code, summary, explanation)
    return REGISTRY[code]


INTERNAL = _code(
    "E000",
    "internal error",
    "The checker failed on this file; a bug. The language server reports it instead of stopping.",
)
UNREADABLE_FILE = _code(
    "E100",
    "cannot read rule file",
    "The file is missing, cannot be read, is not a regular file (a FIFO, a device) or is "
    "larger than 2 MB.",
)
SYNTAX = _code(
    "E101",
    "syntax error",
    "The text does not follow the grammar; each broken item reports its first error.",
)
BAD_LITERAL = _code(
    "E102",
    "invalid literal",
    "The grammar accepts the literal but it is not a value: a date that does not exist "
    "(2024-02-30) or lies outside 1900-01-01..2199-12-31, a number of more than 24 digits.",
)
NOT_UTF8 = _code(
    "E103",
    "not UTF-8 text",
    "Rule files are UTF-8 (a leading byte-order mark is allowed); the first other byte is shown.",
)
TOO_DEEP = _code(
    "E104",
    "expression nested too deeply",
    "An expression nests more than 100 levels (operators, parentheses, `if`s, operands of "
    "one `and`/`+` chain); split it with `let` definitions.",
)
UNKNOWN_NAME = _code(
    "E201",
    "unknown name",
    "A name, source, function or profile field that is not declared; a close name is hinted.",
)
DUPLICATE = _code(
    "E203",
    "duplicate name",
    "Names in a block, and block names across files, must be unique; a programme has at "
    "most one amount.",
)
RESERVED_NAME = _code(
    "E204", "reserved name", "The name belongs to profile data (company, project, lists)."
)
INCOMPLETE_PROGRAMME = _code(
    "E205",
    "incomplete programme",
    "A programme needs at least one condition; a limit needs an amount.",
)
NAME_IN_USE = _code(
    "E206", "name already in use", "A list variable shadows a name already in scope."
)
PROFILE_NOT_NAMED = _code(
    "E207",
    "profile not named",
    "In a property over two profiles (`profiles a, b`), a name that reads the profile "
    "(a field, a definition, a programme's answer) must say which: `a.company.staff`.",
)
BAD_PROPERTY = _code(
    "E208",
    "property cannot be checked",
    "A property's `profiles` and `differ` do not fit: two profiles need a `differ` of profile "
    "fields or lists (not definitions), and `differ` needs two profiles.",
)
TYPE_MISMATCH = _code(
    "E301",
    "type mismatch",
    "An expression has the wrong type for where it is used (declared type, operator, "
    "argument, condition).",
)
UNKNOWN_VALUE = _code(
    "E302", "value not allowed", "A symbol outside the closed set of values for this field."
)
UNKNOWN_TYPE = _code(
    "E303",
    "unknown type",
    "Types are number money percent months date bool symbol text set.",
)
NOT_CONSTANT = _code(
    "E304", "parameter value not constant", "A parameter version is a constant or `unknown`."
)
NEGATIVE_AMOUNT = _code(
    "E305",
    "negative cap, rate or amount",
    "An amount or limit that is a negative constant, or a percent parameter with a "
    "negative version, once parameters are resolved.",
)
DIVISION_BY_ZERO = _code(
    "E306",
    "division by zero",
    "A division by a constant zero (a literal, or a parameter version that is 0).",
)
TOO_LARGE = _code(
    "E307",
    "constant too large",
    "A constant expression whose value has more than 24 digits (before or after the point).",
)
CYCLE = _code(
    "E401",
    "circular definition",
    "A definition that depends on itself, or a recursive function.",
)
BAD_PERIOD = _code(
    "E501",
    "bad version period",
    "A period ends before it starts, or two versions of a parameter overlap.",
)
NO_VALUE = _code(
    "E502",
    "parameter without a value",
    "A parameter has no version at all, or none on a day a programme using it is valid.",
)
BROKEN_CONTRACT = _code(
    "E503",
    "well-known name missing or mistyped",
    "A block the code relies on lacks a well-known definition or parameter, or declares it "
    "with another kind or type (policy/well_known.py).",
)
MISSING_LABEL = _code(
    "W601", "missing label", "A label is missing in a language; output falls back to the id."
)
MISSING_SOURCE = _code(
    "W602", "missing source", "A parameter, condition or limit cites no legal source."
)
NO_PROGRAMME = _code(
    "W603",
    "property about no programme",
    "A `for every programme with …` property: no programme of the catalogue has that metadata.",
)
UNSATISFIABLE = _code(
    "L701", "unsatisfiable programme", "No profile satisfies all conditions on the day linted."
)
IMPLIED_CONDITION = _code(
    "L702",
    "implied condition",
    "No profile meets all the other conditions and fails this one.",
)
NEVER_FAILS = _code("L703", "condition never fails", "Every profile meets the condition.")
NEVER_MET = _code("L704", "condition never met", "No profile meets the condition.")
VERSION_GAP = _code(
    "L705",
    "gap between parameter versions",
    "Days between two versions no version covers (where a programme is valid: E502).",
)

ZERO_COSTS = _code(
    "L706",
    "eligible with zero eligible costs",
    "A profile whose project has no eligible cost (no line, or lines of 0) is eligible.",
)
ALLOW_WITHOUT_REASON = _code(
    "L707",
    "lint allowance without a reason",
    "A `# lint: allow CODE` comment must say why: `# lint: allow L702 because ...`.",
)


def markdown() -> str:
    """docs/errors.md: one table of every code."""
    lines = [
        "# Diagnostic codes",
        "",
        "<!-- Generated from dsl/codes.py by `python -m dsl.codes > docs/errors.md`;"
        " do not edit. -->",
        "",
        "Rule files, `subsidia validate`, `subsidia lint` and the language server report",
        "problems as `file:line:col: error[CODE]: message`. E codes are errors (exit code 2),",
        "W codes warnings, L codes `subsidia lint` findings (exit code 1). Exit codes:",
        "[cli.md](cli.md).",
        "",
        "| code | kind | title | meaning |",
        "| --- | --- | --- | --- |",
    ]
    for code in sorted(REGISTRY.values()):
        lines.append(f"| {code} | {code.severity} | {code.summary} | {code.explanation} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(markdown())
