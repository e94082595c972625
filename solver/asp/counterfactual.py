"""Counterfactuals by optimisation: the smallest changes to a profile that make it eligible.

The compiled programme is reused as is; only the facts change. For every field the rule
file marks `changeable`, the profile's value is replaced by a choice among candidate
values (the original first). clingo then minimises, lexicographically, the number of
changed fields and the distance rank of the chosen candidates, under the constraint that
the programme's status is `eligible`.

Candidates come from the rules themselves: each constant a programme compares with, on
both sides of the boundary, divided by the factors and rates the rules multiply with
(`salary × 1.596 ≥ €20,000` → `€12,531.33`), and for dates the following months.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from fractions import Fraction

import clingo
from clingo import Function, Number, String

from dsl import ir
from dsl import vocabulary as vocab
from dsl.types import DATE, MONEY, MONTHS, NUMBER, PERCENT, SYMBOL, Type
from solver.asp.arith import Functions
from solver.asp.compile import CompiledProgram, quote
from solver.asp.facts import add_facts, record_facts, value_symbol
from solver.builtins import add_months
from solver.record import InputRecord, Value

MAX_CANDIDATES = 24
CENT = Fraction(1, 100)


@dataclass(frozen=True, slots=True)
class Change:
    field: str  # display path, e.g. project.costs[0].amount
    old: Value
    new: Value


@dataclass(frozen=True, slots=True)
class Counterfactual:
    changes: tuple[Change, ...]


def _constants(node: ir.Node, catalogue: ir.Catalogue, day: dt.date) -> set[tuple[Type, object]]:
    found: set[tuple[Type, object]] = set()
    stack = [node]
    seen: set[str] = set()
    while stack:
        n = stack.pop()
        if isinstance(n, ir.Const) and not isinstance(n.value, bool | frozenset):
            found.add((n.type, n.value))
        elif isinstance(n, ir.Const) and isinstance(n.value, frozenset):
            found |= {(SYMBOL, v) for v in n.value}
        elif isinstance(n, ir.ParamRef):
            version = catalogue.params[n.qname].version_at(day)
            if version is not None and isinstance(version.value, ir.Const):
                stack.append(version.value)
        elif isinstance(n, ir.DefRef) and n.qname not in seen:
            seen.add(n.qname)
            stack.append(catalogue.definitions[n.qname].expr)
        stack.extend(ir.children(n))
    return found


def _quantity_candidates(
    original: Fraction, kind: Type, constants: set[tuple[Type, object]]
) -> list[Fraction]:
    same = [v for t, v in constants if t == kind and isinstance(v, Fraction)]
    factors = [
        v for t, v in constants if t in (NUMBER, PERCENT) and isinstance(v, Fraction) and v > 0
    ]
    bases = set(same)
    if kind == MONEY:
        for value in same:
            for factor in factors:
                quotient = value / factor
                bases.add(Fraction((quotient / CENT).__ceil__()) * CENT)  # round up to the cent
        bases.add(Fraction(0))
    step = CENT if kind in (MONEY, PERCENT) else Fraction(1, 10) if kind == NUMBER else Fraction(1)
    if kind == PERCENT:
        step = Fraction(1, 10_000)
    values: set[Fraction] = set()
    for base in bases:
        values |= {base - step, base, base + step}
    if kind != MONEY or original >= 0:
        values = {v for v in values if v >= 0}
    values.discard(original)
    ranked = sorted(values, key=lambda v: (abs(v - original), v))
    return ranked[:MAX_CANDIDATES]


def _date_candidates(original: dt.date, anchors: set[dt.date], spans: set[int]) -> list[dt.date]:
    """Later dates worth trying: first days of the coming months, and the days when a
    waiting period that starts at a date of the profile ends (`granted + 24 months`)."""
    values: set[dt.date] = set()
    for months in range(1, 37):
        shifted = add_months(original, months)
        values.add(dt.date(shifted.year, shifted.month, 1))
    values |= {original + dt.timedelta(days=d) for d in (1, 2, 7)}
    for anchor in anchors:
        for months in spans:
            end = add_months(anchor, months)
            values |= {end, end + dt.timedelta(days=1)}
    later = [d for d in values if d > original]
    return sorted(later, key=lambda d: (d - original).days)[: MAX_CANDIDATES * 2]


def _record_dates(record: InputRecord) -> set[dt.date]:
    dates = {v for v in record.scalars.values() if isinstance(v, dt.date)}
    for elements in record.collections.values():
        for element in elements:
            if isinstance(element, dict):
                dates |= {v for v in element.values() if isinstance(v, dt.date)}
    return dates


def candidates(
    field_type: Type,
    original: Value,
    constants: set[tuple[Type, object]],
    anchors: AbstractSet[dt.date] = frozenset(),
) -> list[Value]:
    """Values to try for one field, nearest first (the original excluded)."""
    if field_type in (MONEY, NUMBER, PERCENT, MONTHS) and isinstance(original, Fraction):
        return list(_quantity_candidates(original, field_type, constants))
    if field_type == DATE and isinstance(original, dt.date):
        spans = {int(v) for t, v in constants if t == MONTHS and isinstance(v, Fraction) and v > 0}
        return list(_date_candidates(original, set(anchors), spans))
    if field_type == SYMBOL and isinstance(original, str):
        return sorted({str(v) for t, v in constants if t == SYMBOL} - {original})
    return []


def _field_type(path: str) -> Type | None:
    if path in vocab.SCALARS:
        return vocab.SCALARS[path]
    head, _, last = path.rpartition(".")
    collection = vocab.COLLECTIONS.get(head)
    return collection.fields.get(last) if collection else None


def search(
    program: CompiledProgram,
    catalogue: ir.Catalogue,
    programme: str,
    record: InputRecord,
    limit: int = 3,
) -> list[Counterfactual]:
    """Up to `limit` optimal sets of changes that make `record` eligible for `programme`."""
    prog = catalogue.programmes[programme]
    roots = [c.expr for c in prog.conditions]
    constants: set[tuple[Type, object]] = set()
    for root in roots:
        constants |= _constants(root, catalogue, program.as_of)

    anchors = _record_dates(record)
    scalar_choices: dict[str, list[Value]] = {}
    element_choices: dict[tuple[str, int, str], list[Value]] = {}
    for path in prog.changeable:
        kind = _field_type(path)
        if kind is None:
            continue
        if path in record.scalars:
            scalar_choices[path] = candidates(kind, record.scalars[path], constants, anchors)
            continue
        head, _, name = path.rpartition(".")
        for index, element in enumerate(record.collections.get(head) or []):
            if isinstance(element, dict) and name in element:
                element_choices[(head, index, name)] = candidates(
                    kind, element[name], constants, anchors
                )

    facts = []
    for symbol in record_facts(0, record):
        args = symbol.arguments
        if symbol.name == "in" and args[1].string in scalar_choices:
            continue
        if symbol.name == "ein":
            key = (args[1].string, args[2].number, args[3].string)
            if key in element_choices:
                continue
        facts.append(symbol)
    for path, values in scalar_choices.items():
        original = record.scalars[path]
        for rank, value in enumerate([original, *values]):
            facts.append(Function("cand", [String(path), value_symbol(value), Number(rank)]))
    for (coll, index, name), values in element_choices.items():
        element = record.collections[coll][index]
        assert isinstance(element, dict)
        for rank, value in enumerate([element[name], *values]):
            facts.append(
                Function(
                    "ecand",
                    [String(coll), Number(index), String(name), value_symbol(value), Number(rank)],
                )
            )

    choice = f"""
1 {{ pick(F,V,R) : cand(F,V,R) }} 1 :- cand(F,_,0).
in(0,F,V) :- pick(F,V,_).
1 {{ epick(C,I,N,V,R) : ecand(C,I,N,V,R) }} 1 :- ecand(C,I,N,_,0).
ein(0,C,I,N,V) :- epick(C,I,N,V,_).
:- not status(0,{quote(programme)},eligible).
#minimize {{ 1@2,F : pick(F,_,R), R > 0; 1@2,C,I,N : epick(C,I,N,_,R), R > 0 }}.
#minimize {{ R@1,F : pick(F,_,R); R@1,C,I,N : epick(C,I,N,_,R) }}.
#defined cand/3. #defined ecand/5.
#show pick/3. #show epick/5.
"""
    ctl = clingo.Control(["--opt-mode=optN", f"--models={limit}", "--warn=none"])
    ctl.add("base", [], program.text + choice)
    with ctl.backend() as backend:
        add_facts(backend, facts)
    ctl.ground([("base", [])], context=Functions())
    found: list[Counterfactual] = []
    with ctl.solve(yield_=True) as handle:
        for model in handle:
            if not model.optimality_proven:
                continue
            changes = []
            for sym in model.symbols(shown=True):
                args = sym.arguments
                if sym.name == "pick" and args[2].number > 0:
                    path = args[0].string
                    new = scalar_choices[path][args[2].number - 1]
                    changes.append(Change(path, record.scalars[path], new))
                elif sym.name == "epick" and args[4].number > 0:
                    coll, index, name = args[0].string, args[1].number, args[2].string
                    new = element_choices[(coll, index, name)][args[4].number - 1]
                    element = record.collections[coll][index]
                    assert isinstance(element, dict)
                    changes.append(Change(f"{coll}[{index}].{name}", element[name], new))
            found.append(Counterfactual(tuple(sorted(changes, key=lambda c: c.field))))
    unique = list(dict.fromkeys(found))
    return unique[:limit]


def apply(record: InputRecord, counterfactual: Counterfactual) -> InputRecord:
    """The record with the changes made, for re-checking by the evaluator."""
    scalars = dict(record.scalars)
    collections = {
        k: [dict(e) if isinstance(e, dict) else e for e in v] for k, v in record.collections.items()
    }
    for change in counterfactual.changes:
        if "[" in change.field:
            coll, rest = change.field.split("[", 1)
            index, name = rest.split("].", 1)
            element = collections[coll][int(index)]
            assert isinstance(element, dict)
            element[name] = change.new
        else:
            scalars[change.field] = change.new
    # mypy, ignored below: the copied collections keep the record's two list kinds
    return InputRecord(scalars, collections)  # type: ignore[arg-type]
