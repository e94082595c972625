"""The public Python API: load the rule catalogue, check profiles, get reasons and amounts."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal, localcontext
from fractions import Fraction
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

import solver
from dsl import ir
from dsl.cache import disk_cached
from dsl.diagnostics import Diagnostic
from dsl.loader import catalogue_key, load_catalogue_cached
from policy import well_known
from solver.answer import Answer, ProgrammeAnswer
from solver.record import InputRecord
from solver.versions import UsedVersion

if TYPE_CHECKING:  # the backends load only when asked for: a single check stays fast
    from solver.asp.compile import CompiledProgram
    from solver.native.csp import CspProgram
    from solver.native.direct import DirectProgram
    from solver.vector.program import VectorProgram


def bundled_rules() -> Path:
    """The rule catalogue shipped with the package: programmes/ of a checkout, installed as the
    package `subsidia_programmes` (pyproject.toml), found wherever it was installed."""
    from importlib import resources

    root = resources.files("subsidia_programmes")
    # Rule files are read, hashed and cached as files: a zipped install could not be used.
    if not isinstance(root, Path):
        raise RuntimeError(f"the bundled rules are not in a folder: {root}")
    return root


DEFAULT_RULES = bundled_rules()

# The definitions every check reports (the aggregated SME figures) and the figures it
# also computes, in the same grounding, for combining programmes (policy/funding/
# stacking.py): the de minimis headroom and the cumulation ceilings per cost category.
# Declared, with their types, in policy/well_known.py and checked when a catalogue loads.
SME_EXPORTS = well_known.SME_EXPORTS
HEADROOM = well_known.HEADROOM
CEILING_PREFIX = well_known.CEILING_PREFIX

CONDITION_STATUS = {"yes": "met", "no": "failed"}
UNDEFINED_AMOUNT = "the amount is undefined for this profile (a division by zero)"
# Amounts and limits from 10^24 euro on are not reported (as constants that large are E307).
MAX_AMOUNT = Fraction(10**24)
AMOUNT_TOO_LARGE = "the amount is too large for this profile (10^24 euro or more)"


def report_exports(cat: ir.Catalogue) -> tuple[str, ...]:
    """The definitions a check computes besides the programmes (`CheckReport.values`)."""
    names = [
        *SME_EXPORTS,
        HEADROOM,
        *sorted(q for q in cat.definitions if q.startswith(CEILING_PREFIX)),
    ]
    return tuple(q for q in names if q in cat.definitions)


def rules_root() -> Path:
    return Path(os.environ.get("SUBSIDIA_RULES", DEFAULT_RULES))


@lru_cache(maxsize=8)
def _catalogue(root: str) -> tuple[ir.Catalogue, tuple[Diagnostic, ...]]:
    catalogue, warnings = load_catalogue_cached(root)
    well_known.check(catalogue)
    return catalogue, tuple(warnings)


def catalogue(root: str | Path | None = None) -> ir.Catalogue:
    """The checked catalogue under `root` (default: the bundled programmes/), cached."""
    return _catalogue(str(root or rules_root()))[0]


# The programs compiled from a catalogue are kept on it (`ir.Derived`, at most this many of
# each backend's), so they die with it.
PROGRAMS_KEPT = 32


def _compiled(root: str, as_of: dt.date, programmes: tuple[str, ...] | None) -> CompiledProgram:
    cat = catalogue(root)
    return _program(root, as_of, programmes, report_exports(cat))


def _program(
    root: str, as_of: dt.date, programmes: tuple[str, ...] | None, exports: tuple[str, ...]
) -> CompiledProgram:
    cat = catalogue(root)
    build = partial(_compile, root, cat, as_of, programmes, exports)
    key = (as_of, programmes, exports)
    return cat.derived.get("clingo program", key, build, kept=PROGRAMS_KEPT)


def _compile(
    root: str,
    cat: ir.Catalogue,
    as_of: dt.date,
    programmes: tuple[str, ...] | None,
    exports: tuple[str, ...],
) -> CompiledProgram:
    def build() -> CompiledProgram:
        from solver.asp.compile import compile_programmes

        wanted = list(programmes) if programmes is not None else None
        return compile_programmes(cat, as_of, wanted, list(exports))

    key = catalogue_key(root)
    if key is None:
        return build()
    # A single check compiles for today's date: on disk, the next check that day skips it.
    digest = hashlib.sha256(f"{key}|{as_of}|{programmes}|{exports}".encode())
    for path in sorted(Path(solver.__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return disk_cached(f"program-{digest.hexdigest()[:32]}", build)


def definitions_program(
    as_of: dt.date, names: list[str] | tuple[str, ...], root: str | Path | None = None
) -> CompiledProgram:
    """A program computing only the named definitions (`Answer.exports`), no programme."""
    return _program(str(root or rules_root()), as_of, (), tuple(sorted(names)))


def round_grant(amount: Fraction) -> Decimal:
    """Grants round down to the cent: a beneficiary never gets a cent the rules do not give."""
    cents = (amount * 100).__floor__()
    # Exact at any magnitude: the default context's 28 digits would make `quantize` fail on
    # an amount of 10^26 euro (rules times profile figures of 10^17 can reach it).
    with localcontext() as ctx:
        ctx.prec = max(28, cents.bit_length() * 30103 // 100_000 + 4)
        return (Decimal(cents) / 100).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)


def exact_decimal(value: Fraction) -> str:
    """A figure as a decimal string; exact when it has a finite decimal expansion."""
    if value.denominator == 1:
        return str(value.numerator)
    d = Decimal(value.numerator) / Decimal(value.denominator)
    return format(d.normalize(), "f")


@dataclass(slots=True)
class Reason:
    condition: str
    status: str  # met | failed | unknown
    labels: dict[str, str]
    sources: tuple[ir.Source, ...]
    missing: list[str] = field(default_factory=list)


@dataclass(slots=True)
class LimitResult:
    """A programme's `limit` as answered: its value and whether it cut the grant.

    A limit *binds* when the grant equals it and is below the amount before the limits;
    `reduction` is then what the limits took off (both figures rounded down to the cent).
    When several limits tie at the smallest value, each of them binds.
    """

    name: str
    labels: dict[str, str]
    sources: tuple[ir.Source, ...]
    value: Fraction | None  # None: unknown (e.g. a parameter the sources do not give)
    binding: bool = False
    reduction: Decimal | None = None


@dataclass(slots=True)
class ProgrammeResult:
    programme: str
    labels: dict[str, str]
    status: str  # eligible | ineligible | unknown
    amount: Decimal | None
    reasons: list[Reason]
    missing: list[str]
    versions: list[UsedVersion]
    note: str | None = None  # e.g. not in force at the date
    call: str | None = None  # where the programme works by calls: the open or next one
    # The same facts unworded, for output in other languages: `call_window`'s answer,
    # and the validity of a programme not in force at the date.
    call_window: tuple[str, dt.date | None] | None = None
    valid: ir.Period | None = None
    # With `limit`s: the amount before them (rounded down) and what each limit did.
    amount_before_limits: Decimal | None = None
    limits: list[LimitResult] = field(default_factory=list)


@dataclass(slots=True)
class SmeFigures:
    category: str | None
    staff: Fraction | None
    turnover: Fraction | None
    balance_sheet: Fraction | None


@dataclass(slots=True)
class CheckReport:
    as_of: dt.date
    sme: SmeFigures
    results: list[ProgrammeResult]
    values: dict[str, object] = field(default_factory=dict)  # report_exports' values
    # With the vector backend: how many of this profile's programme answers came from the
    # direct backend instead (a construct or a figure the columns do not take).
    fallback: int = 0


def _direct(root: str, as_of: dt.date, programmes: tuple[str, ...] | None) -> DirectProgram:
    from solver.native.direct import DirectProgram

    cat = catalogue(root)
    exports = list(report_exports(cat))
    wanted = list(programmes) if programmes else None
    build = partial(DirectProgram, cat, as_of, wanted, exports)
    return cat.derived.get("direct program", (as_of, programmes), build, kept=PROGRAMS_KEPT)


def direct_program(root: str | Path | None, as_of: dt.date) -> DirectProgram:
    """The whole catalogue at `as_of` for the direct backend (cached), for callers that
    evaluate many variations of one record (the quiz)."""
    return _direct(str(root or rules_root()), as_of, None)


def _csp(root: str, as_of: dt.date, programmes: tuple[str, ...] | None) -> CspProgram:
    from solver.native.csp import CspProgram

    cat = catalogue(root)
    exports = list(report_exports(cat))
    wanted = list(programmes) if programmes else None
    build = partial(CspProgram, cat, as_of, wanted, exports)
    return cat.derived.get("csp program", (as_of, programmes), build, kept=PROGRAMS_KEPT)


@lru_cache(maxsize=8)
def _vector(root: str, as_of: dt.date, programmes: tuple[str, ...] | None) -> VectorProgram:
    from solver.vector.program import VectorProgram

    cat = catalogue(root)
    exports = list(report_exports(cat))
    wanted = list(programmes) if programmes else None
    return VectorProgram(cat, as_of, wanted, exports, _direct(root, as_of, programmes))


BACKENDS = ("clingo", "direct", "csp", "vector")


def check_records(
    records: list[InputRecord],
    as_of: dt.date,
    programmes: list[str] | None = None,
    root: str | Path | None = None,
    backend: str = "clingo",
) -> list[CheckReport]:
    """Check many profiles in one call; one report per record, in order.

    `backend="clingo"` (default) grounds the compiled ASP program once for all records;
    `backend="direct"` evaluates the same IR in Python, for screening at volume;
    `backend="csp"` solves one python-constraint network per profile and programme
    (solver/native/csp.py); `backend="vector"` evaluates the batch over polars columns
    (solver/vector/), each report's `fallback` counting the programme answers it left to
    the direct backend. All give the same answers (tested differentially).
    """
    cat = catalogue(root)
    program, answers, fallback = _evaluate(records, as_of, programmes, root, backend)
    wanted = programmes or list(cat.programmes)
    calls = _calls(cat, wanted, as_of)
    reports = [_report(cat, program, answer, wanted, as_of, calls) for answer in answers]
    for report, count in zip(reports, fallback, strict=True):
        report.fallback = count
    return reports


def _evaluate(
    records: list[InputRecord],
    as_of: dt.date,
    programmes: list[str] | None,
    root: str | Path | None,
    backend: str,
) -> tuple[CompiledProgram | DirectProgram | CspProgram | VectorProgram, list[Answer], list[int]]:
    """The records' answers on `backend` (its program kept per rules root, date and
    programmes), and per record how many answers the vector backend left to the direct one
    (0 on every other backend)."""
    key = (str(root or rules_root()), as_of, tuple(programmes) if programmes else None)
    program: CompiledProgram | DirectProgram | CspProgram | VectorProgram
    if backend == "vector":
        program = _vector(*key)
        counted = program.evaluate_counted(records)
        return program, counted.answers, counted.fallback
    if backend == "direct":
        program = _direct(*key)
        answers = program.evaluate(records)
    elif backend == "csp":
        program = _csp(*key)
        answers = program.evaluate(records)
    elif backend == "clingo":
        from solver.asp.run import solve  # clingo is loaded only when it is used

        program = _compiled(*key)
        answers = solve(program, records)
    else:
        raise ValueError(f"unknown backend {backend!r}; expected one of {', '.join(BACKENDS)}")
    return program, answers, [0] * len(answers)


def check_catalogue_records(
    cat: ir.Catalogue,
    records: list[InputRecord],
    as_of: dt.date,
    programmes: list[str],
    backend: str = "clingo",
) -> list[CheckReport]:
    """`check_records` against a catalogue given as an object (a folder of rules under
    test, a mutant) instead of a rules root; nothing is memoised."""
    program: CompiledProgram | DirectProgram | CspProgram
    exports = list(report_exports(cat))
    if backend == "direct":
        from solver.native.direct import DirectProgram

        program = DirectProgram(cat, as_of, programmes, exports)
        answers = program.evaluate(records)
    elif backend == "clingo":
        from solver.asp.compile import compile_programmes
        from solver.asp.run import solve

        program = compile_programmes(cat, as_of, programmes, exports)
        answers = solve(program, records)
    else:
        raise ValueError(f"unknown backend {backend!r}; expected direct or clingo")
    calls = _calls(cat, programmes, as_of)
    return [_report(cat, program, answer, programmes, as_of, calls) for answer in answers]


def direct_by_date(
    cat: ir.Catalogue,
    records: list[InputRecord],
    as_of: dt.date,
    programmes: list[str | None],
    names: list[str],
) -> list[tuple[CheckReport | None, dict[str, object]]]:
    """Many records on one date, each for its own programme (or None) and the named
    definitions, in one direct program: the definitions the programmes share (the SME
    definition, de minimis, ...) are resolved once for the date, not once per programme."""
    from solver.native.direct import DirectProgram

    wanted = sorted({p for p in programmes if p is not None})
    exports = sorted(set(report_exports(cat)) | set(names))
    program = DirectProgram(cat, as_of, wanted, exports)
    out: list[tuple[CheckReport | None, dict[str, object]]] = []
    for pid, answer in zip(programmes, program.evaluate(records), strict=True):
        report = None if pid is None else _report(cat, program, answer, [pid], as_of)
        out.append((report, dict(answer.exports)))
    return out


def definition_values(
    cat: ir.Catalogue, records: list[InputRecord], as_of: dt.date, names: list[str], backend: str
) -> list[dict[str, object]]:
    """The named definitions' values for each record (None: unknown), no programme."""
    if backend == "direct":
        from solver.native.direct import DirectProgram

        answers = DirectProgram(cat, as_of, [], names).evaluate(records)
    else:
        from solver.asp.compile import compile_programmes
        from solver.asp.run import solve

        answers = solve(compile_programmes(cat, as_of, [], names), records)
    return [dict(answer.exports) for answer in answers]


def call_window(prog: ir.Programme, day: dt.date) -> tuple[str, dt.date | None] | None:
    """Where the programme works by calls: ("open_until", end), ("open", None),
    ("next_opens", start) or ("none_after", last end); None for continuous submission or
    no known call. Renderers word it per language (policy/output/formatting.py)."""
    if not prog.calls:
        return None
    for window in prog.calls:
        if window.period.contains(day):
            return ("open_until", window.period.end) if window.period.end else ("open", None)
    starts = [w.period.start for w in prog.calls if w.period.start and w.period.start > day]
    if starts:
        return ("next_opens", min(starts))
    last = max((w.period.end for w in prog.calls if w.period.end), default=None)
    return ("none_after", last) if last else None


_CALL_TEXT = {
    "open_until": "call open until {}",
    "open": "call open",
    "next_opens": "next call opens on {}",
    "none_after": "no call known after {}",
}


def call_status(prog: ir.Programme, day: dt.date) -> str | None:
    """'call open until …', 'next call opens on …', or None for continuous submission."""
    window = call_window(prog, day)
    return None if window is None else _CALL_TEXT[window[0]].format(window[1])


Calls = dict[str, tuple[str | None, tuple[str, dt.date | None] | None]]


def _calls(cat: ir.Catalogue, wanted: list[str], as_of: dt.date) -> Calls:
    """Each programme's call status and window on the day: the same for every report of a
    batch, so worked out once per batch, not once per company."""
    return {
        pid: (call_status(cat.programmes[pid], as_of), call_window(cat.programmes[pid], as_of))
        for pid in wanted
    }


def _report(
    cat: ir.Catalogue,
    program: CompiledProgram | DirectProgram | CspProgram | VectorProgram,
    answer: Answer,
    wanted: list[str],
    as_of: dt.date,
    calls: Calls | None = None,
) -> CheckReport:
    calls = calls if calls is not None else _calls(cat, wanted, as_of)
    results = []
    for pid in wanted:
        prog = cat.programmes[pid]
        if pid in program.not_in_force:
            results.append(
                ProgrammeResult(
                    pid,
                    prog.labels,
                    "ineligible",
                    None,
                    [],
                    [],
                    [],
                    f"not in force on {as_of} (valid {prog.valid})",
                    valid=prog.valid,
                )
            )
            continue
        raw = answer.programmes[pid]
        reasons = []
        for cond in prog.conditions:
            state = raw.conditions.get(cond.name)
            reasons.append(
                Reason(
                    cond.name,
                    CONDITION_STATUS.get(state or "", "unknown"),
                    cond.labels,
                    cond.sources,
                    sorted(raw.missing.get(cond.name, ())) if state is None else [],
                )
            )
        order = {"failed": 0, "unknown": 1, "met": 2}
        reasons.sort(key=lambda r: order[r.status])
        status, amount, missing, note = _decision(prog, raw)
        parts = {name: v for name, v in raw.parts.items() if abs(v) < MAX_AMOUNT}
        before, limits = _limits(prog, parts, raw.amount if amount is not None else None)
        results.append(
            ProgrammeResult(
                pid,
                prog.labels,
                status,
                amount,
                reasons,
                missing,
                program.versions[pid],
                note=note,
                call=calls[pid][0],
                call_window=calls[pid][1],
                amount_before_limits=before,
                limits=limits,
            )
        )
    ex = answer.exports
    sme = SmeFigures(
        ex.get("eu_sme.category_of_company"),
        ex.get("eu_sme.staff"),
        ex.get("eu_sme.turnover"),
        ex.get("eu_sme.balance_sheet"),
    )
    return CheckReport(as_of, sme, results, dict(ex))


def _decision(
    prog: ir.Programme, raw: ProgrammeAnswer
) -> tuple[str, Decimal | None, list[str], str | None]:
    """A programme's status, amount (rounded as every amount shown), missing fields and
    note for one answer: what a report and a screening row both say."""
    missing = sorted(
        {
            f
            for cond in prog.conditions
            if raw.conditions.get(cond.name) is None
            for f in raw.missing.get(cond.name, ())
        }
    )
    amount = None
    status, note = raw.status, None
    if raw.amount is not None and abs(raw.amount) >= MAX_AMOUNT:
        # Rules times profile figures can give 10^70 euro: not a grant, and more digits
        # than a report prints exactly. Unknown, and why (docs/language.md, "Limits").
        if raw.status == "eligible":
            status, note = "unknown", AMOUNT_TOO_LARGE
    elif raw.status != "ineligible" and raw.amount is not None:
        amount = round_grant(raw.amount)
    elif raw.status == "eligible" and raw.amount is None:
        needed = raw.missing.get("amount", set())
        missing = sorted(set(missing) | needed)
        if prog.amount is not None and not needed:
            # Nothing is missing, yet the amount has no value: its arithmetic is
            # undefined for this profile (a division by a field that is 0). Never
            # "eligible" without a figure: unknown, and why (docs/language.md).
            status, note = "unknown", UNDEFINED_AMOUNT
    return status, amount, missing, note


def check_rows(
    records: list[InputRecord],
    as_of: dt.date,
    programmes: list[str],
    root: str | Path | None = None,
    backend: str = "vector",
) -> tuple[list[list[tuple[str, str, Decimal | None, list[str]]]], list[int]]:
    """Per record, each programme's (id, status, amount, missing): what a screening row
    says, without the reports' reasons, labels and limits (built for a reader, and most of
    a report's cost at volume); and per record how many answers came from the direct
    backend (the vector backend's fallback). The same decisions as `check_records`."""
    cat = catalogue(root)
    program, answers, fallback = _evaluate(records, as_of, programmes, root, backend)
    progs = [cat.programmes[pid] for pid in programmes]
    rows = []
    for answer in answers:
        row: list[tuple[str, str, Decimal | None, list[str]]] = []
        for prog in progs:
            if prog.id in program.not_in_force:
                row.append((prog.id, "ineligible", None, []))
                continue
            status, amount, missing, _ = _decision(prog, answer.programmes[prog.id])
            row.append((prog.id, status, amount, missing))
        rows.append(row)
    return rows, fallback


def _limits(
    prog: ir.Programme, parts: dict[str, Fraction], granted: Fraction | None
) -> tuple[Decimal | None, list[LimitResult]]:
    """The amount before the limits and each limit's outcome; nothing binds where no
    amount is shown (ineligible, or the amount unknown)."""
    if prog.amount is None or not prog.amount.limits:
        return None, []
    base = parts.get(ir.BASE_PART)
    results = []
    for lim in prog.amount.limits:
        value = parts.get(lim.name)
        binding = granted is not None and base is not None and value == granted < base
        reduction = None
        if binding:
            assert base is not None and granted is not None
            reduction = round_grant(base) - round_grant(granted)
        results.append(LimitResult(lim.name, lim.labels, lim.sources, value, binding, reduction))
    before = round_grant(base) if base is not None and granted is not None else None
    return before, results


def check(
    record: InputRecord,
    as_of: dt.date,
    programme: str | None = None,
    root: str | Path | None = None,
    backend: str = "clingo",
) -> CheckReport:
    """Check one profile against one programme or the whole catalogue."""
    return check_records([record], as_of, [programme] if programme else None, root, backend)[0]
