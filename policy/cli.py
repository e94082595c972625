"""The `subsidia` command: a thin shell over policy.engine."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dsl.diagnostics import RuleError
from policy import engine
from policy.errors import InputError
from policy.render import report_json, report_table

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Eligibility, amounts and reasons for Belgian public-funding programmes.",
    pretty_exceptions_enable=False,
)

BAD_INPUT = 2


def _fail(message: str) -> typer.Exit:
    Console(stderr=True, highlight=False, soft_wrap=True).print(message, markup=False)
    return typer.Exit(BAD_INPUT)


def _as_of(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _fail(f"--as-of: '{value}' is not a date (YYYY-MM-DD)") from None


RulesOption = Annotated[
    Path | None,
    typer.Option("--rules", help="Rule folder (default: the bundled programmes/)."),
]


@app.command()
def check(
    profile: Annotated[Path, typer.Argument(help="Company profile, YAML or JSON.")],
    programme: Annotated[str | None, typer.Option(help="Check this programme only.")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Evaluation date, YYYY-MM-DD (default today).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    lang: Annotated[str, typer.Option(help="Label language: nl, fr or en.")] = "en",
    rules: RulesOption = None,
) -> None:
    """Which programmes a company can get, for how much, and why (not)."""
    from policy.loading import load_profile

    day = _as_of(as_of)
    if lang not in ("nl", "fr", "en"):
        raise _fail(f"--lang: '{lang}' is not one of nl, fr, en")
    try:
        cat = engine.catalogue(rules)
        if programme is not None:
            _known_programme(cat, programme)
        from policy.budget import check_record

        loaded = load_profile(profile)
        report = engine.check(check_record(cat, loaded, day), day, programme, rules)
        # With a project and the whole catalogue: the best combination (policy/stacking.py).
        plan = None
        if loaded.project is not None and programme is None:
            from policy.stacking import propose

            plan = propose(report, loaded, rules, lang)
    except InputError as err:
        raise _fail(str(err if err.file else err.with_file(str(profile)))) from None
    except RuleError as err:
        raise _fail(err.render()) from None
    if as_json:
        data = report_json(report)
        if plan is not None:
            from policy.stacking import plan_json

            data["stacking"] = plan_json(plan)
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        Console(soft_wrap=False).print(report_table(report, lang))
        if plan is not None:
            from policy.stacking import plan_table

            Console(soft_wrap=False).print(plan_table(plan))


@app.command()
def programmes(
    lang: Annotated[str, typer.Option(help="Label language: nl, fr or en.")] = "en",
    rules: RulesOption = None,
) -> None:
    """The programme catalogue."""
    try:
        cat = engine.catalogue(rules)
    except RuleError as err:
        raise _fail(err.render()) from None
    table = Table(title="Programmes")
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
    Console().print(table)


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Rule files or folders.")],
) -> None:
    """Parse and check rule files; print errors and warnings as file:line:col."""
    from dsl.loader import load_catalogue

    try:
        cat, warnings = load_catalogue(*paths)
    except RuleError as err:
        raise _fail(err.render()) from None
    for warning in warnings:
        typer.echo(warning.render(), err=True)
    typer.echo(
        f"ok: {len(cat.programmes)} programme(s), {len(cat.definitions)} definition(s), "
        f"{len(cat.params)} parameter(s), {len(warnings)} warning(s)"
    )


@app.command()
def explain(
    profile: Annotated[Path, typer.Argument(help="Company profile, YAML or JSON.")],
    programme: Annotated[str, typer.Option(help="The programme to explain.")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Evaluation date, YYYY-MM-DD (default today).")
    ] = None,
    lang: Annotated[str, typer.Option(help="Label language: nl, fr or en.")] = "en",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The decision as a proof tree; for `ineligible`, the smallest changes that fix it."""
    from policy.explain import explain as build
    from policy.explain import explanation_json
    from policy.loading import load_profile
    from policy.render import explanation_tree

    day = _as_of(as_of)
    if lang not in ("nl", "fr", "en"):
        raise _fail(f"--lang: '{lang}' is not one of nl, fr, en")
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
        Console(soft_wrap=False).print(explanation_tree(result))


@app.command("test")
def test_rules(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Case files, rule files or folders.")
    ] = None,
    rules: RulesOption = None,
) -> None:
    """Run the cases beside rule files; show failures and condition coverage."""
    from policy.testing import gaps, run

    try:
        result = run(paths or [Path(engine.rules_root())], rules)
    except InputError as err:
        raise _fail(str(err)) from None
    except RuleError as err:
        raise _fail(err.render()) from None
    console = Console(highlight=False)
    for outcome in result.failed:
        console.print(outcome.diff, markup=False, style="red")
    table = Table(title="Condition coverage (cases that saw each condition met / failed / unknown)")
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
        raise typer.Exit(1)


@app.command()
def lint(
    paths: Annotated[list[Path], typer.Argument(help="Rule files or folders to lint.")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date for parameter versions (default today).")
    ] = None,
    rules: RulesOption = None,
) -> None:
    """Solver-backed analysis: unsatisfiable programmes, dead conditions, missing labels."""
    from policy.lint import lint_paths

    day = _as_of(as_of)
    for path in paths:
        if not path.exists():
            raise _fail(f"{path}: no such file or folder")
    try:
        findings, sources = lint_paths(paths, Path(rules or engine.rules_root()), day)
    except RuleError as err:
        raise _fail(err.render()) from None
    for finding in findings:
        typer.echo(finding.render(sources))
    typer.echo(f"{len(findings)} finding(s)")
    if findings:
        raise typer.Exit(1)


@app.command("fmt")
def fmt(
    paths: Annotated[list[Path], typer.Argument(help="Rule files or folders to format.")],
    check: Annotated[
        bool, typer.Option("--check", help="Change nothing; exit 1 if a file would change.")
    ] = False,
) -> None:
    """Rewrite rule files in the canonical layout (each file replaced whole, or not at all)."""
    from dsl.formatter import fmt_paths

    for path in paths:
        if not path.exists():
            raise _fail(f"{path}: no such file or folder")
    changed, errors = fmt_paths(paths, check)
    for path in changed:
        typer.echo(f"{'would reformat' if check else 'reformatted'}: {path}")
    if errors:
        raise _fail("\n".join(errors))
    if check and changed:
        raise typer.Exit(1)


@app.command("diff")
def diff_versions(
    old: Annotated[Path, typer.Argument(help="Old version: a rule file or folder.")],
    new: Annotated[Path, typer.Argument(help="New version: a rule file or folder.")],
    programme: Annotated[str | None, typer.Option(help="Programme to compare.")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Evaluation date (default today).")
    ] = None,
    examples: Annotated[int, typer.Option(help="Example profiles per kind of change.")] = 1,
    rules: RulesOption = None,
) -> None:
    """Profiles whose status or amount changes between two versions, with examples."""
    from policy.diff import diff, render

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
    typer.echo(render(pid, day, differences))
    if differences:
        raise typer.Exit(1)


def _known_programme(cat, pid: str) -> None:
    if pid not in cat.programmes:
        import difflib

        close = difflib.get_close_matches(pid, list(cat.programmes), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise _fail(f"unknown programme '{pid}'{hint}")


@app.command()
def show(
    programme: Annotated[str, typer.Argument(help="Programme id.")],
    lang: Annotated[str, typer.Option(help="Label language: nl, fr or en.")] = "en",
    rules: RulesOption = None,
) -> None:
    """A programme as readable text: conditions, rates, caps, sources, validity."""
    from rich.markdown import Markdown

    from policy.describe import programme_markdown

    if lang not in ("nl", "fr", "en"):
        raise _fail(f"--lang: '{lang}' is not one of nl, fr, en")
    try:
        cat = engine.catalogue(rules)
    except RuleError as err:
        raise _fail(err.render()) from None
    _known_programme(cat, programme)
    text = programme_markdown(cat, programme, lang)
    if sys.stdout.isatty():
        Console().print(Markdown(text))
    else:
        sys.stdout.write(text)


@app.command()
def compare(
    programmes: Annotated[list[str], typer.Argument(help="Two or more programme ids.")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date for rates and caps (default today).")
    ] = None,
    lang: Annotated[str, typer.Option(help="Label language: nl, fr or en.")] = "en",
    rules: RulesOption = None,
) -> None:
    """Rates, caps, eligible costs and conditions side by side."""
    from policy.describe import comparison_rows

    day = _as_of(as_of)
    try:
        cat = engine.catalogue(rules)
    except RuleError as err:
        raise _fail(err.render()) from None
    for pid in programmes:
        _known_programme(cat, pid)
    table = Table(show_lines=True)
    table.add_column("")
    for pid in programmes:
        table.add_column(pid)
    for label, cells in comparison_rows(cat, programmes, day, lang):
        table.add_row(label, *cells)
    Console().print(table)


@app.command()
def docs(
    out: Annotated[Path, typer.Option(help="Folder for the pages.")] = Path("docs/programmes"),
    rules: RulesOption = None,
) -> None:
    """Regenerate one documentation page per programme."""
    from policy.describe import write_programme_pages

    try:
        cat = engine.catalogue(rules)
    except RuleError as err:
        raise _fail(err.render()) from None
    for path in write_programme_pages(cat, out):
        typer.echo(str(path))


@app.command()
def budget(
    project: Annotated[Path, typer.Argument(help="Profile with the project, YAML or JSON.")],
    programme: Annotated[
        str | None, typer.Option(help="Programme (default: the project's programme).")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Evaluation date, YYYY-MM-DD (default today).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    lang: Annotated[str, typer.Option(help="Label language: nl, fr or en.")] = "en",
    rules: RulesOption = None,
) -> None:
    """Budget template: eligible costs by category, grant, co-financing, payment schedule."""
    from policy.budget import budget_json, budget_table, build
    from policy.loading import load_profile

    day = _as_of(as_of)
    if lang not in ("nl", "fr", "en"):
        raise _fail(f"--lang: '{lang}' is not one of nl, fr, en")
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
        Console(soft_wrap=False).print(budget_table(result, lang))


@app.command()
def plan(
    scenario: Annotated[Path, typer.Argument(help="Planning scenario, YAML or JSON.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    alternatives: Annotated[
        int, typer.Option("--alternatives", help="How many next-best consortia to show.")
    ] = 2,
    rules: RulesOption = None,
) -> None:
    """The consortium and work split that maximise the funding, proven optimal."""
    from policy.plan import plan as build
    from policy.plan_render import plan_json, plan_table
    from policy.scenario import load_scenario

    if alternatives < 0:
        raise _fail("--alternatives: must not be negative")
    status = Console(stderr=True)
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
        Console(soft_wrap=False, width=width).print(plan_table(result))
    if result.status == "infeasible":
        raise typer.Exit(1)


def main() -> None:
    app()
