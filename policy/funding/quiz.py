"""The adaptive quiz: from the answers so far, the question the undecided programmes need most.

The answers (`{"company.region": "flanders", "company.staff": null, …}`, null for "I don't
know") become a partial profile that goes through the same costing and the same engine as
`subsidia check`; a field nobody answered stays *unknown*, lists included (a profile file
that omits `company.aid` states there was none; a quiz that has not asked does not know).
The three-valued engine then says which programmes are still `unknown` and which fields
each of them needs (`ProgrammeResult.missing`); and where a rule's default stood in for
an absent field (`public_ownership ?? 0 %`) to decide a condition, that field too, for a
file that omits it means the default but a quiz that has not asked does not know
(`DirectProgram.open_fields`). Those fields, and only those, are the candidate
questions: a Walloon company is never asked about a Flemish cooldown, because once the
region is known the Flemish programmes are decided and nothing can change that.

Which candidate is asked: the field the most still-unknown programmes need, each counted
with its weight w(p) (its possible amount, below) — Publicodes' missing-variable order,
weighted. Until 2026-12-07 the quiz chose by expected settling: it answered each of the
best candidates with the values at which the rules change their answer (the boundaries
they compare it with; solver/search/candidates.py, the analysis lint and diff use) and
counted how often an unknown programme came out decided. Measured over 1,000 generated
profiles with grouped questions (docs/performance.md, "The quiz"), that lookahead asked
more questions than the plain weighted count on every measure (whole quiz 16.11 against
15.74 on average; the best decided programme after a median of 8 against 5), and cost
more a question, so the count is the quiz's choice and the lookahead (`settle`) is kept
only as a measured alternative. Ties go to the profile format's order. The quiz stops
(`question` is None) when no unanswered field can change any programme's status.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from dsl.errors import N_
from policy.errors import InputError
from policy.inputs.questions import askable, describe_group, owning_field, together

if TYPE_CHECKING:
    from dsl import ir
    from policy.engine import CheckReport, ProgrammeResult
    from solver.record import InputRecord, Value

# The quiz's profile has no company id until the end: the rules never read it.
PLACEHOLDER_ID = "quiz"
# How many of the best-placed candidates are looked ahead at, and with how many values:
# the lookahead is one batch of at most LOOKAHEAD × VALUES checks per question.
LOOKAHEAD = 6
VALUES = 5
# A programme's weight: 1, plus its amount in units of €100,000 when the amount is known
# (an unknown programme often has one already: the amount rests on fields it has).
WEIGHT_UNIT = Decimal(100_000)

# Dead-end search: per unknown condition, at most this many combinations of the telling
# values of its unasked fields (each one condition's evaluation); beyond, no proof.
DEAD_END_TRIALS = 128

STRATEGIES = ("settle", "weighted_missing", "most_missing", "needed_in_order", "fixed")

# Fields the costing needs before it can read another (policy/funding/budget.py judges a
# cost line's `incurred` date against the project start): asked first.
PREREQUISITES = {"project.costs": ("project.start",)}


@dataclass(frozen=True)
class QuizStep:
    """Where a quiz stands: the next question (None when nothing left can change a
    status), the check of the answers so far, and how many questions were answered."""

    question: dict[str, Any] | None
    checked: CheckReport
    asked: int
    profile: dict[str, Any]  # the answers as a profile mapping (for why-not pages)


def step(
    answers: Mapping[str, object],
    as_of: dt.date,
    lang: str = "en",
    rules: str | None = None,
    strategy: str = "weighted_missing",
    grouped: bool = True,
) -> QuizStep:
    """The next question for `answers`. `strategy`: "weighted_missing" (the quiz: the
    field the unknown programmes need, each weighted by what it may pay), or the orders
    it is measured against (benchmarks/quiz.py): "settle" (expected settling with a
    lookahead, the quiz until 2026-12-07: longer on 1,000 profiles, docs/performance.md),
    "most_missing" (the field most unknown programmes need, unweighted), "needed_in_order"
    (the first field some unknown programme needs, in the profile format's order) and
    "fixed" (a static form: the next field in the profile format's order, needed or not).
    All stop when nothing left can change a status. `grouped`: a question asks the chosen
    field together with the open fields of its group (policy/inputs/questions.py GROUPS);
    False asks one field a question."""
    from policy import engine
    from policy.api import load_profile
    from policy.output.formatting import formatter

    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}")
    cat = engine.catalogue(rules)
    mapping = profile_mapping(answers)
    record = quiz_record(cat, load_profile(mapping), answers, as_of)
    checked = engine.check_records([record], as_of, None, rules, "direct")[0]
    asked = {path for path in answers}
    open_fields = engine.direct_program(rules, as_of).open_fields(record)
    needs = _needs(checked.results, open_fields, asked)
    needs = _without_dead_ends(
        needs, checked.results, open_fields, record, asked, cat, as_of, rules
    )
    question = None
    if needs:
        if strategy == "fixed":
            field = next(f for f in askable() if f not in asked)
        else:
            field = _choose(needs, record, cat, as_of, rules, strategy)
        field = next((p for p in PREREQUISITES.get(field, ()) if p not in asked), field)
        paths = [field]
        if grouped:
            # The chosen field's group-mates that are open too, asked on the same page
            # (a static form asks the whole group: it asks every field anyway).
            paths = [
                f
                for f in together(field)
                if f == field or (f not in asked and (strategy == "fixed" or f in needs))
            ]
        telling = _analysis(cat, as_of)
        symbols = {f: telling.symbol_suggestions(f) for f in paths}
        question = describe_group(paths, formatter(lang).gettext, symbols)
    return QuizStep(question, checked, len(answers), mapping)


def profile_mapping(answers: Mapping[str, object]) -> dict[str, Any]:
    """The answers as a profile in the profile format; an unknown field path is refused
    with the nearest known one."""
    if not isinstance(answers, Mapping):
        raise InputError("answers", N_("expected a mapping of field paths to answers"))
    fields = askable()
    data: dict[str, Any] = {"company": {"id": PLACEHOLDER_ID}}
    for path, value in answers.items():
        if not isinstance(path, str) or path not in fields:
            close = difflib.get_close_matches(str(path), list(fields), n=1)
            hint = N_("; did you mean '{close}'?", close=close[0]) if close else ""
            raise InputError(str(path), N_("not a field the quiz asks about{hint}", hint=hint))
        if value is None:  # "I don't know"
            continue
        section, name = path.split(".", 1)
        data.setdefault(section, {})[name] = value
    return data


def quiz_record(
    cat: ir.Catalogue, profile: Any, answers: Mapping[str, object], as_of: dt.date
) -> InputRecord:
    """The engine record of the answers: the profile's record (costing included), minus
    every value no answer gave (a list nobody was asked about is unknown, not empty)."""
    from policy.api import profile_record

    record = profile_record(cat, profile, as_of)
    given = {path for path, value in answers.items() if value is not None}
    for table in (record.scalars, record.collections):
        for path in list(table):
            if owning_field(path) not in given:
                del table[path]
    return record


def _needs(
    results: list[ProgrammeResult], open_fields: dict[str, set[str]], asked: set[str]
) -> dict[str, list[ProgrammeResult]]:
    """Unanswered field → the programmes whose status it could still change, in the
    profile format's field order. A programme's open fields are what its unknown
    conditions miss and the absent fields a rule's default decided a condition with
    (`DirectProgram.open_fields`): a status resting on "absent counts as 0 %" is not
    settled until the quiz has asked."""
    needs: dict[str, list[ProgrammeResult]] = {}
    for result in results:
        for path in sorted(open_fields.get(result.programme, ())):
            field = owning_field(path)
            if field is not None and field not in asked:
                programmes = needs.setdefault(field, [])
                if result not in programmes:
                    programmes.append(result)
    order = list(askable())
    return {f: needs[f] for f in sorted(needs, key=order.index)}


def _without_dead_ends(
    needs: dict[str, list[ProgrammeResult]],
    results: list[ProgrammeResult],
    open_fields: dict[str, set[str]],
    record: InputRecord,
    asked: set[str],
    cat: ir.Catalogue,
    as_of: dt.date,
    rules: str | None,
) -> dict[str, list[ProgrammeResult]]:
    """`needs` without the programmes a field can no longer change. An unknown condition
    whose unasked fields are all scalars is tried with every combination of all their
    telling values (at most DEAD_END_TRIALS), the fields answered "I don't know" left
    unknown: if no combination decides it or opens a field not asked yet, its unasked
    fields cannot change it. A programme drops out of `needs[f]` when that holds for every
    unknown condition f is open in, and no default on f decided another of its
    conditions (`open_fields` beyond `missing`)."""
    from itertools import product

    from policy import engine

    program = engine.direct_program(rules, as_of)
    analysis = _analysis(cat, as_of)
    open_in: dict[tuple[str, str], set[str]] = {}  # (field, programme) -> its conditions
    dead: set[tuple[str, str]] = set()  # (programme, condition) nothing left can decide
    for r in results:
        if r.status != "unknown":
            continue
        for reason in r.reasons:
            if reason.status != "unknown":
                continue
            owners = {owning_field(m) for m in reason.missing}
            fields = sorted(f for f in owners if f is not None and f not in asked)
            for f in fields:
                open_in.setdefault((f, r.programme), set()).add(reason.condition)
            values = [analysis.all_values(f) for f in fields]
            if not fields or not all(values) or _count(values) > DEAD_END_TRIALS:
                continue
            trials = (dict(zip(fields, combo, strict=True)) for combo in product(*values))
            if all(
                _stays_open(program, record, r.programme, reason.condition, filled, asked)
                for filled in trials
            ):
                dead.add((r.programme, reason.condition))
    pruned: dict[str, list[ProgrammeResult]] = {}
    for f, programmes in needs.items():
        keep = []
        for r in programmes:
            conditions = open_in.get((f, r.programme), set())
            stuck = (
                bool(conditions)
                and all((r.programme, c) in dead for c in conditions)
                and not any(
                    owning_field(m) == f
                    for m in open_fields.get(r.programme, set()) - set(r.missing)
                )
            )
            if not stuck:
                keep.append(r)
        if keep:
            pruned[f] = keep
    return pruned


def _count(values: list[list[Value]]) -> int:
    total = 1
    for v in values:
        total *= len(v)
    return total


def _stays_open(
    program: Any,
    record: InputRecord,
    pid: str,
    condition: str,
    filled: dict[str, Value],
    asked: set[str],
) -> bool:
    """Whether the condition stays unknown with `filled` given, missing only fields that
    were asked already (answered "I don't know") or are being tried."""
    trial = copy.copy(record)
    trial.scalars = {**record.scalars, **filled}
    value, missing = program.condition(trial, pid, condition)
    return value is None and not ({owning_field(m) for m in missing} - asked - set(filled))


def weight(result: ProgrammeResult) -> Fraction:
    return 1 + Fraction(result.amount or 0) / Fraction(WEIGHT_UNIT)


def _open_fields(result: ProgrammeResult, needs: dict[str, list[ProgrammeResult]]) -> int:
    return sum(1 for programmes in needs.values() if result in programmes)


def _choose(
    needs: dict[str, list[ProgrammeResult]],
    record: InputRecord,
    cat: ir.Catalogue,
    as_of: dt.date,
    rules: str | None,
    strategy: str,
) -> str:
    fields = list(needs)  # in the profile format's order: the tie-break
    if strategy == "needed_in_order":
        return fields[0]
    if strategy == "most_missing":
        return max(fields, key=lambda f: (len(needs[f]), -fields.index(f)))
    if strategy == "weighted_missing":
        # The unknown programmes that need f, each weighted by what it may pay.
        return max(
            fields,
            key=lambda f: (
                sum((weight(r) for r in needs[f]), Fraction(0)),
                len(needs[f]),
                -fields.index(f),
            ),
        )
    # Progress: the chance that f is the last field each programme waits for.
    prior = {
        f: {r.programme: Fraction(1, _open_fields(r, needs)) for r in programmes}
        for f, programmes in needs.items()
    }

    def prior_score(f: str) -> Fraction:
        return sum((weight(r) * prior[f][r.programme] for r in needs[f]), Fraction(0))

    shortlist = sorted(fields, key=lambda f: (-prior_score(f), fields.index(f)))[:LOOKAHEAD]
    settled = _lookahead(shortlist, needs, record, cat, as_of, rules)

    def score(f: str) -> Fraction:
        total = Fraction(0)
        for r in needs[f]:
            chance = max(settled.get((f, r.programme), Fraction(0)), prior[f][r.programme])
            total += weight(r) * chance
        return total

    return max(shortlist, key=lambda f: (score(f), -fields.index(f)))


def _lookahead(
    shortlist: list[str],
    needs: dict[str, list[ProgrammeResult]],
    record: InputRecord,
    cat: ir.Catalogue,
    as_of: dt.date,
    rules: str | None,
) -> dict[tuple[str, str], Fraction]:
    """(field, programme) → the share of the field's telling values that decide the
    programme, from one batch check of the record with each value filled in."""
    from policy import engine

    analysis = _analysis(cat, as_of)
    trials: list[tuple[str, InputRecord]] = []
    for f in shortlist:
        for value in analysis.values(f)[:VALUES]:
            trial = copy.copy(record)
            trial.scalars = {**record.scalars, f: value}
            trials.append((f, trial))
    if not trials:
        return {}
    program = engine.direct_program(rules, as_of)
    answers = program.evaluate([t for _, t in trials], missing=False)
    decided: dict[tuple[str, str], int] = {}
    tried: dict[str, int] = {}
    for (f, _), answer in zip(trials, answers, strict=True):
        tried[f] = tried.get(f, 0) + 1
        for r in needs[f]:
            if r.status != "unknown":
                continue  # decided, but on a default: the 1/n estimate stands for it
            # A programme not in force has no answer: it is decided (ineligible) anyway.
            found = answer.programmes.get(r.programme)
            if found is None or found.status != "unknown":
                decided[(f, r.programme)] = decided.get((f, r.programme), 0) + 1
    return {key: Fraction(n, tried[key[0]]) for key, n in decided.items()}


class _Telling:
    """The values at which the rules can change their answer about each scalar field."""

    def __init__(self, cat: ir.Catalogue, as_of: dt.date) -> None:
        from solver.search.candidates import Analysis

        self.analysis = Analysis(cat, as_of)
        for prog in cat.programmes.values():
            for cond in prog.conditions:
                self.analysis.add(cond.expr)
        self._values: dict[str, list[Value]] = {}

    def values(self, path: str) -> list[Value]:
        """At most VALUES of them, spread over the range (for the lookahead)."""
        return _spread(self.all_values(path), VALUES)

    def all_values(self, path: str) -> list[Value]:
        """Every telling value (for a proof that a field cannot decide a condition)."""
        if path not in self._values:
            self._values[path] = self._compute(path)
        return self._values[path]

    def _compute(self, path: str) -> list[Value]:
        from dsl.types import BOOL, DATE, SYMBOL, TEXT
        from solver.search.witness import SIGNED

        kind = self.analysis.scalars.get(path)
        if kind is None:  # a list, or a field no condition reads directly
            return []
        if kind == BOOL:
            return [True, False]
        if kind in (SYMBOL, TEXT):
            return list(self.analysis.symbol_values(path))
        if kind == DATE:
            return list(self.analysis.date_values())
        return list(self.analysis.numeric_values(path, kind, path in SIGNED))

    def symbol_suggestions(self, path: str) -> tuple[str, ...]:
        """For an open symbol (a theme, a legal form): the constants the rules test it
        against, offered as choices."""
        from dsl.types import SYMBOL

        if self.analysis.scalars.get(path) != SYMBOL:
            return ()
        return tuple(sorted(self.analysis.symbols.get(path, set())))


def _spread(values: list[Value], n: int) -> list[Value]:
    """At most n values, evenly spread over the sorted list (the ends included)."""
    if len(values) <= n:
        return values
    step = (len(values) - 1) / (n - 1)
    return [values[round(i * step)] for i in range(n)]


_ANALYSES: dict[tuple[int, dt.date], tuple[ir.Catalogue, _Telling]] = {}


def _analysis(cat: ir.Catalogue, as_of: dt.date) -> _Telling:
    """One analysis per catalogue and date, the last 8 kept (a server answers for today,
    and tomorrow for the next day)."""
    key = (id(cat), as_of)
    found = _ANALYSES.get(key)
    if found is None or found[0] is not cat:
        if len(_ANALYSES) >= 8:
            del _ANALYSES[next(iter(_ANALYSES))]
        found = _ANALYSES[key] = (cat, _Telling(cat, as_of))
    return found[1]


def answer_from(profile: Any, path: str) -> object:
    """What someone holding `profile` (a validated `Profile`) answers to the question
    about `path`, in the profile format: None where the profile does not say. A company
    list the profile omits is answered "none" ([]), as the profile format reads it."""
    section, name = path.split(".", 1)
    holder = profile.company if section == "company" else profile.project
    if holder is None:
        return None
    return _plain(getattr(holder, name))


def _plain(value: object) -> object:
    import dataclasses

    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if getattr(value, f.name) is not None
        }
    return value
