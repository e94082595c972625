"""The `subsidia` command: a thin shell over the facade (`import policy`, policy/api.py)."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import policy
from dsl.dates import DateProblem, OutOfRange, parse_date
from dsl.errors import N_
from dsl.vocabulary import LANGS
from policy import engine
from policy.cli import language
from policy.cli.args import Exit, arg, command, run
from policy.cli.exit_codes import FINDINGS, PIPE_CLOSED
from policy.errors import UsageError
from policy.output.formatting import Formatter, _, formatter

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table


def _console(**options: Any) -> Console:
    # rich is imported when something is printed with it: `--json` never needs it.
    from policy.output.console import console

    return console(**options)


def _table(**options: Any) -> Table:
    from rich.table import Table

    return Table(**options)


def _fail(message: str) -> UsageError:
    # Raised, not printed: the one handler in policy.cli.args.run prints it and sets the code.
    return UsageError(message)


def _lang(value: str) -> str:
    if value not in LANGS:
        raise argparse.ArgumentTypeError(
            language.text(N_("'{lang}' is not one of {names}", lang=value, names=", ".join(LANGS)))
        )
    return value


def _as_of(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return parse_date(value)  # one format and range for every date (dsl/dates.py)
    except OutOfRange as problem:
        raise _fail(N_("--as-of: {problem}", problem=problem.message)) from None
    except DateProblem:
        raise _fail(N_("--as-of: '{value}' is not a date (YYYY-MM-DD)", value=value)) from None


RULES = arg(
    "--rules",
    type=Path,
    metavar=_("DIR"),
    help=_("Rule folder (default: the bundled programmes/)."),
)
AS_OF = arg("--as-of", metavar=_("DATE"), help=_("Evaluation date, YYYY-MM-DD (default today)."))
JSON = arg("--json", dest="as_json", action="store_true", help=_("Print JSON."))
BACKEND_HELP = _(
    "Evaluator: direct (default; the compiled rules evaluated in Python), clingo (the "
    "reference answer-set program) or csp (python-constraint). All give the same answers."
)
LANG = arg(
    "--lang",
    default="en",
    type=_lang,
    metavar="{nl,fr,en}",
    help=_(
        "Output language: nl, fr or en (default: SUBSIDIA_LANG, else en): labels, headers, "
        "numbers, dates, messages."
    ),
)


@command(
    arg("profile", metavar=_("PROFILE"), type=Path, help=_("Company profile, YAML or JSON.")),
    arg("--programme", metavar=_("ID"), help=_("Check this programme only.")),
    AS_OF,
    JSON,
    arg(
        "--full",
        action="store_true",
        help=_("With --json: every condition with its sources and every parameter version."),
    ),
    LANG,
    RULES,
    arg("--backend", default="direct", choices=engine.BACKENDS, help=BACKEND_HELP),
    arg("--verbose", action="store_true", help=_("Also list the dated rule versions used.")),
    help=_("Which programmes a company can get, for how much, and why (not)."),
)
def check(
    profile: Path,
    programme: str | None,
    as_of: str | None,
    as_json: bool,
    full: bool,
    lang: str,
    rules: Path | None,
    backend: str,
    verbose: bool,
) -> None:
    day = _as_of(as_of)
    report = policy.check(profile, day, programme, lang, rules, backend)
    if as_json:
        _print_json(report.as_json(full=full))
    else:
        _console().print(*report.renderables(lang, verbose), sep="\n")


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


@command(JSON, LANG, RULES, help=_("The programme catalogue."))
def programmes(as_json: bool, lang: str, rules: Path | None) -> None:
    report = policy.programmes(lang, rules)
    if as_json:
        _print_json(report.as_json())
    else:
        _console().print(report.renderable())


@command(
    arg("paths", metavar=_("PATH"), type=Path, nargs="+", help=_("Rule files or folders.")),
    LANG,
    help=_("Parse and check rule files; print errors and warnings as file:line:col."),
)
def validate(paths: list[Path], lang: str) -> None:
    from dsl.loader import load_catalogue

    cat, warnings = load_catalogue(*paths)
    lookup = formatter(lang).lookup
    for warning in warnings:
        print(warning.render(lookup=lookup), file=sys.stderr)
    summary = formatter(lang).gettext(
        "ok: {programmes} programme(s), {definitions} definition(s), {params} parameter(s), "
        "{warnings} warning(s)",
        programmes=len(cat.programmes),
        definitions=len(cat.definitions),
        params=len(cat.params),
        warnings=len(warnings),
    )
    print(summary)


@command(
    arg("profile", metavar=_("PROFILE"), type=Path, help=_("Company profile, YAML or JSON.")),
    arg("--programme", required=True, metavar=_("ID"), help=_("The programme to explain.")),
    AS_OF,
    LANG,
    JSON,
    arg("--tree", action="store_true", help=_("Also the proof tree of every condition.")),
    RULES,
    help=_(
        "Why a programme says yes or no.\nThe deciding conditions and, for `ineligible`, the "
        "smallest changes that fix it; the proof tree with --tree."
    ),
)
def explain(
    profile: Path,
    programme: str,
    as_of: str | None,
    lang: str,
    as_json: bool,
    tree: bool,
    rules: Path | None,
) -> None:
    day = _as_of(as_of)
    report = policy.explain(profile, programme, day, lang, rules)
    if as_json:
        _print_json(report.as_json(tree=tree))
    else:
        _console(soft_wrap=False).print(report.renderable(tree))


@command(
    arg(
        "paths",
        metavar=_("PATH"),
        type=Path,
        nargs="*",
        help=_("Case files, rule files or folders."),
    ),
    JSON,
    arg("--junit", type=Path, metavar=_("FILE"), help=_("Also write the results as JUnit XML.")),
    arg(
        "-k",
        dest="select",
        metavar=_("PATTERN"),
        help=_(
            "Only cases and properties whose <programme>.<name> matches: words as substrings, "
            "with and, or, not and parentheses (as pytest -k)."
        ),
    ),
    arg(
        "--update",
        action="store_true",
        help=_(
            "Rewrite the expected values of failing cases in their files (review with git diff)."
        ),
    ),
    arg(
        "--backend",
        default="direct",
        choices=("direct", "clingo"),
        help=_("Evaluator: direct (default) or clingo (the reference answer-set program)."),
    ),
    LANG,
    RULES,
    name="test",
    help=_("Run the cases and the properties of the rules; show failures and condition coverage."),
)
def test_rules(
    paths: list[Path],
    as_json: bool,
    junit: Path | None,
    select: str | None,
    update: bool,
    backend: str,
    lang: str,
    rules: Path | None,
) -> None:
    from policy.authoring.properties import check_properties, properties_text
    from policy.authoring.testing import as_json as run_json
    from policy.authoring.testing import (
        junit_xml,
        rules_under_test,
        run,
        selector,
        write_atomically,
    )

    for path in paths:
        if not path.exists():
            raise _fail(N_("{path}: no such file or folder", path=str(path)))
    if junit is not None and junit.is_dir():
        raise _fail(N_("{option}: {path} is a folder", option="--junit", path=str(junit)))
    with _test_progress(formatter(lang)) as progress:
        # The properties of the same rules the cases run against: a folder's own rule files
        # over the bundled blocks (checked afresh), or a rules root (answers cached on disk
        # per rule files, date and checker). Those not cached are checked in worker
        # processes while this one runs the cases.
        override, root, _ = rules_under_test(paths, rules)
        runs: list[Any] = []

        def cases() -> None:
            runs.append(
                run(
                    paths or [Path(engine.rules_root())],
                    rules,
                    select=select,
                    backend=backend,
                    progress=progress,
                    require_match=False,  # `-k` may choose properties only: checked below
                )
            )

        properties = check_properties(
            override if override is not None else root,
            paths=paths or [root],
            select=selector(select) if select else None,
            meanwhile=cases,
        )
        result = runs[0]
    if select and not result.outcomes and not properties:
        raise _fail(
            N_(
                "-k: no case or property matches {pattern} ({count} deselected)",
                pattern=repr(select),
                count=result.deselected,
            )
        )
    updated: list[str] = []
    if update and result.failed:
        from policy.authoring.update import update_case_files

        updated = update_case_files(result.failed)
    if junit is not None:
        write_atomically(junit, junit_xml(result), "--junit")
    if as_json:
        _print_json(
            {
                "cases": run_json(result) | {"updated": updated},
                "properties": [p.as_json() for p in properties],
            }
        )
    else:
        text = properties_text(properties, lang) if properties else ""
        _print_test_run(result, updated, text, lang)
    violated = any(p.status == "violated" for p in properties)
    if (result.failed and not updated) or violated:
        raise Exit(FINDINGS)


def _print_test_run(result: Any, updated: list[str], properties: str, lang: str) -> None:
    from policy.authoring.testing import gaps

    f = formatter(lang)
    console = _console(highlight=False)
    console.print(
        f.gettext("rules: {rules}", rules=f.text(result.rules)), markup=False, soft_wrap=True
    )
    for outcome in result.failed:
        console.print(outcome.diff, markup=False, style="red")
    table = _table(
        title=f.gettext("Condition coverage (cases that saw each condition met / failed / unknown)")
    )
    headers = {
        "programme": f.gettext("programme"),
        "condition": f.gettext("condition"),
        "met": f.gettext("met"),
        "failed": f.gettext("failed"),
        "unknown": f.gettext("unknown"),
    }
    for column, header in headers.items():
        table.add_column(
            header, justify="right" if column in ("met", "failed", "unknown") else "left"
        )
    for pid, conditions in result.coverage.items():
        for name, cover in conditions.items():
            style = "" if cover.complete else "yellow"
            table.add_row(
                pid, name, str(cover.met), str(cover.failed), str(cover.unknown), style=style
            )
    console.print(table)
    for pid, names in gaps(result).items():
        console.print(
            f.gettext(
                "{programme}: never both met and failed: {conditions}",
                programme=pid,
                conditions=", ".join(names),
            ),
            style="yellow",
        )
    for path in updated:
        console.print(f.gettext("updated: {path}", path=path), markup=False, soft_wrap=True)
    print(properties, end="")
    # Whole sentences per combination, so each language orders its own words.
    counts = {"passed": result.passed, "failed": len(result.failed)}
    if result.deselected:
        summary = f.gettext(
            "{passed} passed, {failed} failed, {deselected} deselected",
            deselected=result.deselected,
            **counts,
        )
    else:
        summary = f.gettext("{passed} passed, {failed} failed", **counts)
    if updated:
        summary += f.gettext(
            "; expectations rewritten in {count} file(s), review with git diff",
            count=len(updated),
        )
    console.print(summary, markup=False)


@contextlib.contextmanager
def _test_progress(f: Formatter) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr while the cases run, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn(f.gettext("cases"), markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        console=_console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("cases", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


@command(
    arg("paths", metavar=_("PATH"), type=Path, nargs="+", help=_("Rule files or folders to lint.")),
    arg(
        "--as-of",
        metavar=_("DATE"),
        help=_("Date for parameter versions, YYYY-MM-DD (default today)."),
    ),
    JSON,
    LANG,
    RULES,
    help=_(
        "Solver-backed analysis: unsatisfiable programmes, dead conditions, missing labels.\n"
        "A finding is allowed by a comment on its line or above it in the rule file: "
        "`# lint: allow L702 because <reason>`."
    ),
)
def lint(
    paths: list[Path], as_of: str | None, as_json: bool, lang: str, rules: Path | None
) -> None:
    from policy.authoring.lint import lint_json, lint_run

    day = _as_of(as_of)
    for path in paths:
        if not path.exists():
            raise _fail(N_("{path}: no such file or folder", path=str(path)))
    result = lint_run(paths, Path(rules or engine.rules_root()), day)
    if as_json:
        _print_json(lint_json(result))  # stable English: a document for programs
    else:
        f = formatter(lang)
        for finding in result.findings:
            print(finding.render(result.sources, lookup=f.lookup))
            example = result.example(finding)
            if example is not None:
                # As `subsidia test` shows a counterexample: the file to give `subsidia check`.
                print("  " + f.gettext("example (a profile for `subsidia check`):"))
                text = json.dumps(example, indent=2, ensure_ascii=False)
                print("\n".join("    " + row for row in text.splitlines()))
        if result.allowed:
            print(
                f.gettext(
                    "{count} finding(s), {allowed} allowed",
                    count=len(result.findings),
                    allowed=len(result.allowed),
                )
            )
        else:
            print(f.gettext("{count} finding(s)", count=len(result.findings)))
    if result.findings:
        raise Exit(FINDINGS)


@command(
    arg(
        "paths", metavar=_("PATH"), type=Path, nargs="+", help=_("Rule files or folders to format.")
    ),
    arg("--check", action="store_true", help=_("Change nothing; exit 1 if a file would change.")),
    LANG,
    help=_("Rewrite rule files in the canonical layout (each file replaced whole, or not at all)."),
)
def fmt(paths: list[Path], check: bool, lang: str) -> None:
    from dsl.formatter import fmt_paths

    for path in paths:
        if not path.exists():
            raise _fail(N_("{path}: no such file or folder", path=str(path)))
    f = formatter(lang)
    changed, errors = fmt_paths(paths, check, f.lookup)
    for path in changed:
        if check:
            print(f.gettext("would reformat: {path}", path=path))
        else:
            print(f.gettext("reformatted: {path}", path=path))
    if errors:
        # Already in the reader's language: fmt_paths renders each file's error with it.
        raise _fail("\n".join(errors))
    if check and changed:
        raise Exit(FINDINGS)


@command(
    arg("old", metavar=_("OLD"), type=Path, help=_("Old version: a rule file or folder.")),
    arg("new", metavar=_("NEW"), type=Path, help=_("New version: a rule file or folder.")),
    arg("--programme", metavar=_("ID"), help=_("Programme to compare.")),
    AS_OF,
    arg(
        "--examples",
        type=int,
        default=1,
        metavar="N",
        help=_("Example profiles per kind of change."),
    ),
    arg(
        "--time-limit",
        type=float,
        default=None,
        metavar=_("SECONDS"),
        help=_(
            "Stop the search after this long: the examples found; with none, no proof that "
            "no answer changes (exit code 1)."
        ),
    ),
    LANG,
    RULES,
    name="diff",
    help=_("Profiles whose status or amount changes between two versions, with examples."),
)
def diff_versions(
    old: Path,
    new: Path,
    programme: str | None,
    as_of: str | None,
    examples: int,
    time_limit: float | None,
    lang: str,
    rules: Path | None,
) -> None:
    from policy.authoring.diff import diff_within, render

    day = _as_of(as_of)
    for path in (old, new):
        if not path.exists():
            raise _fail(N_("{path}: no such file or folder", path=str(path)))
    if time_limit is not None and not time_limit > 0:
        raise _fail(N_("--time-limit: must be a positive number of seconds"))
    root = Path(rules or engine.rules_root())
    pid, differences, searched = diff_within(old, new, programme, day, root, examples, time_limit)
    print(render(pid, day, differences, lang, searched))
    # An inconclusive search without an example is no answer a script may take as
    # "nothing changes".
    if differences or not searched.conclusive:
        raise Exit(FINDINGS)


@command(
    arg("programme", metavar=_("PROGRAMME"), help=_("Programme id.")),
    JSON,
    LANG,
    RULES,
    help=_("A programme as readable text: conditions, rates, caps, sources, validity."),
)
def show(programme: str, as_json: bool, lang: str, rules: Path | None) -> None:
    report = policy.programme(programme, lang, rules)
    if as_json:
        _print_json(report.as_json())
    elif sys.stdout.isatty():
        _console().print(report.renderable())
    else:
        sys.stdout.write(report.as_json()["text"])


@command(
    arg("programmes", metavar=_("PROGRAMME"), nargs="+", help=_("Two or more programme ids.")),
    arg(
        "--as-of", metavar=_("DATE"), help=_("Date for rates and caps, YYYY-MM-DD (default today).")
    ),
    JSON,
    LANG,
    RULES,
    help=_("Rates, caps, eligible costs and conditions side by side."),
)
def compare(
    programmes: list[str], as_of: str | None, as_json: bool, lang: str, rules: Path | None
) -> None:
    report = policy.compare(programmes, _as_of(as_of), lang, rules)
    if as_json:
        _print_json(report.as_json())
    else:
        _console().print(report.renderable())


@command(
    arg(
        "--out",
        type=Path,
        default=Path("docs/programmes"),
        metavar=_("DIR"),
        help=_("Folder for the pages."),
    ),
    RULES,
    help=_("Regenerate one documentation page per programme."),
)
def docs(out: Path, rules: Path | None) -> None:
    from policy.authoring.describe import write_programme_pages

    if out.exists() and not out.is_dir():
        raise _fail(N_("--out: {out} exists and is not a folder", out=str(out)))
    cat = engine.catalogue(rules)
    try:
        written = write_programme_pages(cat, out)
    except OSError as err:
        raise _fail(
            N_(
                "--out: cannot write to {out}: {reason}",
                out=str(out),
                reason=err.strerror or str(err),
            )
        ) from None
    for path in written:
        print(str(path))


@command(
    arg(
        "project",
        metavar=_("PROJECT"),
        type=Path,
        help=_("Profile with the project, YAML or JSON."),
    ),
    arg("--programme", metavar=_("ID"), help=_("Programme (default: the project's programme).")),
    AS_OF,
    JSON,
    LANG,
    RULES,
    help=_("Budget template: eligible costs by category, grant, co-financing, payment schedule."),
)
def budget(
    project: Path,
    programme: str | None,
    as_of: str | None,
    as_json: bool,
    lang: str,
    rules: Path | None,
) -> None:
    day = _as_of(as_of)
    report = policy.budget(project, programme, day, lang, rules)
    if as_json:
        _print_json(report.as_json())
    else:
        _console(soft_wrap=False).print(report.renderable(lang))


@command(
    arg("scenario", metavar=_("SCENARIO"), type=Path, help=_("Planning scenario, YAML or JSON.")),
    JSON,
    arg(
        "--alternatives",
        type=int,
        default=2,
        metavar="N",
        help=_("How many next-best consortia to show."),
    ),
    arg(
        "--time-limit",
        type=float,
        default=None,
        metavar=_("SECONDS"),
        help=_("Stop the search after this long: the best plan found, with its gap."),
    ),
    arg(
        "--as-of",
        metavar=_("DATE"),
        help=_("Evaluation date, YYYY-MM-DD (default: the scenario's as_of)."),
    ),
    LANG,
    RULES,
    help=_("The consortium and work split that maximise the funding, proven optimal."),
)
def plan(
    scenario: Path,
    as_json: bool,
    alternatives: int,
    time_limit: float | None,
    as_of: str | None,
    lang: str,
    rules: Path | None,
) -> None:
    if alternatives < 0:
        raise _fail(N_("--alternatives: must not be negative"))
    if time_limit is not None and not time_limit > 0:
        raise _fail(N_("--time-limit: must be a positive number of seconds"))
    status = _console(stderr=True)
    with status.status(formatter(lang).gettext("planning"), spinner="dots") as spinner:
        report = policy.plan(
            scenario,
            alternatives,
            rules,
            lambda m: spinner.update(formatter(lang).text(m)),
            time_limit,
            None if as_of is None else _as_of(as_of),
        )
    if as_json:
        _print_json(report.as_json())
    else:
        # Piped output gets room for the partner table instead of an 80-column squeeze.
        width = None if sys.stdout.isatty() else 140
        _console(soft_wrap=False, width=width).print(report.renderable(lang))
    if report.status in ("infeasible", "timeout"):
        raise Exit(FINDINGS)


def _workers(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(
            language.text(N_("'{value}' is not a number of processes (1 or more)", value=value))
        )
    return number


@command(
    arg(
        "source",
        type=Path,
        metavar=_("INPUT"),
        help=_("Companies: .csv, .parquet, .xlsx or .jsonl."),
    ),
    arg(
        "--out",
        type=Path,
        metavar=_("OUTPUT"),
        help=_("Results, one row per company × programme: .csv, .parquet, .xlsx or .jsonl."),
    ),
    AS_OF,
    arg(
        "--programme",
        dest="programmes",
        action="append",
        metavar=_("ID"),
        help=_("Screen this programme (repeat for several; default: all)."),
    ),
    arg("--workers", type=_workers, metavar=_("N"), help=_("Processes (default: every core).")),
    arg(
        "--errors",
        type=Path,
        metavar=_("FILE"),
        help=_("Write rows that fail validation here (row, field, message); same formats."),
    ),
    arg(
        "--mapping",
        type=Path,
        metavar=_("FILE"),
        help=_("YAML or JSON file renaming your column headers to field paths."),
    ),
    arg(
        "--explain",
        metavar=_("COMPANY_ID"),
        help=_("Instead of screening: explain one company's answer for the one --programme."),
    ),
    LANG,
    arg(
        "--backend",
        default="vector",
        choices=("vector", "direct"),
        help=_("vector: chunks of companies as polars columns (default); direct: one at a time."),
    ),
    RULES,
    arg(
        "--dask",
        action="store_true",
        help=_("Screen on Dask: a Parquet file or folder, on a LocalCluster of --workers."),
    ),
    arg(
        "--scheduler",
        metavar=_("ADDRESS"),
        help=_("Screen on the Dask scheduler at this address (implies --dask)."),
    ),
    arg(
        "--table",
        dest="tables",
        action="append",
        metavar=_("LIST=FILE"),
        help=_(
            "A list of records as a table joined on company.id, e.g. "
            "company.accounts=accounts.csv (repeat for several lists)."
        ),
    ),
    help=_("Screen a whole table of companies against the programmes (docs/screening.md)."),
)
def screen(
    source: Path,
    out: Path | None,
    as_of: str | None,
    programmes: list[str] | None,
    workers: int | None,
    errors: Path | None,
    mapping: Path | None,
    explain: str | None,
    lang: str,
    backend: str,
    rules: Path | None,
    dask: bool = False,
    scheduler: str | None = None,
    tables: list[str] | None = None,
) -> None:
    from policy.cli.exit_codes import INTERRUPTED, ROWS_REJECTED
    from policy.cli.screen_progress import progress_display
    from policy.screening.tables import parse_table

    day = _as_of(as_of)
    joined = {t.list_path: t.path for t in map(parse_table, tables or [])}
    if len(joined) < len(tables or []):
        raise _fail(N_("--table: each list of records once"))
    if explain is not None:
        _explain_row(source, explain, programmes, day, mapping, rules, joined, lang)
        return
    if out is None:
        raise _fail(N_("screen: --out OUTPUT is required (or --explain COMPANY_ID)"))
    f = formatter(lang)
    try:
        with progress_display(f) as progress:
            summary = policy.screen(
                source, out, day, programmes, rules, workers, errors, mapping, progress,
                dask=dask, scheduler=scheduler, tables=joined,
                backend=backend,
            )
    except KeyboardInterrupt:
        sys.stderr.write(f.gettext("interrupted: nothing written") + "\n")
        raise Exit(INTERRUPTED) from None
    for rejected in [] if errors else summary.first_errors:
        line = f.gettext(
            "{file}: row {row}: {field}: {problem}",
            file=rejected.file or source,
            row=rejected.row,
            field=rejected.field,
            problem=f.text(rejected.message),
        )
        sys.stderr.write(line + "\n")
    hidden = summary.rejected - len(summary.first_errors)
    if not errors and hidden > 0:
        sys.stderr.write(
            f.gettext("… and {count} more; --errors FILE lists them all", count=hidden) + "\n"
        )
    sys.stderr.write(_screened(f, summary, out, errors) + "\n")
    if summary.rejected:
        raise Exit(ROWS_REJECTED)


def _screened(f: Formatter, summary: Any, out: Path, errors: Path | None) -> str:
    """`screen`'s closing line; whole sentences per case, so each language orders its words."""
    counts = {"screened": summary.screened, "written": summary.written, "out": out}
    if not summary.rejected:
        line = f.gettext("screened {screened} companies: {written} rows in {out}", **counts)
    elif errors is None:
        line = f.gettext(
            "screened {screened} companies: {written} rows in {out}; {rejected} row(s) rejected",
            rejected=summary.rejected,
            **counts,
        )
    else:
        line = f.gettext(
            "screened {screened} companies: {written} rows in {out}; {rejected} row(s) rejected, "
            "listed in {errors}",
            rejected=summary.rejected,
            errors=errors,
            **counts,
        )
    if summary.fallback:
        line += f.gettext(
            "; {count} answer(s) from the direct backend", count=summary.fallback
        )
    return line


def _explain_row(
    source: Path,
    company_id: str,
    programmes: list[str] | None,
    day: dt.date,
    mapping: Path | None,
    rules: Path | None,
    tables: dict[str, Path],
    lang: str,
) -> None:
    """`screen --explain`: the row's profile through `explain`, printed as `explain` does."""
    if not programmes or len(programmes) != 1:
        raise _fail(N_("--explain: give the one programme to explain with --programme ID"))
    profile = policy.screened_profile(source, company_id, mapping, tables)
    report = policy.explain(profile, programmes[0], day, lang, rules)
    _console(soft_wrap=False).print(report.renderable())


@command(
    arg(
        "folder",
        metavar=_("FOLDER"),
        type=Path,
        help=_("The unpacked KBO/BCE open-data extract (its CSV files)."),
    ),
    arg(
        "--out",
        type=Path,
        required=True,
        metavar=_("OUTPUT"),
        help=_("The partial profiles, a table to screen: .csv, .parquet, .xlsx or .jsonl."),
    ),
    LANG,
    name="import-cbe",
    help=_("Crossroads Bank for Enterprises open data as partial profiles (docs/screening.md)."),
)
def import_cbe(folder: Path, out: Path, lang: str) -> None:
    count = policy.import_cbe(folder, out)
    sys.stderr.write(formatter(lang).gettext("{count} enterprises in {out}", count=count, out=out))
    sys.stderr.write("\n")


def main(argv: list[str] | None = None) -> int:
    """The console entry point; returns the exit code (docs/cli.md, policy/cli/exit_codes.py)."""
    # Register `serve`, `lsp` and `completion`; imported here so they are listed last.
    from policy.cli import integration, serve  # noqa: F401

    try:
        code = run(
            "subsidia",
            _("Eligibility, amounts and reasons for Belgian public-funding programmes."),
            sys.argv[1:] if argv is None else argv,
        )
        if not sys.stdout.closed:  # the language server closes its stdio when it exits
            sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
    except BrokenPipeError:
        # `subsidia check x | head -1`: the reader stopped early. No traceback; stdout goes
        # to /dev/null so the interpreter's final flush does not complain a second time.
        # Exit code 1, as rich's console gives for the commands that print through it.
        _silence_stdout()
        return PIPE_CLOSED
    return code


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # stdout is not a file (a test's capture): nothing will flush into a pipe
