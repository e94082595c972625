"""`subsidia diff OLD NEW`: which profiles change status or amount between two versions of
a programme, each kind of change shown with a concrete example profile found by the solver.

Both versions are compiled into one ASP program (solver.witness.merge: what did not change
is shared) over a finite candidate domain built from what the rules compare each field
with. For every pair (old status, new status) — and for "same status, other amount" —
clingo is asked for profiles with that answer pair; each one found is an example of that
kind of change. A kind with no example does not occur among the candidate values.

Each question is asked only where it can have an answer, of a program holding only what it
needs: another status only if a condition or the validity changed, with no amount compiled
(status depends on the conditions alone, and amounts are where grounding time goes);
another amount only if the amount changed. Lists are searched with at most one element
first, then with two only for the kinds still without an example; among the witnesses,
plain figures (whole numbers) are preferred to figures just beside a boundary.

The search runs in two steps. Definitions of other blocks that both versions share
unchanged (the EU SME definition, …) are free choices of the first search: grounding them
over candidate lists of the programme's own fields is combinatorial (the SME definition
with two-element lists did not ground in ten minutes). The second step makes the example
concrete: with the fields the first search chose pinned, clingo picks the fields the shared
definitions read (staff, turnover, accounts, …) so that the definitions take the values
the first search assumed — or, where no profile gives those, any values for which the
answer pair still holds. Lists only those definitions read are tried empty first, then
with one element; among the profiles found, whole figures are preferred to figures just
beside a boundary. Finally the example is checked by solving each version's own catalogue
(no merging, nothing free) and kept only if the two answers differ; a witness that cannot
be made concrete is replaced by another one.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from dsl import ir
from dsl import vocabulary as vocab
from dsl.errors import N_, UsageError
from dsl.loader import load_overriding
from dsl.types import PERCENT
from policy import engine
from policy.authoring.witness_profile import loadable, profile_yaml
from solver.asp.compile import CompiledProgram, compile_programmes
from solver.asp.run import solve
from solver.record import ENTERPRISE_AID, InputRecord, Value
from solver.search.witness import (
    FREE,
    Domain,
    Search,
    diff_program,
    fill_domain,
    fill_program,
    merge,
    out_atom,
    status_atom,
)

PREFIX = "new__"
STATUSES = ("eligible", "unknown", "ineligible")
# The kinds of change, by (old status, new status); an ineligible answer shows no amount.
PAIRS = [(a, b) for a in STATUSES for b in STATUSES if not a == b == "ineligible"]
# First-step witnesses tried per kind of change: one that cannot be made concrete is
# replaced by the next.
SPARE = 2
# Making one witness concrete minimises how much of the profile it fills in; past this many
# seconds the plainest profile found so far is taken, or none (measured: one VLAIO research
# project witness still searching after 40 s, with no time limit to stop it).
FILL_SECONDS = 5.0


@dataclass(slots=True)
class Searched:
    """How complete a diff's search was: `finished` False when the time limit stopped it;
    `unstated` counts the changed answers it found only on witnesses no profile states
    (after making them concrete), which an empty list of examples must not hide."""

    finished: bool = True
    unstated: int = 0

    @property
    def conclusive(self) -> bool:
        """An empty list of examples proves "nothing changes" (within the bounds)."""
        return self.finished and not self.unstated


@dataclass(slots=True)
class Difference:
    """One example profile, and how its answer changes from OLD to NEW (both recomputed
    from `record` under each version's own catalogue)."""

    record: InputRecord  # every field either version reads, nothing else
    old_status: str
    new_status: str
    old_amount: Decimal | None  # rounded down to the cent; None when not shown
    new_amount: Decimal | None
    shared: dict[str, Value] = field(default_factory=dict)  # shared definitions' values
    # The example as a profile file (policy.authoring.witness_profile): `record` is what
    # `subsidia check` computes from it.
    profile: dict[str, object] | None = None

    @property
    def kind(self) -> str:
        before = _answer(self.old_status, self.old_amount)
        return f"{before} → {_answer(self.new_status, self.new_amount)}"


def diff(
    old: Path, new: Path, programme: str | None, day: dt.date, root: Path, limit: int = 1
) -> tuple[str, list[Difference]]:
    """The kinds of change between the two versions, with up to `limit` examples each."""
    programme, differences, _ = diff_within(old, new, programme, day, root, limit)
    return programme, differences


def diff_within(
    old: Path,
    new: Path,
    programme: str | None,
    day: dt.date,
    root: Path,
    limit: int = 1,
    time_limit: float | None = None,
) -> tuple[str, list[Difference], Searched]:
    """`diff`, its solving stopped after `time_limit` seconds (None: none), with how
    complete the search was (an empty list proves nothing unless it is conclusive)."""
    deadline = None if time_limit is None else time.monotonic() + time_limit
    old_cat, _ = load_overriding(root, old)
    new_cat, _ = load_overriding(root, new)
    programme = _programme(old_cat.programmes, new_cat.programmes, new, programme)
    merged = merge(old_cat, new_cat, PREFIX)
    before, after = merged.programmes[programme], merged.programmes[PREFIX + programme]
    if (before.valid, before.conditions, before.amount) == (
        after.valid,
        after.conditions,
        after.amount,
    ):
        return programme, [], Searched()  # nothing it uses changed: merge renamed nothing in it
    # Status depends on the conditions alone, and an amount that did not change cannot
    # differ: each question is asked only where it can have an answer, and of a program
    # with only what it needs (no amounts for "another status").
    questions = []
    if (before.valid, before.conditions) != (after.valid, after.conditions):
        questions.append((False, [p for p in PAIRS if p[0] != p[1]]))
    if before.amount != after.amount:
        questions.append((True, [p for p in PAIRS if p[0] == p[1]]))
    found: dict[tuple[str, str], list[Difference]] = {p: [] for p in PAIRS}
    tried: dict[tuple[str, str], set[str]] = {p: set() for p in PAIRS}
    seen: set[str] = set()
    concrete = check = None
    searched = Searched()
    for amounts, pairs in questions:
        program, domain, extra = diff_program(merged, programme, day, PREFIX, amounts)
        if concrete is None or check is None:
            shared = sorted(p.removeprefix(FREE) for p in domain.free)
            concrete = _Concrete(merged, programme, day, domain, shared)
            check = _Recheck(old_cat, new_cat, programme, day, shared)
        # Short lists first: one element shows most changes, and an amount over two
        # elements multiplies the values the grounder computes.
        for stage in domain.stages():
            todo = [p for p in pairs if len(found[p]) < limit]
            if not todo:
                break
            if deadline is not None and time.monotonic() >= deadline:
                searched.finished = False
                break
            plain = stage.preferring_plain()
            search = Search(program, plain, extra + ":- not changed.\n", deadline)
            for pair in todo:
                wanted = [
                    (status_atom(programme, pair[0]), True),
                    (status_atom(PREFIX + programme, pair[1]), True),
                ]
                more = limit - len(found[pair])
                found[pair] += _examples(
                    search, concrete, check, wanted, more, seen, tried[pair], searched, deadline
                )
            searched.finished = searched.finished and not search.timed_out
    return programme, [d for p in PAIRS for d in found[p]], searched


def _examples(
    search: Search,
    concrete: _Concrete,
    check: _Recheck,
    wanted: list,
    limit: int,
    seen: set[str],
    tried: set[str],
    searched: Searched,
    deadline: float | None = None,
) -> list[Difference]:
    """Up to `limit` concrete, re-checked examples with the wanted pair of answers, from
    witnesses not `tried` before (a longer-list search finds the shorter ones again); a
    witness no profile states is counted in `searched.unstated`."""
    out: list[Difference] = []
    # More witnesses only when some could not be made concrete: enumerating models costs
    # time on a large programme.
    for count in (limit, limit + SPARE):
        witnesses = search.find(wanted, count)
        for witness in witnesses:
            if len(out) == limit or repr(witness) in tried:
                continue
            tried.add(repr(witness))
            example = concrete.fill(witness, wanted, deadline)
            # Only a witness the profile format can state, answered as `check` answers it.
            loaded = None if example is None else check.loadable(example)
            searched.unstated += loaded is None
            difference = None if loaded is None else check.difference(loaded[1], loaded[0])
            if difference is not None and _key(difference) not in seen:
                seen.add(_key(difference))
                out.append(difference)
        if len(out) == limit or len(witnesses) < count:
            break
    return out


def _programme(old: dict, new: dict, new_path: Path, programme: str | None) -> str:
    candidates = sorted(set(old) & set(new))
    if programme is None:
        # The programme(s) the NEW file defines and the old one too.
        defined = {pid for pid, p in new.items() if Path(p.file).resolve() == new_path.resolve()}
        matching = [p for p in candidates if p in defined] or candidates
        if len(matching) != 1:
            raise UsageError(
                N_(
                    "choose a programme with --programme (candidates: {names})",
                    names=", ".join(matching),
                )
            )
        programme = matching[0]
    if programme not in candidates:
        raise UsageError(N_("programme '{programme}' is not in both versions", programme=programme))
    return programme


class _Concrete:
    """The second step: a first-step witness made into a profile, with the shared
    definitions computed from fields instead of assumed."""

    def __init__(
        self, merged: ir.Catalogue, pid: str, day: dt.date, read: Domain, shared: list[str]
    ) -> None:
        self.read, self.shared = read, shared
        if shared:
            self.program, self.shared_domain, self.extra = fill_program(
                merged, pid, day, shared, PREFIX
            )

    def fill(
        self, witness: InputRecord, wanted: list, deadline: float | None = None
    ) -> InputRecord | None:
        """The witness with fields giving the shared definitions its values, the plainest
        found within `FILL_SECONDS` (and before `deadline`); None if none was found."""
        if not self.shared:
            return _read_only(witness, set(self.read.elements))
        assumed = [
            (out_atom(p.removeprefix(FREE), v), True)
            for p, v in witness.scalars.items()
            if p.startswith(FREE)
        ]
        # Lists only the shared definitions read: empty first (an autonomous company with
        # no earlier accounts grounds fast), one element if that cannot give the values.
        for optional in (0, 1):
            domain = fill_domain(witness, self.read, self.shared_domain, optional)
            stop = time.monotonic() + FILL_SECONDS
            stop = stop if deadline is None else min(stop, deadline)
            search = Search(self.program, domain, self.extra + ":- not changed.\n", stop)
            for assumptions in (wanted + assumed, wanted):
                found = search.best(assumptions)
                if found is not None:
                    return found
        return None


def _read_only(witness: InputRecord, lists: set[str]) -> InputRecord:
    return InputRecord(
        dict(witness.scalars), {c: e for c, e in witness.collections.items() if c in lists}
    )


class _Recheck:
    """Each version compiled from its own catalogue, to answer an example independently of
    the merged program the search used."""

    def __init__(
        self, old: ir.Catalogue, new: ir.Catalogue, pid: str, day: dt.date, shared: list[str]
    ) -> None:
        self.pid, self.day, self.new = pid, day, new
        self.programs: list[CompiledProgram] = [
            compile_programmes(cat, day, [pid], [q for q in shared if q in cat.definitions])
            for cat in (old, new)
        ]

    def loadable(self, record: InputRecord) -> tuple[dict[str, object], InputRecord] | None:
        return loadable(record, self.new, self.day)

    def difference(
        self, record: InputRecord, profile: dict[str, object] | None = None
    ) -> Difference | None:
        """The example's answers under both versions; None if they look alike once amounts
        are rounded to the cent."""
        (before, exports), (after, _) = (self._answer(p, record) for p in self.programs)
        difference = Difference(
            record,
            before[0],
            after[0],
            _shown_amount(*before),
            _shown_amount(*after),
            exports,
            profile,
        )
        same = (difference.old_status, difference.old_amount) == (
            difference.new_status,
            difference.new_amount,
        )
        return None if same else difference

    def _answer(
        self, program: CompiledProgram, record: InputRecord
    ) -> tuple[tuple[str, Fraction | None], dict[str, Value]]:
        answer = solve(program, [record])[0]
        result = answer.programmes.get(self.pid)
        if result is None:  # not in force on the day in this version
            return ("ineligible", None), {}
        return (result.status, result.amount), dict(answer.exports)


def _shown_amount(status: str, amount: Fraction | None) -> Decimal | None:
    return None if status == "ineligible" or amount is None else engine.round_grant(amount)


def _key(d: Difference) -> str:
    return d.kind + repr(sorted(d.record.scalars.items())) + repr(d.record.collections)


def _answer(status: str, amount: Decimal | None) -> str:
    return status if amount is None else f"{status} ({amount})"


# ---- text for the command


def render(
    programme: str,
    day: dt.date,
    differences: list[Difference],
    lang: str = "en",
    searched: Searched | None = None,
) -> str:
    """The report in the reader's language; the example profiles are profile files (keys
    and values as the format has them) and amounts as a profile writes them. What kept the
    search from being conclusive (`searched`: the time limit, witnesses no profile states)
    is said."""
    from policy.output.formatting import formatter

    f = formatter(lang)
    finished = searched is None or searched.finished
    if finished and not differences and searched is not None and searched.unstated:
        return f.gettext(
            "{programme}: no example profile found on {day}, but the search found {count} "
            "changed answer(s) that need values no profile states (such as a shared "
            "definition's value no company gives it): some answer may still change",
            programme=programme,
            day=day,
            count=searched.unstated,
        )
    if not finished and not differences:
        return f.gettext(
            "{programme}: no example found before the time limit; the search did not "
            "finish, so some answer may still change on {day}",
            programme=programme,
            day=day,
        )
    if not finished:
        stopped = f.gettext("the search stopped at the time limit: other answers may change too")
        return render(programme, day, differences, lang) + "\n" + stopped
    if not differences:
        return f.gettext(
            "{programme}: no profile changes status or amount on {day}",
            programme=programme,
            day=day,
        )
    lines = [
        f.gettext(
            "{programme} on {day}: {count} example(s) of a changed answer",
            programme=programme,
            day=day,
            count=len(differences),
        )
    ]

    def answer(status: str, amount: Decimal | None) -> str:
        word = f.gettext(status)  # eligible / ineligible / unknown, as `check` shows them
        return word if amount is None else f"{word} ({amount})"

    for i, d in enumerate(differences, 1):
        kind = f"{answer(d.old_status, d.old_amount)} → {answer(d.new_status, d.new_amount)}"
        lines.append(f.gettext("example {number}: {kind}", number=i, kind=kind))
        shown = profile_yaml(d.profile) if d.profile is not None else profile_lines(d.record)
        lines += ["  " + line for line in shown]
        if d.shared:
            values = ", ".join(f"{q} = {_show(v, '')}" for q, v in sorted(d.shared.items()))
            lines.append(
                "  # " + f.gettext("shared definitions on this profile: {values}", values=values)
            )
    return "\n".join(lines)


def profile_lines(record: InputRecord) -> list[str]:
    """The record as profile YAML: sections, scalars in vocabulary order, list elements as
    flow mappings. Fields no rule of either version reads are not there."""
    lines: list[str] = []
    for section in ("company", "project"):
        body = [
            f"  {path.split('.', 1)[1]}: {_show(record.scalars[path], path)}"
            for path in vocab.SCALARS
            if path.startswith(section + ".") and path in record.scalars
        ]
        for coll, spec in vocab.COLLECTIONS.items():
            elements = record.collections.get(coll)
            if not coll.startswith(section + ".") or elements is None:
                continue
            if coll == ENTERPRISE_AID and not elements:
                continue  # nested in the enterprises in a profile: none without them
            name = coll.split(".", 1)[1]
            body.append(f"  {name}:" + ("" if elements else " []"))
            for index, element in enumerate(elements):
                if not isinstance(element, dict):
                    body.append(f"    - {_show(element, f'{coll}[{index}]')}")
                    continue
                items = [
                    f"{k}: {_show(element[k], f'{coll}[{index}].{k}')}"
                    for k in spec.fields
                    if k in element
                ]
                body.append("    - {" + ", ".join(items) + "}")
        if body:
            lines += [f"{section}:", *body]
    return lines


_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


def _show(value: object, path: str) -> str:
    """A value as a profile would write it: decimals, percentages 0-100, ISO dates, texts
    quoted where YAML would read them otherwise."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Fraction):
        if _type(path) == PERCENT:
            return engine.exact_decimal(value * 100)
        return engine.exact_decimal(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in ("true", "false", "yes", "no", "null"):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _type(path: str) -> object:
    """The vocabulary type of a field path such as `project.costs[0].amount`."""
    base, _, rest = path.partition("[")
    if not rest:
        return vocab.SCALARS.get(path)
    spec = vocab.COLLECTIONS.get(base)
    if spec is None:
        return None
    return spec.scalar if spec.scalar is not None else spec.fields.get(rest.partition("].")[2])
