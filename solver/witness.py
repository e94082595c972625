"""Witness search: let clingo choose a profile, over a finite candidate domain built from the
rules' own constants, that satisfies a query. Used by `lint` (a programme nobody can
satisfy; a condition implied by the others) and `diff` (profiles whose answer changes).

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
from solver.arith import Functions, add_months
from solver.asp import CompiledProgram, compile_programmes, quote
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


class Search:
    """One grounding of a compiled program over a candidate domain; many queries."""

    def __init__(self, program: CompiledProgram, domain: Domain, extra: str = "") -> None:
        self.free = dict(domain.free)
        self.ctl = clingo.Control(["--warn=none"])
        self.ctl.add("base", [], program.text + _CHOICE + extra)
        with self.ctl.backend() as backend:
            add_facts(backend, _domain_facts(domain))
        self.ctl.ground([("base", [])], context=Functions())

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
                found.append(_record(model, self.free))
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
    merged = view
    a, b = quote(pid), quote(new)
    extra = f"""
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
    return program, build_domain(roots, merged, day), extra


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
