"""Which parameter versions and programmes are in force at a date: what every backend
answers with and cites. Kept apart from the ASP compiler so that the Python backends do
not load it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dsl import ir


@dataclass(frozen=True, slots=True)
class UsedVersion:
    param: str
    period: ir.Period
    value: ir.ConstValue | None  # None: the sources do not give it (`unknown`)
    source: ir.Source | None
    dated: bool  # the parameter has more than one version


def versions_used(
    catalogue: ir.Catalogue,
    programme: ir.Programme,
    as_of: dt.date,
    memo: dict[str, frozenset[str]] | None = None,
) -> list[UsedVersion]:
    """The parameter versions in force at `as_of` that a programme reaches, through
    definitions, sorted by name: what an answer about that programme cites. `memo` as in
    `ir.params_used`, shared by the programmes of one catalogue."""
    memo = {} if memo is None else memo
    reached: set[str] = set()
    for cond in programme.conditions:
        reached |= ir.params_used(cond.expr, catalogue, memo)
    if programme.amount is not None:
        reached |= ir.params_used(programme.amount.expr, catalogue, memo)
    used = []
    for qname in sorted(reached):
        param = catalogue.params[qname]
        version = param.version_at(as_of)
        if version is not None:
            used.append(
                UsedVersion(
                    qname,
                    version.period,
                    version_value(version),
                    version.source,
                    len(param.versions) > 1,
                )
            )
    return used


def split_in_force(
    catalogue: ir.Catalogue, as_of: dt.date, programmes: list[str] | None
) -> tuple[list[str], dict[str, ir.Period]]:
    """The listed programmes (all by default) in force at `as_of`, in order, and the
    others with their validity: what every backend answers, and what it marks."""
    wanted = list(catalogue.programmes) if programmes is None else programmes
    valid = {p: catalogue.programmes[p].valid for p in wanted}
    in_force = [p for p in wanted if valid[p].contains(as_of)]
    return in_force, {p: v for p, v in valid.items() if not v.contains(as_of)}


def version_value(version: ir.ParamVersion) -> ir.ConstValue | None:
    return version.value.value if isinstance(version.value, ir.Const) else None


def no_value(ref: ir.ParamRef, as_of: dt.date) -> ir.Unknown:
    """What a parameter with no version at the date stands for, in every backend."""
    return ir.Unknown(ref.type, f"{ref.qname}: no value on {as_of}")
