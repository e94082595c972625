"""The catalogue at one date, with names replaced by what they denote: the input of the
backends that evaluate in Python (solver.direct, solver.csp).

Definitions are inlined, parameters become the version in force (or `unknown` when none
is), `as_of` becomes the date. Equal sub-expressions become one object (hash-consing), so
a backend memoising per node shares the work of definitions used by many conditions.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from typing import Any

from dsl import ir
from solver.versions import UsedVersion, no_value, split_in_force, versions_used

# The comparison operators of the IR, for both Python backends.
COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": operator.eq,
    "!=": operator.ne,
}


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
        # Both owned by this program (they die with it). `_canon` hash-conses: nodes hash
        # once (ir caches the hash) and compare cheaply, their children being canonical.
        self._canon: dict[ir.Node, ir.Node] = {}
        self._resolved: dict[int, tuple[ir.Node, ir.Node]] = {}  # ir.transform's memo
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
        return ir.transform(node, self._resolve_one, self._resolved)

    def admit(self, node: ir.Node) -> None:
        """Sees every resolved node; a backend that cannot evaluate one raises here,
        before any record is evaluated."""

    def _resolve_one(self, node: ir.Node) -> ir.Node:
        """One node, its children already resolved: names become what they denote."""
        match node:
            case ir.DefRef(qname=qname):
                return self.resolve(self.catalogue.definitions[qname].expr)
            case ir.ParamRef(qname=qname):
                version = self.catalogue.params[qname].version_at(self.as_of)
                found = no_value(node, self.as_of) if version is None else version.value
            case ir.AsOf():
                found = ir.Const(node.type, self.as_of)
            case _:
                found = node
        canonical = self._canon.get(found)
        if canonical is None:
            self.admit(found)
            canonical = self._canon[found] = found
        return canonical
