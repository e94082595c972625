"""`subsidia explain`: a decision as a proof tree, with counterfactuals when it is `no`.

Each condition's verdict comes from the engine (clingo). Under it the tree takes the
condition apart — `and`/`or`/`not`, comparisons, memberships, each list element of `any`
and `all` — and shows what every part evaluated to on this profile, with the values it
compared. Those part values are computed by the direct backend (solver/native/direct.py), which
evaluates the same IR with the same three-valued semantics and is tested to agree with
clingo; a condition whose verdict the two disagree on is shown without its parts.

For an `ineligible` decision, `failing_parts` gives for each failing condition the parts
that make it fail: the false conjuncts of an `and`, every alternative of a failed `or`,
the elements that break an `all`, the elements that satisfy a forbidden `any`, and so on
down to comparisons. Each of them has to change for the condition to hold (of a failed
`or`, one).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from rich.console import Group
from rich.text import Text
from rich.tree import Tree

from dsl import ir
from dsl import vocabulary as vocab
from dsl.types import BOOL
from policy import engine
from policy.authoring.describe import expr_text, value_text
from policy.output.formatting import Formatter, _, formatter
from solver.asp.compile import compile_programmes
from solver.asp.counterfactual import Counterfactual, apply, search
from solver.asp.run import solve
from solver.native.direct import DirectProgram, Env, evaluate_node
from solver.record import Evaluated, InputRecord

MAX_DEPTH = 5
MAX_DETAIL = 200  # characters of a definition's expression shown
VERDICT = {True: "yes", False: "no", None: "unknown"}


@dataclass(slots=True)
class Node:
    """One line of the proof tree: what was used, its value, and where the rule comes from.

    A `part` is a piece of a condition: `name` is the piece with the values it used
    (`company.staff (12) < 50`), `value` its verdict (yes, no, unknown)."""

    kind: str  # condition | part | definition | parameter | field | amount
    name: str
    label: str
    value: str
    detail: str = ""  # a condition's, definition's or amount's expression
    children: list[Node] = field(default_factory=list)
    # Kept apart, not written into `value` and `detail`, so that each front end words them
    # in its reader's language (`proof_tree`) or as the JSON has them (`english_*`).
    needs: list[str] = field(default_factory=list)  # a condition's missing fields
    period: str = ""  # a parameter's version: when it is valid
    source: str = ""  # a parameter's or a condition's source(s)
    taken_apart_above: bool = False  # a definition already expanded in this subtree


def english_value(node: Node) -> str:
    """`value` with the fields a condition needs: `unknown (needs company.staff)`."""
    return node.value + (f" (needs {', '.join(node.needs)})" if node.needs else "")


def english_detail(node: Node) -> str:
    """`detail` with the version, the sources, and whether it was taken apart above."""
    match node.kind:
        case "parameter" if node.period:
            return f"version valid {node.period}" + (
                f"; source {node.source}" if node.source else ""
            )
        case "condition":
            return f"{node.detail}  [source: {node.source or '—'}]"
    return node.detail + ("  (taken apart above)" if node.taken_apart_above else "")


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
    failing_parts: dict[str, list[str]] = field(default_factory=dict)  # condition -> parts
    reasons: list[engine.Reason] = field(default_factory=list)  # every condition's verdict
    lang: str = "en"  # of the labels


def _fmt(value: object, type_: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value_text(value, type_)


def _direct_refs(
    node: ir.Node, record: InputRecord | None = None
) -> tuple[list[str], list[str], list[str]]:
    """Definitions, parameters and profile fields a node uses, not looking inside definitions
    nor, given the record, inside aggregates over a list it has no element of (the list
    itself is then the field used)."""
    defs: list[str] = []
    params: list[str] = []
    fields: list[str] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ir.DefRef):
            defs.append(n.qname)
            continue
        if (
            isinstance(n, ir.Aggregate)
            and record is not None
            and not record.collections.get(n.var.collection)
        ):
            fields.append(n.var.collection)
            continue
        if isinstance(n, ir.ParamRef):
            params.append(n.qname)
        elif isinstance(n, ir.Field):
            fields.append(n.path)
        elif isinstance(n, ir.ElemField) and n.field is not None:
            fields.append(f"{n.var.collection}[*].{n.field}")
        stack.extend(ir.children(n))
    return list(dict.fromkeys(defs)), list(dict.fromkeys(params)), list(dict.fromkeys(fields))


def _block(qname: str) -> str:
    return qname.split(".", 1)[0]


class _TreeBuilder:
    def __init__(
        self,
        catalogue: ir.Catalogue,
        day: dt.date,
        record: InputRecord,
        values: dict[str, object],
        lang: str,
        evaluator: DirectProgram,
    ) -> None:
        self.catalogue, self.day, self.record, self.values, self.lang = (
            catalogue,
            day,
            record,
            values,
            lang,
        )
        self.evaluator = evaluator
        self.ctx = evaluator.context(record)
        self.expanded: set[str] = set()  # definitions taken apart in the current subtree

    # ---- values of sub-expressions, by the direct backend
    def value(self, node: ir.Node, env: Env = ()) -> Evaluated:
        return evaluate_node(self.evaluator.resolve(node), self.ctx, env)

    def operand(self, node: ir.Node, env: Env, block: str) -> str:
        """An operand as written, with its value on this profile: `company.staff (12)`."""
        text = _local(expr_text(node, 5), block)
        if isinstance(node, ir.Const):
            return text
        value = self.value(node, env)
        missing = value is None and isinstance(node, ir.Field | ir.ElemField)
        return f"{text} ({'missing' if missing else _fmt(value, node.type)})"

    # ---- the structure of a condition
    def parts(self, node: ir.Node, env: Env, block: str, depth: int) -> Node:
        verdict = VERDICT[self.value(node, env)]
        match node:
            case ir.Logic(op=op, args=args):
                name = "all of" if op == "and" else "any of"
                children = [self.parts(a, env, block, depth) for a in args]
                return Node("part", name, "", verdict, children=children)
            case ir.Not(operand=a):
                return Node("part", "not", "", verdict, children=[self.parts(a, env, block, depth)])
            case ir.DefRef(qname=qname) if depth < MAX_DEPTH and not env:
                return self.definition(qname, depth + 1)
            case ir.Aggregate(kind="any" | "all"):
                return self.aggregate(node, env, block, depth, verdict)
            case ir.If(condition=c, then=a, otherwise=b):
                chosen = self.value(c, env)
                children = [self.parts(c, env, block, depth)]
                if chosen is not None:
                    children.append(self.parts(a if chosen else b, env, block, depth))
                text = f"if {_local(expr_text(c), block)} then … else …"
                return Node("part", text, "", verdict, children=children)
            case ir.Coalesce(first=a, fallback=b):
                used = a if self.value(a, env) is not None else b
                inner = self.parts(used, env, block, depth)
                return Node("part", _local(expr_text(node), block), "", verdict, children=[inner])
        return Node("part", self.leaf(node, env, block), "", verdict,
                    children=self.operand_refs(node, env, depth))  # fmt: skip

    def leaf(self, node: ir.Node, env: Env, block: str) -> str:
        match node:
            case ir.Compare(op=op, left=a, right=b):
                return f"{self.operand(a, env, block)} {op} {self.operand(b, env, block)}"
            case ir.Member(operand=a, values=s, prefix=True):
                text, values = self.operand(a, env, block), self.operand(s, env, block)
                return f"starts_with_any({text}, {values})"
            case ir.Member(operand=a, values=s, negated=neg):
                op = "not in" if neg else "in"
                return f"{self.operand(a, env, block)} {op} {self.operand(s, env, block)}"
            case ir.Builtin(name=name, args=args):
                return f"{name}({', '.join(self.operand(a, env, block) for a in args)})"
        return self.operand(node, env, block)

    def operand_refs(self, node: ir.Node, env: Env, depth: int) -> list[Node]:
        """What a comparison's operands use: definitions and parameters, and the fields of
        operands more complex than one field (whose value the part's text already shows)."""
        if env or isinstance(node, ir.Field | ir.ElemField | ir.Const):
            return []  # inside a list element: the list's part shows what it uses, once
        operands = ir.children(node) if isinstance(node, ir.Compare | ir.Member) else (node,)
        out: list[Node] = []
        for operand in operands:
            defs, params, fields = _direct_refs(operand, self.record)
            out += [self.definition(q, depth + 1) for q in defs]
            out += [self.parameter(q) for q in params]
            if not isinstance(operand, ir.Field):
                out += [self.field(f) for f in fields]
        return _unique(out)

    def aggregate(self, node: ir.Aggregate, env: Env, block: str, depth: int, verdict: str) -> Node:
        text = _local(expr_text(node), block)
        out = Node("part", text, "", verdict)
        elements = self.record.collections.get(node.var.collection)
        if elements is None:
            out.children.append(Node("field", node.var.collection, "", "not given"))
            return out
        if not elements:
            out.children.append(Node("field", node.var.collection, "", "none"))
        for index, element in enumerate(elements):
            inner = (*env, (node.var, element))
            name = f"{node.var.name} = {node.var.collection}[{index}]"
            kept = True if node.where is None else self.value(node.where, inner)
            if kept is False and node.where is not None:
                where = self.parts(node.where, inner, block, depth)
                out.children.append(Node("part", name, "", "not counted", children=[where]))
                continue
            children = [] if node.where is None else [self.parts(node.where, inner, block, depth)]
            children.append(self.parts(node.body, inner, block, depth))
            body = VERDICT[self.value(node.body, inner)]
            out.children.append(Node("part", name, "", body, children=children))
        defs, params, _ = _direct_refs(node)
        out.children += [self.definition(q, depth + 1) for q in defs]
        out.children += [self.parameter(q) for q in params]
        return out

    # ---- why a condition fails: the parts that decide it
    def culprits(self, node: ir.Node, env: Env, block: str, where: str = "") -> list[str]:
        value = self.value(node, env)
        if value is None:
            return []
        match node:
            case ir.Logic(op=op, args=args):
                decides = op == "or"  # the value one argument alone gives the whole
                chosen = [a for a in args if self.value(a, env) is decides]
                if value is not decides:
                    chosen = list(args)
                return [c for a in chosen for c in self.culprits(a, env, block, where)]
            case ir.Not(operand=a):
                return self.culprits(a, env, block, where)
            case ir.DefRef(qname=qname) if not env and node.type == BOOL:
                definition = self.catalogue.definitions[qname].expr
                return self.culprits(definition, env, _block(qname), where)
            case ir.Aggregate(kind="any" | "all"):
                return self.aggregate_culprits(node, env, block, where, bool(value))
            case ir.If(condition=c, then=a, otherwise=b):
                return self.culprits(a if self.value(c, env) else b, env, block, where)
            case ir.Coalesce(first=a, fallback=b):
                used = a if self.value(a, env) is not None else b
                return self.culprits(used, env, block, where)
        return [f"{where}{self.leaf(node, env, block)}: {VERDICT[value]}"]

    def aggregate_culprits(
        self, node: ir.Aggregate, env: Env, block: str, where: str, value: bool
    ) -> list[str]:
        elements = self.record.collections.get(node.var.collection) or []
        # `all` fails on the elements whose body is false, `any` holds on those where it is
        # true; otherwise every counted element took part.
        deciding = value if node.kind == "any" else not value
        wanted = value if node.kind == "any" else False
        out: list[str] = []
        counted = 0
        for index, element in enumerate(elements):
            inner = (*env, (node.var, element))
            if node.where is not None and self.value(node.where, inner) is not True:
                continue
            counted += 1
            body = self.value(node.body, inner)
            if deciding and body is not wanted:
                continue
            here = f"{where}for {node.var.name} = {node.var.collection}[{index}]: "
            out += self.culprits(node.body, inner, block, here)
        if not counted:
            out.append(f"{where}no element of {node.var.collection} counts")
        return out

    # ---- definitions, parameters and fields
    def children(self, node: ir.Node, depth: int) -> list[Node]:
        defs, params, fields = _direct_refs(node, self.record)
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
            _shorten(expr_text(definition.expr)),
        )
        if depth >= MAX_DEPTH:
            return node
        if qname in self.expanded:
            node.taken_apart_above = True
            return node
        self.expanded.add(qname)
        if definition.type == BOOL:
            node.children = [self.parts(definition.expr, (), _block(qname), depth)]
        else:
            node.children = self.value_parts(definition.expr, _block(qname), depth)
        return node

    def value_parts(self, node: ir.Node, block: str, depth: int) -> list[Node]:
        """Under a definition that is not a condition: an `if` chain as the tests it made
        and the branch it took; anything else as the definitions, parameters and fields
        it uses."""
        if not isinstance(node, ir.If):
            return self.children(node, depth + 1)
        out: list[Node] = []
        word = "if"
        while isinstance(node, ir.If):
            test = self.value(node.condition)
            part = self.parts(node.condition, (), block, depth)
            if part.kind == "part":
                part.name = f"{word} {part.name}"
            else:  # a definition: keep its label line whole
                part = Node("part", word, "", VERDICT[test], children=[part])
            out.append(part)
            if test is None:
                return out
            word, node = ("then", node.then) if test else ("else if", node.otherwise)
            if test:
                break
        word = "then" if word == "then" else "else"
        value = _fmt(self.value(node), node.type)
        if isinstance(node, ir.Const):
            out.append(Node("part", word, "", value))
        else:
            text = f"{word} {_local(expr_text(node), block)}"
            out.append(Node("part", text, "", value, children=self.value_parts(node, block, depth)))
        return out

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
        where = source.title or source.name if source else ""
        if source and source.locator:
            where += f", {source.locator}"
        return Node(
            "parameter",
            qname,
            param.labels.get(self.lang, qname),
            value,
            period=str(version.period),
            source=where,
        )

    def field(self, path: str) -> Node:
        if path in vocab.COLLECTIONS:  # a list without elements (see _direct_refs)
            elements = self.record.collections.get(path)
            return Node("field", path, "", "not given" if elements is None else "none")
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


def _shorten(text: str) -> str:
    """A definition's expression, cut where functions inlined into it make it longer than
    a few lines: its parts below show what it did on the profile."""
    if len(text) <= MAX_DETAIL:
        return text
    return text[: text.rfind(" ", 0, MAX_DETAIL)] + " …"


def _local(text: str, block: str) -> str:
    """Names of the block being shown without their prefix, as its author wrote them."""
    return text.replace(f"{block}.", "")


def _unique(nodes: list[Node]) -> list[Node]:
    seen: set[tuple[str, str]] = set()
    out = []
    for n in nodes:
        if (n.kind, n.name) not in seen:
            seen.add((n.kind, n.name))
            out.append(n)
    return out


def explain(
    record: InputRecord,
    programme: str,
    as_of: dt.date,
    lang: str = "en",
    counterfactuals: int = 3,
    root: str | Path | None = None,
) -> Explanation:
    catalogue = engine.catalogue(root)
    prog = catalogue.programmes[programme]
    report = engine.check(record, as_of, programme, root)
    result = report.results[0]
    if result.note:  # not in force
        return Explanation(
            programme, prog.labels.get(lang, programme), as_of, result.status, None, [],
            [result.note], [], list(prog.changeable), lang=lang,
        )  # fmt: skip
    roots = [c.expr for c in prog.conditions]
    if prog.amount:
        roots.append(prog.amount.expr)
    used = sorted({q for r in roots for q in _all_defs(r, catalogue)})
    program = compile_programmes(catalogue, as_of, [programme], used)
    values = solve(program, [record])[0].exports
    evaluator = DirectProgram(catalogue, as_of, [programme])
    builder = _TreeBuilder(catalogue, as_of, record, values, lang, evaluator)
    status_of = {r.condition: r for r in result.reasons}
    tree = []
    failing_parts: dict[str, list[str]] = {}
    for cond in prog.conditions:
        reason = status_of[cond.name]
        src = "; ".join(
            f"{s.title or s.name}{', ' + s.locator if s.locator else ''}" for s in cond.sources
        )
        node = Node(
            "condition",
            cond.name,
            cond.labels.get(lang, cond.name),
            reason.status,
            expr_text(cond.expr),
            needs=list(reason.missing),
            source=src,
        )
        builder.expanded = set()
        direct = {True: "met", False: "failed", None: "unknown"}[builder.value(cond.expr)]
        if direct == reason.status:
            node.children = [builder.parts(cond.expr, (), programme, 0)]
            if reason.status == "failed":
                failing_parts[cond.name] = list(
                    dict.fromkeys(builder.culprits(cond.expr, (), programme))
                )
        else:  # the backends disagree: show what the condition uses, not its parts
            node.children = builder.children(cond.expr, 1)
        tree.append(node)
    if prog.amount:
        if result.status == "ineligible":
            amount_value = "not granted (ineligible)"
        else:
            amount_value = formatter(lang).money(result.amount)
        node = Node("amount", "amount", prog.amount.labels.get(lang, "amount"), amount_value,
                    expr_text(prog.amount.expr))  # fmt: skip
        builder.expanded = set()
        node.children = builder.value_parts(prog.amount.expr, programme, 0)
        tree.append(node)
    failing = [r.condition for r in result.reasons if r.status == "failed"]
    suggestions = []
    if result.status == "ineligible" and counterfactuals > 0 and prog.changeable:
        # Only the programme, without the report's exports (SME figures, cumulation
        # ceilings): the search grounds every candidate change, and exports it does not
        # need would be grounded for each of them too.
        compiled = compile_programmes(catalogue, as_of, [programme])
        for cf in search(compiled, catalogue, programme, record, counterfactuals):
            after = engine.check(apply(record, cf), as_of, programme, root).results[0]
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
        {c: failing_parts[c] for c in failing if c in failing_parts},
        result.reasons,
        lang,
    )


def _all_defs(node: ir.Node, catalogue: ir.Catalogue) -> set[str]:
    return {n.qname for n in ir.walk(node, catalogue=catalogue) if isinstance(n, ir.DefRef)}


def change_text(change) -> str:
    return f"{change.field}: {value_text(change.old)} → {value_text(change.new)}"


# ---- output

_STYLE = {"eligible": "green", "ineligible": "red", "unknown": "yellow"}
_VALUE_STYLE = {"met": "green", "failed": "red", "yes": "green", "no": "red"}


def explanation_text(ex: Explanation, tree: bool = False) -> Group:
    """The explanation for a terminal: the summary (status, deciding conditions,
    counterfactuals), then, with `tree`, the proof tree."""
    parts = explanation_summary(ex)
    if tree:
        parts.append(proof_tree(ex))
    elif ex.tree:  # (a programme not in force has none)
        hint = formatter(ex.lang).gettext("Add --tree for the proof tree of every condition.")
        parts.append(Text(hint, style="dim"))
    return Group(*parts)


def _status_word(f: Formatter, status: str) -> str:
    from policy.output.check_report import STATUS_WORDS

    return f.gettext(STATUS_WORDS[status]) if status in STATUS_WORDS else status


def _title(ex: Explanation) -> Text:
    f = formatter(ex.lang)
    title = Text(
        f.gettext("{label} ({programme}) on {date}: ", label=ex.label, programme=ex.programme,
                  date=ex.as_of.isoformat())
    )  # fmt: skip
    title.append(_status_word(f, ex.status), style=_STYLE.get(ex.status, ""))
    if ex.amount:
        title.append(f", {f.money(Decimal(ex.amount))}")
    return title


_MARK = {"met": "✓", "failed": "✗", "unknown": "?"}


def deciding(ex: Explanation) -> list[engine.Reason]:
    """The conditions that decide the status: those that failed or are unknown, or, when
    every condition is met, all of them (as the check table shows them)."""
    return [r for r in ex.reasons if r.status != "met"] or list(ex.reasons)


def explanation_summary(ex: Explanation) -> list:
    """The title, the deciding conditions (a failed one with the parts that make it fail,
    an unknown one with the fields it needs) and the counterfactuals."""
    f = formatter(ex.lang)
    parts: list = [_title(ex)]
    if not ex.reasons:  # not in force: the note says why
        parts += [Text(f.text(note), style="red") for note in ex.failing]
    shown = (
        Tree(Text(f.gettext("Deciding conditions"), style="bold"), hide_root=False)
        if ex.reasons
        else None
    )
    for reason in deciding(ex):
        assert shown is not None
        status = {"met": "eligible", "failed": "ineligible"}.get(reason.status, "unknown")
        line = Text(f"{_MARK[reason.status]} {reason.labels.get(ex.lang, reason.condition)}",
                    style=_STYLE[status])  # fmt: skip
        line.append(f" [{reason.condition}]", style="dim")
        if reason.missing:
            line.append(
                f.gettext(" (needs {fields})", fields=", ".join(reason.missing)), style="dim"
            )
        branch = shown.add(line)
        for culprit in ex.failing_parts.get(reason.condition, ()):
            branch.add(culprit)
    if shown is not None:
        parts.append(shown)
    for i, suggestion in enumerate(ex.suggestions, 1):
        changes = "; ".join(change_text(c) for c in suggestion.counterfactual.changes)
        after = _status_word(f, suggestion.status)
        if suggestion.amount:
            after += f", {f.money(Decimal(suggestion.amount))}"
        parts.append(
            Text(
                f.gettext("Counterfactual {number}: {changes} → {after}", number=i,
                          changes=changes, after=after),
                style="green",
            )
        )  # fmt: skip
    if ex.status == "ineligible" and not ex.suggestions and ex.reasons:
        fields = ", ".join(ex.changeable) or f.gettext("none")
        parts.append(
            Text(
                f.gettext(
                    "No change to the fields this programme marks changeable ({fields}) "
                    "makes it eligible.",
                    fields=fields,
                ),
                style="yellow",
            )
        )
    return parts


# The proof tree's own words, in the reader's language when it is printed (the `--json`
# tree keeps them in English, as every document for programs does; docs/i18n.md). The
# expressions stay as the rule files write them: they are the rule language, not prose.
_TREE_WORDS = {
    "met": _("met"),
    "failed": _("failed"),
    "unknown": _("unknown"),
    "yes": _("yes"),
    "no": _("no"),
    "true": _("true"),
    "false": _("false"),
    "missing": _("missing"),
    "none": _("none"),
    "not given": _("not given"),
    "all of": _("all of"),
    "any of": _("any of"),
    "not": _("not"),
}


def _tree_word(f: Formatter, text: str) -> str:
    """A value or a piece's name of the proof tree, translated when it is one of its words."""
    return f.gettext(_TREE_WORDS[text]) if text in _TREE_WORDS else text


def _tree_value(f: Formatter, node: Node) -> str:
    status = _tree_word(f, node.value)
    if not node.needs:
        return status
    return f.gettext("{status} (needs {fields})", status=status, fields=", ".join(node.needs))


def _tree_detail(f: Formatter, node: Node) -> str:
    """A node's detail line (a parameter's version and source, a condition's expression
    and sources) in the reader's language."""
    match node.kind:
        case "parameter" if node.period:
            shown = f.gettext("version valid {period}", period=node.period)
            if node.source:
                shown += f.gettext("; source {source}", source=node.source)
            return shown
        case "condition":
            label = f.gettext("source: {sources}", sources=node.source or "—")
            return f"{node.detail}  [{label}]"
    if node.taken_apart_above:
        return node.detail + "  " + f.gettext("(taken apart above)")
    return node.detail


def proof_tree(ex: Explanation) -> Tree:
    """Every condition taken apart, down to the fields, parameters and definitions used."""
    f = formatter(ex.lang)

    def add(parent: Tree, node: Node) -> None:
        style = _VALUE_STYLE.get(node.value.split(" ")[0], "")
        if node.kind == "part":
            head = Text(f"{_tree_word(f, node.name)}: ")
        else:
            head = Text(node.label or node.name, style="bold" if node.kind == "condition" else "")
            if node.label and node.kind != "field":
                head.append(f" [{node.name}]", style="dim")
            head.append(" = ")
        head.append(_tree_value(f, node), style=style)
        detail = _tree_detail(f, node)
        if detail:
            head.append(f"\n{detail}", style="dim")
        branch = parent.add(head)
        for child in node.children:
            add(branch, child)

    tree = Tree(Text(f.gettext("Proof tree"), style="bold"))
    for node in ex.tree:
        add(tree, node)
    return tree


def explanation_json(ex: Explanation, tree: bool = False) -> dict:
    """The explanation as `subsidia explain --json` prints it; the proof tree (`tree`)
    only when asked for, like the text (`--tree`)."""

    def node_json(n: Node) -> dict:
        return {
            "kind": n.kind,
            "name": n.name,
            "label": n.label,
            "value": english_value(n),
            "detail": english_detail(n),
            "children": [node_json(c) for c in n.children],
        }

    out = {
        "programme": ex.programme,
        "label": ex.label,
        "as_of": ex.as_of.isoformat(),
        "status": ex.status,
        "amount": ex.amount,
        "deciding": [
            {
                "condition": r.condition,
                "status": r.status,
                "label": r.labels.get(ex.lang, r.condition),
                "missing": r.missing,
            }
            for r in deciding(ex)
        ],
        "failing": ex.failing,
        "failing_parts": ex.failing_parts,
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
    if tree:
        out["tree"] = [node_json(n) for n in ex.tree]
    return out
