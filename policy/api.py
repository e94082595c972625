"""The Python API behind `import policy`: check, screen, explain, budget and plan.

The command line and the HTTP service call these functions and nothing below them, so
an answer in Python and on the command line can only differ in how it is printed: every
report's `as_json()` is the document `subsidia … --json` prints, `as_text()` its table.

Every profile becomes an engine record through one function, `profile_record`: the
project's cost lines at their eligible cost under the shared budget rules (recoverable
VAT out, lines before the project start out, personnel costed from salaries;
`policy/funding/budget.py`). Nothing else turns a profile into a record for an answer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from dsl.errors import N_
from policy.errors import InputError
from policy.reports import (
    BudgetReport,
    CatalogueReport,
    CheckReport,
    ExplainReport,
    PlanReport,
    QuizReport,
)

if TYPE_CHECKING:
    from dsl import ir
    from policy.inputs.profile import Profile
    from policy.inputs.scenario import LoadedScenario
    from policy.screening.cluster import ClusterOptions
    from policy.screening.run import ScreenSummary
    from policy.screening.tables import TableSpec
    from solver.record import InputRecord

    # What the functions accept (annotations only: these names load lazily).
    ProfileInput = str | Path | Mapping[str, object] | Profile
    ScenarioInput = str | Path | Mapping[str, object] | LoadedScenario
    Rules = str | Path | None

# Screening checks this many profiles per engine call: one grounding (clingo) or one
# pass (direct) for the batch, while the iterator still yields as it goes.
BATCH = 256
# The vector backend pays a fixed cost per call (about a thousand polars operations,
# ~0.7 s of CPU for the whole catalogue) and little per profile: it wants large batches.
VECTOR_BATCH = 10_000


def load_profile(profile: ProfileInput) -> Profile:
    """A validated `Profile` from a file path (YAML or JSON), a mapping in the profile
    format (as `json.load` gives it), or a `Profile` (returned as is)."""
    from policy.inputs.loading import load_profile as load_file
    from policy.inputs.loading import parse_profile
    from policy.inputs.profile import Profile

    if isinstance(profile, Profile):
        return profile
    if isinstance(profile, Mapping):
        return parse_profile(dict(profile))
    if isinstance(profile, str | Path):
        return load_file(profile)
    raise TypeError(f"a profile is a path, a mapping or a Profile, not {type(profile).__name__}")


def load_scenario(scenario: ScenarioInput) -> LoadedScenario:
    """A validated planning scenario, its partners' profiles loaded, from a file path, a
    mapping (partner profile paths relative to the working folder) or a `LoadedScenario`."""
    from policy.inputs.scenario import LoadedScenario, parse_scenario
    from policy.inputs.scenario import load_scenario as load_file

    if isinstance(scenario, LoadedScenario):
        return scenario
    if isinstance(scenario, Mapping):
        return parse_scenario(dict(scenario), base=Path.cwd())
    if isinstance(scenario, str | Path):
        return load_file(scenario)
    raise TypeError(
        f"a scenario is a path, a mapping or a LoadedScenario, not {type(scenario).__name__}"
    )


def profile_record(cat: ir.Catalogue, profile: Profile, as_of: dt.date) -> InputRecord:
    """The engine record of a profile at a date, costing included: THE profile → record
    path of every answer (check, screening, explain)."""
    from policy.funding.budget import check_record

    return check_record(cat, profile, as_of)


def check(
    profile: ProfileInput,
    as_of: dt.date | None = None,
    programmes: str | Iterable[str] | None = None,
    lang: str = "en",
    rules: Rules = None,
    backend: str = "direct",
) -> CheckReport:
    """Which programmes a company can get, for how much, and why (not).

    `programmes`: one id or several (default: the whole catalogue; then, with a project,
    the report also proposes the best combination under the cumulation rules).
    """
    return next(check_many([profile], as_of, programmes, lang, rules, backend))


def check_many(
    profiles: Iterable[ProfileInput],
    as_of: dt.date | None = None,
    programmes: str | Iterable[str] | None = None,
    lang: str = "en",
    rules: Rules = None,
    backend: str = "direct",
) -> Iterator[CheckReport]:
    """`check` for many profiles, lazily, in order: for screening. Profiles are checked
    in batches of `BATCH` per engine call; a profile that cannot be read raises its
    `InputError` (naming the file) when its batch is reached."""
    from policy import engine

    day = as_of or dt.date.today()
    cat = engine.catalogue(rules)
    wanted = _programmes(cat, programmes)
    batch: list[tuple[Profile, InputRecord]] = []
    size = VECTOR_BATCH if backend == "vector" else BATCH
    for item in profiles:
        loaded = _attributed(load_profile, item)
        batch.append((loaded, _attributed(lambda p: profile_record(cat, p, day), item, loaded)))
        if len(batch) == size:
            yield from _checked(batch, day, wanted, lang, rules, backend)
            batch = []
    if batch:
        yield from _checked(batch, day, wanted, lang, rules, backend)


SCREEN_BACKENDS = ("vector", "direct")


def screen(
    source: str | Path,
    out: str | Path,
    as_of: dt.date | None = None,
    programmes: str | Iterable[str] | None = None,
    rules: Rules = None,
    workers: int | None = None,
    errors: str | Path | None = None,
    mapping: str | Path | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    dask: bool = False,
    scheduler: str | None = None,
    tables: Mapping[str, str | Path] | None = None,
    backend: str = "vector",
) -> ScreenSummary:
    """Screen every company of a table (`.csv`, `.parquet`, `.xlsx`) or JSON Lines file
    into `out` (the same formats): one row per company × programme with status, amount
    and missing fields, as `check` answers them. Rows that fail validation go to `errors`
    (row, field path, message) and do not stop the run; `workers` processes (default:
    every core) check chunks of rows; `progress(rows done, total or None)` is told as it
    goes; `backend` is "vector" (polars columns, the default) or "direct". Both files are
    written atomically. With `dask` (or a `scheduler` address) the rows are screened on
    Dask, on that scheduler or on a LocalCluster of `workers` processes; the input is then
    a Parquet file or a folder of them. `tables` maps lists of records (`company.accounts`)
    to separate tables joined on `company.id`. docs/screening.md."""
    from policy import engine
    from policy.screening.run import CHUNK_ROWS, run_screen
    from policy.screening.work import Settings

    cat = engine.catalogue(rules)
    # Every programme by name, so that no combination is proposed (screening reports
    # each programme's own answer).
    wanted = _programmes(cat, programmes) or list(cat.programmes)
    if workers is not None and workers < 1:
        raise InputError("workers", N_("must be at least 1"))
    folder = None if rules is None else str(rules)
    if backend not in SCREEN_BACKENDS:
        raise InputError("backend", N_("must be one of {names}", names=", ".join(SCREEN_BACKENDS)))
    settings = Settings(as_of or dt.date.today(), tuple(wanted), folder, backend)
    return run_screen(
        Path(source),
        Path(out),
        settings,
        workers=workers,
        errors=None if errors is None else Path(errors),
        mapping=None if mapping is None else Path(mapping),
        progress=progress,
        cluster=_cluster(dask, scheduler, workers),
        tables=_tables(tables),
        chunk_rows=VECTOR_BATCH if backend == "vector" else CHUNK_ROWS,
    )


def _tables(tables: Mapping[str, str | Path] | None) -> list[TableSpec]:
    from policy.screening.tables import parse_table

    return [parse_table(f"{path}={file}") for path, file in (tables or {}).items()]


def _cluster(dask: bool, scheduler: str | None, workers: int | None) -> ClusterOptions | None:
    from policy.screening.cluster import ClusterOptions

    if not dask and scheduler is None:
        return None
    return ClusterOptions(scheduler.strip() if scheduler else None, workers)


def screened_profile(
    source: str | Path,
    company_id: str,
    mapping: str | Path | None = None,
    tables: Mapping[str, str | Path] | None = None,
) -> Profile:
    """The profile of one company in a screening input (`screen`'s formats, mapping and
    tables), found by its id: for `explain` on one row of a table (`screen --explain`)."""
    from policy.screening.columns import read_mapping
    from policy.screening.reading import open_reader
    from policy.screening.run import CHUNK_ROWS
    from policy.screening.work import find_profile

    columns = read_mapping(Path(mapping)) if mapping is not None else {}
    reader = open_reader(Path(source), columns, CHUNK_ROWS)
    chunks = reader.chunks()
    if tables:
        from policy.screening.tables import SideTables

        chunks = SideTables(_tables(tables), reader).join(chunks)
    return find_profile(chunks, company_id, str(source))


def import_cbe(folder: str | Path, out: str | Path) -> int:
    """The enterprises of a Crossroads Bank for Enterprises (KBO/BCE) open-data extract
    (the unpacked folder of CSV files) as a screening table in `out` (`.csv`, `.parquet`,
    `.xlsx`, `.jsonl`): id, name, region, legal form, NACE codes, start date, insolvency;
    written atomically. Returns the number of enterprises. docs/screening.md."""
    from policy.screening.cbe import CBE_COLUMNS, cbe_rows
    from policy.screening.writing import open_writer

    writer = open_writer(Path(out), CBE_COLUMNS)
    count = 0
    try:
        for rows in cbe_rows(Path(folder)):
            writer.write(rows)
            count += len(rows)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    return count


def _checked(
    batch: list[tuple[Profile, InputRecord]],
    day: dt.date,
    wanted: list[str] | None,
    lang: str,
    rules: Rules,
    backend: str,
) -> Iterator[CheckReport]:
    from policy import engine

    answers = engine.check_records([r for _, r in batch], day, wanted, rules, backend)
    for (loaded, _), answer in zip(batch, answers, strict=True):
        stacking = None
        if loaded.project is not None and wanted is None:
            from policy.funding.stacking import propose

            stacking = propose(answer, loaded, rules, lang)
        yield CheckReport(answer, stacking, lang)


def explain(
    profile: ProfileInput,
    programme: str,
    as_of: dt.date | None = None,
    lang: str = "en",
    rules: Rules = None,
    counterfactuals: int = 3,
) -> ExplainReport:
    """One programme's decision: the deciding conditions, the smallest changes that would
    make an `ineligible` profile eligible, and the proof tree (`ExplainReport.tree`)."""
    from policy import engine
    from policy.funding.explain import explain as build

    day = as_of or dt.date.today()
    cat = engine.catalogue(rules)
    known_programme(cat, programme)
    loaded = _attributed(load_profile, profile)
    record = _attributed(lambda p: profile_record(cat, p, day), profile, loaded)
    return ExplainReport(build(record, programme, day, lang, counterfactuals, rules))


def budget(
    profile: ProfileInput,
    programme: str | None = None,
    as_of: dt.date | None = None,
    lang: str = "en",
    rules: Rules = None,
    backend: str = "direct",
) -> BudgetReport:
    """The budget template of the profile's project for `programme` (default: the
    project's own): eligible costs by category, grant, co-financing, payment schedule."""
    from policy import engine
    from policy.funding.budget import build

    day = as_of or dt.date.today()
    cat = engine.catalogue(rules)
    loaded = _attributed(load_profile, profile)
    if loaded.project is None:
        raise InputError("project", N_("required for a budget"), _file(profile))
    pid = programme or loaded.project.programme
    if pid is None:
        raise InputError("project.programme", N_("required, or give --programme"), _file(profile))
    known_programme(cat, pid)
    result = _attributed(lambda p: build(p, pid, day, rules, lang, backend), profile, loaded)
    return BudgetReport(result, lang)


def plan(
    scenario: ScenarioInput,
    alternatives: int = 2,
    rules: Rules = None,
    progress: Callable[[str], None] | None = None,
    time_limit: float | None = None,
    as_of: dt.date | None = None,
) -> PlanReport:
    """The consortium and work split that maximise the funding, proven optimal, with up
    to `alternatives` next-best consortia. `progress` is told what the planner is doing.
    `as_of` replaces the scenario's evaluation date (rates and caps in force then).

    `time_limit` (seconds, default none) bounds the search end to end: when it runs out,
    the answer is the best plan found with its gap to the bound on the optimum (status
    `feasible`, `proven_optimal` false), or status `timeout` if none was found."""
    from policy.planner.several import plan as build

    if alternatives < 0:
        raise InputError("alternatives", N_("must not be negative"))
    if time_limit is not None and not time_limit > 0:  # `not >`: NaN too
        raise InputError("time_limit", N_("must be a positive number of seconds"))
    loaded = load_scenario(scenario)
    if as_of is not None:
        loaded.scenario = dataclasses.replace(loaded.scenario, as_of=as_of)
    seconds = None if time_limit is None else float(time_limit)
    return PlanReport(build(loaded, 1 + alternatives, rules, progress, seconds))


def quiz(
    answers: Mapping[str, object],
    as_of: dt.date | None = None,
    lang: str = "en",
    rules: Rules = None,
) -> QuizReport:
    """The adaptive quiz's next step: `answers` maps profile field paths
    (`company.region`) to answers in the profile format (None: "I don't know"); the report
    holds the question the undecided programmes need most, weighted by what each may pay
    (None when nothing left can change a status) and the ranking of the answers so far
    (policy/funding/quiz.py)."""
    from policy.funding.quiz import step

    if lang not in _langs():
        raise InputError(
            "lang", N_("'{lang}' is not one of {names}", lang=lang, names=", ".join(_langs()))
        )
    root = str(rules) if rules is not None else None
    return QuizReport(step(answers, as_of or dt.date.today(), lang, root), lang)


def _langs() -> tuple[str, ...]:
    from dsl.vocabulary import LANGS

    return tuple(LANGS)


def programmes(lang: str = "en", rules: Rules = None) -> CatalogueReport:
    """The programme catalogue: id, label, agency, regions, instrument, validity, calls."""
    from policy import engine
    from policy.output.catalogue_report import catalogue_json

    return CatalogueReport(catalogue_json(engine.catalogue(rules), lang), "catalogue")


def programme(pid: str, lang: str = "en", rules: Rules = None) -> CatalogueReport:
    """One programme: its catalogue entry and its readable description (`subsidia show`)."""
    from policy import engine
    from policy.output.catalogue_report import programme_json

    cat = engine.catalogue(rules)
    known_programme(cat, pid)
    return CatalogueReport(programme_json(cat, pid, lang), "programme")


def compare(
    ids: Iterable[str], as_of: dt.date | None = None, lang: str = "en", rules: Rules = None
) -> CatalogueReport:
    """Rates, caps, eligible costs and conditions of programmes side by side."""
    from policy import engine
    from policy.output.catalogue_report import compare_json

    cat = engine.catalogue(rules)
    wanted = list(ids)
    for pid in wanted:
        known_programme(cat, pid)
    return CatalogueReport(compare_json(cat, wanted, as_of or dt.date.today(), lang), "compare")


def known_programme(cat: ir.Catalogue, pid: str) -> None:
    """Raise an `InputError` for a programme id the catalogue does not have."""
    if pid not in cat.programmes:
        import difflib

        close = difflib.get_close_matches(pid, list(cat.programmes), n=1)
        hint = N_("; did you mean '{close}'?", close=close[0]) if close else ""
        raise InputError("", N_("unknown programme '{pid}'{hint}", pid=pid, hint=hint))


def _programmes(cat: ir.Catalogue, programmes: str | Iterable[str] | None) -> list[str] | None:
    if programmes is None:
        return None
    wanted = [programmes] if isinstance(programmes, str) else list(programmes)
    for pid in wanted:
        known_programme(cat, pid)
    return wanted or None


def _file(profile: object) -> str | None:
    return str(profile) if isinstance(profile, str | Path) else None


def _attributed(step: Callable, source: object, *args: object):
    """Run `step(*args or source)`; an `InputError` it raises names the source file."""
    try:
        return step(*(args or (source,)))
    except InputError as err:
        if err.file or _file(source) is None:
            raise
        raise err.with_file(_file(source)) from None
