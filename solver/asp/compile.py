"""IR → answer-set program with three-valued (Kleene) semantics.

Every expression node `n` becomes a few predicates of its own over a key `P, X0, X1, ...`
— the profile and the list elements the node ranges over:

* `v_n(Key, V)`: the node's value, when known;
* `t_n(Key)` / `f_n(Key)`: a condition holds / fails; neither means unknown;
* `m_n(Key, Field)`: an undecided node needs this missing profile field.

Profile data never appears in the program text: it arrives as facts built through the
clingo API (`solver.facts`). Parameters are resolved here for one evaluation date, and
the versions used are recorded. Quantities are exact rationals carried as strings and
computed by `solver.arith` during grounding.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from typing import assert_never

from dsl import ir
from dsl.builtins import BUILTINS
from dsl.types import BOOL, DATE, NUMERIC, SYMBOL_SET, Type
from solver.asp.arith import sort_key
from solver.versions import UsedVersion, no_value, split_in_force, version_value, versions_used

__all__ = [
    "CompiledProgram",
    "UsedVersion",
    "compile_programmes",
    "const_term",
    "no_value",
    "quote",
    "split_in_force",
    "version_value",
    "versions_used",
]

_CMP = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "=": "=", "!=": "!="}
_NEGATE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "=": "!=", "!=": "="}
_ARITH = {"+": "add", "-": "sub", "*": "mul", "/": "div"}


@dataclass(slots=True)
class CompiledProgram:
    """An ASP program for one evaluation date and a set of programmes."""

    as_of: dt.date
    text: str
    programmes: list[str]  # compiled, in catalogue order
    not_in_force: dict[str, ir.Period]  # programme id -> its validity, when as_of is outside
    versions: dict[str, list[UsedVersion]]  # programme id -> parameter versions used
    exports: list[str]  # definitions whose values are shown as out/3
    export_types: dict[str, Type] = field(default_factory=dict)
    node_count: int = 0


def quote(text: str) -> str:
    """A rule-author string as an ASP string literal (names and symbols from checked rules)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def const_term(value: ir.ConstValue) -> str:
    if isinstance(value, Fraction):
        return quote(str(value))
    if isinstance(value, dt.date):
        return str(value.toordinal())
    if isinstance(value, str):
        return quote(value)
    raise TypeError(value)  # pragma: no cover - bools and sets are not values


@dataclass
class _Emitter:
    catalogue: ir.Catalogue
    as_of: dt.date
    lines: list[str] = field(default_factory=list)
    ids: dict[ir.Node, int] = field(default_factory=dict)
    signatures: set[tuple[str, int]] = field(default_factory=set)
    heads: set[str] = field(default_factory=set)  # predicates some rule derives
    by_identity: dict[int, tuple[ir.Node, int]] = field(default_factory=dict)
    keys: dict[int, tuple[ir.Node, str]] = field(default_factory=dict)

    # ---- keys
    def key(self, node: ir.Node) -> str:
        seen = self.keys.get(id(node))
        if seen is None:
            seen = (node, ",".join(["P", *(f"X{v.depth}" for v in ir.free_vars(node))]))
            self.keys[id(node)] = seen
        return seen[1]

    def dom(self, node: ir.Node, extra: tuple[ir.Var, ...] = ()) -> str:
        parts = ["prof(P)"]
        for var in (*ir.free_vars(node), *extra):
            parts.append(f"elem(P,{quote(var.collection)},X{var.depth})")
        return ", ".join(parts)

    def rule(self, head: str, *body: str) -> None:
        self.heads.add(head.split("(", 1)[0])
        self.lines.append(f"{head} :- {', '.join(b for b in body if b)}." if body else f"{head}.")

    # ---- atoms
    # Each node gets predicates of its own (`v_12`, `t_12`, ...), not one `v/3` keyed by the
    # node number: the predicate dependency graph is then the expression DAG, acyclic, and
    # the grounder instantiates each rule once in order instead of iterating one big
    # recursive component over every rule (a third less grounding time on 1,000 profiles).
    def atom(self, kind: str, node: ir.Node, *extra: str) -> str:
        name = f"{kind}_{self.id(node)}"
        key = self.key(node)
        self.signatures.add((name, key.count(",") + 1 + len(extra)))
        return f"{name}({','.join([key, *extra])})"

    def v(self, node: ir.Node, value: str) -> str:
        return self.atom("v", node, value)

    def t(self, node: ir.Node) -> str:
        return self.atom("t", node)

    def key_predicate(self, node: ir.Node) -> str:
        """The predicate `k_N(V, K)`: K is the sort key of each value V of the numeric
        `node`; a constant's is a fact, computed here."""
        name = f"k_{self.id(node)}"
        if (name, 2) not in self.signatures:
            self.signatures.add((name, 2))
            if isinstance(node, ir.Const):
                assert isinstance(node.value, Fraction), node
                whole, part = sort_key(node.value)
                self.rule(f"{name}({const_term(node.value)},({whole},{part}))")
            else:
                self.rule(f"{name}(V,K)", self.v(node, "V"), "K=@key(V)")
        return name

    def f(self, node: ir.Node) -> str:
        return self.atom("f", node)

    def m(self, node: ir.Node, field_var: str = "F") -> str:
        return self.atom("m", node, field_var)

    def undecided(self, node: ir.Node) -> str:
        """Body literals true exactly when the node has neither a value nor a truth value.

        Written out rather than through a `k_N` ("known") atom: that would cost one or two
        rules per node, and the grounder's time grows with the number of rules.
        """
        if node.type == BOOL:
            return f"not {self.t(node)}, not {self.f(node)}"
        return f"not {self.v(node, '_')}"

    # ---- nodes
    def id(self, node: ir.Node) -> int:
        # Hashing a node hashes its whole subtree; the same objects are asked for again and
        # again, so look them up by identity first (the entry keeps the object alive).
        seen = self.by_identity.get(id(node))
        if seen is not None:
            return seen[1]
        original = node
        node = self.resolve(node)
        found = self.ids.get(node)
        if found is None:
            found = len(self.ids)
            self.ids[node] = found
            self.compile(node)
        self.by_identity[id(original)] = (original, found)
        return found

    def resolve(self, node: ir.Node) -> ir.Node:
        """Definitions and parameters stand for what they denote at this date."""
        while True:
            if isinstance(node, ir.DefRef):
                node = self.catalogue.definitions[node.qname].expr
            elif isinstance(node, ir.ParamRef):
                param = self.catalogue.params[node.qname]
                version = param.version_at(self.as_of)
                if version is None:
                    # The checker (E502) rules this out for what a programme uses while
                    # it is in force; a shared definition reached at another date (the
                    # SME figures, de minimis headroom) is unknown there, not 0.
                    return no_value(node, self.as_of)
                node = version.value
            elif isinstance(node, ir.AsOf):
                return ir.Const(DATE, self.as_of)
            else:
                return node

    def compile(self, node: ir.Node) -> None:
        # Written out, not looked up by class name: a new kind of node that is not
        # compiled here is a type error (assert_never), not an AttributeError at run time.
        match node:
            case ir.Const():
                self._c_Const(node)
            case ir.Unknown():
                self._c_Unknown(node)
            case ir.Field():
                self._c_Field(node)
            case ir.ElemField():
                self._c_ElemField(node)
            case ir.Arith():
                self._c_Arith(node)
            case ir.Neg():
                self._c_Neg(node)
            case ir.Compare():
                self._c_Compare(node)
            case ir.Logic():
                self._c_Logic(node)
            case ir.Not():
                self._c_Not(node)
            case ir.If():
                self._c_If(node)
            case ir.Coalesce():
                self._c_Coalesce(node)
            case ir.Member():
                self._c_Member(node)
            case ir.Builtin():
                self._c_Builtin(node)
            case ir.Aggregate():
                self._c_Aggregate(node)
            case ir.AsOf() | ir.ParamRef() | ir.DefRef():
                raise TypeError(f"{type(node).__name__} is resolved before it is compiled")
            case _:
                assert_never(node)

    def propagate_missing(self, node: ir.Node, *kids: ir.Node) -> None:
        """An undecided node needs whatever its undecided children need."""
        for kid in kids:
            kid = self.resolve(kid)
            self.id(kid)
            if isinstance(kid, ir.Const):
                continue  # always decided: it never needs anything
            self.rule(self.m(node), self.dom(node), self.undecided(node), self.m(kid))

    def _c_Const(self, node: ir.Const) -> None:
        if node.type == BOOL:
            self.rule(self.t(node) if node.value else self.f(node), "prof(P)")
        elif node.type == SYMBOL_SET:
            assert isinstance(node.value, frozenset), node
            for value in sorted(node.value):
                self.rule(f"set_{self.id(node)}({quote(value)})")
            self.signatures.add((f"set_{self.id(node)}", 1))
        else:
            self.rule(self.v(node, const_term(node.value)), "prof(P)")

    def _c_Unknown(self, node: ir.Unknown) -> None:
        # No value and no truth value, ever: what needs it is unknown, for this reason.
        self.rule(self.m(node, quote(node.reason)), "prof(P)")

    def _c_Field(self, node: ir.Field) -> None:
        path = quote(node.path)
        if node.type == BOOL:
            self.rule(self.t(node), f"in(P,{path},1)")
            self.rule(self.f(node), f"in(P,{path},0)")
        else:
            self.rule(self.v(node, "V"), f"in(P,{path},V)")
        self.rule(self.m(node, path), "prof(P)", f"not has(P,{path})")

    def _c_ElemField(self, node: ir.ElemField) -> None:
        coll = quote(node.var.collection)
        name = quote(node.field or "")
        x = f"X{node.var.depth}"
        if node.type == BOOL:
            self.rule(self.t(node), f"ein(P,{coll},{x},{name},1)")
            self.rule(self.f(node), f"ein(P,{coll},{x},{name},0)")
        else:
            self.rule(self.v(node, "V"), f"ein(P,{coll},{x},{name},V)")
        self.rule(self.m(node, "F"), f"eabs(P,{coll},{x},{name},F)")

    def _c_Arith(self, node: ir.Arith) -> None:
        a, b = self.resolve(node.left), self.resolve(node.right)
        if node.type == DATE:
            fn = "add_months" if node.op == "+" else "sub_months"
        else:
            fn = _ARITH[node.op]
        self.rule(
            self.v(node, "V"), self.dom(node), self.v(a, "A"), self.v(b, "B"), f"V=@{fn}(A,B)"
        )
        self.propagate_missing(node, a, b)

    def _c_Neg(self, node: ir.Neg) -> None:
        a = self.resolve(node.operand)
        self.rule(self.v(node, "V"), self.dom(node), self.v(a, "A"), "V=@neg(A)")
        self.propagate_missing(node, a)

    def _c_Compare(self, node: ir.Compare) -> None:
        a, b = self.resolve(node.left), self.resolve(node.right)
        body = [self.dom(node), self.v(a, "A"), self.v(b, "B")]
        op = node.op
        if a.type in NUMERIC:
            # Each value's sort key (a pair of clingo numbers, see `arith.sort_key`) lets
            # the grounder order nearly every pair natively, and equal values are equal
            # strings; only two different values within 2^-29 of each other (or beyond
            # ±2^31) reach the exact Python `cmp`. Before, every pair was a Python call:
            # about a million in a cold `subsidia test`, most of its grounding time. The
            # three-way answer `c_N` is read by the true and the false rule.
            body += [f"{self.key_predicate(a)}(A,KA)", f"{self.key_predicate(b)}(B,KB)"]
            for sign, test in (("-1", "KA < KB"), ("1", "KA > KB"), ("0", "A = B")):
                self.rule(self.atom("c", node, sign), *body, test)
            # The tie in an atom of its own: in one rule the grounder calls `@cmp` as soon
            # as A and B are bound, before testing the keys.
            tie = self.atom("tie", node, "A", "B")
            self.rule(tie, *body, "KA = KB", "A != B")
            self.rule(self.atom("c", node, "C"), tie, "C=@cmp(A,B)")
            compared = self.atom("c", node, "C")
            self.rule(self.t(node), compared, f"C {_CMP[op]} 0")
            self.rule(self.f(node), compared, f"C {_NEGATE[op]} 0")
        else:  # dates are numbers, symbols and texts strings: clingo compares them natively
            self.rule(self.t(node), *body, f"A {_CMP[op]} B")
            self.rule(self.f(node), *body, f"A {_NEGATE[op]} B")
        self.propagate_missing(node, a, b)

    def _c_Logic(self, node: ir.Logic) -> None:
        args = [self.resolve(a) for a in node.args]
        every, some = (self.t, self.f) if node.op == "and" else (self.f, self.t)
        all_head = self.t(node) if node.op == "and" else self.f(node)
        any_head = self.f(node) if node.op == "and" else self.t(node)
        self.rule(all_head, self.dom(node), *(every(a) for a in args))
        for a in args:
            self.rule(any_head, self.dom(node), some(a))
        self.propagate_missing(node, *args)

    def _c_Not(self, node: ir.Not) -> None:
        a = self.resolve(node.operand)
        self.rule(self.t(node), self.dom(node), self.f(a))
        self.rule(self.f(node), self.dom(node), self.t(a))
        self.propagate_missing(node, a)

    def _c_If(self, node: ir.If) -> None:
        c, a, b = (self.resolve(x) for x in (node.condition, node.then, node.otherwise))
        dom = self.dom(node)
        if node.type == BOOL:
            for branch_test, branch in ((self.t(c), a), (self.f(c), b)):
                self.rule(self.t(node), dom, branch_test, self.t(branch))
                self.rule(self.f(node), dom, branch_test, self.f(branch))
        else:
            self.rule(self.v(node, "V"), dom, self.t(c), self.v(a, "V"))
            self.rule(self.v(node, "V"), dom, self.f(c), self.v(b, "V"))
        undecided = self.undecided(node)
        self.rule(self.m(node), dom, undecided, self.m(c))
        self.rule(self.m(node), dom, undecided, self.t(c), self.m(a))
        self.rule(self.m(node), dom, undecided, self.f(c), self.m(b))

    def _c_Coalesce(self, node: ir.Coalesce) -> None:
        a, b = self.resolve(node.first), self.resolve(node.fallback)
        dom = self.dom(node)
        if node.type == BOOL:
            self.rule(self.t(node), dom, self.t(a))
            self.rule(self.f(node), dom, self.f(a))
            self.rule(self.t(node), dom, self.undecided(a), self.t(b))
            self.rule(self.f(node), dom, self.undecided(a), self.f(b))
        else:
            self.rule(self.v(node, "V"), dom, self.v(a, "V"))
            self.rule(self.v(node, "V"), dom, self.undecided(a), self.v(b, "V"))
        self.propagate_missing(node, b)

    def _c_Member(self, node: ir.Member) -> None:
        a, s = self.resolve(node.operand), self.resolve(node.values)
        inside, outside = (self.f, self.t) if node.negated else (self.t, self.f)
        sid = self.id(s)
        if not isinstance(s, ir.Const):
            # A set the sources do not give: membership is unknown, for the set's reason.
            self.propagate_missing(node, a, s)
            return
        dom = self.dom(node)
        if node.prefix:
            # `starts_with_any`: a text matches when one of the set's texts is its prefix.
            match = f"pfx_{self.id(node)}"
            self.rule(f"{match}(V)", self.v(a, "V"), f"set_{sid}(S)", "@starts_with(V,S)=1")
            self.signatures.add((match, 1))
            self.rule(inside(node), dom, self.v(a, "V"), f"{match}(V)")
            self.rule(outside(node), dom, self.v(a, "V"), f"not {match}(V)")
        else:
            self.rule(inside(node), dom, self.v(a, "V"), f"set_{sid}(V)")
            self.rule(outside(node), dom, self.v(a, "V"), f"not set_{sid}(V)")
        self.propagate_missing(node, a)

    def _c_Builtin(self, node: ir.Builtin) -> None:
        args = [self.resolve(a) for a in node.args]
        names = [f"A{i}" for i in range(len(args))]
        body = [self.dom(node), *(self.v(a, n) for a, n in zip(args, names, strict=True))]
        call = f"@{BUILTINS[node.name].asp}({','.join(names)})"
        if node.name in ("min", "max") and node.type in NUMERIC:
            self._c_extreme(node, args, names, body, call)
        elif node.type == BOOL:
            self.rule(self.t(node), *body, f"{call}=1")
            self.rule(self.f(node), *body, f"{call}=0")
        else:
            self.rule(self.v(node, "V"), *body, f"V={call}")
        self.propagate_missing(node, *args)

    def _c_extreme(
        self, node: ir.Builtin, args: list[ir.Node], names: list[str], body: list[str], call: str
    ) -> None:
        """`min`/`max` of numbers, chosen by their sort keys as `_c_Compare` compares: the
        argument whose key is at most (least) every other's. Where two different values
        have equal keys the choice is the exact Python call."""
        keys = [f"K{i}" for i in range(len(args))]
        body = body + [
            f"{self.key_predicate(a)}({n},{k})" for a, n, k in zip(args, names, keys, strict=True)
        ]
        tie = self.atom("tie", node, *names)
        pairs = [(i, j) for i in range(len(args)) for j in range(i + 1, len(args))]
        for i, j in pairs:
            self.rule(tie, *body, f"{keys[i]} = {keys[j]}", f"{names[i]} != {names[j]}")
        self.rule(self.v(node, "V"), tie, f"V={call}")
        at_most = "<=" if node.name == "min" else ">="
        for i, name in enumerate(names):
            others = [f"{keys[i]} {at_most} {k}" for k in keys if k != keys[i]]
            self.rule(self.v(node, name), *body, *others, f"not {tie}")

    def _c_Aggregate(self, node: ir.Aggregate) -> None:
        body = self.resolve(node.body)
        where = self.resolve(node.where) if node.where is not None else None
        n = self.id(node)
        var = node.var
        x = f"X{var.depth}"
        coll = quote(var.collection)
        key = self.key(node)
        dom = self.dom(node)
        elem = f"elem(P,{coll},{x})"
        passes = [self.t(where)] if where is not None else []
        self.signatures.update({("elem", 3), ("size", 3)})
        if node.kind in ("sum", "count", "maximum", "minimum"):
            self.signatures.update(
                {(f"agg_term_{n}", key.count(",") + 3), (f"agg_acc_{n}", key.count(",") + 3)}
            )
            term = f"agg_term_{n}({key},{x},T)"
            if node.kind == "count":
                self.rule(term.replace(",T)", ',"1")'), dom, elem, *passes, self.t(body))
                self.rule(term.replace(",T)", ',"0")'), dom, elem, self.f(body))
                zero, fold = '"0"', "add"
            elif node.kind == "sum":
                self.rule(term, dom, elem, *passes, self.v(body, "T"))
                zero, fold = '"0"', "add"
            else:
                self.rule(term, dom, elem, *passes, self.v(body, "T"))
                zero, fold = '"none"', "max2" if node.kind == "maximum" else "min2"
            if where is not None:
                self.rule(term.replace(",T)", f",{zero})"), dom, elem, self.f(where))
            # Fold the terms in element order: exact, and unknown as soon as one term is.
            self.rule(f"agg_acc_{n}({key},-1,{zero})", dom)
            self.rule(
                f"agg_acc_{n}({key},{x},S)",
                f"agg_term_{n}({key},{x},T)",
                f"agg_acc_{n}({key},{x}-1,R)",
                f"S=@{fold}(R,T)",
            )
            total = f"agg_acc_{n}({key},Z-1,S)"
            if node.kind in ("maximum", "minimum"):
                self.rule(self.v(node, "S"), dom, f"size(P,{coll},Z)", total, 'S!="none"')
            else:
                self.rule(self.v(node, "S"), dom, f"size(P,{coll},Z)", total)
        else:
            wanted, unwanted = (self.t, self.f) if node.kind == "any" else (self.f, self.t)
            decided_head = self.t(node) if node.kind == "any" else self.f(node)
            other_head = self.f(node) if node.kind == "any" else self.t(node)
            self.rule(decided_head, dom, elem, *passes, wanted(body))
            excused = [f"{x}: {elem}, {unwanted(body)}"]
            if where is not None:
                excused.append(f"{x}: {elem}, {self.f(where)}")
            self.rule(other_head, dom, f"size(P,{coll},Z)", f"Z = #count{{ {'; '.join(excused)} }}")
        undecided = self.undecided(node)
        # A list the profile does not give at all (no project) is unknown, not empty.
        self.rule(self.m(node, coll), dom, undecided, f"not size(P,{coll},_)")
        skip = [f"not {self.f(where)}"] if where is not None else []
        self.rule(self.m(node), dom, undecided, elem, *skip, self.m(body))
        if where is not None:
            self.rule(self.m(node), dom, undecided, self.m(where))


_PRELUDE = """\
% Generated by subsidia; do not edit. Data arrives as facts built through the clingo API:
% prof(P), in(P,Field,V), elem(P,List,I), size(P,List,N), ein(P,List,I,Field,V),
% eabs(P,List,I,Field,Path).
has(P,F) :- in(P,F,_).
"""


def compile_programmes(
    catalogue: ir.Catalogue,
    as_of: dt.date,
    programmes: list[str] | None = None,
    exports: list[str] | None = None,
) -> CompiledProgram:
    """One ASP program answering every listed programme (all by default) at `as_of`."""
    emitter = _Emitter(catalogue, as_of)
    wanted = list(catalogue.programmes) if programmes is None else programmes
    compiled: list[str] = []
    not_in_force: dict[str, ir.Period] = {}
    versions: dict[str, list[UsedVersion]] = {}
    reached: dict[str, frozenset[str]] = {}  # parameters by definition
    for pid in wanted:
        prog = catalogue.programmes[pid]
        if not prog.valid.contains(as_of):
            not_in_force[pid] = prog.valid
            continue
        condition_atoms = []
        for cond in prog.conditions:
            node = emitter.resolve(cond.expr)
            emitter.id(node)
            c = f"cond(P,{quote(pid)},{quote(cond.name)},"
            emitter.rule(c + "yes)", emitter.t(node))
            emitter.rule(c + "no)", emitter.f(node))
            emitter.rule(f"need(P,{quote(pid)},{quote(cond.name)},F)", emitter.m(node))
            condition_atoms.append(c + "yes)")
        if prog.amount is not None:
            node = emitter.resolve(prog.amount.expr)
            emitter.id(node)
            emitter.rule(f"amount(P,{quote(pid)},V)", emitter.v(node, "V"))
            emitter.rule(f'need(P,{quote(pid)},"amount",F)', emitter.m(node))
            # The amount before its limits and each limit, so answers say which one bit.
            for part_name, part in ir.amount_parts(prog.amount):
                part_node = emitter.resolve(part)
                emitter.id(part_node)
                head = f"part(P,{quote(pid)},{quote(part_name)},V)"
                emitter.rule(head, emitter.v(part_node, "V"))
        p = quote(pid)
        emitter.rule(f"status(P,{p},ineligible)", f"cond(P,{p},_,no)")
        emitter.rule(f"status(P,{p},eligible)", "prof(P)", *condition_atoms)
        emitter.rule(
            f"status(P,{p},unknown)",
            "prof(P)",
            f"not status(P,{p},eligible)",
            f"not status(P,{p},ineligible)",
        )
        versions[pid] = versions_used(catalogue, prog, as_of, reached)
        compiled.append(pid)
    export_names = exports or []
    for qname in export_names:
        definition = catalogue.definitions[qname]
        node = emitter.resolve(definition.expr)
        emitter.id(node)
        if node.type == BOOL:
            emitter.rule(f"out(P,{quote(qname)},true)", emitter.t(node))
            emitter.rule(f"out(P,{quote(qname)},false)", emitter.f(node))
        else:
            emitter.rule(f"out(P,{quote(qname)},V)", emitter.v(node, "V"))
    # Only predicates no rule derives need declaring (a constant's `f_N`, say).
    underived = {sig for sig in emitter.signatures if sig[0] not in emitter.heads}
    defined = sorted(
        underived
        | {("prof", 1), ("in", 3), ("ein", 5), ("eabs", 5), ("elem", 3), ("size", 3)}
        | {("cond", 4), ("need", 4), ("amount", 3), ("status", 3), ("out", 3), ("part", 4)}
    )
    text = "\n".join(
        [
            _PRELUDE,
            *(f"#defined {name}/{arity}." for name, arity in defined),
            *emitter.lines,
            "#show cond/4. #show need/4. #show amount/3. #show status/3. #show out/3.",
            "#show part/4.",
            "",
        ]
    )
    return CompiledProgram(
        as_of,
        text,
        compiled,
        not_in_force,
        versions,
        export_names,
        {q: catalogue.definitions[q].type for q in export_names},
        len(emitter.ids),
    )
