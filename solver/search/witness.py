"""Witness search: let clingo choose a profile, over a finite candidate domain built from
what the rules compare each field with, that satisfies a query. Used by `lint` (a programme
nobody can satisfy; a condition implied by the others) and `diff` (profiles whose answer
changes). For `diff`, a second search (`fill_domain`, `fill_program`) turns a witness that
left shared definitions free into a whole profile: its fields pinned, the fields the shared
definitions read chosen so that they compute the values the witness assumed.

The domain is finite, so "no witness" means "none among the candidate values"
(solver.candidates): each boundary a field is compared with, directly or through the
arithmetic in between (a cap over a rate), with a step on either side; for a symbol, the
values it is tested against and a neutral one. Lists have at most two elements, searched in
two stages (`Domain.stages`): lists of at most one element first, then only witnesses with
a longer list, whose element fields get fewer boundaries each (the values a sum over two
elements, or a comparison of two such sums, takes grow with the product of the elements'
candidates). That is where rule bugs live (a boundary that can never be crossed, two
conditions that contradict each other), and it keeps grounding small.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import clingo
from clingo import Function, Number, String

from dsl import ir
from dsl import vocabulary as vocab
from dsl.types import BOOL, DATE, PERCENT, SYMBOL, TEXT, Type
from solver.asp.arith import Functions
from solver.asp.compile import CompiledProgram, compile_programmes, quote
from solver.asp.facts import add_facts, value_symbol
from solver.record import InputRecord, Value
from solver.search.candidates import FRESH, MAX_BOUNDS, PAIR_BOUNDS, Analysis

ELEMENTS = 2  # list elements a witness may have: enough to tell "each" from "the total"
# Fields the profile model lets go below zero; every other quantity is at least 0.
SIGNED = frozenset({"company.equity", "company.reserves"})
FREE = "@"  # prefix of a shared definition abstracted into a free choice


@dataclass(frozen=True, slots=True)
class Domain:
    scalars: dict[str, list[Value]]
    elements: dict[str, dict[str, list[Value]]]  # list path -> field -> values
    free: dict[str, Type] = dataclasses.field(default_factory=dict)  # `@block.x` -> type
    size: int = ELEMENTS  # elements a list may have, at most
    plain: bool = False  # prefer plain figures (an example to show), at some solving cost
    # Element candidates when lists have two elements or more: fewer boundaries each, as
    # the values a sum or a comparison of sums can take grow with their product.
    pairs: dict[str, dict[str, list[Value]]] | None = None

    def element_values(self) -> dict[str, dict[str, list[Value]]]:
        return self.pairs if self.size > 1 and self.pairs is not None else self.elements

    longer: bool = False  # only witnesses with some list longer than one element

    def sized(self, size: int) -> Domain:
        return dataclasses.replace(self, size=size)

    def stages(self) -> list[Domain]:
        """The domain as searches in turn: lists of at most one element, then (if the
        domain has lists) only the witnesses with a longer one: together, the domain."""
        if not self.elements or self.size <= 1:
            return [self]
        return [self.sized(1), dataclasses.replace(self, longer=True)]

    def preferring_plain(self) -> Domain:
        return dataclasses.replace(self, plain=True)


def abstract(node: ir.Node, catalogue: ir.Catalogue, keep: set[str]) -> ir.Node:
    """Replace uses of other blocks' definitions by free choices (pseudo-fields `@block.x`).

    A witness of the abstraction may not be a real profile, but "no witness" stays true:
    the shared definition can take any value of its type, which includes its real ones.
    """
    if isinstance(node, ir.DefRef):
        if node.qname.split(".", 1)[0] not in keep:
            return ir.Field(node.type, FREE + node.qname)
        return ir.DefRef(node.type, node.qname)
    if isinstance(node, ir.Const | ir.Unknown | ir.Field | ir.ElemField | ir.AsOf | ir.ParamRef):
        return node
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if isinstance(value, tuple) and value and not isinstance(value[0], str):
            changes[f.name] = tuple(abstract(v, catalogue, keep) for v in value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, ir.Var | Type):
            # mypy, ignored below: a dataclass field of a node is a node (Var and Type excluded)
            changes[f.name] = abstract(value, catalogue, keep)  # type: ignore[arg-type]
    return dataclasses.replace(node, **changes)


def abstract_definitions(
    catalogue: ir.Catalogue, keep: set[str], rewrite=None
) -> dict[str, ir.Definition]:
    """The catalogue's definitions with those of the kept blocks abstracted too, so that a
    kept definition (a programme's own `let`) does not bring other blocks' definitions back
    in through its body: abstraction must reach every definition the program compiles."""
    rewrite = rewrite or (lambda expr: abstract(expr, catalogue, keep))
    out = dict(catalogue.definitions)
    for qname, definition in catalogue.definitions.items():
        if qname.split(".", 1)[0] in keep:
            out[qname] = dataclasses.replace(definition, expr=rewrite(definition.expr))
    return out


def build_domain(
    roots: list[ir.Node], catalogue: ir.Catalogue, day: dt.date, size: int = ELEMENTS
) -> Domain:
    """Candidate values for every profile field the given expressions read, from what
    the rules compare each field with (solver.candidates)."""
    analysis = Analysis(catalogue, day)
    for root in roots:
        analysis.add(root)

    def values_for(
        key: str, kind: Type, natural: frozenset = frozenset(), limit: int = MAX_BOUNDS
    ) -> list[Value]:
        if kind == BOOL:
            return [True, False]
        if kind in (SYMBOL, TEXT):
            if key.startswith(FREE):  # what it is tested against, and what it can be
                return sorted(set(analysis.symbols.get(key, set())) | natural) or [FRESH]
            return list(analysis.symbol_values(key))
        if kind == DATE:
            return list(analysis.date_values())
        signed = key in SIGNED or key.startswith(FREE)
        return list(analysis.numeric_values(key, kind, signed, natural, limit))

    scalar_domain: dict[str, list[Value]] = {}
    free: dict[str, Type] = {}
    for path, kind in sorted(analysis.scalars.items()):
        if path.startswith(FREE):
            free[path] = kind
            natural = analysis.definition_constants(path.removeprefix(FREE), kind)
            scalar_domain[path] = values_for(path, kind, natural)
        else:
            scalar_domain[path] = values_for(path, vocab.SCALARS[path])

    def elements(limit: int) -> dict[str, dict[str, list[Value]]]:
        out = {}
        for coll, fields in sorted(analysis.lists.items()):
            spec = vocab.COLLECTIONS[coll]
            if spec.scalar is not None:
                out[coll] = {"": values_for(coll, spec.scalar, limit=limit)}
            else:
                out[coll] = {
                    f: values_for(f"{coll}.{f}", spec.fields[f], limit=limit)
                    for f in sorted(fields)
                    if f
                }
        return out

    return Domain(scalar_domain, elements(MAX_BOUNDS), free, size, pairs=elements(PAIR_BOUNDS))


_CHOICE = """
1 { pick(F,V) : cand(F,V) } 1 :- cand(F,_).
in(0,F,V) :- pick(F,V).
{ present(C,I) : index(I) } :- list(C).
:- present(C,I), I > 0, not present(C,I-1).
elem(0,C,I) :- present(C,I).
size(0,C,N) :- list(C), N = #count { I : present(C,I) }.
1 { epick(C,I,N,V) : ecand(C,N,V) } 1 :- present(C,I), ecand(C,N,_).
ein(0,C,I,N,V) :- epick(C,I,N,V).
prof(0).
#defined cand/2. #defined ecand/3. #defined list/1. #defined index/1.
#show pick/2. #show epick/4. #show present/2.
"""
_LONGER = """
longer :- present(C,I), I > 0.
:- not longer.
"""
_PLAIN = """
#minimize { R,F : pick(F,V), rank(V,R); R,C,I,N : epick(C,I,N,V), rank(V,R) }.
#defined rank/2.
"""


def _domain_facts(domain: Domain) -> list[clingo.Symbol]:
    facts = [Function("index", [Number(i)]) for i in range(domain.size)]
    for path, values in domain.scalars.items():
        facts += [Function("cand", [String(path), value_symbol(v)]) for v in values]
    elements = domain.element_values()
    for coll in vocab.COLLECTIONS:
        if coll in elements:
            facts.append(Function("list", [String(coll)]))
            for name, values in elements[coll].items():
                facts += [
                    Function("ecand", [String(coll), String(name), value_symbol(v)]) for v in values
                ]
        else:
            facts.append(Function("size", [Number(0), String(coll), Number(0)]))
    if domain.plain:
        kinds = {**vocab.SCALARS, **domain.free}
        ranked: list[tuple[Value, Type | None]] = [
            (v, kinds[p]) for p, values in domain.scalars.items() for v in values
        ]
        for coll, fields in elements.items():
            spec = vocab.COLLECTIONS[coll]
            for name, values in fields.items():
                kind = spec.scalar if spec.scalar is not None else spec.fields[name]
                ranked += [(v, kind) for v in values]
        facts += _rank_facts(ranked)
    return facts


def _rank_facts(ranked: list[tuple[Value, Type | None]]) -> list[clingo.Symbol]:
    # One rank per value symbol: the same string is the same figure whatever its type.
    best: dict[clingo.Symbol, int] = {}
    for value, kind in ranked:
        symbol, rank = value_symbol(value), _rank(value, kind)
        best[symbol] = min(rank, best.get(symbol, rank))
    return [Function("rank", [v, Number(r)]) for v, r in sorted(best.items()) if r]


def _decode(value: clingo.Symbol, kind: Type) -> Value:
    if kind == BOOL:
        return value.number == 1
    if kind == DATE:
        return dt.date.fromordinal(value.number)
    if kind in (SYMBOL, TEXT):
        return value.string
    return Fraction(value.string)


def _record(model: clingo.Model, free: dict[str, Type]) -> InputRecord:
    """The witness as the program sees it: the profile fields, and the values chosen for
    the shared definitions left free, as `@block.name` pseudo-fields (see `split_free`)."""
    record = InputRecord()
    count: dict[str, int] = {}
    for sym in model.symbols(shown=True):
        args = sym.arguments
        if sym.name == "pick":
            path = args[0].string
            kind = free[path] if path.startswith(FREE) else vocab.SCALARS[path]
            record.scalars[path] = _decode(args[1], kind)
        elif sym.name == "present":
            coll = args[0].string
            count[coll] = max(count.get(coll, 0), args[1].number + 1)
    for coll, spec in vocab.COLLECTIONS.items():
        n = count.get(coll, 0)
        # mypy, ignored below: the record's collections are typed as one union of two list kinds
        record.collections[coll] = [None] * n if spec.scalar is not None else [{} for _ in range(n)]  # type: ignore[assignment]
    for sym in model.symbols(shown=True):
        if sym.name == "epick":
            coll, index, name = (
                sym.arguments[0].string,
                sym.arguments[1].number,
                sym.arguments[2].string,
            )
            spec = vocab.COLLECTIONS[coll]
            kind = spec.scalar if spec.scalar is not None else spec.fields[name]
            value = _decode(sym.arguments[3], kind)
            if spec.scalar is not None:
                # mypy, ignored below: a list of scalars (spec.scalar) holds values
                record.collections[coll][index] = value  # type: ignore[call-overload]
            else:
                # mypy, ignored below: a list of elements holds mappings
                record.collections[coll][index][name] = value  # type: ignore[index]
    return record


def split_free(record: InputRecord) -> tuple[InputRecord, dict[str, Value]]:
    """A witness's profile fields, and the values it assumes for free shared definitions
    (keyed by the definition's name)."""
    fields = InputRecord(
        {p: v for p, v in record.scalars.items() if not p.startswith(FREE)},
        record.collections,
    )
    assumed = {p.removeprefix(FREE): v for p, v in record.scalars.items() if p.startswith(FREE)}
    return fields, assumed


# ---- filling in a profile: every list element and field given, some of them pinned

_FILL = """
1 { pick(F,V) : cand(F,V) } 1 :- cand(F,_).
in(0,F,V) :- pick(F,V).
elem(0,C,I) :- fixed(C,I).
{ elem(0,C,I) } :- opt(C,I).
:- opt(C,I), elem(0,C,I), I > 0, not elem(0,C,I-1).
size(0,C,N) :- list(C), N = #count { I : elem(0,C,I) }.
1 { epick(C,I,N,V) : ecand(C,I,N,V) } 1 :- elem(0,C,I), ecand(C,I,N,_).
ein(0,C,I,N,V) :- epick(C,I,N,V).
prof(0).
% Plain figures read best: prefer whole numbers to zero, and zero to 1,999,999.99.
#minimize { R,F : pick(F,V), rank(V,R); R,C,I,N : epick(C,I,N,V), rank(V,R) }.
#defined cand/2. #defined ecand/4. #defined fixed/2. #defined opt/2. #defined rank/2.
#show pick/2. #show epick/4. #show elem/3.
"""


def _rank(value: Value, kind: Type | None) -> int:
    """How odd a candidate looks in an example: 0 for a whole number, 1 for zero, 2 for a
    value just beside a boundary (9.9 staff, €1,999,999.99)."""
    if not isinstance(value, Fraction) or isinstance(value, bool):
        return 0
    shown = value * 100 if kind == PERCENT else value
    if shown == 0:
        return 1
    return 0 if shown.denominator == 1 else 2


@dataclass(frozen=True, slots=True)
class FillDomain:
    """Candidates per field, one value where a field is pinned; per list, its elements as
    (optional, field -> candidates). Element fields of plain-value lists are named ""."""

    scalars: dict[str, list[Value]]
    elements: dict[str, list[tuple[bool, dict[str, list[Value]]]]]

    def facts(self) -> list[clingo.Symbol]:
        facts = []
        ranked: list[tuple[Value, Type | None]] = []
        for path, values in self.scalars.items():
            facts += [Function("cand", [String(path), value_symbol(v)]) for v in values]
            if len(values) > 1:
                ranked += [(v, vocab.SCALARS[path]) for v in values]
        for coll, spec in vocab.COLLECTIONS.items():
            facts.append(Function("list", [String(coll)]))
            for index, (optional, fields) in enumerate(self.elements.get(coll, [])):
                key = [String(coll), Number(index)]
                facts.append(Function("opt" if optional else "fixed", key))
                for name, values in fields.items():
                    facts += [
                        Function("ecand", [*key, String(name), value_symbol(v)]) for v in values
                    ]
                    kind = spec.scalar if spec.scalar is not None else spec.fields[name]
                    if len(values) > 1:
                        ranked += [(v, kind) for v in values]
        return facts + _rank_facts(ranked)

    def record(self, model: clingo.Model) -> InputRecord:
        """The profile of a model: only the lists this domain gives, each element with the
        fields it has candidates for."""
        record = InputRecord()
        shown = model.symbols(shown=True)
        for sym in shown:
            if sym.name == "pick":
                path = sym.arguments[0].string
                record.scalars[path] = _decode(sym.arguments[1], vocab.SCALARS[path])
        rows: dict[str, dict[int, dict[str, Value]]] = {c: {} for c in self.elements}
        for sym in shown:
            if sym.name == "elem" and sym.arguments[1].string in rows:
                rows[sym.arguments[1].string][sym.arguments[2].number] = {}
        for sym in shown:
            if sym.name == "epick":
                args = sym.arguments
                coll, index, name = args[0].string, args[1].number, args[2].string
                spec = vocab.COLLECTIONS[coll]
                kind = spec.scalar if spec.scalar is not None else spec.fields[name]
                rows[coll][index][name] = _decode(sym.arguments[3], kind)
        for coll, elements in rows.items():
            ordered = [elements[i] for i in sorted(elements)]
            plain = vocab.COLLECTIONS[coll].scalar is not None
            record.collections[coll] = [e[""] for e in ordered] if plain else ordered
        return record


def fill_domain(witness: InputRecord, read: Domain, shared: Domain, optional: int) -> FillDomain:
    """Pin what a witness gives for the fields and lists of `read`; give the fields only the
    shared definitions read (`shared`) their candidates, and each list only they read up to
    `optional` elements. Everything else is left out: no rule of either reads it."""
    scalars: dict[str, list[Value]] = {
        p: [v] for p, v in witness.scalars.items() if not p.startswith(FREE)
    }
    for path, values in shared.scalars.items():
        if not path.startswith(FREE):
            scalars.setdefault(path, values)
    elements: dict[str, list[tuple[bool, dict[str, list[Value]]]]] = {}
    for coll in vocab.COLLECTIONS:
        extra = shared.elements.get(coll)
        if coll in read.elements:
            rows = []
            for element in witness.collections.get(coll) or []:
                given = element if isinstance(element, dict) else {"": element}
                fields = {name: [value] for name, value in given.items()}
                for name, values in (extra or {}).items():
                    fields.setdefault(name, values)
                rows.append((False, fields))
            elements[coll] = rows
        elif extra is not None:
            elements[coll] = [(True, dict(extra)) for _ in range(optional)]
    return FillDomain(scalars, elements)


class Search:
    """One grounding of a compiled program over a candidate domain; many queries.

    `deadline` (a `time.monotonic()` instant, or None): a query still solving then is
    cancelled with the models found so far, and `timed_out` is set, so the caller can say
    that the search did not finish (no model is then no proof that none exists)."""

    def __init__(
        self,
        program: CompiledProgram,
        domain: Domain | FillDomain,
        extra: str = "",
        deadline: float | None = None,
    ) -> None:
        self.domain = domain
        self.deadline = deadline
        self.timed_out = False
        self.ctl = clingo.Control(["--warn=none"])
        choice = _FILL if isinstance(domain, FillDomain) else _CHOICE
        if isinstance(domain, Domain):
            choice += (_PLAIN if domain.plain else "") + (_LONGER if domain.longer else "")
        self.ctl.add("base", [], program.text + choice + extra)
        with self.ctl.backend() as backend:
            facts = domain.facts() if isinstance(domain, FillDomain) else _domain_facts(domain)
            add_facts(backend, facts)
        self.ctl.ground([("base", [])], context=Functions())

    def best(self, assumptions: list[tuple[clingo.Symbol, bool]]) -> InputRecord | None:
        """The profile satisfying the assumptions that the program's `#minimize` prefers."""
        known = [(s, v) for s, v in assumptions if self.ctl.symbolic_atoms[s] is not None]
        if len(known) < len([v for _, v in assumptions if v]):
            return None
        last = None
        for record in self._models(known, 0):  # each model improves on the one before
            last = record
        return last

    def _models(self, known: list, limit: int) -> Iterator[InputRecord]:
        """The models of one solve (`limit` 0: all, or each better one when the program
        minimises), stopped at the deadline."""
        # mypy, ignored below: clingo types a configuration key as a union of entry kinds
        self.ctl.configuration.solve.models = str(limit)  # type: ignore[union-attr]
        if self.deadline is None:
            with self.ctl.solve(assumptions=known, yield_=True) as handle:
                for model in handle:
                    yield self._record(model)
            return
        with self.ctl.solve(assumptions=known, yield_=True, async_=True) as handle:
            while True:
                handle.resume()
                if not handle.wait(max(0.0, self.deadline - time.monotonic())):
                    handle.cancel()
                    self.timed_out = True
                    return
                model = handle.model()
                if model is None:
                    return
                yield self._record(model)

    def _record(self, model: clingo.Model) -> InputRecord:
        if isinstance(self.domain, FillDomain):
            return self.domain.record(model)
        return _record(model, self.domain.free)

    def find(
        self, assumptions: list[tuple[clingo.Symbol, bool]], limit: int = 1
    ) -> list[InputRecord]:
        """Profiles (up to `limit`) satisfying the assumptions; empty when none exists."""
        known = [(s, v) for s, v in assumptions if self.ctl.symbolic_atoms[s] is not None]
        if len(known) < len([v for _, v in assumptions if v]):
            return []  # an atom that must hold was never even grounded
        if isinstance(self.domain, Domain) and self.domain.plain:
            # The optimum and the models met on the way to it, plainest first.
            return list(self._models(known, 0))[::-1][:limit]
        found = []
        for record in self._models(known, limit):
            found.append(record)
            if len(found) >= limit:
                break
        return found


def status_atom(pid: str, status: str) -> clingo.Symbol:
    return Function("status", [Number(0), String(pid), Function(status)])


def cond_atom(pid: str, name: str, value: str) -> clingo.Symbol:
    return Function("cond", [Number(0), String(pid), String(name), Function(value)])


# ---- merging two catalogues, for diff


def _deps(node: ir.Node) -> set[str]:
    return {n.qname for n in ir.walk(node) if isinstance(n, ir.DefRef | ir.ParamRef)}


def changed_names(old: ir.Catalogue, new: ir.Catalogue) -> set[str]:
    """Definitions and parameters of `new` that differ from `old`, directly or through what
    they use."""
    changed = {q for q, p in new.params.items() if old.params.get(q) != p}
    for q, d in new.definitions.items():
        before = old.definitions.get(q)
        if before is None or before.expr != d.expr or before.type != d.type:
            changed.add(q)
    grew = True
    while grew:
        grew = False
        for q, d in new.definitions.items():
            if q not in changed and _deps(d.expr) & changed:
                changed.add(q)
                grew = True
    return changed


def _rename_some(node: ir.Node, prefix: str, names: set[str]) -> ir.Node:
    if isinstance(node, ir.DefRef | ir.ParamRef):
        return dataclasses.replace(node, qname=prefix + node.qname) if node.qname in names else node
    if isinstance(node, ir.Const | ir.Unknown | ir.Field | ir.ElemField | ir.AsOf):
        return node
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if isinstance(value, tuple) and value and not isinstance(value[0], str):
            changes[f.name] = tuple(_rename_some(v, prefix, names) for v in value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, ir.Var | Type):
            # mypy, ignored below: a dataclass field of a node is a node
            changes[f.name] = _rename_some(value, prefix, names)  # type: ignore[arg-type]
    return dataclasses.replace(node, **changes)


def merge(old: ir.Catalogue, new: ir.Catalogue, prefix: str = "new__") -> ir.Catalogue:
    """One catalogue holding both versions: what changed in `new` gets prefixed names, what
    did not is shared, so both compile together and unchanged parts cannot differ."""
    names = changed_names(old, new)
    definitions = dict(old.definitions)
    params = dict(old.params)
    programmes = dict(old.programmes)
    for q in names:
        if q in new.definitions:
            d = new.definitions[q]
            definitions[prefix + q] = dataclasses.replace(
                d, qname=prefix + q, expr=_rename_some(d.expr, prefix, names)
            )
        elif q in new.params:
            params[prefix + q] = dataclasses.replace(new.params[q], qname=prefix + q)
    for q, d in new.definitions.items():
        definitions.setdefault(q, d)
    for q, p in new.params.items():
        params.setdefault(q, p)
    for pid, prog in new.programmes.items():
        conditions = tuple(
            dataclasses.replace(c, expr=_rename_some(c.expr, prefix, names))
            for c in prog.conditions
        )
        amount = (
            dataclasses.replace(prog.amount, expr=_rename_some(prog.amount.expr, prefix, names))
            if prog.amount
            else None
        )
        programmes[prefix + pid] = dataclasses.replace(
            prog, id=prefix + pid, conditions=conditions, amount=amount
        )
    return ir.Catalogue(definitions, params, programmes, {**old.blocks})


def diff_program(
    merged: ir.Catalogue, pid: str, day: dt.date, prefix: str = "new__", amounts: bool = True
) -> tuple[CompiledProgram, Domain, str]:
    """Both versions of a programme in one program, with `changed` true when they answer
    differently; definitions that did not change are free choices shared by both.

    With `amounts`, `changed` means "another amount" and the amounts are compiled (without
    the parts an answer reports, which a search never asks for); without, it means
    "another status" and no amount is compiled: status depends on the conditions alone,
    and the amounts are what the grounder spends its time on. The domain covers the
    fields of both, so that an example shows every field either version reads."""
    new = prefix + pid
    keep = {pid, new}
    kept = {q.split(".", 1)[0] for q in merged.definitions if q.startswith(prefix)} | keep
    definitions = abstract_definitions(
        merged, kept, lambda expr: _abstract_unchanged(expr, keep, prefix)
    )
    view = ir.Catalogue(definitions, merged.params, dict(merged.programmes), {})
    roots: list[ir.Node] = []
    for p in (pid, new):
        prog = merged.programmes[p]
        conds = tuple(
            dataclasses.replace(c, expr=_abstract_unchanged(c.expr, keep, prefix))
            for c in prog.conditions
        )
        amount = (
            dataclasses.replace(
                prog.amount,
                expr=_abstract_unchanged(prog.amount.expr, keep, prefix),
                base=None,
                limits=(),
            )
            if prog.amount
            else None
        )
        view.programmes[p] = dataclasses.replace(
            prog, conditions=conds, amount=amount if amounts else None
        )
        roots += [c.expr for c in conds] + ([amount.expr] if amount else [])
    program = compile_programmes(view, day, [pid, new])
    changed = _amount_changed(pid, new) if amounts else _status_changed(pid, new)
    return program, build_domain(roots, view, day), _not_in_force(program) + changed


def fill_program(
    merged: ir.Catalogue, pid: str, day: dt.date, shared: list[str], prefix: str = "new__"
) -> tuple[CompiledProgram, Domain, str]:
    """Both versions in one program with nothing left free: the shared definitions are
    computed from profile fields, and their values shown (`out/3`) so that a search can
    ask for the values a witness of `diff_program` assumed. The domain gives candidates for
    the fields the shared definitions read."""
    program = compile_programmes(merged, day, [pid, prefix + pid], sorted(shared))
    roots = [merged.definitions[q].expr for q in shared]
    changed = _status_changed(pid, prefix + pid) + _amount_changed(pid, prefix + pid)
    return program, build_domain(roots, merged, day), _not_in_force(program) + changed


def out_atom(qname: str, value: Value) -> clingo.Symbol:
    """The atom a program with `qname` among its exports derives when it has `value`."""
    shown = Function("true" if value else "false") if isinstance(value, bool) else None
    return Function("out", [Number(0), String(qname), shown or value_symbol(value)])


def _not_in_force(program: CompiledProgram) -> str:
    """A version not in force on the day answers "ineligible", as the engine reports it."""
    return "".join(f"status(0,{quote(p)},ineligible).\n" for p in program.not_in_force)


def _status_changed(pid: str, new: str) -> str:
    a, b = quote(pid), quote(new)
    return f"""
changed :- status(0,{a},S), status(0,{b},T), S != T.
#show changed/0.
"""


def _amount_changed(pid: str, new: str) -> str:
    a, b = quote(pid), quote(new)
    return f"""
% Amounts are canonical rational strings, so "differ" needs no pairwise @cmp (which would
% ground one call for every pair of candidate amounts).
diff_has({a}) :- amount(0,{a},_).
diff_has({b}) :- amount(0,{b},_).
changed :- amount(0,{a},X), diff_has({b}), not amount(0,{b},X).
changed :- amount(0,{a},_), not amount(0,{b},_), status(0,{a},eligible).
changed :- amount(0,{b},_), not amount(0,{a},_), status(0,{b},eligible).
#show changed/0.
"""


def _abstract_unchanged(node: ir.Node, keep: set[str], prefix: str) -> ir.Node:
    """Shared definitions become free choices unless they changed (`new__…`)."""
    if isinstance(node, ir.DefRef):
        block = node.qname.split(".", 1)[0]
        if block in keep or node.qname.startswith(prefix):
            return node
        return ir.Field(node.type, FREE + node.qname)
    if isinstance(node, ir.Const | ir.Unknown | ir.Field | ir.ElemField | ir.AsOf | ir.ParamRef):
        return node
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if isinstance(value, tuple) and value and not isinstance(value[0], str):
            changes[f.name] = tuple(_abstract_unchanged(v, keep, prefix) for v in value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, ir.Var | Type):
            # mypy, ignored below: a dataclass field of a node is a node
            changes[f.name] = _abstract_unchanged(value, keep, prefix)  # type: ignore[arg-type]
    return dataclasses.replace(node, **changes)
