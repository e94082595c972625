"""Subsidia against OpenFisca-core on the same generated companies: the EU SME category
and the Kmo-groeisubsidie amount, decisions per second, peak memory and agreement.

    .venv/bin/python -m benchmarks.openfisca [--sizes 10000 100000] [--backend direct vector]
        [--write]

OpenFisca-core is the `bench` extra (`pip install -e '.[bench]'`). The OpenFisca side is
benchmarks/openfisca_rules.py (a TaxBenefitSystem with entities, vectorised numpy
formulas); the Subsidia side is `engine.check_records(records, as_of,
["kmo_groeisubsidie"], backend=BACKEND)`, which gives the category (`report.sme`) and the
amount; `--backend` takes one or more backends `check_records` takes, each timed against
the same OpenFisca run.

Each engine and size runs in a fresh process, on the companies of benchmarks/generate.py
(seed 2026), made before the clock starts: Subsidia takes them as the engine's
`InputRecord`s; OpenFisca as numpy arrays (converted untimed, as a user would load
them). Timed: for OpenFisca, building the simulation (entities, memberships, inputs) and
calculating both variables; for Subsidia, the `check_records` call. Both engines are
warmed up first on 200 companies (rule catalogue loaded, formulas compiled). Peak memory
is the process's peak resident set during the timed part, above what it held before
(Linux: VmHWM after resetting it through /proc/self/clear_refs).

Agreement: the category where every input the SME definition reads is given (OpenFisca
has no unknown values), the amount where Subsidia gives one and every cost line's inputs
are given; 0 disagreements is the bar. With `--write` the report replaces the
`openfisca` section of docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from benchmarks.generate import random_records
from solver.record import InputRecord

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- openfisca:begin -->", "<!-- openfisca:end -->"
AS_OF = dt.date(2026, 3, 1)
SEED = 2026
WARM_UP = 200
PROGRAMME = "kmo_groeisubsidie"
# OpenFisca variables are defined per year (its eternity period has no formula date in
# openfisca-core 46); the rules here do not change with it.
PERIOD = "2026"
ALWAYS_EXEMPT = {"university", "institutional", "venture_capital", "public_investment"}


# --- the generated companies as OpenFisca inputs ----------------------------------------------


def _scaled(value: object, unit: int) -> int:
    """An exact quantity in an integer unit; a value that is not exact in it stops the
    benchmark (the comparison would not be exact)."""
    assert isinstance(value, Fraction), value
    scaled = value * unit
    if scaled.denominator != 1:
        raise ValueError(f"{value} is not a whole number of 1/{unit}")
    return int(scaled)


@dataclass
class Arrays:
    """OpenFisca's inputs: per company, per item (with its company and role), and which
    companies can be compared (every input given)."""

    company: dict[str, list[int]] = field(default_factory=dict)
    item: dict[str, list[int]] = field(default_factory=dict)
    item_company: list[int] = field(default_factory=list)
    item_role: list[int] = field(default_factory=list)
    category_known: list[bool] = field(default_factory=list)
    amount_known: list[bool] = field(default_factory=list)


def to_arrays(records: list[InputRecord]) -> Arrays:
    from benchmarks import openfisca_rules as rules

    units = {"staff": rules.STAFF, "turnover": rules.MONEY, "balance_sheet": rules.MONEY}
    arrays = Arrays(
        company={f"company_{n}": [] for n in rules.COMPANY_INPUTS},
        item={f"item_{n}": [] for n in (*rules.ITEM_INPUTS, "held_by")},
    )
    defaults = {name: 0 for name in arrays.item} | {"item_employment_half_months": 24}

    def add_item(index: int, role: int, values: dict[str, int]) -> None:
        arrays.item_company.append(index)
        arrays.item_role.append(role)
        for name, column in arrays.item.items():
            column.append(values.get(name, defaults[name]))

    for index, record in enumerate(records):
        s, lists = record.scalars, record.collections
        known = True
        for name, unit in units.items():
            value = s.get(f"company.{name}")
            known &= value is not None
            arrays.company[f"company_{name}"].append(0 if value is None else _scaled(value, unit))
        public = s.get("company.public_ownership", Fraction(0))
        arrays.company["company_public_ownership"].append(_scaled(public, rules.SHARE))
        accounts = sorted(lists.get("company.accounts") or [], key=lambda a: a["year"])[-10:]
        for account in accounts:  # first, oldest first: value_nth_person walks them so
            values = {}
            for name, unit in units.items():
                known &= account.get(name) is not None
                if account.get(name) is not None:
                    values[f"item_{name}"] = _scaled(account[name], unit)
            add_item(index, 0, values)
        for e in lists.get("company.enterprises") or []:
            values = {"item_held_by": int(e.get("direction") == "held_by")}
            known &= e.get("direction") is not None and e.get("share") is not None
            relation = e.get("relation", "none")
            values["item_relation"] = {"partner": 1, "linked": 2}.get(str(relation), 0)
            investor = str(e.get("investor", "none"))
            values["item_investor"] = (
                rules.INVESTOR_ALWAYS_EXEMPT
                if investor in ALWAYS_EXEMPT
                else {"business_angel": 2, "local_authority": 3}.get(investor, 0)
            )
            if e.get("share") is not None:
                values["item_share"] = _scaled(e["share"], rules.SHARE)
            for name, unit in (*units.items(), ("investment", 100), ("authority_budget", 100)):
                if e.get(name) is not None:
                    values[f"item_{name}"] = _scaled(e[name], unit)
                elif name in units:
                    known &= False
            if e.get("inhabitants") is not None:
                values["item_inhabitants"] = _scaled(e["inhabitants"], 1)
            # The exceptions read these too: a local authority's budget and inhabitants, an
            # angel's investment (the angels' total). Absent, Subsidia may answer unknown.
            needs = {"local_authority": ("authority_budget", "inhabitants")}
            needs["business_angel"] = ("investment",)
            known &= all(e.get(name) is not None for name in needs.get(investor, ()))
            add_item(index, 1, values)
        costs = lists.get("project.costs")
        amount_known = costs is not None
        for cost in costs or []:
            category = cost.get("category")
            code = {"advice": rules.COST_ADVICE, "hire": rules.COST_HIRE}.get(str(category), 0)
            values = {"item_category": code}
            needed = {rules.COST_ADVICE: "amount", rules.COST_HIRE: "gross_salary"}.get(code)
            amount_known &= category is not None and (needed is None or needed in cost)
            for name in ("amount", "gross_salary"):
                if cost.get(name) is not None:
                    values[f"item_{name}"] = _scaled(cost[name], rules.MONEY)
            if cost.get("employment_months") is not None:
                values["item_employment_half_months"] = _scaled(cost["employment_months"], 2)
            add_item(index, 2, values)
        add_item(index, 3, {})
        arrays.category_known.append(known)
        arrays.amount_known.append(amount_known)
    return arrays


# --- one engine, one size, in this process ------------------------------------------------------


def openfisca_answers(arrays: Arrays) -> tuple[list[str], list[int]]:
    """Build the simulation and calculate both variables: what is timed."""
    import numpy as np
    from openfisca_core.simulations import SimulationBuilder

    from benchmarks import openfisca_rules as rules

    system = _system()
    builder = SimulationBuilder()
    builder.create_entities(system)
    count = len(arrays.category_known)
    builder.declare_person_entity("item", np.arange(len(arrays.item_company)))
    companies = builder.declare_entity("company", np.arange(count))
    builder.join_with_persons(
        companies, np.array(arrays.item_company), np.array(arrays.item_role)
    )
    simulation = builder.build(system)
    for name, values in (*arrays.company.items(), *arrays.item.items()):
        dtype = bool if name == "item_held_by" else np.int64
        simulation.set_input(name, PERIOD, np.array(values, dtype=dtype))
    ranks = simulation.calculate("company_sme_rank", PERIOD)
    amounts = simulation.calculate("company_kmo_groeisubsidie", PERIOD)
    return [rules.CATEGORIES[r] for r in ranks.tolist()], amounts.tolist()


_SYSTEM = None


def _system():  # type: ignore[no-untyped-def]
    global _SYSTEM
    if _SYSTEM is None:
        from benchmarks.openfisca_rules import tax_benefit_system

        _SYSTEM = tax_benefit_system()
    return _SYSTEM


def subsidia_answers(records: list[InputRecord], backend: str) -> tuple[list, list]:
    from policy import engine

    reports = engine.check_records(records, AS_OF, [PROGRAMME], backend=backend)
    categories = [r.sme.category for r in reports]
    amounts = [
        None if r.results[0].amount is None else int(r.results[0].amount * 100) for r in reports
    ]
    return categories, amounts


def _rss_kib(field_name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field_name} in /proc/self/status")


def run_one(engine_name: str, size: int, backend: str, out: Path) -> None:
    """One engine on `size` companies; writes the timing, memory and answers to `out`."""
    records = random_records(size, SEED)
    warm = random_records(WARM_UP, SEED + 1)
    if engine_name == "openfisca":
        arrays = to_arrays(records)
        openfisca_answers(to_arrays(warm))

        def work() -> tuple[list, list]:
            return openfisca_answers(arrays)
    else:
        subsidia_answers(warm, backend)

        def work() -> tuple[list, list]:
            return subsidia_answers(records, backend)

    before = _rss_kib("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    start, cpu_start = time.perf_counter(), time.process_time()
    categories, amounts = work()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    peak = _rss_kib("VmHWM") - before
    result = {"seconds": seconds, "cpu": cpu, "peak_kib": peak}
    result |= {"categories": categories, "amounts": amounts}
    if engine_name == "openfisca":
        result["category_known"] = arrays.category_known
        result["amount_known"] = arrays.amount_known
    out.write_text(json.dumps(result))


# --- the comparison --------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    size: int
    openfisca: tuple[float, float, int]  # wall seconds, CPU seconds, peak KiB
    subsidia: tuple[float, float, int]
    categories: tuple[int, int]  # compared, disagreeing
    amounts: tuple[int, int]
    backend: str = "direct"


def _child(engine_name: str, size: int, backend: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "result.json"
        cmd = [sys.executable, "-m", "benchmarks.openfisca", "--one", engine_name, str(size)]
        subprocess.run([*cmd, "--backend", backend, "--out", str(out)], cwd=ROOT, check=True)
        return json.loads(out.read_text())


def compare(size: int, backend: str, theirs: dict) -> Row:
    """Subsidia on `backend` against OpenFisca's answers `theirs` for the same companies."""
    ours = _child("subsidia", size, backend)
    compared = disagree = 0
    for known, a, b in zip(
        theirs["category_known"], theirs["categories"], ours["categories"], strict=True
    ):
        if known:
            compared += 1
            disagree += a != b
    amounts = amount_disagree = 0
    for known, a, b in zip(
        theirs["amount_known"], theirs["amounts"], ours["amounts"], strict=True
    ):
        if known and b is not None:
            amounts += 1
            amount_disagree += a != b
    return Row(
        size,
        (theirs["seconds"], theirs["cpu"], theirs["peak_kib"]),
        (ours["seconds"], ours["cpu"], ours["peak_kib"]),
        (compared, disagree),
        (amounts, amount_disagree),
        backend,
    )


def report(rows: list[Row], backends: list[str], load: tuple[float, float]) -> str:
    def rate(size: int, seconds: float) -> str:
        return f"{size / seconds:,.0f}"

    sizes = sorted({r.size for r in rows})
    lines = [
        BEGIN,
        "",
        f"Measured {dt.date.today().isoformat()} on {platform.machine()}, Python "
        f"{platform.python_version()}, {os.cpu_count()} cores shared with other jobs (load "
        f"average {load[0]:.1f} before, {load[1]:.1f} after), one core per engine; companies "
        f"of benchmarks/generate.py (seed {SEED}), as of {AS_OF.isoformat()}; Subsidia's "
        f"`check_records(..., [\"{PROGRAMME}\"], backend=...)` with "
        + ", ".join(f"`{b}`" for b in backends)
        + "; OpenFisca timed once per size.",
        "",
        "```sh",
        f".venv/bin/python -m benchmarks.openfisca --sizes {' '.join(map(str, sizes))}"
        f" --backend {' '.join(backends)} --write",
        "```",
        "",
        "Decisions (a company's category and amount) per second of wall time and of CPU "
        "time (the steadier figure on a shared machine); peak memory above what the process "
        "held before the timed part.",
        "",
        "| companies | engine | decisions/s (wall) | decisions/s (CPU) | peak memory |",
        "|---:|---|---:|---:|---:|",
    ]
    for size in sizes:
        same = [r for r in rows if r.size == size]
        timings = [("OpenFisca-core", same[0].openfisca)]
        timings += [(f"Subsidia, {r.backend} backend", r.subsidia) for r in same]
        for name, (wall, cpu, peak) in timings:
            lines.append(
                f"| {size:,} | {name} | {rate(size, wall)} | {rate(size, cpu)} "
                f"| {peak / 1024:.0f} MiB |"
            )
    lines += [
        "",
        "| companies | backend | OpenFisca ÷ Subsidia (CPU) | categories compared (disagreeing) "
        "| amounts compared (disagreeing) |",
        "|---:|---|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.size:,} | {r.backend} | {r.subsidia[1] / r.openfisca[1]:.0f}× "
            f"| {r.categories[0]:,} ({r.categories[1]}) | {r.amounts[0]:,} ({r.amounts[1]}) |"
        )
    lines += ["", END]
    return "\n".join(lines)


def _write(text: str) -> None:
    doc = REPORT.read_text(encoding="utf-8")
    start, end = doc.index(BEGIN), doc.index(END) + len(END)
    REPORT.write_text(doc[:start] + text + doc[end:], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.openfisca")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument(
        "--backend",
        nargs="+",
        default=["direct"],
        help="backends check_records takes, each timed against the same OpenFisca run",
    )
    parser.add_argument("--write", action="store_true", help="update docs/performance.md")
    parser.add_argument("--one", nargs=2, metavar=("ENGINE", "SIZE"), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        run_one(args.one[0], int(args.one[1]), args.backend[0], args.out)
        return 0
    load_before = os.getloadavg()[0]
    rows = []
    for size in args.sizes:
        theirs = _child("openfisca", size, "direct")
        for backend in args.backend:
            row = compare(size, backend, theirs)
            print(row, file=sys.stderr, flush=True)
            rows.append(row)
    text = report(rows, args.backend, (load_before, os.getloadavg()[0]))
    print(text)
    if args.write:
        _write(text)
    bad = sum(r.categories[1] + r.amounts[1] for r in rows)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
