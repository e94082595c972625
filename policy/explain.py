"""`subsidia explain`: a decision as a proof tree, with counterfactuals when it is `no`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

from dsl import ir
from policy import engine
from policy.describe import expr_text, value_text
from solver.asp import compile_programmes
from solver.counterfactual import Counterfactual, apply, search
from solver.record import InputRecord
from solver.run import solve

MAX_DEPTH = 3


@dataclass(slots=True)
class Node:
    """One line of the proof tree: what was used, its value, and where the rule comes from."""

    kind: str  # condition | definition | parameter | field
    name: str
    label: str
    value: str
    detail: str = ""  # expression, validity of the version, or source
    children: list[Node] = field(default_factory=list)


@dataclass(slots=True)
class Suggestion:
    counterfactual: Counterfactual
    status: str  # after the change, re-checked by the evaluator
    amount: str | None


@dataclass(slots=True)
class Explanation:
    programme: str
    label: str
    as_of: dt.date
    status: str
    amount: str | None
    tree: list[Node]
    failing: list[str]
    suggestions: list[Suggestion]
    changeable: list[str]


def _fmt(value: object, type_: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value_text(value, type_)


def _direct_refs(node: ir.Node) -> tuple[list[str], list[str], list[str]]:
    """Definitions, parameters and profile fields a node uses, not looking inside definitions."""
    defs: list[str] = []
    params: list[str] = []
    fields: list[str] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ir.DefRef):
            defs.append(n.qname)
            continue
        if isinstance(n, ir.ParamRef):
            params.append(n.qname)
        elif isinstance(n, ir.Field):
            fields.append(n.path)
        elif isinstance(n, ir.ElemField) and n.field is not None:
            fields.append(f"{n.var.collection}[*].{n.field}")
        stack.extend(ir.children(n))
    return list(dict.fromkeys(defs)), list(dict.fromkeys(params)), list(dict.fromkeys(fields))


class _TreeBuilder:
    def __init__(
        self,
        catalogue: ir.Catalogue,
        day: dt.date,
        record: InputRecord,
        values: dict[str, object],
        lang: str,
    ) -> None:
        self.catalogue, self.day, self.record, self.values, self.lang = (
            catalogue,
            day,
            record,
            values,
            lang,
        )

    def children(self, node: ir.Node, depth: int) -> list[Node]:
        defs, params, fields = _direct_refs(node)
        out = [self.definition(q, depth) for q in defs]
        out += [self.parameter(q) for q in params]
        out += [self.field(f) for f in fields]
        return out

    def definition(self, qname: str, depth: int) -> Node:
        definition = self.catalogue.definitions[qname]
        value = self.values.get(qname)
        shown = "unknown" if value is None else _fmt(value, definition.type)
        node = Node(
            "definition",
            qname,
            definition.labels.get(self.lang, qname),
            shown,
            expr_text(definition.expr),
        )
        if depth < MAX_DEPTH:
            node.children = self.children(definition.expr, depth + 1)
        return node

    def parameter(self, qname: str) -> Node:
        param = self.catalogue.params[qname]
        version = param.version_at(self.day)
        if version is None:
            return Node("parameter", qname, param.labels.get(self.lang, qname), "no value")
        value = (
            _fmt(version.value.value, param.type)
            if isinstance(version.value, ir.Const)
            else f"unknown ({version.value.reason})"
        )
        source = version.source or (param.sources[0] if param.sources else None)
        where = f"; source {source.title or source.name}" if source else ""
        if source and source.locator:
            where += f", {source.locator}"
        return Node(
            "parameter",
            qname,
            param.labels.get(self.lang, qname),
            value,
            f"version valid {version.period}{where}",
        )

    def field(self, path: str) -> Node:
        if "[*]" in path:
            coll, name = path.split("[*].")
            elements = self.record.collections.get(coll)
            if elements is None:
                return Node("field", path, "", "not given")
            shown = [
                _fmt(e.get(name), None) if isinstance(e, dict) and name in e else "missing"
                for e in elements
            ]
            return Node("field", path, "", "[" + ", ".join(shown) + "]" if shown else "none")
        value = self.record.scalars.get(path)
        return Node("field", path, "", "missing" if value is None else _fmt(value, None))


def explain(
    record: InputRecord,
    programme: str,
    as_of: dt.date,
    lang: str = "en",
    counterfactuals: int = 3,
) -> Explanation:
    catalogue = engine.catalogue()
    prog = catalogue.programmes[programme]
    report = engine.check(record, as_of, programme)
    result = report.results[0]
    if result.note:  # not in force
        return Explanation(
            programme, prog.labels.get(lang, programme), as_of, result.status, None, [],
            [result.note], [], list(prog.changeable),
        )  # fmt: skip
    roots = [c.expr for c in prog.conditions]
    if prog.amount:
        roots.append(prog.amount.expr)
    used = sorted({q for r in roots for q in _all_defs(r, catalogue)})
    program = compile_programmes(catalogue, as_of, [programme], used)
    values = solve(program, [record])[0].exports
    builder = _TreeBuilder(catalogue, as_of, record, values, lang)
    status_of = {r.condition: r for r in result.reasons}
    tree = []
    for cond in prog.conditions:
        reason = status_of[cond.name]
        src = "; ".join(
            f"{s.title or s.name}{', ' + s.locator if s.locator else ''}" for s in cond.sources
        )
        shown = reason.status + (f" (needs {', '.join(reason.missing)})" if reason.missing else "")
        node = Node(
            "condition",
            cond.name,
            cond.labels.get(lang, cond.name),
            shown,
            f"{expr_text(cond.expr)}  [source: {src or '—'}]",
        )
        node.children = builder.children(cond.expr, 1)
        tree.append(node)
    if prog.amount:
        if result.status == "ineligible":
            amount_value = "not granted (ineligible)"
        else:
            amount_value = "unknown" if result.amount is None else f"€{result.amount:,}"
        node = Node("amount", "amount", prog.amount.labels.get(lang, "amount"), amount_value,
                    expr_text(prog.amount.expr))  # fmt: skip
        node.children = builder.children(prog.amount.expr, 1)
        tree.append(node)
    failing = [r.condition for r in result.reasons if r.status == "failed"]
    suggestions = []
    if result.status == "ineligible" and counterfactuals > 0 and prog.changeable:
        # Only the programme, without the report's exports (SME figures, cumulation
        # ceilings): the search grounds every candidate change, and exports it does not
        # need would be grounded for each of them too.
        compiled = compile_programmes(catalogue, as_of, [programme])
        for cf in search(compiled, catalogue, programme, record, counterfactuals):
            after = engine.check(apply(record, cf), as_of, programme).results[0]
            amount = None if after.amount is None else str(after.amount)
            suggestions.append(Suggestion(cf, after.status, amount))
    return Explanation(
        programme,
        prog.labels.get(lang, programme),
        as_of,
        result.status,
        None if result.amount is None else str(result.amount),
        tree,
        failing,
        suggestions,
        list(prog.changeable),
    )


def _all_defs(node: ir.Node, catalogue: ir.Catalogue) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ir.DefRef) and n.qname not in found:
            found.add(n.qname)
            stack.append(catalogue.definitions[n.qname].expr)
        stack.extend(ir.children(n))
    return found


def change_text(change) -> str:
    def show(value: object) -> str:
        if isinstance(value, Fraction):
            return value_text(value)
        return value_text(value)

    return f"{change.field}: {show(change.old)} → {show(change.new)}"


def explanation_json(ex: Explanation) -> dict:
    def node_json(n: Node) -> dict:
        return {
            "kind": n.kind,
            "name": n.name,
            "label": n.label,
            "value": n.value,
            "detail": n.detail,
            "children": [node_json(c) for c in n.children],
        }

    return {
        "programme": ex.programme,
        "as_of": ex.as_of.isoformat(),
        "status": ex.status,
        "amount": ex.amount,
        "failing": ex.failing,
        "tree": [node_json(n) for n in ex.tree],
        "counterfactuals": [
            {
                "changes": [
                    {"field": c.field, "from": value_text(c.old), "to": value_text(c.new)}
                    for c in s.counterfactual.changes
                ],
                "status_after": s.status,
                "amount_after": s.amount,
            }
            for s in ex.suggestions
        ],
        "changeable": ex.changeable,
    }
