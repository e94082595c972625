"""Rule text → AST. Syntax errors become diagnostics; several per file where Lark can resume."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path as FsPath

from lark import Lark, Token, Transformer, Tree, UnexpectedCharacters, UnexpectedInput, v_args
from lark.exceptions import UnexpectedEOF, UnexpectedToken, VisitError

from dsl import ast
from dsl.codes import BAD_LITERAL, SYNTAX, TOO_DEEP
from dsl.dates import DateProblem, parse_date
from dsl.diagnostics import MAX_ERRORS_PER_FILE, Diagnostic, RuleError
from dsl.errors import N_, InternalError

_GRAMMAR = FsPath(__file__).with_name("grammar.lark")

_READABLE = {
    "NAME": N_("a name"),
    "STRING": N_("a text in double quotes"),
    "NUMBER": N_("a number"),
    "DATE": N_("a date (YYYY-MM-DD)"),
    "SYMBOL": N_("a 'symbol'"),
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "LPAR": "'('",
    "RPAR": "')'",
    "COLON": "':'",
    "EQUAL": "'='",
    "COMMA": "','",
    "DOT": "'.'",
    "__ANON_0": "'..'",
    "COMP_OP": N_("a comparison"),
    "ADD_OP": N_("'+' or '-'"),
    "MUL_OP": "'*' or '/'",
    "LANG": "a language (nl, fr, en)",
    "BLOCKKIND": "'programme', 'definitions' or 'properties'",
    "$END": "end of file",
}


@cache
def _parser() -> Lark:
    return Lark(
        _GRAMMAR.read_text(encoding="utf-8"),
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=False,
    )


def _readable(expected: set[str], parser: Lark) -> tuple[str, ...]:
    """What the parser expected, as a tuple of names (translated ones are `Message`s),
    which a message lists with commas."""
    names: list[str] = []
    for term in sorted(expected):
        if term in _READABLE:
            names.append(_READABLE[term])
            continue
        try:
            pattern = parser.get_terminal(term).pattern
        except KeyError:
            names.append(term)
            continue
        names.append(f"'{pattern.value}'" if pattern.type == "str" else term.lower())
    unique = list(dict.fromkeys(names))
    if len(unique) > 6:
        unique = [*unique[:6], "..."]
    return tuple(unique)


def _span(file: str, meta: object) -> ast.Span:
    line = getattr(meta, "line", 0) or 0
    return ast.Span(
        file,
        line,
        getattr(meta, "column", 0) or 0,
        getattr(meta, "end_line", line) or line,
        getattr(meta, "end_column", 0) or 0,
    )


def _token_span(file: str, tok: Token) -> ast.Span:
    return ast.Span(file, tok.line or 0, tok.column or 0, tok.end_line or 0, tok.end_column or 0)


# Limits that keep every later stage (checker, backends, formatter: recursive walks over
# the tree) inside Python's stack, and every figure inside what a report can print.
MAX_DEPTH = 100  # levels of one expression, inlined definitions included (docs/language.md)
MAX_DIGITS = 24  # digits of a number literal: a trillion euros to the cent has 15


def _number(tok: Token, file: str) -> Fraction:
    text = str(tok).replace("_", "")
    if sum(c.isdigit() for c in text) > MAX_DIGITS:
        raise _LiteralError(
            f"a number has at most {MAX_DIGITS} digits; this one has "
            f"{sum(c.isdigit() for c in text)}",
            _token_span(file, tok),
        )
    return Fraction(Decimal(text))


def parse_text(text: str, file: str = "<text>") -> ast.RuleFile:
    """Parse one rule file; raise RuleError listing the syntax errors found.

    After a failure the file is re-parsed block by block, and a broken block item by item,
    so each broken item reports its own first error (LALR has no resynchronisation).
    """
    parser = _parser()
    # A byte-order mark (an editor's, or the language server's text) is not rule text.
    text = text.removeprefix("\ufeff")
    try:
        tree = parser.parse(text)
    except UnexpectedInput as err:
        errors = _recover(text, file) or [_diagnostic(err, text, file)]
        raise RuleError(errors[:MAX_ERRORS_PER_FILE], {file: text}) from None
    too_deep = _too_deep(tree, file)
    if too_deep:
        raise RuleError(too_deep[:MAX_ERRORS_PER_FILE], {file: text})
    try:
        blocks = _Builder(file).transform(tree)
    except VisitError as err:  # a literal the grammar accepts but is not a value
        orig = err.orig_exc
        if isinstance(orig, _LiteralError):
            raise RuleError(
                [Diagnostic(BAD_LITERAL, orig.message, orig.span)], {file: text}
            ) from None
        raise
    return ast.RuleFile(file, tuple(blocks))


# Rules whose one tree node becomes a left-nested chain of binary nodes in the AST, and
# how many nodes per child beyond the first (operators are children of +/- and * and /).
_CHAINS = {"or_expr": 1, "and_expr": 1, "coalesce": 1, "additive": 2, "multiplicative": 2}


_EXPRESSIONS = {
    *_CHAINS, "if_expr", "not_", "comparison", "in_set", "not_in_set", "neg", "aggregate",
    "call_expr", "set_literal",
}


def _too_deep(tree: Tree, file: str) -> list[Diagnostic]:
    """E104 for each outermost expression nesting deeper than `MAX_DEPTH` in the AST.

    Measured on the parse tree without recursion (the tree may be 10^5 levels deep), so
    that no later stage ever meets a tree deeper than the limit.
    """
    depth: dict[int, int] = {}
    stack: list[tuple[Tree, bool]] = [(tree, False)]
    while stack:
        node, done = stack.pop()
        subtrees = [c for c in node.children if isinstance(c, Tree)]
        if not done:
            stack.append((node, True))
            stack.extend((c, False) for c in subtrees)
            continue
        below = max((depth[id(c)] for c in subtrees), default=0)
        step = 1
        if node.data in _CHAINS:
            step = max(1, (len(node.children) - 1) // _CHAINS[str(node.data)])
        depth[id(node)] = below + step
    found: list[Diagnostic] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        if node.data in _EXPRESSIONS and depth[id(node)] > MAX_DEPTH:
            found.append(
                Diagnostic(
                    TOO_DEEP,
                    N_(
                        "this expression nests {depth} levels deep; the limit is {MAX_DEPTH} "
                        "(split it with `let` definitions)",
                        depth=depth[id(node)],
                        MAX_DEPTH=MAX_DEPTH,
                    ),
                    _span(file, node.meta),
                )
            )
            continue
        todo.extend(reversed([c for c in node.children if isinstance(c, Tree)]))
    return found


def _diagnostic(err: UnexpectedInput, text: str, file: str, line_offset: int = 0) -> Diagnostic:
    parser = _parser()
    line = (getattr(err, "line", 0) or 0) + line_offset
    column = getattr(err, "column", 0) or 0
    width = 1
    if isinstance(err, UnexpectedToken):
        if err.token.type == "$END":
            msg = N_(
                "unexpected end of file; expected {expected}",
                expected=_readable(err.expected, parser),
            )
        else:
            width = max(1, len(str(err.token)))
            msg = N_(
                "unexpected {token!r}; expected {expected}",
                token=str(err.token),
                expected=_readable(err.expected, parser),
            )
    elif isinstance(err, UnexpectedCharacters):
        msg = N_("unexpected character {char!r}", char=text[err.pos_in_stream or 0])
    elif isinstance(err, UnexpectedEOF):
        msg = N_("unexpected end of file")
    else:  # pragma: no cover - other lexer failures
        msg = str(err).splitlines()[0]
    return Diagnostic(SYNTAX, msg, ast.Span(file, line, column, line, column + width))


_BLOCK_START = re.compile(r"^(programme|definitions|properties)\b")
_ITEM_START = re.compile(
    r"^(\s*)(label|source|agency|regions|instrument|regime|themes|valid|call|param|let|fn|condition"
    r"|amount|limit|changeable|property)\b"
)


def _chunks(lines: list[str], starts: list[int]) -> list[tuple[int, int]]:
    bounds = [*starts, len(lines)]
    return [(bounds[i], bounds[i + 1]) for i in range(len(starts))]


def _try(text: str) -> UnexpectedInput | None:
    try:
        _parser().parse(text)
    except UnexpectedInput as err:
        return err
    return None


def _recover(text: str, file: str) -> list[Diagnostic]:
    lines = text.split("\n")
    errors: list[Diagnostic] = []
    block_starts = [i for i, line in enumerate(lines) if _BLOCK_START.match(line)]
    if not block_starts or block_starts[0] != 0:
        block_starts = [0, *block_starts]
    for first, last in _chunks(lines, block_starts):
        chunk = "\n" * first + "\n".join(lines[first:last])
        err = _try(chunk)
        if err is None:
            continue
        item_errors = _recover_items(lines, first, last, file)
        errors.extend(item_errors or [_diagnostic(err, chunk, file)])
    return errors


def _recover_items(lines: list[str], first: int, last: int, file: str) -> list[Diagnostic]:
    """Parse each item of a broken block alone, wrapped in a stand-in block."""
    indents = [
        (i, len(m.group(1))) for i in range(first + 1, last) if (m := _ITEM_START.match(lines[i]))
    ]
    if not indents:
        return []
    level = min(indent for _, indent in indents)
    starts = [i for i, indent in indents if indent == level]
    errors = []
    for start, end in _chunks(lines, starts):
        body = lines[start:end]
        # Drop the block's closing brace from the last item.
        if end == last or end == len(lines):
            while body and body[-1].strip() in ("", "}"):
                body.pop()
        wrapped = "\n" * (start - 1) + "programme recovered {\n" + "\n".join(body) + "\n}"
        err = _try(wrapped)
        if err is not None:
            errors.append(_diagnostic(err, wrapped, file))
    return errors


class _LiteralError(InternalError):
    def __init__(self, message: str, span: ast.Span) -> None:
        self.message = message
        self.span = span


def _date(tok: Token, file: str) -> dt.date:
    try:
        return parse_date(str(tok))
    except DateProblem as problem:
        raise _LiteralError(problem.message, _token_span(file, tok)) from None


@v_args(meta=True)
class _Builder(Transformer):
    """Builds AST nodes from the parse tree; checks nothing beyond literal values."""

    def __init__(self, file: str) -> None:
        super().__init__()
        self.file = file

    def _s(self, meta: object) -> ast.Span:
        return _span(self.file, meta)

    # ---- file structure
    def start(self, meta, blocks):
        return blocks

    def block(self, meta, children):
        kind, name, *items = children
        return ast.Block(str(kind), str(name), tuple(items), self._s(meta))

    def label(self, meta, pairs):
        return ast.Labels(tuple(pairs), self._s(meta))

    def lang_text(self, meta, children):
        lang, text = children
        return (str(lang), _unquote(text))

    def source_decl(self, meta, children):
        name, *fields = children
        return ast.SourceDecl(str(name), tuple(fields), self._s(meta))

    def source_field(self, meta, children):
        key, value = children
        if value.type == "DATE":
            return (str(key), _date(value, self.file))
        return (str(key), _unquote(value))

    def source_ref(self, meta, children):
        name = str(children[0])
        locator = _unquote(children[1]) if len(children) > 1 else None
        return ast.SourceRef(name, locator, self._s(meta))

    def meta(self, meta, children):
        key, *values = children
        clean = []
        for v in values:
            if v.type == "STRING":
                clean.append(_unquote(v))
            elif v.type == "SYMBOL":
                clean.append(str(v)[1:-1])
            else:
                clean.append(str(v))
        return ast.Meta(str(key), tuple(clean), self._s(meta))

    def valid(self, meta, children):
        return ast.Valid(children[0], self._s(meta))

    def period_both(self, meta, children):
        start, end = (_date(t, self.file) for t in children)
        return ast.Period(start, end, self._s(meta))

    def period_from(self, meta, children):
        return ast.Period(_date(children[0], self.file), None, self._s(meta))

    def period_until(self, meta, children):
        return ast.Period(None, _date(children[0], self.file), self._s(meta))

    def changeable(self, meta, children):
        return ast.Changeable(tuple(children), self._s(meta))

    def call(self, meta, children):
        note = _unquote(children[1]) if len(children) > 1 else None
        return ast.CallWindow(children[0], note, self._s(meta))

    def param(self, meta, children):
        name, type_name, *parts = children
        return ast.Param(
            str(name),
            type_name,
            tuple(p for p in parts if isinstance(p, ast.Labels)),
            tuple(p for p in parts if isinstance(p, ast.SourceRef)),
            tuple(p for p in parts if isinstance(p, ast.Version)),
            self._s(meta),
        )

    def unknown_value(self, meta, children):
        return ast.UnknownValue(_unquote(children[0]) if children else None, self._s(meta))

    def version(self, meta, children):
        period, value, *rest = children
        return ast.Version(period, value, rest[0] if rest else None, self._s(meta))

    def let(self, meta, children):
        name, type_name, *rest = children
        value = rest[-1]
        docs = rest[:-1]
        return ast.Let(
            str(name),
            type_name,
            tuple(d for d in docs if isinstance(d, ast.Labels)),
            tuple(d for d in docs if isinstance(d, ast.SourceRef)),
            value,
            self._s(meta),
        )

    def fn(self, meta, children):
        name, *rest = children
        params = tuple(p for p in rest if isinstance(p, ast.FnParam))
        others = [r for r in rest if not isinstance(r, ast.FnParam) and r is not None]
        type_name, body = others
        return ast.Fn(str(name), params, type_name, body, self._s(meta))

    def fn_param(self, meta, children):
        return ast.FnParam(str(children[0]), children[1], self._s(meta))

    def condition(self, meta, children):
        name, *rest = children
        docs, expr = rest[:-1], rest[-1]
        return ast.Condition(
            str(name),
            tuple(d for d in docs if isinstance(d, ast.Labels)),
            tuple(d for d in docs if isinstance(d, ast.SourceRef)),
            expr,
            self._s(meta),
        )

    def amount(self, meta, children):
        docs, expr = children[:-1], children[-1]
        return ast.Amount(
            tuple(d for d in docs if isinstance(d, ast.Labels)),
            tuple(d for d in docs if isinstance(d, ast.SourceRef)),
            expr,
            self._s(meta),
        )

    def limit(self, meta, children):
        name, *rest = children
        docs, expr = rest[:-1], rest[-1]
        return ast.Limit(
            str(name),
            tuple(d for d in docs if isinstance(d, ast.Labels)),
            tuple(d for d in docs if isinstance(d, ast.SourceRef)),
            expr,
            self._s(meta),
        )

    def property(self, meta, children):
        name, *rest = children
        parts, ensure = rest[:-1], rest[-1]
        rationale = [p.text for p in parts if isinstance(p, ast.Rationale)]
        profiles = [p for p in parts if isinstance(p, ast.Profiles)]
        return ast.Property(
            str(name),
            tuple(p for p in parts if isinstance(p, ast.Labels)),
            tuple(p for p in parts if isinstance(p, ast.SourceRef)),
            rationale[-1] if rationale else None,
            profiles[-1].names if profiles else (),
            tuple(path for p in parts if isinstance(p, ast.Differ) for path in p.paths),
            next((p.expr for p in reversed(parts) if isinstance(p, ast.Assume)), None),
            ensure,
            self._s(meta),
            _last_span(parts, ast.Rationale),
            _last_span(parts, ast.Profiles),
            _first_span(parts, ast.Differ),
            next((p for p in reversed(parts) if isinstance(p, ast.Every)), None),
        )

    def every(self, meta, children):
        excluded = next((c for c in children if isinstance(c, ast.Excluded)), None)
        filters = tuple(c for c in children if isinstance(c, ast.Meta))
        return ast.Every(filters, self._s(meta), excluded)

    def every_except(self, meta, children):
        names = tuple(str(c) for c in children)
        return ast.Excluded(names, tuple(_token_span(self.file, c) for c in children))

    def rationale(self, meta, children):
        return ast.Rationale(_unquote(children[0]), self._s(meta))

    def profiles(self, meta, children):
        return ast.Profiles(tuple(str(c) for c in children), self._s(meta))

    def differ(self, meta, children):
        return ast.Differ(tuple(children), self._s(meta))

    def assume(self, meta, children):
        return ast.Assume(children[0], self._s(meta))

    def type_name(self, meta, children):
        return str(children[0])

    # ---- expressions
    def if_expr(self, meta, children):
        return ast.If(*children, span=self._s(meta))

    def _chain(self, meta, children, op: str | None = None):
        result = children[0]
        rest = children[1:]
        if op is not None:
            for right in rest:
                result = ast.Binary(op, result, right, self._s(meta))
            return result
        for i in range(0, len(rest), 2):
            result = ast.Binary(str(rest[i]), result, rest[i + 1], self._s(meta))
        return result

    def or_expr(self, meta, children):
        return self._chain(meta, children, "or")

    def and_expr(self, meta, children):
        return self._chain(meta, children, "and")

    def coalesce(self, meta, children):
        return self._chain(meta, children, "??")

    def additive(self, meta, children):
        return self._chain(meta, children)

    def multiplicative(self, meta, children):
        return self._chain(meta, children)

    def comparison(self, meta, children):
        left, op, right = children
        return ast.Binary(str(op), left, right, self._s(meta))

    def not_(self, meta, children):
        return ast.Unary("not", children[0], self._s(meta))

    def neg(self, meta, children):
        return ast.Unary("-", children[0], self._s(meta))

    def in_set(self, meta, children):
        return ast.InSet(children[0], children[1], False, self._s(meta))

    def not_in_set(self, meta, children):
        return ast.InSet(children[0], children[1], True, self._s(meta))

    def set_literal(self, meta, children):
        return ast.SetLiteral(tuple(c for c in children if c is not None), self._s(meta))

    def aggregate(self, meta, children):
        kind, body, var, collection, *rest = children
        return ast.Aggregate(
            str(kind), body, str(var), collection, rest[0] if rest else None, self._s(meta)
        )

    def call_expr(self, meta, children):
        names = [str(c) for c in children if isinstance(c, Token)]
        args = tuple(c for c in children if c is not None and not isinstance(c, Token))
        return ast.Call(".".join(names), args, self._s(meta))

    def path(self, meta, children):
        return ast.Path(tuple(str(c) for c in children), self._s(meta))

    # ---- literals
    def money(self, meta, children):
        return ast.Literal("money", _number(children[0], self.file), self._s(meta))

    def percent(self, meta, children):
        return ast.Literal("percent", _number(children[0], self.file) / 100, self._s(meta))

    def months(self, meta, children):
        return ast.Literal("months", _number(children[0], self.file), self._s(meta))

    def number(self, meta, children):
        return ast.Literal("number", _number(children[0], self.file), self._s(meta))

    def date(self, meta, children):
        return ast.Literal("date", _date(children[0], self.file), self._s(meta))

    def symbol(self, meta, children):
        return ast.Literal("symbol", str(children[0])[1:-1], self._s(meta))

    def text(self, meta, children):
        return ast.Literal("text", _unquote(children[0]), self._s(meta))

    def true(self, meta, children):
        return ast.Literal("bool", True, self._s(meta))

    def false(self, meta, children):
        return ast.Literal("bool", False, self._s(meta))


_Part = ast.Rationale | ast.Profiles | ast.Differ


def _last_span(parts: list, kind: type[_Part]) -> ast.Span:
    found = [p.span for p in parts if isinstance(p, kind)]
    return found[-1] if found else ast.NO_SPAN


def _first_span(parts: list, kind: type[_Part]) -> ast.Span:
    found = [p.span for p in parts if isinstance(p, kind)]
    if not found:
        return ast.NO_SPAN
    first, last = found[0], found[-1]
    return ast.Span(first.file, first.line, first.column, last.end_line, last.end_column)


def _unquote(tok: Token | str) -> str:
    raw = str(tok)[1:-1]
    return raw.replace('\\"', '"').replace("\\\\", "\\")
