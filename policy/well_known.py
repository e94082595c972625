"""The contract between the rule catalogue and the code: the definitions and parameters
that policy/ looks up by name, declared once with the type the code relies on.

`check` runs when a catalogue is loaded (policy.engine). A rule folder may leave out a
whole block (a folder with one programme and no `eu_sme` has no SME figures to report),
but a block that is there must define each of its well-known names with the declared
type: renaming `eu_sme.category_of_company` is then a clear load error naming the file,
not a silently missing column in every answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from dsl import ir
from dsl.codes import BROKEN_CONTRACT
from dsl.diagnostics import Diagnostic, RuleError
from dsl.errors import N_
from dsl.span import Span
from dsl.types import BOOL, MONEY, NUMBER, PERCENT, SYMBOL, Type

CATEGORY = "eu_sme.category_of_company"
SME_STAFF = "eu_sme.staff"
SME_TURNOVER = "eu_sme.turnover"
SME_BALANCE_SHEET = "eu_sme.balance_sheet"
IS_SME = "eu_sme.is_sme"
HEADROOM = "eu_de_minimis.headroom"  # the single undertaking's de minimis headroom
CEILING_PREFIX = "eu_cumulation.ceiling_"  # cumulation ceilings, one per cost category
OVERALL_CEILING = "eu_cumulation.overall_max_intensity"
# The largest share of one firm in an effective collaboration (GBER art. 25(6)(b)(i)).
COLLABORATION_SHARE = "eu_gber.max_cost_share"

# The definitions every check reports: the aggregated SME figures.
SME_EXPORTS = (CATEGORY, SME_STAFF, SME_TURNOVER, SME_BALANCE_SHEET)


@dataclass(frozen=True, slots=True)
class WellKnown:
    qname: str
    kind: str  # "definition" (a `let`) or "param"
    type: Type
    used_by: str


CONTRACT: tuple[WellKnown, ...] = (
    WellKnown(CATEGORY, "definition", SYMBOL, "check reports, cases, planner"),
    WellKnown(SME_STAFF, "definition", NUMBER, "check reports"),
    WellKnown(SME_TURNOVER, "definition", MONEY, "check reports"),
    WellKnown(SME_BALANCE_SHEET, "definition", MONEY, "check reports"),
    WellKnown(IS_SME, "definition", BOOL, "planner"),
    WellKnown(HEADROOM, "definition", MONEY, "stacking, planner"),
    WellKnown(OVERALL_CEILING, "param", PERCENT, "planner"),
    WellKnown(COLLABORATION_SHARE, "param", PERCENT, "planner"),
)


def problems(catalogue: ir.Catalogue) -> list[Diagnostic]:
    """What breaks the contract: a well-known name missing from a block that is there, or
    of another kind or type than declared (BROKEN_CONTRACT)."""
    found: list[Diagnostic] = []
    for item in CONTRACT:
        block = item.qname.split(".", 1)[0]
        if block not in catalogue.blocks:
            continue
        declared = (catalogue.definitions if item.kind == "definition" else catalogue.params).get(
            item.qname
        )
        if declared is None and item.kind == "definition":
            message = N_(
                "block '{block}' must define the definition (let) '{qname}'",
                block=block,
                qname=item.qname,
            )
            span = _block_span(catalogue, block)
        elif declared is None:
            message = N_(
                "block '{block}' must define the param '{qname}'", block=block, qname=item.qname
            )
            span = _block_span(catalogue, block)
        elif declared.type != item.type:
            message = N_(
                "'{qname}' must be of type {type}, not {declared}",
                qname=item.qname,
                type=str(item.type),
                declared=str(declared.type),
            )
            span = declared.span
        else:
            continue
        hint = N_("the code relies on it: {used_by}", used_by=item.used_by)
        found.append(Diagnostic(BROKEN_CONTRACT, message, span, (hint,)))
    return found


def check(catalogue: ir.Catalogue) -> None:
    """Raise RuleError when the catalogue breaks the contract."""
    found = problems(catalogue)
    if found:
        raise RuleError(found)


def _block_span(catalogue: ir.Catalogue, block: str) -> Span:
    """Where the block is: the file of one of its names (the catalogue keeps no block span)."""
    declared: list[ir.Definition | ir.Param] = [
        *catalogue.definitions.values(),
        *catalogue.params.values(),
    ]
    for item in declared:
        if item.qname.startswith(block + "."):
            return Span(item.span.file, 0, 0, 0, 0)
    return Span("<catalogue>", 0, 0, 0, 0)
