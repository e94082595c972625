"""What a plan says about each candidate beyond its figures: who funds it, and why it is
not in the plan."""

from __future__ import annotations

from dsl import ir
from dsl.errors import N_


def funder_of(programme: ir.Programme, region: str | None) -> str | None:
    """The agency that funds a partner from `region` under `programme`, from the rule file:
    a programme with one `agency` has it fund every partner; one that lists an agency per
    region (as many as its `regions`, in that order: BEL-COO, BEL-SME) has each region's
    agency fund that region's partners. None when the rule file does not say."""
    agencies = programme.meta.get("agency", ())
    regions = programme.meta.get("regions", ())
    if len(agencies) == 1:
        return agencies[0]
    if region is not None and len(agencies) == len(regions) and region in regions:
        return agencies[regions.index(region)]
    return None


def left_out(eligible: bool, reasons: list[str], proven: bool) -> str:
    """Why a candidate is not in the plan: the condition it fails (or cannot show it meets)
    as the applicant, else that the plan does better without it."""
    if not eligible:
        return "; ".join(reasons) or N_("not eligible")
    if proven:
        return N_("not needed: the optimum is reached without it")
    return N_("not in the best plan found")
