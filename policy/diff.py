"""`subsidia diff OLD NEW`: which profiles change status or amount between two versions of
a programme, each kind of change shown with concrete example profiles found by the solver.

Both versions are compiled into one ASP program (solver.witness.merge: what did not change
is shared) over a finite candidate domain built from the rules' own constants. For every
pair (old status, new status) — and for "same status, other amount" — clingo is asked for
profiles with that answer pair; each one found is an example of that kind of change. A kind
with no example does not occur among the candidate values.

Definitions of other blocks that both versions share unchanged (the EU SME definition, …)
are free choices of the search, not computed from a profile: grounding them over candidate
lists is combinatorial (the SME definition with two-element lists did not ground in ten
minutes). An example therefore gives the fields the programme reads itself, and states the
values it assumes for those definitions ("assuming eu_sme.is_sme = true"). The answers shown
are recomputed from the example by solving both versions again, not read from the search.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from dsl import vocabulary as vocab
from dsl.loader import load_overriding
from dsl.types import PERCENT
from policy import engine
from solver.asp import CompiledProgram
from solver.record import InputRecord, Value
from solver.run import solve
from solver.witness import Search, diff_program, merge, split_free, status_atom

PREFIX = "new__"
STATUSES = ("eligible", "unknown", "ineligible")


@dataclass(slots=True)
class Difference:
    """One example profile, and how its answer changes from OLD to NEW."""

    record: InputRecord  # the profile fields the programme reads
    old_status: str
    new_status: str
    old_amount: Decimal | None  # rounded down to the cent; None when not shown
    new_amount: Decimal | None
    assumed: dict[str, Value] = field(default_factory=dict)  # free shared definitions

    @property
    def kind(self) -> str:
        before = _answer(self.old_status, self.old_amount)
        return f"{before} → {_answer(self.new_status, self.new_amount)}"


def diff(
    old: Path, new: Path, programme: str | None, day: dt.date, root: Path, limit: int = 1
) -> tuple[str, list[Difference]]:
    """The kinds of change between the two versions, with up to `limit` examples each."""
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
        return programme, []  # nothing it uses changed: merge renamed nothing in it
    program, domain, extra = diff_program(merged, programme, day, PREFIX)
    search = Search(program, domain, extra + ":- not changed.\n")
    out: list[Difference] = []
    seen: set[str] = set()
    for before in STATUSES:
        for after in STATUSES:
            if before == after == "ineligible":
                continue  # an ineligible answer shows no amount
            wanted = [
                (status_atom(programme, before), True),
                (status_atom(PREFIX + programme, after), True),
            ]
            for witness in search.find(wanted, limit):
                difference = _difference(program, programme, witness, set(domain.elements))
                if difference is not None and _key(difference) not in seen:
                    seen.add(_key(difference))
                    out.append(difference)
    return programme, out


def _programme(old: dict, new: dict, new_path: Path, programme: str | None) -> str:
    candidates = sorted(set(old) & set(new))
    if programme is None:
        # The programme(s) the NEW file defines and the old one too.
        defined = {pid for pid, p in new.items() if Path(p.file).resolve() == new_path.resolve()}
        matching = [p for p in candidates if p in defined] or candidates
        if len(matching) != 1:
            raise ValueError(
                f"choose a programme with --programme (candidates: {', '.join(matching)})"
            )
        programme = matching[0]
    if programme not in candidates:
        raise ValueError(f"programme '{programme}' is not in both versions")
    return programme


def _difference(
    program: CompiledProgram, programme: str, witness: InputRecord, lists: set[str]
) -> Difference | None:
    """The example's answers under both versions, solved again; None if they look alike
    once amounts are rounded to the cent. Only the lists the programme reads are kept."""
    answers = solve(program, [witness])[0].programmes
    before, after = answers[programme], answers[PREFIX + programme]
    fields, assumed = split_free(witness)
    fields.collections = {c: e for c, e in fields.collections.items() if c in lists}
    difference = Difference(
        fields,
        before.status,
        after.status,
        _shown_amount(before.status, before.amount),
        _shown_amount(after.status, after.amount),
        assumed,
    )
    same = (difference.old_status, difference.old_amount) == (
        difference.new_status,
        difference.new_amount,
    )
    return None if same else difference


def _shown_amount(status: str, amount: Fraction | None) -> Decimal | None:
    return None if status == "ineligible" or amount is None else engine.round_grant(amount)


def _key(d: Difference) -> str:
    return d.kind + repr(sorted(d.record.scalars.items())) + repr(d.record.collections)


def _answer(status: str, amount: Decimal | None) -> str:
    return status if amount is None else f"{status} ({amount})"


# ---- text for the command


def render(programme: str, day: dt.date, differences: list[Difference]) -> str:
    if not differences:
        return f"{programme}: no profile changes status or amount on {day}"
    lines = [f"{programme} on {day}: {len(differences)} example(s) of a changed answer"]
    for i, d in enumerate(differences, 1):
        lines.append(f"example {i}: {d.kind}")
        lines += [f"  {path} = {_show(value, path)}" for path, value in _flat(d.record)]
        lines += [
            f"  assuming {name} = {_show(value, '')} (a shared definition, left free)"
            for name, value in sorted(d.assumed.items())
        ]
    return "\n".join(lines)


def _flat(record: InputRecord) -> list[tuple[str, Value]]:
    rows = sorted(record.scalars.items())
    for coll, elements in sorted(record.collections.items()):
        if not elements:
            rows.append((coll, "[]"))  # type: ignore[arg-type]
        for index, element in enumerate(elements):
            if isinstance(element, dict):
                rows += [(f"{coll}[{index}].{k}", v) for k, v in sorted(element.items())]
            else:
                rows.append((f"{coll}[{index}]", element))
    return rows


def _show(value: object, path: str) -> str:
    """A value as a profile would write it: decimals, percentages 0-100, ISO dates."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Fraction):
        if _type(path) == PERCENT:
            return engine.exact_decimal(value * 100)
        return engine.exact_decimal(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _type(path: str) -> object:
    """The vocabulary type of a field path such as `project.costs[0].amount`."""
    base, _, rest = path.partition("[")
    if not rest:
        return vocab.SCALARS.get(path)
    spec = vocab.COLLECTIONS.get(base)
    if spec is None:
        return None
    return spec.scalar if spec.scalar is not None else spec.fields.get(rest.partition("].")[2])
