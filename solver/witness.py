"""Witness search: let clingo choose a profile, over a finite candidate domain built from the
rules' own constants, that satisfies a query. Used by `lint` (a programme nobody can
satisfy; a condition implied by the others) and `diff` (profiles whose answer changes).
For `diff`, a second search (`fill_domain`, `fill_program`) turns a witness that left
shared definitions free into a whole profile: its fields pinned, the fields the shared
definitions read chosen so that they compute the values the witness assumed.

The domain is finite, so "no witness" means "none among the candidate values": every
constant the rules compare with, on both sides of its boundary, each list empty or with
one element. That is where rule bugs live (a boundary that can never be crossed, two
conditions that contradict each other), and it keeps grounding small.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

import clingo
from clingo import Function, Number, String

from dsl import ir
from dsl import vocabulary as vocab
from dsl.types import BOOL, DATE, MONEY, MONTHS, NUMBER, PERCENT, SYMBOL, TEXT, Type
from solver.arith import Functions
from solver.asp import CompiledProgram, compile_programmes, quote
from solver.builtins import add_months
from solver.facts import add_facts, value_symbol
from solver.record import InputRecord, Value

MAX_VALUES = 8
ELEMENTS = 2  # list elements a witness may have: enough to tell "each" from "the total"
# Fields the profile model lets go below zero; every other quantity is at least 0.
SIGNED = frozenset({"company.equity", "company.reserves"})
FREE = "@"  # prefix of a shared definition abstracted into a free choice


@dataclass(frozen=True, slots=True)
class Domain:
    scalars: dict[str, list[Value]]
    elements: dict[str, dict[str, list[Value]]]  # list path -> field -> values
    free: dict[str, Type] = dataclasses.field(default_factory=dict)  # `@block.x` -> type


def _walk(node: ir.Node, catalogue: ir.Catalogue, day: dt.date, seen: set[str]):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if isinstance(n, ir.DefRef) and n.qname not in seen:
            seen.add(n.qname)
            stack.append(catalogue.definitions[n.qname].expr)
        elif isinstance(n, ir.ParamRef):
            version = catalogue.params[n.qname].version_at(day)
            if version is not None:
                stack.append(version.value)
        stack.extend(ir.children(n))


def _spread(values: set[Fraction], kind: Type) -> list[Fraction]:
    step = {MONEY: Fraction(1, 100), PERCENT: Fraction(1, 10_000)}.get(kind, Fraction(1, 10))
    if kind == MONTHS:
        step = Fraction(1)
    out: set[Fraction] = {Fraction(0)}
    for v in values:
        out |= {v - step, v, v + step}
    ordered = sorted(out)
    if len(ordered) > MAX_VALUES * 3:
        ordered = ordered[:: max(1, len(ordered) // (MAX_VALUES * 3))]
    return ordered


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
    changes = {}
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if isinstance(value, tuple) and value and not isinstance(value[0], str):
            changes[f.name] = tuple(abstract(v, catalogue, keep) for v in value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, ir.Var | Type):
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


def build_domain(roots: list[ir.Node], catalogue: ir.Catalogue, day: dt.date) -> Domain:
    """Candidate values for every profile field the given expressions read."""
    constants: dict[Type, set] = {}
    scalars: set[str] = set()
    free: dict[str, Type] = {}
    elements: dict[str, set[str]] = {}
    seen: set[str] = set()
    for root in roots:
        for n in _walk(root, catalogue, day, seen):
            if isinstance(n, ir.Const):
                if isinstance(n.value, frozenset):
                    constants.setdefault(SYMBOL, set()).update(n.value)
                    constants.setdefault(TEXT, set()).update(n.value)
                elif not isinstance(n.value, bool):
                    constants.setdefault(n.type, set()).add(n.value)
            elif isinstance(n, ir.Field) and n.path.startswith(FREE):
                free[n.path] = n.type
            elif isinstance(n, ir.Field):
                scalars.add(n.path)
            elif isinstance(n, ir.ElemField):
                elements.setdefault(n.var.collection, set()).add(n.field or "")
            elif isinstance(n, ir.Aggregate):
                elements.setdefault(n.var.collection, set())

    def values_for(path: str, kind: Type) -> list[Value]:
        closed = vocab.SYMBOL_VALUES.get(path)
        if kind == BOOL:
            return [True, False]
        if kind in (SYMBOL, TEXT):
            pool = set(closed) if closed else set(constants.get(kind, set())) | {"other"}
            return sorted(pool)
        if kind == DATE:
            dates = {day, add_months(day, -1), add_months(day, 1)}
            for d in constants.get(DATE, set()):
                dates |= {d - dt.timedelta(days=1), d}
            for m in constants.get(MONTHS, set()):
                dates.add(add_months(day, -int(m)))
                dates.add(add_months(day, -int(m)) + dt.timedelta(days=1))
            return sorted(dates)
        same = {v for v in constants.get(kind, set()) if isinstance(v, Fraction)}
        if kind == NUMBER:
            same |= {Fraction(y) for y in (day.year - 1, day.year - 2)}
        values = _spread(same, kind)
        if path.split("[")[0] not in SIGNED and not path.startswith(FREE):
            values = [v for v in values if v >= 0]
        return list(values)

    scalar_domain = {p: values_for(p, vocab.SCALARS[p]) for p in sorted(scalars)}
    for path, kind in sorted(free.items()):
        if kind == SYMBOL:
            scalar_domain[path] = sorted(
                set(constants.get(SYMBOL, set())) | set(vocab.SIZES) | {"other"}
            )
        else:
            scalar_domain[path] = values_for(path, kind)
    element_domain = {}
    for coll, fields in sorted(elements.items()):
        spec = vocab.COLLECTIONS[coll]
        if spec.scalar is not None:
            element_domain[coll] = {"": values_for(coll, spec.scalar)}
        else:
            element_domain[coll] = {
                f: values_for(f"{coll}.{f}", spec.fields[f]) for f in sorted(fields) if f
            }
    return Domain(scalar_domain, element_domain, dict(free))


_CHOICE = """
1 { pick(F,V) : cand(F,V) } 1 :- cand(F,_).
in(0,F,V) :- pick(F,V).
index(0..1).
{ present(C,I) : index(I) } :- list(C).
:- present(C,I), I > 0, not present(C,I-1).
elem(0,C,I) :- present(C,I).
size(0,C,N) :- list(C), N = #count { I : present(C,I) }.
1 { epick(C,I,N,V) : ecand(C,N,V) } 1 :- present(C,I), ecand(C,N,_).
ein(0,C,I,N,V) :- epick(C,I,N,V).
prof(0).
#defined cand/2. #defined ecand/3. #defined list/1.
#show pick/2. #show epick/4. #show present/2.
"""


def _domain_facts(domain: Domain) -> list[clingo.Symbol]:
    facts = []
    for path, values in domain.scalars.items():
        facts += [Function("cand", [String(path), value_symbol(v)]) for v in values]
    for coll in vocab.COLLECTIONS:
        if coll in domain.elements:
            facts.append(Function("list", [String(coll)]))
            for name, values in domain.elements[coll].items():
                facts += [
                    Function("ecand", [String(coll), String(name), value_symbol(v)]) for v in values
                ]
        else:
            facts.append(Function("size", [Number(0), String(coll), Number(0)]))
    return facts


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
                record.collections[coll][index] = value
            else:
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
        ranks: set[tuple[clingo.Symbol, int]] = set()
        for path, values in self.scalars.items():
            facts += [Function("cand", [String(path), value_symbol(v)]) for v in values]
            if len(values) > 1:
                ranks |= {(value_symbol(v), _rank(v, vocab.SCALARS[path])) for v in values}
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
                        ranks |= {(value_symbol(v), _rank(v, kind)) for v in values}
        # One rank per value symbol: the same string is the same figure whatever its type.
        best: dict[clingo.Symbol, int] = {}
        for symbol, rank in ranks:
            best[symbol] = min(rank, best.get(symbol, rank))
        facts += [Function("rank", [v, Number(r)]) for v, r in sorted(best.items()) if r]
        return facts

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
                rows[coll][index][name] = _decode(sym.arguments[3], kind)  # type: ignore[index]
        for coll, elements in rows.items():
            ordered = [elements[i] for i in sorted(elements)]
            plain = vocab.COLLECTIONS[coll].scalar is not None
            record.collections[coll] = [e[""] for e in ordered] if plain else ordered  # type: ignore[assignment]
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
    """One grounding of a compiled program over a candidate domain; many queries."""

    def __init__(
        self, program: CompiledProgram, domain: Domain | FillDomain, extra: str = ""
    ) -> None:
        self.domain = domain
        self.ctl = clingo.Control(["--warn=none"])
        choice = _FILL if isinstance(domain, FillDomain) else _CHOICE
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
        self.ctl.configuration.solve.models = "0"  # type: ignore[attr-defined]
        last = None
        with self.ctl.solve(assumptions=known, yield_=True) as handle:
            for model in handle:  # each model improves on the one before
                last = self._record(model)
        return last

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
        found = []
        self.ctl.configuration.solve.models = str(limit)  # type: ignore[attr-defined]
        with self.ctl.solve(assumptions=known, yield_=True) as handle:
            for model in handle:
                found.append(self._record(model))
                if len(found) >= limit:
                    break
        return found


def status_atom(pid: str, status: str) -> clingo.Symbol:
    return Function("status", [Number(0), String(pid), Function(status)])


def cond_atom(pid: str, name: str, value: str) -> clingo.Symbol:
    return Function("cond", [Number(0), String(pid), String(name), Function(value)])


# ---- merging two catalogues, for diff


def _deps(node: ir.Node) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ir.DefRef | ir.ParamRef):
            found.add(n.qname)
        stack.extend(ir.children(n))
    return found


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
    changes = {}
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if isinstance(value, tuple) and value and not isinstance(value[0], str):
            changes[f.name] = tuple(_rename_some(v, prefix, names) for v in value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, ir.Var | Type):
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
    merged: ir.Catalogue, pid: str, day: dt.date, prefix: str = "new__"
) -> tuple[CompiledProgram, Domain, str]:
    """Both versions of a programme in one program, with `changed` true when they answer
    differently; definitions that did not change are free choices shared by both."""
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
                prog.amount, expr=_abstract_unchanged(prog.amount.expr, keep, prefix)
            )
            if prog.amount
            else None
        )
        view.programmes[p] = dataclasses.replace(prog, conditions=conds, amount=amount)
        roots += [c.expr for c in conds] + ([amount.expr] if amount else [])
    program = compile_programmes(view, day, [pid, new])
    return program, build_domain(roots, view, day), _changed(pid, new)


def fill_program(
    merged: ir.Catalogue, pid: str, day: dt.date, shared: list[str], prefix: str = "new__"
) -> tuple[CompiledProgram, Domain, str]:
    """Both versions in one program with nothing left free: the shared definitions are
    computed from profile fields, and their values shown (`out/3`) so that a search can
    ask for the values a witness of `diff_program` assumed. The domain gives candidates for
    the fields the shared definitions read."""
    program = compile_programmes(merged, day, [pid, prefix + pid], sorted(shared))
    roots = [merged.definitions[q].expr for q in shared]
    return program, build_domain(roots, merged, day), _changed(pid, prefix + pid)


def out_atom(qname: str, value: Value) -> clingo.Symbol:
    """The atom a program with `qname` among its exports derives when it has `value`."""
    shown = Function("true" if value else "false") if isinstance(value, bool) else None
    return Function("out", [Number(0), String(qname), shown or value_symbol(value)])


def _changed(pid: str, new: str) -> str:
    a, b = quote(pid), quote(new)
    return f"""
changed :- status(0,{a},S), status(0,{b},T), S != T.
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
    changes = {}
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if isinstance(value, tuple) and value and not isinstance(value[0], str):
            changes[f.name] = tuple(_abstract_unchanged(v, keep, prefix) for v in value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, ir.Var | Type):
            changes[f.name] = _abstract_unchanged(value, keep, prefix)  # type: ignore[arg-type]
    return dataclasses.replace(node, **changes)
