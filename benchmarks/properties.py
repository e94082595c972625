"""Time to the first counterexample: for each property the catalogue ships, seed a bug it
is meant to catch into a copy of the catalogue and time `check_properties` on it.

    .venv/bin/python -m benchmarks.properties [--as-of DATE] [--only NAME]

Prints one row per property: the seeded bug, the answer (violated is the expected one),
the method that found it and the seconds it took, then the time to check the unchanged
catalogue's properties. The disk cache is off (`SUBSIDIA_NO_CACHE=1`) and so is the
counterexample database, so each figure is a first run. Figures: docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The programme rule file of each programme id.
FILES = {p.stem: p.relative_to(ROOT / "programmes") for p in (ROOT / "programmes").rglob("*.rules")}
OTHER_REGION = {"flanders": "brussels", "brussels": "wallonia", "wallonia": "brussels"}
STAIRS = "(if count(true for c in project.costs) >= 2 then 0 else 1) * ("


def _amount_edit(prefix: str, suffix: str = "") -> object:
    """An edit of the programme's amount expression: `= X` becomes `= PREFIX X SUFFIX`."""

    def edit(text: str) -> str:
        at = text.index("\n  amount {")
        eq = text.index("\n    = ", at) + len("\n    ")
        end = text.index("\n  }", eq)
        body = text[eq + 2 : end]
        return text[:eq] + "= " + prefix + body + suffix + text[end:]

    return edit


def _replace(old: str, new: str) -> object:
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return edit


def _param(name: str, old: str, new: str) -> object:
    def edit(text: str) -> str:
        at = text.index(f"param {name} :")
        value = text.index(old, at)
        return text[:value] + new + text[value + len(old) :]

    return edit


def seeded(qname: str) -> tuple[str, str, object] | None:
    """(description, programme file relative to programmes/, edit) for a property."""
    block, name = qname.split(".", 1)
    if name.endswith("]"):  # `for every programme`: the copy about one programme
        name, _, programme = name[:-1].partition("[")
        block = programme
    if block != "eu_properties":
        file = FILES[block]
        if name == "grant_not_negative":
            return "amount minus €1", str(file), _amount_edit("-1 EUR + (", ")")
        if name == "only_in_its_regions":
            regions = re.search(r"\n  regions (.*)\n", (ROOT / "programmes" / file).read_text())
            named = re.findall(r"'(\w+)'", regions.group(1)) if regions else []
            if len(named) != 1:
                return None  # in every region: no region condition to widen
            region = named[0]
            other = OTHER_REGION[region]
            old, new = f"company.region = '{region}'", f"company.region != '{other}'"
            return f"region condition '= {region}' → '!= {other}'", str(file), _replace(old, new)
        if name.startswith("more_costs_never_lower_the_grant"):  # `…_with_the_same_cooperation`
            return "amount 0 from two costs on", str(file), _amount_edit(STAIRS, ")")
        if name == "grant_at_most_fifty_thousand":
            return "total_cap €50,000 → €60,000", str(file), _param("total_cap", "50_000", "60_000")
        if name == "advice_at_most_half":
            return "rate 50 % → 90 %", str(file), _param("rate", "50%", "90%")
        if name == "eligible_reaches_minimum_project":
            return (
                "minimum_project €20,000 → €10,000",
                str(file),
                _param("minimum_project", "20_000", "10_000"),
            )
        if name == "flemish_company_only_with_the_flemish_minimum":
            old = "require company.region != 'flanders'\n        or company_grant"
            new = "require company.region != 'flanders'\n        or 1 EUR + company_grant"
            return "Flemish minimum aid − €1", str(file), _replace(old, new)
        if name == "needs_a_partner_from_another_region":
            old = "require any(p.region != company.region for p in project.partners)"
            return "two_regions condition dropped", str(file), _replace(old, "require true")
        if name == "within_de_minimis_headroom":
            old, new = "= eu_de_minimis.headroom", "= eu_de_minimis.headroom + 100_000 EUR"
            return "de minimis limit + €100,000", str(file), _replace(old, new)
        return None
    sme = "eu/sme.rules"
    if name == "sme_category_monotone_in_staff":
        return "small: staff < → >", sme, _replace("staff < small_staff", "staff > small_staff")
    if name == "sme_category_monotone_in_turnover":
        old, new = "turnover <= small_money", "turnover >= small_money"
        return "small: turnover <= → >=", sme, _replace(old, new)
    if name == "sme_category_monotone_in_balance_sheet":
        old, new = "balance <= small_money", "balance >= small_money"
        return "small: balance <= → >=", sme, _replace(old, new)
    regional = {
        "research_in_one_region": ("innoviris_rd_project", "brussels", "wallonia"),
        "development_in_one_region": ("wallonia_rd_project", "wallonia", "brussels"),
        "advice_in_one_region": ("cheques_entreprises", "wallonia", "brussels"),
    }
    if name in regional:
        pid, region, other = regional[name]
        old, new = f"company.region = '{region}'", f"company.region != '{other}'"
        return f"{pid}: '= {region}' → '!= {other}'", str(FILES[pid]), _replace(old, new)
    if name == "name_and_id_do_not_matter":
        old = "require company.region = 'flanders'"
        new = "require company.region = 'flanders' and company.name != \"Acme\""
        return (
            'kmo_groeisubsidie: name != "Acme"',
            str(FILES["kmo_groeisubsidie"]),
            _replace(old, new),
        )
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", default=None)
    parser.add_argument("--only", default=None, help="One property, block.name.")
    args = parser.parse_args()
    os.environ["SUBSIDIA_NO_CACHE"] = "1"
    os.environ["SUBSIDIA_PROPERTY_DB"] = ""
    from policy import engine
    from policy.authoring.properties import check_properties

    day = dt.date.fromisoformat(args.as_of) if args.as_of else dt.date.today()
    names = sorted(engine.catalogue(ROOT / "programmes").properties)
    print(f"{'property':62} {'seeded bug':40} {'answer':10} {'method':7} seconds")
    for qname in names:
        if args.only and qname != args.only:
            continue
        bug = seeded(qname)
        if bug is None:
            print(f"{qname:62} {'(no seeded bug)':40}")
            continue
        what, rel, edit = bug
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "programmes"
            shutil.copytree(ROOT / "programmes", copy)
            path = copy / rel
            path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")  # type: ignore[operator]
            start = time.perf_counter()
            (result,) = check_properties(copy, day, select=qname.__eq__)
            took = time.perf_counter() - start
        print(f"{qname:62} {what[:40]:40} {result.status:10} {result.method:7} {took:6.2f}")
    start = time.perf_counter()
    results = check_properties(ROOT / "programmes", day)
    took = time.perf_counter() - start
    held = sum(r.status == "holds" for r in results)
    print(f"unchanged catalogue: {len(results)} properties, {held} hold, {took:.1f} s")


if __name__ == "__main__":
    main()
