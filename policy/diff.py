"""`subsidia diff OLD NEW`: which profiles change status or amount between two versions of
a programme, each shown with a concrete example profile found by the solver."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from dsl.loader import load_overriding
from policy import engine
from solver.record import InputRecord
from solver.run import solve
from solver.witness import Search, diff_program, merge

PREFIX = "new__"


@dataclass(slots=True)
class Difference:
    record: InputRecord
    old_status: str
    new_status: str
    old_amount: str | None
    new_amount: str | None


def diff(
    old: Path, new: Path, programme: str | None, day: dt.date, root: Path, limit: int = 3
) -> tuple[str, list[Difference]]:
    old_cat, _ = load_overriding(root, old)
    new_cat, _ = load_overriding(root, new)
    candidates = sorted(set(old_cat.programmes) & set(new_cat.programmes))
    if programme is None:
        # The programme(s) the NEW file defines and the old one too.
        defined = {
            pid for pid, p in new_cat.programmes.items() if Path(p.file).resolve() == new.resolve()
        }
        matching = [p for p in candidates if p in defined] or candidates
        if len(matching) != 1:
            raise ValueError(
                f"choose a programme with --programme (candidates: {', '.join(matching)})"
            )
        programme = matching[0]
    if programme not in candidates:
        raise ValueError(f"programme '{programme}' is not in both versions")
    merged = merge(old_cat, new_cat, PREFIX)
    program, domain, extra = diff_program(merged, programme, day, PREFIX)
    search = Search(program, domain, extra + ":- not changed.\n")
    witnesses = search.find([], limit)
    out = []
    for record in witnesses:
        answers = solve(program, [record])[0].programmes
        before, after = answers[programme], answers[PREFIX + programme]
        out.append(
            Difference(
                record,
                before.status,
                after.status,
                None if before.amount is None else str(engine.round_grant(before.amount)),
                None if after.amount is None else str(engine.round_grant(after.amount)),
            )
        )
    return programme, out
