"""The `subsidia` command: a thin shell over policy.engine."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dsl.diagnostics import RuleError
from dsl.vocabulary import LANGS
from policy import engine
from policy.cli.args import Exit, arg, command, run
from policy.errors import InputError
from policy.output.check_report import report_json, report_text
from policy.output.textable import terminal

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

BAD_INPUT = 2


def _console(**options: Any) -> Console:
    # rich is imported when something is printed with it: `--json` never needs it, and
    # it is ~0.05 s of a single check.
    from rich.console import Console

    return Console(**options)


def _table(**options: Any) -> Table:
    from rich.table import Table

    return Table(**options)


def _fail(message: str) -> Exit:
    _console(stderr=True, highlight=False, soft_wrap=True).print(message, markup=False)
    return Exit(BAD_INPUT)


def _lang(value: str) -> str:
    if value not in LANGS:
        raise argparse.ArgumentTypeError(f"'{value}' is not one of {', '.join(LANGS)}")
    return value


def _as_of(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _fail(f"--as-of: '{value}' is not a date (YYYY-MM-DD)") from None


RULES = arg(
    "--rules", type=Path, metavar="DIR", help="Rule folder (default: the bundled programmes/)."
)
AS_OF = arg("--as-of", metavar="DATE", help="Evaluation date, YYYY-MM-DD (default today).")
JSON = arg("--json", dest="as_json", action="store_true", help="Print JSON.")
BACKEND_HELP = (
    "Evaluator: direct (default; the compiled rules evaluated in Python), clingo (the "
    "reference answer-set program) or csp (python-constraint). All give the same answers."
)
LANG = arg(
    "--lang",
    default="en",
    type=_lang,
    metavar="{nl,fr,en}",
    help="Label language: nl, fr or en (default en).",
)


@command(
    arg("profile", type=Path, help="Company profile, YAML or JSON."),
    arg("--programme", metavar="ID", help="Check this programme only."),
    AS_OF,
    JSON,
    LANG,
    RULES,
    arg("--backend", default="direct", choices=engine.BACKENDS, help=BACKEND_HELP),
)
def check(
    profile: Path,
    programme: str | None,
    as_of: str | None,
    as_json: bool,
    lang: str,
    rules: Path | None,
    backend: str,
) -> None:
    """Which programmes a company can get, for how much, and why (not)."""
    from policy.inputs.loading import load_profile

    day = _as_of(as_of)
    try:
        cat = engine.catalogue(rules)
        if programme is not None:
            _known_programme(cat, programme)
        from policy.funding.budget import check_record

        loaded = load_profile(profile)
        record = check_record(cat, loaded, day)
        report = engine.check(record, day, programme, rules, backend)
        # With a project and the whole catalogue: the best combination (policy/funding/stacking.py).
        plan = None
        if loaded.project is not None and programme is None:
            from policy.funding.stacking import propose

            plan = propose(report, loaded, rules, lang)
    except InputError as err:
        raise _fail(str(err if err.file else err.with_file(str(profile)))) from None
    except RuleError as err:
        raise _fail(err.render()) from None
    if as_json:
        data = report_json(report)
        if plan is not None:
            from policy.funding.stacking import plan_json

            data["stacking"] = plan_json(plan)
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        width, paint = terminal()
        sys.stdout.write(report_text(report, width, paint, lang))
        if plan is not None:
            from policy.funding.stacking import plan_text

            sys.stdout.write(plan_text(plan, width, paint))


@command(LANG, RULES)
def programmes(lang: str, rules: Path | None) -> None:
    """The programme catalogue."""
    try:
        cat = engine.catalogue(rules)
    except RuleError as err:
        raise _fail(err.render()) from None
    table = _table(title="Programmes")
    table.add_column("id", no_wrap=True)
    for column in ("name", "agency", "regions", "regime", "valid"):
        table.add_column(column)
    for prog in cat.programmes.values():
        table.add_row(
            prog.id,
            prog.labels.get(lang, prog.id),
            ", ".join(prog.meta.get("agency", ())),
            ", ".join(prog.meta.get("regions", ())),
            ", ".join(prog.meta.get("regime", ())),
            str(prog.valid),
        )
    _console().print(table)


@command(arg("paths", type=Path, nargs="+", help="Rule files or folders."))
def validate(paths: list[Path]) -> None:
    """Parse and check rule files; print errors and warnings as file:line:col."""
    from dsl.loader import load_catalogue

    try:
        cat, warnings = load_catalogue(*paths)
    except RuleError as err:
        raise _fail(err.render()) from None
    for warning in warnings:
        print(warning.render(), file=sys.stderr)
    print(
        f"ok: {len(cat.programmes)} programme(s), {len(cat.definitions)} definition(s), "
        f"{len(cat.params)} parameter(s), {len(warnings)} warning(s)"
    )


@command(
    arg("profile", type=Path, help="Company profile, YAML or JSON."),
    arg("--programme", required=True, help="The programme to explain."),
    AS_OF,
    LANG,
    JSON,
)
def explain(profile: Path, programme: str, as_of: str | None, lang: str, as_json: bool) -> None:
    """The decision as a proof tree; for `ineligible`, the smallest changes that fix it."""
    from policy.funding.explain import explain as build
    from policy.funding.explain import explanation_json, explanation_tree
    from policy.inputs.loading import load_profile

    day = _as_of(as_of)
    try:
        cat = engine.catalogue()
        _known_programme(cat, programme)
        record = load_profile(profile).to_record()
        result = build(record, programme, day, lang)
    except InputError as err:
        raise _fail(str(err)) from None
    except RuleError as err:
        raise _fail(err.render()) from None
    if as_json:
        sys.stdout.write(json.dumps(explanation_json(result), indent=2, ensure_ascii=False) + "\n")
    else:
        _console(soft_wrap=False).print(explanation_tree(result))


@command(
    arg("paths", type=Path, nargs="*", help="Case files, rule files or folders."),
    RULES,
    name="test",
)
def test_rules(paths: list[Path], rules: Path | None) -> None:
    """Run the cases beside rule files; show failures and condition coverage."""
    from policy.authoring.testing import gaps, run

    try:
        result = run(paths or [Path(engine.rules_root())], rules)
    except InputError as err:
        raise _fail(str(err)) from None
    except RuleError as err:
        raise _fail(err.render()) from None
    console = _console(highlight=False)
    for outcome in result.failed:
        console.print(outcome.diff, markup=False, style="red")
    table = _table(
        title="Condition coverage (cases that saw each condition met / failed / unknown)"
    )
    for column in ("programme", "condition", "met", "failed", "unknown"):
        table.add_column(
            column, justify="right" if column in ("met", "failed", "unknown") else "left"
        )
    for pid, conditions in result.coverage.items():
        for name, cover in conditions.items():
            style = "" if cover.complete else "yellow"
            table.add_row(
                pid, name, str(cover.met), str(cover.failed), str(cover.unknown), style=style
            )
    console.print(table)
    holes = gaps(result)
    for pid, names in holes.items():
        console.print(f"{pid}: never both met and failed: {', '.join(names)}", style="yellow")
    passed = len(result.outcomes) - len(result.failed)
    console.print(f"{passed} passed, {len(result.failed)} failed")
    if result.failed:
        raise Exit(1)


@command(
    arg("paths", type=Path, nargs="+", help="Rule files or folders to lint."),
    arg("--as-of", metavar="DATE", help="Date for parameter versions, YYYY-MM-DD (default today)."),
    RULES,
)
def lint(paths: list[Path], as_of: str | None, rules: Path | None) -> None:
    """Solver-backed analysis: unsatisfiable programmes, dead conditions, missing labels."""
    from policy.authoring.lint import lint_paths

    day = _as_of(as_of)
    for path in paths:
        if not path.exists():
            raise _fail(f"{path}: no such file or folder")
    try:
        findings, sources = lint_paths(paths, Path(rules or engine.rules_root()), day)
    except RuleError as err:
        raise _fail(err.render()) from None
    for finding in findings:
        print(finding.render(sources))
    print(f"{len(findings)} finding(s)")
    if findings:
        raise Exit(1)


@command(
    arg("paths", type=Path, nargs="+", help="Rule files or folders to format."),
    arg("--check", action="store_true", help="Change nothing; exit 1 if a file would change."),
)
def fmt(paths: list[Path], check: bool) -> None:
    """Rewrite rule files in the canonical layout (each file replaced whole, or not at all)."""
    from dsl.formatter import fmt_paths

    for path in paths:
        if not path.exists():
            raise _fail(f"{path}: no such file or folder")
    changed, errors = fmt_paths(paths, check)
    for path in changed:
        print(f"{'would reformat' if check else 'reformatted'}: {path}")
    if errors:
        raise _fail("\n".join(errors))
    if check and changed:
        raise Exit(1)


@command(
    arg("old", type=Path, help="Old version: a rule file or folder."),
    arg("new", type=Path, help="New version: a rule file or folder."),
    arg("--programme", help="Programme to compare."),
    AS_OF,
    arg("--examples", type=int, default=1, help="Example profiles per kind of change."),
    RULES,
    name="diff",
)
def diff_versions(
    old: Path,
    new: Path,
    programme: str | None,
    as_of: str | None,
    examples: int,
    rules: Path | None,
) -> None:
    """Profiles whose status or amount changes between two versions, with examples."""
    from policy.authoring.diff import diff, render

    day = _as_of(as_of)
    for path in (old, new):
        if not path.exists():
            raise _fail(f"{path}: no such file or folder")
    try:
        pid, differences = diff(
            old, new, programme, day, Path(rules or engine.rules_root()), examples
        )
    except RuleError as err:
        raise _fail(err.render()) from None
    except ValueError as err:
        raise _fail(str(err)) from None
    print(render(pid, day, differences))
    if differences:
        raise Exit(1)


def _known_programme(cat, pid: str) -> None:
    if pid not in cat.programmes:
        import difflib

        close = difflib.get_close_matches(pid, list(cat.programmes), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise _fail(f"unknown programme '{pid}'{hint}")


@command(arg("programme", help="Programme id."), LANG, RULES)
def show(programme: str, lang: str, rules: Path | None) -> None:
    """A programme as readable text: conditions, rates, caps, sources, validity."""
    from rich.markdown import Markdown

    from policy.authoring.describe import programme_markdown

    try:
        cat = engine.catalogue(rules)
    except RuleError as err:
        raise _fail(err.render()) from None
    _known_programme(cat, programme)
    text = programme_markdown(cat, programme, lang)
    if sys.stdout.isatty():
        _console().print(Markdown(text))
    else:
        sys.stdout.write(text)


@command(
    arg("programmes", nargs="+", help="Two or more programme ids."),
    arg("--as-of", metavar="DATE", help="Date for rates and caps, YYYY-MM-DD (default today)."),
    LANG,
    RULES,
)
def compare(programmes: list[str], as_of: str | None, lang: str, rules: Path | None) -> None:
    """Rates, caps, eligible costs and conditions side by side."""
    from policy.authoring.describe import comparison_rows

    day = _as_of(as_of)
    try:
        cat = engine.catalogue(rules)
    except RuleError as err:
        raise _fail(err.render()) from None
    for pid in programmes:
        _known_programme(cat, pid)
    table = _table(show_lines=True)
    table.add_column("")
    for pid in programmes:
        table.add_column(pid)
    for label, cells in comparison_rows(cat, programmes, day, lang):
        table.add_row(label, *cells)
    _console().print(table)


@command(
    arg("--out", type=Path, default=Path("docs/programmes"), help="Folder for the pages."),
    RULES,
)
def docs(out: Path, rules: Path | None) -> None:
    """Regenerate one documentation page per programme."""
    from policy.authoring.describe import write_programme_pages

    try:
        cat = engine.catalogue(rules)
    except RuleError as err:
        raise _fail(err.render()) from None
    for path in write_programme_pages(cat, out):
        print(str(path))


@command(
    arg("project", type=Path, help="Profile with the project, YAML or JSON."),
    arg("--programme", help="Programme (default: the project's programme)."),
    AS_OF,
    JSON,
    LANG,
    RULES,
)
def budget(
    project: Path,
    programme: str | None,
    as_of: str | None,
    as_json: bool,
    lang: str,
    rules: Path | None,
) -> None:
    """Budget template: eligible costs by category, grant, co-financing, payment schedule."""
    from policy.funding.budget import budget_json, budget_table, build
    from policy.inputs.loading import load_profile

    day = _as_of(as_of)
    try:
        cat = engine.catalogue(rules)
        profile = load_profile(project)
        if profile.project is None:
            raise InputError("project", "required for a budget", str(project))
        pid = programme or profile.project.programme
        if pid is None:
            raise InputError("project.programme", "required, or give --programme", str(project))
        _known_programme(cat, pid)
        result = build(profile, pid, day, rules, lang)
    except InputError as err:
        raise _fail(str(err if err.file else err.with_file(str(project)))) from None
    except RuleError as err:
        raise _fail(err.render()) from None
    if as_json:
        text = json.dumps(budget_json(result, lang), indent=2, ensure_ascii=False)
        sys.stdout.write(text + "\n")
    else:
        _console(soft_wrap=False).print(budget_table(result, lang))


@command(
    arg("scenario", type=Path, help="Planning scenario, YAML or JSON."),
    JSON,
    arg("--alternatives", type=int, default=2, help="How many next-best consortia to show."),
    RULES,
)
def plan(scenario: Path, as_json: bool, alternatives: int, rules: Path | None) -> None:
    """The consortium and work split that maximise the funding, proven optimal."""
    from policy.inputs.scenario import load_scenario
    from policy.output.plan_report import plan_json, plan_table
    from policy.planner.consortium import plan as build

    if alternatives < 0:
        raise _fail("--alternatives: must not be negative")
    status = _console(stderr=True)
    try:
        loaded = load_scenario(scenario)
        with status.status("planning", spinner="dots") as spinner:
            result = build(loaded, 1 + alternatives, rules, lambda m: spinner.update(m))
    except InputError as err:
        raise _fail(str(err)) from None
    except RuleError as err:
        raise _fail(err.render()) from None
    if as_json:
        sys.stdout.write(json.dumps(plan_json(result), indent=2, ensure_ascii=False) + "\n")
    else:
        # Piped output gets room for the partner table instead of an 80-column squeeze.
        width = None if sys.stdout.isatty() else 140
        _console(soft_wrap=False, width=width).print(plan_table(result))
    if result.status == "infeasible":
        raise Exit(1)


def main(argv: list[str] | None = None) -> int:
    """The console entry point; returns the exit code (0 ok, 1 findings, 2 bad input)."""
    return run(
        "subsidia",
        "Eligibility, amounts and reasons for Belgian public-funding programmes.",
        sys.argv[1:] if argv is None else argv,
    )
