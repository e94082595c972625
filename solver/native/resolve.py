"""The catalogue at one date, with names replaced by what they denote: the input of the
backends that evaluate in Python (solver.direct, solver.csp).

Definitions are inlined, parameters become the version in force (or `unknown` when none
is), `as_of` becomes the date. Equal sub-expressions become one object (hash-consing), so
a backend memoising per node shares the work of definitions used by many conditions.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from dsl import ir
from solver.versions import UsedVersion, no_value, split_in_force, versions_used


class ResolvedProgrammes:
    """Each programme in force: its conditions, amount and amount parts, resolved; the
    parameter versions it uses; and the resolved exported definitions."""

    def __init__(
        self,
        catalogue: ir.Catalogue,
        as_of: dt.date,
        programmes: list[str] | None = None,
        exports: list[str] | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.as_of = as_of
        self.programmes, self.not_in_force = split_in_force(catalogue, as_of, programmes)
        self._canon: dict[tuple, ir.Node] = {}
        self._resolved: dict[int, ir.Node] = {}
        self._keep: list[ir.Node] = []  # ids stay valid while their entries exist
        self.versions: dict[str, list[UsedVersion]] = {}
        self.conditions: dict[str, list[tuple[str, ir.Node]]] = {}
        self.amounts: dict[str, ir.Node | None] = {}
        self.parts: dict[str, list[tuple[str, ir.Node]]] = {}  # amount before limits, limits
        reached: dict[str, frozenset[str]] = {}  # parameters by definition
        for pid in self.programmes:
            prog = catalogue.programmes[pid]
            self.conditions[pid] = [(c.name, self.resolve(c.expr)) for c in prog.conditions]
            self.amounts[pid] = self.resolve(prog.amount.expr) if prog.amount else None
            parts = ir.amount_parts(prog.amount) if prog.amount else []
            self.parts[pid] = [(name, self.resolve(node)) for name, node in parts]
            self.versions[pid] = versions_used(catalogue, prog, as_of, reached)
        self.exports = {q: self.resolve(catalogue.definitions[q].expr) for q in exports or []}

    def resolve(self, node: ir.Node) -> ir.Node:
        # Memoised by identity and shared by shape with (already canonical) children by
        # identity: hashing a frozen tree walks all of it, at every level.
        found = self._resolved.get(id(node))
        if found is None:
            built = self._rebuild(node)
            self.admit(built)
            found = self._canon.setdefault(_shape(built), built)
            self._resolved[id(node)] = found
            self._keep.append(node)
        return found

    def admit(self, node: ir.Node) -> None:
        """Sees every resolved node; a backend that cannot evaluate one raises here,
        before any record is evaluated."""

    def _rebuild(self, node: ir.Node) -> ir.Node:
        r = self.resolve
        match node:
            case ir.DefRef(qname=qname):
                return r(self.catalogue.definitions[qname].expr)
            case ir.ParamRef(qname=qname):
                version = self.catalogue.params[qname].version_at(self.as_of)
                return no_value(node, self.as_of) if version is None else version.value
            case ir.AsOf():
                return ir.Const(node.type, self.as_of)
            case ir.Arith(type=t, op=op, left=a, right=b):
                return ir.Arith(t, op, r(a), r(b))
            case ir.Neg(type=t, operand=a):
                return ir.Neg(t, r(a))
            case ir.Compare(op=op, left=a, right=b):
                return ir.Compare(op, r(a), r(b))
            case ir.Logic(op=op, args=args):
                return ir.Logic(op, tuple(r(a) for a in args))
            case ir.Not(operand=a):
                return ir.Not(r(a))
            case ir.If(type=t, condition=c, then=a, otherwise=b):
                return ir.If(t, r(c), r(a), r(b))
            case ir.Coalesce(type=t, first=a, fallback=b):
                return ir.Coalesce(t, r(a), r(b))
            case ir.Member(operand=a, values=v, negated=neg):
                return ir.Member(r(a), r(v), neg)
            case ir.Builtin(type=t, name=name, args=args):
                return ir.Builtin(t, name, tuple(r(a) for a in args))
            case ir.Aggregate(type=t, kind=kind, var=var, body=body, where=where):
                return ir.Aggregate(t, kind, var, r(body), None if where is None else r(where))
        return node  # leaves: Const, Unknown, Field, ElemField


def _shape(node: ir.Node) -> tuple:
    """A node's identity for sharing: its class and fields, sub-nodes by object identity."""
    fields: list[object] = [type(node)]
    for name in node.__slots__:  # type: ignore[union-attr]
        value = getattr(node, name)
        if isinstance(value, tuple) and not isinstance(value, ir.Var):
            fields.append(tuple(id(v) for v in value))
        elif isinstance(value, ir.Type | ir.Var | str | bool | Fraction | dt.date | frozenset):
            fields.append(value)
        else:  # a sub-node (or None)
            fields.append(id(value))
    return tuple(fields)
