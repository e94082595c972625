"""Programmes as readable text: `subsidia show`, `subsidia compare` and docs/programmes/."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path
from typing import assert_never

from dsl import ir
from dsl.types import MONEY, MONTHS, PERCENT, SYMBOL_SET
from policy.engine import exact_decimal

_PRECEDENCE = {"or": 1, "and": 2, "not": 3, "cmp": 4, "??": 5, "+": 6, "-": 6, "*": 7, "/": 7}
_HEADINGS = {
    "en": ("Conditions", "Amount", "Parameters", "Definitions used", "Calls", "Sources", "valid"),
    "nl": ("Voorwaarden", "Bedrag", "Parameters", "Gebruikte definities", "Oproepen", "Bronnen",
           "geldig"),
    "fr": ("Conditions", "Montant", "Paramètres", "Définitions utilisées", "Appels", "Sources",
           "valable"),
}  # fmt: skip

# The section on the NACE codes a programme's conditions test (`starts_with_any`), and the
# words for "none" and "other codes".
_NACE_WORDS = {
    "en": ("Sectors (NACE codes)", "none", "other codes: eligible"),
    "nl": ("Sectoren (NACE-codes)", "geen", "andere codes: komen in aanmerking"),
    "fr": ("Secteurs (codes NACE)", "aucun", "autres codes : éligibles"),
}


def value_text(value: object, type_: object = None) -> str:
    if isinstance(value, Fraction):
        if type_ == PERCENT:
            return f"{exact_decimal(value * 100)} %"
        if type_ == MONEY:
            from policy.output.formatting import formatter

            return formatter("en").money_exact(value)
        if type_ == MONTHS:
            return f"{exact_decimal(value)} months"
        return exact_decimal(value)
    if isinstance(value, frozenset):
        return "{" + ", ".join(sorted(value)) + "}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "unknown"
    return str(value)


def expr_text(node: ir.Node, parent: int = 0) -> str:
    """The expression in the rule language's own notation (functions shown inlined)."""
    text, level = _expr(node)
    return f"({text})" if level < parent else text


def _expr(node: ir.Node) -> tuple[str, int]:
    match node:
        case ir.Const(type=t, value=v):
            if isinstance(v, str):
                return (f"'{v}'" if t.name == "symbol" else f'"{v}"'), 9
            return value_text(v, t), 9
        case ir.Unknown(reason=reason):
            return f"unknown ({reason})", 9
        case ir.Field(path=path):
            return path, 9
        case ir.ElemField(var=var, field=name):
            return (var.name if name is None else f"{var.name}.{name}"), 9
        case ir.AsOf():
            return "as_of", 9
        case ir.ParamRef(qname=q) | ir.DefRef(qname=q):
            return q, 9
        case ir.Arith(op=op, left=a, right=b):
            p = _PRECEDENCE[op]
            return f"{expr_text(a, p)} {op} {expr_text(b, p + 1)}", p
        case ir.Neg(operand=a):
            return f"-{expr_text(a, 8)}", 8
        case ir.Compare(op=op, left=a, right=b):
            p = _PRECEDENCE["cmp"]
            return f"{expr_text(a, p + 1)} {op} {expr_text(b, p + 1)}", p
        case ir.Logic(op=op, args=args):
            p = _PRECEDENCE[op]
            return f" {op} ".join(expr_text(a, p + 1) for a in args), p
        case ir.Not(operand=a):
            return f"not {expr_text(a, 3)}", 3
        case ir.If(condition=c, then=a, otherwise=b):
            return f"if {expr_text(c)} then {expr_text(a)} else {expr_text(b)}", 0
        case ir.Coalesce(first=a, fallback=b):
            return f"{expr_text(a, 6)} ?? {expr_text(b, 6)}", 5
        case ir.Member(operand=a, values=s, negated=neg, prefix=True):
            text = f"starts_with_any({expr_text(a)}, {expr_text(s)})"
            return (f"not {text}", 3) if neg else (text, 9)
        case ir.Member(operand=a, values=s, negated=neg):
            return f"{expr_text(a, 5)} {'not in' if neg else 'in'} {expr_text(s, 9)}", 4
        case ir.Builtin(name=name, args=args):
            return f"{name}({', '.join(expr_text(a) for a in args)})", 9
        case ir.Aggregate(kind=kind, var=var, body=body, where=where):
            tail = f" where {expr_text(where)}" if where is not None else ""
            return f"{kind}({expr_text(body)} for {var.name} in {var.collection}{tail})", 9
        case _:
            assert_never(node)


def _source_text(src: ir.Source) -> str:
    title = src.title or src.name
    where = f", {src.locator}" if src.locator else ""
    link = f" <{src.url}>" if src.url else ""
    return f"{title}{where}{link}"


def _short_source(src: ir.Source) -> str:
    return f"[{src.name}]" + (f" {src.locator}" if src.locator else "")


def _local(text: str, pid: str) -> str:
    """The programme's own names without their prefix, as its author wrote them."""
    return text.replace(f"{pid}.", "")


def _refs(node: ir.Node, catalogue: ir.Catalogue) -> tuple[list[str], list[str]]:
    """Parameters and definitions a node uses directly or through definitions."""
    params: list[str] = []
    defs: list[str] = []
    stack = [node]
    seen: set[str] = set()
    while stack:
        n = stack.pop()
        if isinstance(n, ir.ParamRef) and n.qname not in params:
            params.append(n.qname)
        elif isinstance(n, ir.DefRef) and n.qname not in seen:
            seen.add(n.qname)
            defs.append(n.qname)
            stack.append(catalogue.definitions[n.qname].expr)
        stack.extend(ir.children(n))
    return params, defs


def nace_text(code: str) -> str:
    """A NACE code or class as written: "011" is 01.1, "2431" is 24.31."""
    return code if len(code) <= 2 else f"{code[:2]}.{code[2:]}"


def nace_sets(catalogue: ir.Catalogue, prog: ir.Programme) -> list[str]:
    """The `set` parameters whose texts a programme's conditions or amount test as NACE
    prefixes (`starts_with_any(n, S)`), in the order the rules reach them."""
    roots = [c.expr for c in prog.conditions]
    if prog.amount is not None:
        roots.append(prog.amount.expr)
    found: list[str] = []
    for root in roots:
        for n in ir.walk(root, catalogue=catalogue):
            if isinstance(n, ir.Member) and n.prefix:
                for m in ir.walk(n.values, catalogue=catalogue):
                    if isinstance(m, ir.ParamRef) and m.type == SYMBOL_SET and m.qname not in found:
                        found.append(m.qname)
    return found


def _codes(value: object, none: str) -> str:
    codes = sorted(value) if isinstance(value, frozenset) else []
    return ", ".join(nace_text(str(c)) for c in codes) or none


def nace_cell(catalogue: ir.Catalogue, prog: ir.Programme, day: dt.date, lang: str) -> str:
    """What `compare` shows: each tested set's codes at `day`, then the other codes."""
    _heading, none, others = _NACE_WORDS[lang]
    cells = []
    known = False
    for qname in nace_sets(catalogue, prog):
        param = catalogue.params[qname]
        version = param.version_at(day)
        value = version.value if version is not None else None
        known = known or isinstance(value, ir.Const)
        shown = _codes(value.value, none) if isinstance(value, ir.Const) else "unknown"
        cells.append(f"{param.labels.get(lang, qname)}: {shown}")
    return "\n".join([*cells, others] if known else cells) or "—"


def programme_markdown(catalogue: ir.Catalogue, pid: str, lang: str = "en") -> str:
    prog = catalogue.programmes[pid]
    conditions_h, amount_h, params_h, defs_h, calls_h, sources_h, valid_w = _HEADINGS[lang]
    lines = [f"# {prog.labels.get(lang, pid)}", ""]
    facts = [f"id `{pid}`"]
    for key in ("agency", "regions", "instrument", "regime"):
        if key in prog.meta:
            facts.append(f"{key} {', '.join(prog.meta[key])}")
    facts.append(f"{valid_w} {prog.valid}")
    lines += [" · ".join(facts), "", f"## {conditions_h}", ""]
    roots: list[ir.Node] = []
    for i, cond in enumerate(prog.conditions, 1):
        roots.append(cond.expr)
        srcs = "; ".join(_short_source(s) for s in cond.sources)
        lines.append(f"{i}. **{cond.labels.get(lang, cond.name)}** (`{cond.name}`)  ")
        lines.append(f"   `{_local(expr_text(cond.expr), pid)}`  ")
        lines.append(f"   source: {srcs or '—'}")
    nace = nace_sets(catalogue, prog)
    if nace:
        heading, none, others = _NACE_WORDS[lang]
        lines += ["", f"## {heading}", ""]
        for qname in nace:
            param = catalogue.params[qname]
            lines.append(f"- **{param.labels.get(lang, qname)}** (`{qname}`):")
            for version in param.versions:
                value = version.value
                shown = (
                    _codes(value.value, none)
                    if isinstance(value, ir.Const)
                    else f"unknown: {value.reason.split(': ', 1)[-1]}"
                )
                src = version.source or (param.sources[0] if param.sources else None)
                tail = ""
                if src is not None and isinstance(value, ir.Const):
                    tail = f"; source: {_short_source(src)}"
                lines.append(f"  - {version.period}: {shown}{tail}")
        lines.append(f"- {others}")
    if prog.amount is not None:
        roots.append(prog.amount.expr)
        shown = prog.amount.base or prog.amount.expr
        lines += ["", f"## {amount_h}", "", f"`{_local(expr_text(shown), pid)}`", ""]
        for lim in prog.amount.limits:  # the grant is the smallest of the amount and these
            srcs = "; ".join(_short_source(s) for s in lim.sources)
            text = _local(expr_text(lim.expr), pid)
            label = lim.labels.get(lang, lim.name)
            lines.append(f"- limit **{label}** (`{lim.name}`): `{text}`; source: {srcs or '—'}")
        if prog.amount.limits:
            lines.append("")
        lines.append("Grants are computed exactly and rounded down to the cent.")
    params: list[str] = []
    defs: list[str] = []
    for root in roots:
        p, d = _refs(root, catalogue)
        params += [x for x in p if x not in params]
        defs += [x for x in d if x not in defs]
    for qname in defs:
        params += [
            x for x in _refs(catalogue.definitions[qname].expr, catalogue)[0] if x not in params
        ]
    used = set(params)
    own = [q for q in catalogue.params if q in used and q.startswith(f"{pid}.")]
    if own:
        lines += [
            "",
            f"## {params_h}",
            "",
            "| parameter | | value | valid | source |",
            "|---|---|---|---|---|",
        ]
        for qname in own:
            param = catalogue.params[qname]
            for version in param.versions:
                value = version.value
                shown = (
                    value_text(value.value, param.type)
                    if isinstance(value, ir.Const)
                    else f"unknown: {value.reason.split(': ', 1)[-1]}"
                )
                src = version.source or (param.sources[0] if param.sources else None)
                lines.append(
                    f"| `{qname.split('.', 1)[1]}` | {param.labels.get(lang, '')} | {shown} "
                    f"| {version.period} | {_short_source(src) if src else '—'} |"
                )
    own_defs = [q for q in catalogue.definitions if q in set(defs) and q.startswith(f"{pid}.")]
    shared = sorted({q.split(".", 1)[0] for q in defs if not q.startswith(f"{pid}.")})
    if own_defs or shared:
        lines += ["", f"## {defs_h}", ""]
        for qname in own_defs:
            definition = catalogue.definitions[qname]
            label = definition.labels.get(lang, qname.split(".", 1)[1])
            short = qname.split(".", 1)[1]
            lines.append(f"- **{label}** (`{short}`) = `{_local(expr_text(definition.expr), pid)}`")
        for block in shared:
            lines.append(
                f"- shared: `{block}` — {catalogue.blocks.get(block, {}).get(lang, block)}"
            )
    if prog.calls:
        lines += ["", f"## {calls_h}", ""]
        lines += [f"- {c.period}{' — ' + c.note if c.note else ''}" for c in prog.calls]
    lines += ["", f"## {sources_h}", ""]
    lines += [
        f"- `{s.name}`: {_source_text(s)}{f' ({s.date})' if s.date else ''}" for s in prog.sources
    ]
    return "\n".join(lines).rstrip() + "\n"


def write_programme_pages(catalogue: ir.Catalogue, out: Path) -> list[Path]:
    """One page per programme and an index; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    index = ["# Programmes", "", "Generated by `subsidia docs`; do not edit.", ""]
    for pid in sorted(catalogue.programmes):
        path = out / f"{pid}.md"
        path.write_text(programme_markdown(catalogue, pid), encoding="utf-8")
        written.append(path)
        index.append(f"- [{catalogue.programmes[pid].labels.get('en', pid)}]({pid}.md) (`{pid}`)")
    index_path = out / "README.md"
    index_path.write_text("\n".join(index) + "\n", encoding="utf-8")
    return [*written, index_path]


def current_value(catalogue: ir.Catalogue, qname: str, day: dt.date, lang: str = "en") -> str:
    param = catalogue.params[qname]
    version = param.version_at(day)
    if version is None:
        return "—"
    if isinstance(version.value, ir.Const):
        value = version.value.value
        if param.type == MONEY and isinstance(value, Fraction):
            # An amount in the reader's notation ("25 000 €" in French), as Babel writes it.
            from policy.output.formatting import formatter

            return formatter(lang).money_exact(value)
        return value_text(value, param.type)
    return "unknown"


def comparison_rows(
    catalogue: ir.Catalogue, ids: list[str], day: dt.date, lang: str = "en"
) -> list[tuple[str, list[str]]]:
    """Rows of a side-by-side comparison: (row label, one cell per programme)."""
    rows: list[tuple[str, list[str]]] = []
    progs = [catalogue.programmes[i] for i in ids]
    rows.append(("name", [p.labels.get(lang, p.id) for p in progs]))
    for key in ("agency", "regions", "instrument", "regime"):
        rows.append((key, [", ".join(p.meta.get(key, ())) or "—" for p in progs]))
    rows.append(("valid", [str(p.valid) for p in progs]))

    def params_of(p: ir.Programme, kind: object) -> str:
        cells = []
        for qname, param in catalogue.params.items():
            if qname.startswith(f"{p.id}.") and param.type == kind:
                label = param.labels.get(lang, qname.split(".", 1)[1])
                cells.append(f"{label}: {current_value(catalogue, qname, day, lang)}")
        return "\n".join(cells) or "—"

    rows.append((f"rates on {day}", [params_of(p, PERCENT) for p in progs]))
    rows.append((f"caps and minimums on {day}", [params_of(p, MONEY) for p in progs]))
    rows.append(("eligible costs", [_cost_categories(catalogue, p) for p in progs]))
    rows.append((f"sectors (NACE) on {day}", [nace_cell(catalogue, p, day, lang) for p in progs]))
    rows.append(
        ("conditions", ["\n".join(c.labels.get(lang, c.name) for c in p.conditions) for p in progs])
    )
    return rows


def _cost_categories(catalogue: ir.Catalogue, prog: ir.Programme) -> str:
    """Cost categories the amount reads, found as `c.category = '…'` tests on project.costs."""
    if prog.amount is None:
        return "—"
    found: set[str] = set()
    for n in ir.walk(prog.amount.expr, catalogue=catalogue):
        if (
            isinstance(n, ir.Compare)
            and isinstance(n.left, ir.ElemField)
            and n.left.field == "category"
            and n.left.var.collection == "project.costs"
            and isinstance(n.right, ir.Const)
        ):
            found.add(str(n.right.value))
        if isinstance(n, ir.Member) and isinstance(n.operand, ir.ElemField):
            values = n.values
            if n.operand.field == "category" and isinstance(values, ir.Const):
                if isinstance(values.value, frozenset):
                    found |= values.value
    return ", ".join(sorted(found)) or "see amount"
