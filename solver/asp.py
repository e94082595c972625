"""IR → answer-set program with three-valued (Kleene) semantics.

Every expression node `n` becomes a few predicates over a key `P, X0, X1, ...` — the
profile and the list elements the node ranges over:

* `v(n, Key, V)`: the node's value, when known;
* `t(n, Key)` / `f(n, Key)`: a condition holds / fails; neither means unknown;
* `m(n, Key, Field)`: an undecided node needs this missing profile field.

Profile data never appears in the program text: it arrives as facts built through the
clingo API (`solver.facts`). Parameters are resolved here for one evaluation date, and
the versions used are recorded. Quantities are exact rationals carried as strings and
computed by `solver.arith` during grounding.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

from dsl import ir
from dsl.types import BOOL, DATE, NUMERIC, SYMBOL_SET, Type

_CMP = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "=": "=", "!=": "!="}
_NEGATE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "=": "!=", "!=": "="}
_ARITH = {"+": "add", "-": "sub", "*": "mul", "/": "div"}


@dataclass(frozen=True, slots=True)
class UsedVersion:
    param: str
    period: ir.Period
    value: ir.ConstValue | None  # None: the sources do not give it (`unknown`)
    source: ir.Source | None
    dated: bool  # the parameter has more than one version


def versions_used(
    catalogue: ir.Catalogue, programme: ir.Programme, as_of: dt.date
) -> list[UsedVersion]:
    """The parameter versions in force at `as_of` that a programme reaches, through
    definitions, sorted by name: what an answer about that programme cites."""
    reached: set[str] = set()
    for cond in programme.conditions:
        reached |= ir.params_used(cond.expr, catalogue)
    if programme.amount is not None:
        reached |= ir.params_used(programme.amount.expr, catalogue)
    used = []
    for qname in sorted(reached):
        param = catalogue.params[qname]
        version = param.version_at(as_of)
        if version is not None:
            used.append(
                UsedVersion(
                    qname,
                    version.period,
                    version_value(version),
                    version.source,
                    len(param.versions) > 1,
                )
            )
    return used


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
    missing_param: list[str] = field(default_factory=list)

    # ---- keys
    def key(self, node: ir.Node) -> str:
        return ",".join(["P", *(f"X{v.depth}" for v in ir.free_vars(node))])

    def dom(self, node: ir.Node, extra: tuple[ir.Var, ...] = ()) -> str:
        parts = ["prof(P)"]
        for var in (*ir.free_vars(node), *extra):
            parts.append(f"elem(P,{quote(var.collection)},X{var.depth})")
        return ", ".join(parts)

    def sig(self, name: str, node: ir.Node, extra: int = 0) -> None:
        self.signatures.add((name, 1 + len(ir.free_vars(node)) + 1 + extra))

    def rule(self, head: str, *body: str) -> None:
        self.lines.append(f"{head} :- {', '.join(b for b in body if b)}." if body else f"{head}.")

    # ---- atoms
    def v(self, node: ir.Node, value: str) -> str:
        self.sig("v", node, 1)
        return f"v({self.id(node)},{self.key(node)},{value})"

    def t(self, node: ir.Node) -> str:
        self.sig("t", node)
        return f"t({self.id(node)},{self.key(node)})"

    def f(self, node: ir.Node) -> str:
        self.sig("f", node)
        return f"f({self.id(node)},{self.key(node)})"

    def m(self, node: ir.Node, field_var: str = "F") -> str:
        self.sig("m", node, 1)
        return f"m({self.id(node)},{self.key(node)},{field_var})"

    def known(self, node: ir.Node) -> str:
        """An atom true exactly when the node is decided (has a value or a truth value)."""
        self.sig("k", node)
        return f"k({self.id(node)},{self.key(node)})"

    # ---- nodes
    def id(self, node: ir.Node) -> int:
        node = self.resolve(node)
        found = self.ids.get(node)
        if found is not None:
            return found
        n = len(self.ids)
        self.ids[node] = n
        self.compile(node)
        return n

    def resolve(self, node: ir.Node) -> ir.Node:
        """Definitions and parameters stand for what they denote at this date."""
        while True:
            if isinstance(node, ir.DefRef):
                node = self.catalogue.definitions[node.qname].expr
            elif isinstance(node, ir.ParamRef):
                param = self.catalogue.params[node.qname]
                version = param.version_at(self.as_of)
                if version is None:
                    self.missing_param.append(node.qname)
                    return ir.Const(node.type, _placeholder(node.type))
                node = version.value
            elif isinstance(node, ir.AsOf):
                return ir.Const(DATE, self.as_of)
            else:
                return node

    def compile(self, node: ir.Node) -> None:
        method = getattr(self, f"_c_{type(node).__name__}")
        method(node)
        if node.type == BOOL:
            self.rule(self.known(node), self.t(node))
            self.rule(self.known(node), self.f(node))
        elif node.type != SYMBOL_SET:
            self.rule(self.known(node), self.v(node, "_"))

    def propagate_missing(self, node: ir.Node, *kids: ir.Node) -> None:
        """An undecided node needs whatever its undecided children need."""
        for kid in kids:
            kid = self.resolve(kid)
            self.id(kid)
            self.rule(self.m(node), self.dom(node), f"not {self.known(node)}", self.m(kid))

    def _c_Const(self, node: ir.Const) -> None:
        if node.type == BOOL:
            self.rule(self.t(node) if node.value else self.f(node), "prof(P)")
        elif node.type == SYMBOL_SET:
            for value in sorted(node.value):  # type: ignore[arg-type]
                self.rule(f"set({self.id(node)},{quote(value)})")
            self.signatures.add(("set", 2))
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
            self.rule(self.t(node), *body, f"@cmp(A,B) {_CMP[op]} 0")
            self.rule(self.f(node), *body, f"@cmp(A,B) {_NEGATE[op]} 0")
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
        undecided = f"not {self.known(node)}"
        self.rule(self.m(node), dom, undecided, self.m(c))
        self.rule(self.m(node), dom, undecided, self.t(c), self.m(a))
        self.rule(self.m(node), dom, undecided, self.f(c), self.m(b))

    def _c_Coalesce(self, node: ir.Coalesce) -> None:
        a, b = self.resolve(node.first), self.resolve(node.fallback)
        dom = self.dom(node)
        if node.type == BOOL:
            self.rule(self.t(node), dom, self.t(a))
            self.rule(self.f(node), dom, self.f(a))
            self.rule(self.t(node), dom, f"not {self.known(a)}", self.t(b))
            self.rule(self.f(node), dom, f"not {self.known(a)}", self.f(b))
        else:
            self.rule(self.v(node, "V"), dom, self.v(a, "V"))
            self.rule(self.v(node, "V"), dom, f"not {self.known(a)}", self.v(b, "V"))
        self.propagate_missing(node, b)

    def _c_Member(self, node: ir.Member) -> None:
        a, s = self.resolve(node.operand), self.resolve(node.values)
        inside, outside = (self.f, self.t) if node.negated else (self.t, self.f)
        sid = self.id(s)
        dom = self.dom(node)
        self.rule(inside(node), dom, self.v(a, "V"), f"set({sid},V)")
        self.rule(outside(node), dom, self.v(a, "V"), f"not set({sid},V)")
        self.propagate_missing(node, a)

    def _c_Builtin(self, node: ir.Builtin) -> None:
        args = [self.resolve(a) for a in node.args]
        names = [f"A{i}" for i in range(len(args))]
        body = [self.dom(node), *(self.v(a, n) for a, n in zip(args, names, strict=True))]
        call = f"@{node.name}({','.join(names)})"
        if node.type == BOOL:
            self.rule(self.t(node), *body, f"{call}=1")
            self.rule(self.f(node), *body, f"{call}=0")
        else:
            self.rule(self.v(node, "V"), *body, f"V={call}")
        self.propagate_missing(node, *args)

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
                {("agg_term", 2 + key.count(",") + 2), ("agg_acc", 2 + key.count(",") + 2)}
            )
            term = f"agg_term({n},{key},{x},T)"
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
            self.rule(f"agg_acc({n},{key},-1,{zero})", dom)
            self.rule(
                f"agg_acc({n},{key},{x},S)",
                f"agg_term({n},{key},{x},T)",
                f"agg_acc({n},{key},{x}-1,R)",
                f"S=@{fold}(R,T)",
            )
            total = f"agg_acc({n},{key},Z-1,S)"
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
        undecided = f"not {self.known(node)}"
        # A list the profile does not give at all (no project) is unknown, not empty.
        self.rule(self.m(node, coll), dom, undecided, f"not size(P,{coll},_)")
        skip = [f"not {self.f(where)}"] if where is not None else []
        self.rule(self.m(node), dom, undecided, elem, *skip, self.m(body))
        if where is not None:
            self.rule(self.m(node), dom, undecided, self.m(where))


def version_value(version: ir.ParamVersion) -> ir.ConstValue | None:
    return version.value.value if isinstance(version.value, ir.Const) else None


def _placeholder(t) -> ir.ConstValue:
    return Fraction(0) if t in NUMERIC else ""


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
    for pid in wanted:
        prog = catalogue.programmes[pid]
        if not prog.valid.contains(as_of):
            not_in_force[pid] = prog.valid
            continue
        emitter.missing_param = []
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
        p = quote(pid)
        emitter.rule(f"status(P,{p},ineligible)", f"cond(P,{p},_,no)")
        emitter.rule(f"status(P,{p},eligible)", "prof(P)", *condition_atoms)
        emitter.rule(
            f"status(P,{p},unknown)",
            "prof(P)",
            f"not status(P,{p},eligible)",
            f"not status(P,{p},ineligible)",
        )
        versions[pid] = versions_used(catalogue, prog, as_of)
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
    defined = sorted(
        emitter.signatures
        | {("prof", 1), ("in", 3), ("ein", 5), ("eabs", 5), ("elem", 3), ("size", 3)}
        | {("cond", 4), ("need", 4), ("amount", 3), ("status", 3), ("out", 3)}
    )
    text = "\n".join(
        [
            _PRELUDE,
            *(f"#defined {name}/{arity}." for name, arity in defined),
            *emitter.lines,
            "#show cond/4. #show need/4. #show amount/3. #show status/3. #show out/3.",
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
