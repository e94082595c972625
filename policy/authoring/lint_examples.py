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
from typing import Any

from dsl import ir
from policy.authoring.profiles import loadable, profile_of

TRIES = 8  # witnesses tried per stage of the search when one does not reproduce


def zero_cost_example(
    catalogue: ir.Catalogue, pid: str, no_cost_line: ir.Condition, day: dt.date
) -> dict[str, Any] | None:
    """A profile with no cost line for which `subsidia check` finds `pid` eligible."""
    from solver.asp.compile import compile_programmes
    from solver.search.witness import Search, build_domain, status_atom

    prog = catalogue.programmes[pid]
    probe = dataclasses.replace(prog, conditions=(*prog.conditions, no_cost_line), amount=None)
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
