"""Profiles → clingo facts, built as symbols through the API (never as program text)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from clingo import Function, Number, String, Symbol
from clingo.backend import Backend

from dsl import vocabulary as vocab
from solver.record import InputRecord, Value


def value_symbol(value: Value) -> Symbol:
    if isinstance(value, bool):  # before Fraction: bool is an int subclass
        return Number(1 if value else 0)
    if isinstance(value, Fraction):
        return String(str(value))
    if isinstance(value, dt.date):
        return Number(value.toordinal())
    if isinstance(value, str):
        return String(value)
    if isinstance(value, int):
        return String(str(value))
    raise TypeError(f"cannot pass {type(value).__name__} to the solver")


def record_facts(index: int, record: InputRecord) -> list[Symbol]:
    """The facts describing one profile, numbered `index`."""
    p = Number(index)
    facts = [Function("prof", [p])]
    for path, value in record.scalars.items():
        facts.append(Function("in", [p, String(path), value_symbol(value)]))
    for path, collection in vocab.COLLECTIONS.items():
        elements = record.collections.get(path)
        if elements is None:  # not given at all: unknown, so no size fact
            continue
        coll = String(path)
        facts.append(Function("size", [p, coll, Number(len(elements))]))
        for i, element in enumerate(elements):
            x = Number(i)
            facts.append(Function("elem", [p, coll, x]))
            if collection.scalar is not None:
                # A list of scalars holds scalars, not element mappings.
                facts.append(
                    # mypy, ignored below: a list of scalars holds values, not mappings
                    Function("ein", [p, coll, x, String(""), value_symbol(element)])  # type: ignore[arg-type]
                )
                continue
            assert isinstance(element, dict)
            for name in collection.fields:
                if name in element:
                    facts.append(
                        Function("ein", [p, coll, x, String(name), value_symbol(element[name])])
                    )
                else:
                    where = String(f"{path}[{i}].{name}")
                    facts.append(Function("eabs", [p, coll, x, String(name), where]))
    return facts


def add_facts(backend: Backend, symbols: list[Symbol]) -> None:
    for symbol in symbols:
        backend.add_rule([backend.add_atom(symbol)])
