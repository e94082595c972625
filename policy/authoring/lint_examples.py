"""Example profiles for `subsidia lint`'s findings that have one: a complete profile file
that `subsidia check` loads and whose answer shows the finding.

Only L706 (eligible with no eligible cost) has a witness: the other findings say that no
profile exists (L701, L702, L703, L704) or are about versions (L705). The finding itself
comes from a search in which shared definitions (the SME category, ...) are free choices;
such a witness may rest on a category its fields do not give. The example is searched
again with the real definitions, so that its fields give every value it rests on, and is
kept only once `subsidia check`'s own path (the profile loaded, costed, checked) answers
`eligible` for the programme, with no cost line in the profile.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from fractions import Fraction
from typing import Any

from dsl import ir
from policy.authoring.profiles import loadable, profile_of

TRIES = 8  # witnesses tried per stage of the search when one does not reproduce


COSTS = "project.costs"

# What an aggregate over no element is, as the backends evaluate it (solver.native.direct):
# a sum or count is 0, `any` is false, `all` is true, a maximum or minimum is not known.
_EMPTY: dict[str, Fraction | bool] = {"sum": Fraction(0), "count": Fraction(0)}
_EMPTY_TRUTH = {"any": False, "all": True}


def reads_costs(node: ir.Node, catalogue: ir.Catalogue) -> bool:
    """Whether the expression reads the project's cost lines (through definitions too)."""
    return any(
        isinstance(n, ir.Aggregate) and n.var.collection == COSTS
        for n in ir.walk(node, catalogue=catalogue)
    )


def without_cost_lines(nodes: list[ir.Node], catalogue: ir.Catalogue) -> list[ir.Node]:
    """The expressions for a project with an empty list of cost lines: every aggregate
    over them replaced by its value over no element, definitions that read them inlined.

    The question "eligible with no cost line?" is then asked of a program with no cost
    list at all: the costing definitions (sums over lines and their months) need not be
    grounded, and cannot be taken as free values either (a free sum could be anything).
    """
    reading = {q for q, d in catalogue.definitions.items() if reads_costs(d.expr, catalogue)}
    memo: dict[int, tuple[ir.Node, ir.Node]] = {}

    def empty(n: ir.Node) -> ir.Node:
        if isinstance(n, ir.DefRef) and n.qname in reading:
            return ir.transform(catalogue.definitions[n.qname].expr, empty, memo)
        if not isinstance(n, ir.Aggregate) or n.var.collection != COSTS:
            return n
        if n.kind in _EMPTY_TRUTH:
            return ir.Const(n.type, _EMPTY_TRUTH[n.kind])
        if n.kind in _EMPTY:
            return ir.Const(n.type, _EMPTY[n.kind])
        return ir.Unknown(n.type, f"the {n.kind} of no cost line")

    return [ir.transform(node, empty, memo) for node in nodes]


@dataclasses.dataclass(frozen=True, slots=True)
class ExampleRequest:
    """A finding's example, searched only once the finding is known to be shown: the
    search grounds the real shared definitions, which is slow, and an allowed finding
    is never printed."""

    catalogue: ir.Catalogue
    pid: str
    day: dt.date

    def search(self, no_cost_line: ir.Condition) -> dict[str, Any] | None:
        return zero_cost_example(self.catalogue, self.pid, no_cost_line, self.day)


def zero_cost_example(
    catalogue: ir.Catalogue, pid: str, no_cost_line: ir.Condition, day: dt.date
) -> dict[str, Any] | None:
    """A profile with no cost line for which `subsidia check` finds `pid` eligible."""
    from solver.asp.compile import compile_programmes
    from solver.search.witness import Search, build_domain, status_atom

    prog = catalogue.programmes[pid]
    given = (*prog.conditions, no_cost_line)
    exprs = without_cost_lines([c.expr for c in given], catalogue)
    conditions = tuple(dataclasses.replace(c, expr=e) for c, e in zip(given, exprs, strict=True))
    probe = dataclasses.replace(prog, conditions=conditions, amount=None)
    view = dataclasses.replace(catalogue, programmes={**catalogue.programmes, pid: probe})
    program = compile_programmes(view, day, [pid])
    domain = build_domain([c.expr for c in probe.conditions], view, day)
    for stage in domain.stages():
        search = Search(program, stage)
        for record in search.find([(status_atom(pid, "eligible"), True)], TRIES):
            profile = loadable(profile_of(record, day))
            if profile is not None and shows_zero_costs(catalogue, pid, profile, day):
                return profile
    return None


def shows_zero_costs(
    catalogue: ir.Catalogue, pid: str, profile: dict[str, Any], day: dt.date
) -> bool:
    """Whether `subsidia check` on the profile finds `pid` eligible, with no cost line."""
    if profile.get("project", {}).get("costs"):
        return False
    return status(catalogue, pid, profile, day) == "eligible"


def status(catalogue: ir.Catalogue, pid: str, profile: dict[str, Any], day: dt.date) -> str:
    """The programme's status as `subsidia check` answers it for the profile."""
    from policy import engine
    from policy.funding.budget import check_record
    from policy.inputs.loading import parse_profile

    record = check_record(catalogue, parse_profile(copy.deepcopy(profile)), day)
    [report] = engine.check_catalogue_records(catalogue, [record], day, [pid], "direct")
    return str(report.results[0].status)
