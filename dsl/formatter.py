"""`subsidia fmt`: one canonical layout for rule files.

The layout is a function of the syntax tree alone (plus comments and the blank lines between
items), so formatting is idempotent and never changes what a file means:
`parse(format_text(x)) == parse(x)`.

Layout
  * 2-space indentation; top-level blocks separated by exactly one blank line. Inside a
    block, one blank line is kept wherever the source had one or more between two items (the
    author's grouping); blank lines inside items are dropped.
  * `label nl "…" fr "…" en "…"` on one line, however long.
  * `source`, `param`, `condition`, `amount` and `let`-with-label/source are blocks: header,
    one part per line, `}`. Param parts print as labels, then sources, then versions: the
    grammar binds a `source` line that follows a version to that version, so param-level
    sources must come first.
  * Expressions get the fewest parentheses that keep the tree (see `_level`). Lines longer
    than 100 columns break before `and`/`or` (and the other binary operators, loosest first)
    with continuation lines 4 spaces deeper; `else` of an if-chain lines up under `if`;
    call arguments, set elements and an aggregate's `for`/`where` line up after `(`.
    `fn` and one-line `let` move a long body to its own line, 4 spaces deeper.
  * Literals are exact: `25_000 EUR` (underscores from 10,000 on), `12.5%` (the stored fraction
    × 100), `24 months`, `1 month`, ISO dates, `'symbol'`, `"text"` with every `\\` and `"`
    escaped. `regions`/`instrument`/`regime`/`themes` values print as `'symbols'`, `agency`
    as text (the tree does not keep which of `'x'`, `"x"` or `x` was written).

Comments (the parser drops them; `extract_comments` reads them back from the text)
  * A comment on its own line goes above the next item, or the next part of a param/let/
    condition/amount block, or the closing `}` when nothing follows inside the block.
  * A comment after code stays at the end of that line when the line starts an item or a
    part (a param version, a label line, `require`, a block header, a closing `}`) — on the
    first one, when several shared the line.
  * Any other comment inside a multi-line construct (within a long expression, between the
    fields of a `source` declaration, after the second line of an item) moves to its own
    line just above that construct.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import os
import re
import stat
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from dsl import ast
from dsl.diagnostics import RuleError
from dsl.errors import N_, Lookup, english, localize
from dsl.parser import parse_text

WIDTH = 100
INDENT = 2
CONTINUATION = 4

# ---- a small Wadler-style document printer
#
# A doc is a str, a list of docs, or one of the nodes below. A group prints flat when it fits
# in what is left of the line (up to the next possible break after it), otherwise its own
# line breaks become newlines; nested groups decide for themselves.


@dataclass(frozen=True, slots=True)
class _Line:
    """A space when the enclosing group is flat, a newline when it is broken."""


@dataclass(frozen=True, slots=True)
class _Nest:
    by: int
    doc: Doc


@dataclass(frozen=True, slots=True)
class _Align:
    """Breaks inside go to the column where this doc starts."""

    doc: Doc


@dataclass(frozen=True, slots=True)
class _Group:
    doc: Doc


Doc = str | list["Doc"] | _Line | _Nest | _Align | _Group
_LINE = _Line()
_Command = tuple[int, bool, Doc]  # (indent, flat, doc)


def _render(doc: Doc, indent: int) -> list[str]:
    """Lay `doc` out from column `indent`; return its lines, indentation included."""
    out = [" " * indent]
    col = indent
    stack: list[_Command] = [(indent, False, doc)]
    while stack:
        ind, flat, d = stack.pop()
        if isinstance(d, str):
            out.append(d)
            col += len(d)
        elif isinstance(d, list):
            stack.extend((ind, flat, x) for x in reversed(d))
        elif isinstance(d, _Nest):
            stack.append((ind + d.by, flat, d.doc))
        elif isinstance(d, _Align):
            stack.append((col, flat, d.doc))
        elif isinstance(d, _Group):
            fits = flat or _fits(WIDTH - col, (ind, True, d.doc), stack)
            stack.append((ind, fits, d.doc))
        elif flat:  # _Line
            out.append(" ")
            col += 1
        else:
            out.append("\n" + " " * ind)
            col = ind
    return "".join(out).split("\n")


def _fits(room: int, command: _Command, rest: list[_Command]) -> bool:
    """Whether `command` flat, then what follows up to its next line break, fits in `room`."""
    todo = [command]
    later = len(rest)
    while room >= 0:
        if not todo:
            if later == 0:
                return True
            later -= 1
            todo.append(rest[later])
            continue
        ind, flat, d = todo.pop()
        if isinstance(d, str):
            room -= len(d)
        elif isinstance(d, list):
            todo.extend((ind, flat, x) for x in reversed(d))
        elif isinstance(d, _Nest | _Align | _Group):
            todo.append((ind, flat, d.doc))
        elif flat:
            room -= 1
        else:
            return True  # a break in what follows ends the line
    return False


def _join(docs: Sequence[Doc], sep: Doc) -> list[Doc]:
    out: list[Doc] = []
    for i, d in enumerate(docs):
        if i:
            out.append(sep)
        out.append(d)
    return out


# ---- literals


def _decimal(value: Fraction) -> str:
    """Exact decimal digits of `value`, `_` every three digits from 10,000 on."""
    if value < 0:
        raise ValueError(f"negative literal {value} has no written form (use unary minus)")
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        raise ValueError(f"{value} has no exact decimal form")
    places = max(twos, fives)
    whole, frac = divmod(value.numerator * 10**places // value.denominator, 10**places)
    text = f"{whole:_}" if whole >= 10_000 else str(whole)
    if places:
        text += "." + str(frac).rjust(places, "0").rstrip("0")
    return text


def quote(text: str) -> str:
    """`text` as a rule-language string that the parser reads back as `text`.

    The parser undoes only `\\"` and `\\\\` and keeps other escapes as written (`"\\n"` is a
    backslash and an n); escaping every backslash keeps that visible and unambiguous.
    """
    if "\n" in text:
        raise ValueError(f"a text cannot hold a line break: {text!r}")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_SYMBOL = re.compile(r"[a-z_][a-z0-9_]*")


def literal(lit: ast.Literal) -> str:
    v = lit.value
    match lit.kind:
        case "number" if isinstance(v, Fraction):
            return _decimal(v)
        case "money" if isinstance(v, Fraction):
            return f"{_decimal(v)} EUR"
        case "percent" if isinstance(v, Fraction):
            return f"{_decimal(v * 100)}%"
        case "months" if isinstance(v, Fraction):
            return f"{_decimal(v)} {'month' if v == 1 else 'months'}"
        case "date" if isinstance(v, dt.date):
            return v.isoformat()
        case "symbol" if isinstance(v, str) and _SYMBOL.fullmatch(v):
            return f"'{v}'"
        case "text" if isinstance(v, str):
            return quote(v)
        case "bool" if isinstance(v, bool):
            return "true" if v else "false"
    raise ValueError(f"cannot write literal {lit!r}")


def _period(p: ast.Period) -> str:
    if p.start is None and p.end is None:
        raise ValueError("a period needs a start or an end")
    start = p.start.isoformat() if p.start else ""
    end = p.end.isoformat() if p.end else ""
    return f"{start}..{end}"


# ---- expressions

# Binding levels, loosest first. Chains of the left-associative operators print flat
# (`a - b + c`); a right operand at the same level needs parentheses (`a - (b - c)`).
_CHAIN_LEVEL = {"or": 1, "and": 2, "??": 5, "+": 6, "-": 6, "*": 7, "/": 7}
_COMPARISONS = frozenset({"=", "!=", "<", "<=", ">", ">="})
_IF, _NOT, _COMPARE, _NEG, _ATOM = 0, 3, 4, 8, 9


def _level(e: ast.Expr) -> int:
    match e:
        case ast.If():
            return _IF
        case ast.Binary(op=op):
            return _CHAIN_LEVEL.get(op, _COMPARE)
        case ast.InSet():
            return _COMPARE
        case ast.Unary(op="not"):
            return _NOT
        case ast.Unary():
            return _NEG
    return _ATOM


def _operand(e: ast.Expr, at_least: int) -> Doc:
    """`e` where the grammar accepts only levels >= `at_least`: parenthesised when looser."""
    d = _expr(e)
    return ["(", d, ")"] if _level(e) < at_least else d


def _expr(e: ast.Expr) -> Doc:
    match e:
        case ast.Literal():
            return literal(e)
        case ast.Path():
            return e.dotted
        case ast.SetLiteral():
            return _Group(["{", _Align(_join([literal(v) for v in e.values], [",", _LINE])), "}"])
        case ast.Unary(op="not"):
            return ["not ", _operand(e.operand, _NOT)]
        case ast.Unary(op="-"):
            return ["-", _operand(e.operand, _NEG)]
        case ast.Binary(op=op) if op in _CHAIN_LEVEL:
            level = _CHAIN_LEVEL[op]
            tail: list[tuple[str, ast.Expr]] = []
            node: ast.Expr = e
            while isinstance(node, ast.Binary) and _CHAIN_LEVEL.get(node.op) == level:
                tail.append((node.op, node.right))
                node = node.left
            rest: list[Doc] = []
            for chain_op, right in reversed(tail):
                rest += [_LINE, chain_op + " ", _operand(right, level + 1)]
            return _Group([_operand(node, level), _Nest(CONTINUATION, rest)])
        case ast.Binary(op=op) if op in _COMPARISONS:
            # Comparisons do not chain: `a < b < c` is a syntax error, so both sides bind tighter.
            return _Group(
                [
                    _operand(e.left, _COMPARE + 1),
                    _Nest(CONTINUATION, [_LINE, op + " ", _operand(e.right, _COMPARE + 1)]),
                ]
            )
        case ast.InSet():
            op = "not in " if e.negated else "in "
            return _Group(
                [
                    _operand(e.operand, _COMPARE + 1),
                    _Nest(CONTINUATION, [_LINE, op, _operand(e.values, _COMPARE + 1)]),
                ]
            )
        case ast.If():
            # `else` binds the longest expression, and an if is only an `expr`, never an
            # operand: inside operators it is parenthesised by `_operand`.
            parts: list[Doc] = ["if ", _arm(e)]
            node = e.otherwise
            while isinstance(node, ast.If):
                parts += [_LINE, "else if ", _arm(node)]
                node = node.otherwise
            parts += [_LINE, "else ", _expr(node)]
            return _Group(_Align(parts))
        case ast.Call():
            args = _join([_expr(a) for a in e.args], [",", _LINE])
            return _Group([e.name, "(", _Align(args), ")"])
        case ast.Aggregate():
            loop: list[Doc] = ["for ", e.var, " in ", e.collection.dotted]
            if e.where is not None:
                loop.append(_Nest(CONTINUATION, [_LINE, "where ", _expr(e.where)]))
            inner = [_expr(e.body), _LINE, _Group(loop)]
            return _Group([e.kind, "(", _Align(inner), ")"])
    raise ValueError(f"cannot write expression {e!r}")


def _arm(e: ast.If) -> Doc:
    """`cond then value`; a long arm breaks before `then` before breaking inside either."""
    return _Group([_expr(e.condition), _Nest(CONTINUATION, [_LINE, "then ", _expr(e.then)])])


def _flat(doc: Doc) -> str:
    """`doc` on one line, however long."""
    if isinstance(doc, str):
        return doc
    if isinstance(doc, list):
        return "".join(_flat(d) for d in doc)
    if isinstance(doc, _Line):
        return " "
    return _flat(doc.doc)


def format_expr(e: ast.Expr, indent: int = 0) -> str:
    """One expression, laid out from column `indent` (first line not indented)."""
    return "\n".join(_render(_expr(e), indent))[indent:]


# ---- items: each becomes one or more entries, the units comments attach to


_EOF = 1 << 62  # anchor of the stand-in entry that takes comments after the last block


@dataclass
class _Entry:
    lines: list[str]  # rendered, indentation included
    anchor: int  # source line where the construct starts; 0 when unknown
    end: int  # last source line of the construct
    indent: int  # indentation of comments placed above this entry
    # Items and blocks keep the blank lines and comments of the gap before them:
    gap: int | None = None  # source line after which the gap starts
    gap_start: str = "keep"  # keep | strip | one: blank lines at the start of the gap
    strip_end: bool = False  # drop blank lines at the end of the gap (before a `}`)
    leading: list[tuple[int, str]] = field(default_factory=list)
    trailing: list[str] = field(default_factory=list)


def _entry(doc: Doc, span: ast.Span, indent: int) -> _Entry:
    return _Entry(_render(doc, indent), span.line, span.end_line, indent)


def _labels(lab: ast.Labels) -> str:
    return "label " + " ".join(f"{lang} {quote(text)}" for lang, text in lab.texts)


def _source_ref(ref: ast.SourceRef) -> str:
    return f"source {ref.name}" + (f" {quote(ref.locator)}" if ref.locator is not None else "")


def _fill(indent: int, head: str, values: Sequence[str]) -> list[str]:
    """`head v1, v2, …`, as many values per line as fit; continuation lines 4 deeper."""
    if not values:
        raise ValueError(f"`{head}` needs at least one value")
    lines: list[str] = []
    line = " " * indent + head + " " + values[0]
    for v in values[1:]:
        line += ","
        if len(line) + 1 + len(v) > WIDTH:
            lines.append(line)
            line = " " * (indent + CONTINUATION) + v
        else:
            line += " " + v
    return [*lines, line]


def _meta_value(key: str, value: str) -> str:
    # The tree keeps only the text of `'x'`, `"x"` or `x`: agencies are names of
    # organisations, the other keys take codes, written as symbols when they can be.
    if key != "agency" and _SYMBOL.fullmatch(value):
        return f"'{value}'"
    return quote(value)


def _body(
    head: str,
    span: ast.Span,
    indent: int,
    labels: Sequence[ast.Labels],
    sources: Sequence[ast.SourceRef],
    last: list[_Entry],
) -> list[_Entry]:
    """A `head {` … `}` block: header, labels, sources, then `last`, then the brace."""
    inner = indent + INDENT
    entries = [_Entry([" " * indent + head + " {"], span.line, span.line, indent)]
    entries += [_entry(_labels(lab), lab.span, inner) for lab in labels]
    entries += [_entry(_source_ref(ref), ref.span, inner) for ref in sources]
    entries += last
    entries.append(_Entry([" " * indent + "}"], span.end_line, span.end_line, inner))
    return entries


def _binding(head: str, value: ast.Expr) -> Doc:
    """`head = value`, the value on its own deeper line when the whole does not fit."""
    return [head, " =", _Group(_Nest(CONTINUATION, [_LINE, _expr(value)]))]


def _item(item: ast.Item, indent: int) -> list[_Entry]:
    s = item.span
    pad = " " * indent
    inner = indent + INDENT
    match item:
        case ast.Labels():
            return [_entry(_labels(item), s, indent)]
        case ast.SourceDecl():
            lines = [f"{pad}source {item.name} {{"]
            for key, v in item.fields:
                written = v.isoformat() if isinstance(v, dt.date) else quote(v)
                lines.append(f"{' ' * inner}{key} {written}")
            lines.append(pad + "}")
            # One entry: the fields have no positions to hang comments on.
            return [_Entry(lines, s.line, s.end_line, indent)]
        case ast.Meta():
            values = [_meta_value(item.key, v) for v in item.values]
            return [_Entry(_fill(indent, item.key, values), s.line, s.end_line, indent)]
        case ast.Valid():
            return [_entry(f"valid {_period(item.period)}", s, indent)]
        case ast.Changeable():
            paths = [p.dotted for p in item.paths]
            return [_Entry(_fill(indent, "changeable", paths), s.line, s.end_line, indent)]
        case ast.CallWindow():
            note = f" {quote(item.note)}" if item.note is not None else ""
            return [_entry(f"call {_period(item.period)}{note}", s, indent)]
        case ast.Param():
            versions = [_version(v, inner) for v in item.versions]
            head = f"param {item.name} : {item.type_name}"
            return _body(head, s, indent, item.labels, item.sources, versions)
        case ast.Let() if not item.labels and not item.sources:
            return [_entry(_binding(f"let {item.name} : {item.type_name}", item.value), s, indent)]
        case ast.Let():
            value = _entry(["= ", _expr(item.value)], item.value.span, inner)
            head = f"let {item.name} : {item.type_name}"
            return _body(head, s, indent, item.labels, item.sources, [value])
        case ast.Fn():
            params = ", ".join(f"{p.name}: {p.type_name}" for p in item.params)
            head = f"fn {item.name}({params}) : {item.type_name}"
            return [_entry(_binding(head, item.body), s, indent)]
        case ast.Condition():
            require = _entry(["require ", _expr(item.require)], item.require.span, inner)
            return _body(f"condition {item.name}", s, indent, item.labels, item.sources, [require])
        case ast.Amount():
            value = _entry(["= ", _expr(item.value)], item.value.span, inner)
            return _body("amount", s, indent, item.labels, item.sources, [value])
        case ast.Limit():
            value = _entry(["= ", _expr(item.value)], item.value.span, inner)
            return _body(f"limit {item.name}", s, indent, item.labels, item.sources, [value])
        case ast.Property():
            last: list[_Entry] = []
            if item.rationale is not None:
                at = item.rationale_span
                last.append(_entry(f"rationale {quote(item.rationale)}", at, inner))
            if item.every is not None:
                last.append(_entry(_every(item.every), item.every.span, inner))
            if item.profiles:
                at = item.profiles_span
                last.append(_entry(f"profiles {', '.join(item.profiles)}", at, inner))
            if item.differ:
                paths = [p.dotted for p in item.differ]
                at = item.differ_span
                last.append(_Entry(_fill(inner, "differ", paths), at.line, at.end_line, inner))
            if item.assume is not None:
                last.append(_entry(["assume ", _expr(item.assume)], item.assume.span, inner))
            last.append(_entry(["ensure ", _expr(item.ensure)], item.ensure.span, inner))
            return _body(f"property {item.name}", s, indent, item.labels, item.sources, last)
    raise ValueError(f"cannot write item {item!r}")


def _every(every: ast.Every) -> str:
    filters = [
        f"{m.key} {', '.join(_meta_value(m.key, v) for v in m.values)}" for m in every.filters
    ]
    text = "for every programme" + (" with " + " and ".join(filters) if filters else "")
    if every.excluded is not None:
        text += " except " + ", ".join(every.excluded.names)
    return text


def _version(v: ast.Version, indent: int) -> _Entry:
    value: Doc
    if isinstance(v.value, ast.UnknownValue):
        note = v.value.note
        value = "unknown" + (f" {quote(note)}" if note is not None else "")
    else:
        value = _expr(v.value)
    head: Doc = [_period(v.period), " = ", value]
    source = " " + _source_ref(v.source) if v.source is not None else ""
    flat = _flat(head)
    if indent + len(flat) <= WIDTH:
        # A long source locator alone is no reason to break the value.
        return _Entry([" " * indent + flat + source], v.span.line, v.span.end_line, indent)
    return _entry([head, source], v.span, indent)


def _entries(rule_file: ast.RuleFile) -> list[_Entry]:
    entries: list[_Entry] = []
    previous_end = 0
    for i, block in enumerate(rule_file.blocks):
        s = block.span
        header = _Entry([f"{block.kind} {block.name} {{"], s.line, s.line, 0, gap=previous_end)
        header.gap_start = "strip" if i == 0 else "one"
        entries.append(header)
        last = s.line
        for j, item in enumerate(block.items):
            item_entries = _item(item, INDENT)
            item_entries[0].gap = last
            item_entries[0].gap_start = "strip" if j == 0 else "keep"
            entries += item_entries
            last = item.span.end_line
        entries.append(_Entry(["}"], s.end_line, s.end_line, INDENT, gap=last, strip_end=True))
        previous_end = s.end_line
    start = "keep" if rule_file.blocks else "strip"
    entries.append(_Entry([], _EOF, _EOF, 0, previous_end, start, strip_end=True))
    return entries


# ---- comments


_COMMENT_OR_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*')


def extract_comments(text: str) -> list[tuple[int, str]]:
    """`(line, "# text")` for every comment; a `#` inside a string is not one."""
    comments = []
    line, counted = 1, 0  # lines counted up to `counted`: linear, not per comment
    for m in _COMMENT_OR_STRING.finditer(text):
        if m.group().startswith("#"):
            line += text.count("\n", counted, m.start())
            counted = m.start()
            comments.append((line, m.group().rstrip()))
    return comments


def _attach(entries: list[_Entry], comments: list[tuple[int, str]]) -> None:
    """Give each comment to an entry. One sweep over the comments in line order with the
    entries sorted by their first line: linear but for the sort and a heap, where looking
    through every entry for every comment took minutes on a 1 MB file."""
    order = sorted(range(len(entries)), key=lambda i: (entries[i].anchor, i))
    anchors = [entries[i].anchor for i in order]
    starting: dict[int, _Entry] = {}
    for e in entries:
        starting.setdefault(e.anchor, e)
    # Entries that started before the current line, innermost (latest start) on top; an
    # entry that ended before the current line never contains a later one: dropped lazily.
    open_: list[tuple[int, int]] = []
    taken = 0
    for line, text in sorted(comments):
        # After code on a line where an item or part starts: keep it on that line.
        here = starting.get(line)
        if here is not None:
            here.trailing.append(text)
            continue
        while taken < len(order) and anchors[taken] < line:
            i = order[taken]
            if entries[i].anchor > 0:
                heapq.heappush(open_, (-entries[i].anchor, i))
            taken += 1
        while open_ and entries[open_[0][1]].end < line:
            heapq.heappop(open_)
        # Within a multi-line construct: above the innermost one.
        if open_:
            entries[open_[0][1]].leading.append((line, text))
            continue
        # On its own line between constructs: above the next one in the source.
        nxt = bisect.bisect_right(anchors, line)
        entries[order[nxt]].leading.append((line, text))


def _above(e: _Entry, comment_lines: set[int]) -> list[str]:
    """The lines above an entry: the comments and blank lines of its gap, then moved comments."""
    pad = " " * e.indent
    texts = dict(e.leading)
    seq: list[str | None] = []  # None: a blank line
    if e.gap is not None:
        in_gap = [n for n in texts if e.gap < n < e.anchor]
        stop = e.anchor if e.anchor != _EOF else max(in_gap, default=e.gap) + 1
        for n in range(e.gap + 1, stop):
            if n in texts:
                seq.append(texts.pop(n))
            elif n not in comment_lines and (not seq or seq[-1] is not None):
                seq.append(None)
        if e.gap_start in ("strip", "one"):
            while seq and seq[0] is None:
                seq.pop(0)
        if e.strip_end:
            while seq and seq[-1] is None:
                seq.pop()
        if e.gap_start == "one":
            seq.insert(0, None)
    seq += [texts[n] for n in sorted(texts)]
    return [pad + c if c is not None else "" for c in seq]


# ---- files


def format_file(rule_file: ast.RuleFile, comments: list[tuple[int, str]] | None = None) -> str:
    """The canonical text of `rule_file`; `comments` (from `extract_comments`) are re-attached.

    Without `comments`, lines between items that held comments count as blank.
    """
    entries = _entries(rule_file)
    comments = comments or []
    _attach(entries, comments)
    comment_lines = {n for n, _ in comments}
    out: list[str] = []
    for e in entries:
        out += _above(e, comment_lines)
        lines = list(e.lines)
        if e.trailing:
            lines[0] += "  " + "  ".join(e.trailing)
        out += lines
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n" if out else ""


def format_text(text: str, file: str = "<text>") -> str:
    """Parse `text` and return its canonical layout, comments kept; raises RuleError."""
    return format_file(parse_text(text, file), extract_comments(text))


def fmt_paths(
    paths: list[Path], check: bool, lookup: Lookup = english
) -> tuple[list[Path], list[str]]:
    """Format rule files (folders: every `*.rules` below them) in place, or only `check`.

    Returns the files that changed (or would change) and error messages, in the language
    of `lookup`. A file with an
    error is left as it is; a file is replaced whole (temporary file, then rename) or not at all.
    """
    # The same file discovery and reading (size, regular file, UTF-8) as `subsidia validate`.
    from dsl.loader import read_rule_text, rule_files

    changed: list[Path] = []
    errors: list[str] = []
    for path in rule_files(*paths):
        try:
            text = read_rule_text(path)
        except RuleError as err:
            errors.append(err.render(lookup))
            continue
        try:
            tree = parse_text(text, str(path))
        except RuleError as err:
            errors.append(err.render(lookup))
            continue
        formatted = format_file(tree, extract_comments(text))
        problem = _unsafe(text, tree, formatted, str(path))
        if problem:
            errors.append(
                localize(
                    N_(
                        "{path}: not formatted, {problem} (a formatter bug; please report)",
                        path=str(path),
                        problem=problem,
                    ),
                    lookup,
                )
            )
            continue
        if formatted == text:
            continue
        changed.append(path)
        if not check:
            try:
                _replace(path, formatted)
            except OSError as err:
                reason = err.strerror or str(err)  # the OS's words, data in the sentence
                errors.append(
                    localize(
                        N_("{path}: cannot write: {reason}", path=str(path), reason=reason),
                        lookup,
                    )
                )
    return changed, errors


def _unsafe(text: str, tree: ast.RuleFile, formatted: str, file: str) -> str | None:
    """Why `formatted` must not replace `text` (parsed: `tree`), if it must not: a last
    guard before writing."""
    if formatted == text:
        return None
    try:
        same = parse_text(formatted, file) == tree
    except RuleError:
        return N_("the result does not parse")
    if not same:
        return N_("the result means something else")
    before = Counter(c for _, c in extract_comments(text))
    if before - Counter(c for _, c in extract_comments(formatted)):
        return N_("a comment would be lost")
    return None


def _replace(path: Path, text: str) -> None:
    """Write `text` over the file at `path`, keeping what the file is to the file system.

    A symlink is followed: its target is formatted and the link stays a link. A file with
    one name is replaced whole (a temporary file beside it, then a rename: atomic). A file
    with several hard links cannot be renamed over without splitting them, so it is
    rewritten in place (and its old text written back should that fail).
    """
    target = Path(os.path.realpath(path))
    info = target.stat()
    data = text.encode("utf-8")
    if info.st_nlink > 1:
        _rewrite_in_place(target, data)
        return
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, stat.S_IMODE(info.st_mode))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _rewrite_in_place(target: Path, data: bytes) -> None:
    fd = os.open(target, os.O_RDWR)
    try:
        old = os.read(fd, os.fstat(fd).st_size + 1)
        try:
            _overwrite(fd, data)
        except OSError:
            _overwrite(fd, old)  # e.g. a full disk: put the old text back
            raise
    finally:
        os.close(fd)


def _overwrite(fd: int, data: bytes) -> None:
    os.lseek(fd, 0, os.SEEK_SET)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.ftruncate(fd, len(data))
    os.fsync(fd)
