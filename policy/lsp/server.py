"""A language server for rule files: diagnostics, hover and go-to-definition.

The server re-reads the whole rule folder on every check, because a rule file is only
meaningful together with the files it refers to (`eu_sme.is_sme`). Parsed files are cached
on their text, so a keystroke costs one parse of the edited file plus one check.

Start it with `subsidia lsp` (or `python -m policy.lsp`); it speaks LSP over stdio.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace.position_codec import PositionCodec

from dsl import ast
from dsl import vocabulary as vocab
from dsl.checker import Checker
from dsl.codes import INTERNAL, SYNTAX, UNREADABLE_FILE
from dsl.diagnostics import Diagnostic, RuleError
from dsl.errors import N_, Lookup, english, localize
from dsl.files import RULE_FILE_LIMIT, describe_limit
from dsl.loader import RULE_SUFFIX, read_rule_text, rule_files
from dsl.parser import parse_text
from dsl.span import Span
from policy.lsp.frames import FrameFilter, LockedOutput, message_check
from policy.output.formatting import formatter

logger = logging.getLogger("subsidia.lsp")

RULES_ENV = "SUBSIDIA_RULES"
LANGS = vocab.LANGS

# One token of a line, enough to tell names from the text around them: strings, symbols
# and comments are skipped so a name inside a label or a note is never resolved; numbers
# and dates are consumed whole so `25_000` does not yield a name `_000`.
_TOKEN = re.compile(
    r'(?P<string>"(?:[^"\\\n]|\\.)*"?)'
    r"|(?P<symbol>'[^'\n]*'?)"
    r"|(?P<comment>#.*)"
    r"|(?P<number>\d[\d_.\-]*)"
    r"|(?P<name>[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*)"
    r"|.",
    re.DOTALL,
)
_BLOCK_HEAD = re.compile(r"^\s*(programme|definitions)\s+([a-z_][a-z0-9_]*)")
_DECL_BEFORE = re.compile(r"\b(param|let|fn|condition|source)\s+$")
_BLOCK_BEFORE = re.compile(r"^\s*(programme|definitions)\s+$")


# ---- what the rule folder holds


@dataclass
class Index:
    """Declarations of the parsed rule files, by block and name."""

    blocks: dict[str, ast.Block] = field(default_factory=dict)
    members: dict[tuple[str, str], ast.Param | ast.Let | ast.Fn] = field(default_factory=dict)
    sources: dict[tuple[str, str], ast.SourceDecl] = field(default_factory=dict)
    conditions: dict[tuple[str, str], ast.Condition] = field(default_factory=dict)

    @classmethod
    def build(cls, trees: list[ast.RuleFile]) -> Index:
        index = cls()
        for tree in trees:
            for block in tree.blocks:
                # The first declaration wins, as in the checker: a duplicate is an error there.
                index.blocks.setdefault(block.name, block)
                if index.blocks[block.name] is not block:
                    continue
                for item in block.items:
                    key = (block.name, getattr(item, "name", ""))
                    if isinstance(item, ast.Param | ast.Let | ast.Fn):
                        index.members.setdefault(key, item)
                    elif isinstance(item, ast.SourceDecl):
                        index.sources.setdefault(key, item)
                    elif isinstance(item, ast.Condition):
                        index.conditions.setdefault(key, item)
        return index


@dataclass
class Snapshot:
    """The rule files checked together with one document, open texts taking precedence."""

    root: Path | None
    texts: dict[str, str]  # file -> text
    trees: dict[str, ast.RuleFile]  # files that parse now
    syntax: dict[str, list[Diagnostic]]  # files that do not
    outline: dict[str, ast.RuleFile]  # trees that parse now, else the last that did
    index: Index


class RuleWorkspace:
    """Reads, parses and checks rule files; remembers parses so unchanged files are free."""

    def __init__(self) -> None:
        self._parsed: dict[str, tuple[str, ast.RuleFile | list[Diagnostic]]] = {}
        # The last tree of a file that parsed: hover keeps working while a line is half typed.
        self._last_good: dict[str, ast.RuleFile] = {}
        self._lock = threading.Lock()  # parses come from requests and from `warm`

    def parse(self, file: str, text: str) -> ast.RuleFile | list[Diagnostic]:
        with self._lock:
            cached = self._parsed.get(file)
            if cached is not None and cached[0] == text:
                return cached[1]
            result: ast.RuleFile | list[Diagnostic]
            if len(text.encode("utf-8", "surrogatepass")) > RULE_FILE_LIMIT:
                # The editor's text is held to the limit of a rule file on disk.
                limit = describe_limit(RULE_FILE_LIMIT)
                message = N_(
                    "cannot read rule file: larger than the limit of {limit}", limit=limit
                )
                result = [Diagnostic(UNREADABLE_FILE, message, Span(file, 0, 0, 0, 0))]
                self._parsed[file] = (text, result)
                return result
            try:
                result = parse_text(text, file)
                self._last_good[file] = result
            except RuleError as err:
                result = list(err.diagnostics)
            self._parsed[file] = (text, result)
            return result

    def warm(self, root: Path) -> None:
        """Parse the rule files under `root` ahead of any request (the bundled catalogue,
        on a thread at start-up): the first request then finds them parsed."""
        try:
            for name in _rule_files_under(root):
                self.parse(name, read_rule_text(Path(name)))
        except Exception:  # a file that cannot be read now is reported when it is checked
            logger.debug("subsidia lsp: warming %s stopped", root, exc_info=True)

    def snapshot(
        self, file: str, open_texts: dict[str, str], folders: Sequence[Path] = ()
    ) -> Snapshot:
        root = rules_root(file, folders)
        names = _rule_files_under(root) if root is not None else []
        # Open documents under the root count even before they are saved for the first time.
        for name in [file, *open_texts]:
            if name not in names and (name == file or _is_under(name, root)):
                names.append(name)
        texts: dict[str, str] = {}
        trees: dict[str, ast.RuleFile] = {}
        syntax: dict[str, list[Diagnostic]] = {}
        for name in names:
            text = open_texts.get(name)
            if text is None:
                try:
                    # Bounded and never blocking: a FIFO named *.rules must not stall the server.
                    text = read_rule_text(Path(name))
                except RuleError:
                    continue  # deleted or unreadable since it was listed: check the rest
            texts[name] = text
            result = self.parse(name, text)
            if isinstance(result, ast.RuleFile):
                trees[name] = result
            else:
                syntax[name] = result
        # Index what parses now, and the last good parse of what does not.
        outline = {
            n: tree for n in names if (tree := trees.get(n) or self._last_good.get(n)) is not None
        }
        return Snapshot(root, texts, trees, syntax, outline, Index.build(list(outline.values())))

    def diagnostics(self, snap: Snapshot) -> dict[str, list[Diagnostic]]:
        """Every error and warning per file of the snapshot."""
        out: dict[str, list[Diagnostic]] = {name: [] for name in snap.texts}
        for name, diags in snap.syntax.items():
            out[name] = list(diags)
        if snap.syntax:
            # Checking without a broken file would report each of its names as unknown:
            # say why the others are not checked instead.
            broken = ", ".join(_short(n, snap.root) for n in sorted(snap.syntax))
            for name in snap.trees:
                out[name].append(
                    Diagnostic(
                        SYNTAX,
                        N_("names and types not checked: syntax errors in {files}", files=broken),
                        Span(name, 0, 0, 0, 0),
                        severity="warning",
                    )
                )
            return out
        checker = Checker(list(snap.trees.values()))
        try:
            checker.run()
        except Exception as exc:
            # A checker bug must not hide the errors found so far, nor end the session.
            logger.exception("subsidia lsp: checking failed")
            for name in snap.trees:
                out[name].append(
                    Diagnostic(
                        INTERNAL,
                        N_("internal error while checking: {error}", error=repr(exc)),
                        Span(name, 0, 0, 0, 0),
                    )
                )
        for diag in [*checker.errors, *checker.warnings]:
            out.setdefault(diag.span.file, []).append(diag)
        return out


def rules_root(file: str, folders: Sequence[Path] = ()) -> Path | None:
    """The folder checked with `file`: its nearest ancestor that is a catalogue (a folder
    named `programmes`, or the installed package's bundled rules, whatever its folder is
    called), else $SUBSIDIA_RULES, else its own folder (None for documents that are not
    files, and for a file checked alone).

    Only the bundled rules and $SUBSIDIA_RULES are read wherever they are; any other folder
    must lie inside one of the workspace `folders` the client named (when it named any),
    else the file's own workspace folder is read instead, and a file outside all of them is
    checked alone. A file system root or a home folder is never read wholesale: a document
    opened at `file:///x.rules` is checked alone.
    """
    from policy.engine import DEFAULT_RULES

    path = Path(file)
    if not path.is_absolute():
        return None
    bundled = Path(DEFAULT_RULES).resolve()
    explicit = False
    candidate: Path | None = None
    for parent in path.parents:
        if parent.resolve() == bundled:
            return parent
        if parent.name == "programmes":
            candidate = parent
            break
    if candidate is None:
        env = os.environ.get(RULES_ENV)
        explicit = bool(env)
        candidate = Path(env).expanduser().resolve() if env else path.parent
    if folders and not explicit and not any(candidate.is_relative_to(f) for f in folders):
        # The deepest workspace folder holding the file, else the file alone.
        holding = [f for f in folders if path.is_relative_to(f)]
        candidate = max(holding, key=lambda f: len(f.parts)) if holding else None
    if candidate is None or _wholesale(candidate):
        return None
    return candidate


def _wholesale(folder: Path) -> bool:
    """A folder too wide to scan for rule files: a file system root or a home folder."""
    if folder == Path(folder.anchor):
        return True
    try:
        home = Path.home().resolve()
    except (RuntimeError, KeyError, OSError):  # no home folder known
        return False
    return folder == home or folder in home.parents


def _rule_files_under(root: Path) -> list[str]:
    if not root.is_dir():
        return []
    return [str(p.resolve()) for p in rule_files(root)]


def _is_under(name: str, root: Path | None) -> bool:
    return root is not None and name.endswith(RULE_SUFFIX) and Path(name).is_relative_to(root)


def _short(name: str, root: Path | None) -> str:
    if root is not None and Path(name).is_relative_to(root):
        return str(Path(name).relative_to(root))
    return name


def doc_key(uri: str) -> str:
    """A document's file name as spans carry it: the resolved path, or the URI itself."""
    path = to_fs_path(uri)
    if path is None or not uri.startswith("file:"):
        return uri
    return str(Path(path).resolve())


# ---- positions


def _lines(text: str) -> list[str]:
    # Lark counts lines on "\n" only; str.splitlines would also split on \x0c and the like.
    return text.split("\n")


def to_range(span: Span, text: str | None, codec: PositionCodec) -> types.Range:
    """A 1-based, code-point span as a 0-based LSP range in the client's encoding."""
    if span.line <= 0:  # a whole-file diagnostic
        return types.Range(types.Position(0, 0), types.Position(0, 0))
    start = types.Position(span.line - 1, max(span.column - 1, 0))
    end_line = max(span.end_line, span.line)
    end = types.Position(end_line - 1, max(span.end_column - 1, 0))
    if (end.line, end.character) < (start.line, start.character):
        end = start
    if text is None:
        return types.Range(start, end)
    lines = _lines(text)
    return types.Range(
        codec.position_to_client_units(lines, start), codec.position_to_client_units(lines, end)
    )


def to_lsp_diagnostic(
    diag: Diagnostic, text: str | None, codec: PositionCodec, lookup: Lookup = english
) -> types.Diagnostic:
    """The diagnostic for the editor, its message and hints in the language of `lookup`."""
    message = localize(diag.message, lookup)
    if diag.hints:
        message += "\n" + "\n".join(localize(hint, lookup) for hint in diag.hints)
    severity = (
        types.DiagnosticSeverity.Warning
        if diag.severity == "warning"
        else types.DiagnosticSeverity.Error
    )
    return types.Diagnostic(
        range=to_range(diag.span, text, codec),
        message=message,
        severity=severity,
        code=diag.code,
        source="subsidia",
    )


def _contains(span: Span, line: int, column: int) -> bool:
    """Whether 1-based (line, column) lies within the span, ends included."""
    return (span.line, span.column) <= (line, column) <= (span.end_line, span.end_column)


def _offset(lines: list[str], line: int, column: int) -> int:
    """Text offset of a 1-based position."""
    return sum(len(x) + 1 for x in lines[: line - 1]) + column - 1


# ---- the name under the cursor


@dataclass(frozen=True)
class Word:
    parts: tuple[str, ...]  # the dotted name, e.g. ("eu_sme", "is_sme")
    index: int  # which part the cursor is on
    before: str  # the line up to the name, to tell declarations from uses
    is_call: bool  # followed by "(": a function
    line: int  # 1-based
    column: int  # 1-based, start of the name
    part_column: int  # 1-based, start of the part under the cursor


def word_at(line_text: str, line: int, character: int) -> Word | None:
    """The dotted name at a 0-based code-point column of a line, if the cursor is on one."""
    for match in _TOKEN.finditer(line_text):
        # The end counts too: a cursor right after a name is on it, as editors place it.
        if not (match.start() <= character <= match.end()) or match.lastgroup != "name":
            continue
        parts = tuple(match.group().split("."))
        start = match.start()
        offset = start
        for i, part in enumerate(parts):
            if character <= offset + len(part):
                index, part_start = i, offset
                break
            offset += len(part) + 1
        else:  # pragma: no cover - the loop always breaks for a cursor inside the match
            index, part_start = len(parts) - 1, offset
        rest = line_text[match.end() :].lstrip()
        return Word(
            parts,
            index,
            line_text[:start],
            rest.startswith("(") and index == len(parts) - 1,
            line,
            start + 1,
            part_start + 1,
        )
    return None


# ---- what a name means

Member = ast.Param | ast.Let | ast.Fn


@dataclass(frozen=True)
class DeclTarget:
    block: str
    node: Member | ast.SourceDecl | ast.Condition


@dataclass(frozen=True)
class BlockTarget:
    node: ast.Block


@dataclass(frozen=True)
class ArgTarget:
    fn: ast.Fn
    param: ast.FnParam


@dataclass(frozen=True)
class VarTarget:
    aggregate: ast.Aggregate


@dataclass(frozen=True)
class FieldTarget:
    path: str  # company.staff, company.enterprises, project.costs.amount
    var: str | None = None  # the comprehension variable when reached through one


@dataclass(frozen=True)
class AsOfTarget:
    pass


Target = DeclTarget | BlockTarget | ArgTarget | VarTarget | FieldTarget | AsOfTarget


def _walk(node: Any) -> Iterator[Any]:
    """Every AST node below `node`, in source order."""
    if isinstance(node, tuple):
        for child in node:
            yield from _walk(child)
        return
    if not dataclasses.is_dataclass(node) or isinstance(node, type):
        return
    yield node
    for f in dataclasses.fields(node):
        if f.name != "span":
            yield from _walk(getattr(node, f.name))


def _enclosing_block(lines: list[str], line: int) -> str | None:
    for i in range(min(line, len(lines)) - 1, -1, -1):
        m = _BLOCK_HEAD.match(lines[i])
        if m:
            return m.group(2)
    return None


def _enclosing_item(tree: ast.RuleFile | None, line: int, column: int) -> ast.Item | None:
    if tree is None:
        return None
    for block in tree.blocks:
        if not _contains(block.span, line, column):
            continue
        for item in block.items:
            if _contains(item.span, line, column):
                return item
    return None


def resolve(snap: Snapshot, file: str, word: Word) -> Target | None:
    """What the name under the cursor refers to, following the checker's scoping rules."""
    text = snap.texts.get(file, "")
    lines = _lines(text)
    block = _enclosing_block(lines, word.line)
    parts = word.parts[: word.index + 1]
    head = parts[0]
    idx = snap.index

    if len(word.parts) == 1 and _BLOCK_BEFORE.search(word.before):
        node = idx.blocks.get(head)
        return BlockTarget(node) if node else None
    decl = _DECL_BEFORE.search(word.before)
    if decl and len(word.parts) == 1 and block is not None:
        key = (block, head)
        found: Member | ast.SourceDecl | ast.Condition | None
        if decl.group(1) == "source":
            found = idx.sources.get(key)
        elif decl.group(1) == "condition":
            found = idx.conditions.get(key)
        else:
            found = idx.members.get(key)
        return DeclTarget(block, found) if found else None

    tree = snap.outline.get(file)
    item = _enclosing_item(tree, word.line, word.part_column)
    # Function arguments and comprehension variables shadow block names, as in the checker.
    if isinstance(item, ast.Fn):
        for p in item.params:
            if p.name == head:
                return ArgTarget(item, p) if len(parts) == 1 else None
    if item is not None:
        binders = [
            n
            for n in _walk(item)
            if isinstance(n, ast.Aggregate)
            and n.var == head
            and _contains(n.span, word.line, word.column)
        ]
        if binders:
            agg = binders[-1]  # the innermost
            if len(parts) == 1:
                return VarTarget(agg)
            return FieldTarget(f"{agg.collection.dotted}.{parts[1]}", var=head)
    if parts == (vocab.AS_OF,):
        return AsOfTarget()
    if head in ("company", "project"):
        return FieldTarget(".".join(parts)) if len(parts) > 1 else None
    if len(word.parts) == 1:
        if block is None:
            return None
        member = idx.members.get((block, head))
        if member is not None and (word.is_call or not isinstance(member, ast.Fn)):
            return DeclTarget(block, member)
        return None
    # A qualified name: `block.member`, or a function of another block `block.fn(...)`.
    if len(parts) == 1:
        node = idx.blocks.get(head)
        return BlockTarget(node) if node else None
    member = idx.members.get((head, parts[1]))
    return DeclTarget(head, member) if member is not None and len(parts) == 2 else None


# ---- hover text


def _labels(groups: tuple[ast.Labels, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for group in groups:
        out.update(dict(group.texts))
    return out


def _label_lines(labels: dict[str, str]) -> list[str]:
    return [f"- *{lang}*: {labels[lang]}" for lang in LANGS if lang in labels] + [
        f"- *{lang}*: {text}" for lang, text in labels.items() if lang not in LANGS
    ]


def _period(period: ast.Period) -> str:
    if period.start and period.end:
        return f"{period.start} to {period.end}"
    if period.start:
        return f"from {period.start}"
    if period.end:
        return f"until {period.end}"
    return "always"


def _source_text(snap: Snapshot, span: Span) -> str:
    """The author's own notation of an expression, e.g. `24 months` or `25_000 EUR`."""
    text = snap.texts.get(span.file)
    if text is None or span.line <= 0:
        return "?"
    lines = _lines(text)
    start = _offset(lines, span.line, span.column)
    end = _offset(lines, span.end_line, span.end_column)
    return " ".join(text[start:end].split())


def _source_ref(snap: Snapshot, block: str, ref: ast.SourceRef) -> str:
    decl = snap.index.sources.get((block, ref.name))
    if decl is None:
        return f"`{ref.name}` (undeclared source)"
    fields = dict(decl.fields)
    title = str(fields.get("title") or ref.name)
    url = fields.get("url")
    text = f"[{title}]({url})" if isinstance(url, str) else title
    if fields.get("date"):
        text += f" ({fields['date']})"
    if ref.locator:
        text += f", {ref.locator}"
    return text


def _sources_section(snap: Snapshot, block: str, refs: tuple[ast.SourceRef, ...]) -> list[str]:
    if not refs:
        return []
    return ["", "**Sources**", *(f"- {_source_ref(snap, block, r)}" for r in refs)]


def _truncate(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def hover_text(snap: Snapshot, target: Target) -> str | None:
    match target:
        case DeclTarget(block=block, node=ast.Param() as p):
            out = [f"**param** `{block}.{p.name}` : {p.type_name}"]
            out += _label_lines(_labels(p.labels))
            out += ["", "**Values**"]
            for v in p.versions:
                line = f"- {_period(v.period)}: `{_source_text(snap, v.value.span)}`"
                if v.source is not None:
                    line += f" — {_source_ref(snap, block, v.source)}"
                out.append(line)
            out += _sources_section(snap, block, p.sources)
            return "\n".join(out)
        case DeclTarget(block=block, node=ast.Let() as let):
            out = [f"**let** `{block}.{let.name}` : {let.type_name}"]
            out += _label_lines(_labels(let.labels))
            out += ["", f"`= {_truncate(_source_text(snap, let.value.span))}`"]
            out += _sources_section(snap, block, let.sources)
            return "\n".join(out)
        case DeclTarget(block=block, node=ast.Fn() as fn):
            args = ", ".join(f"{a.name}: {a.type_name}" for a in fn.params)
            return f"**fn** `{block}.{fn.name}({args})` : {fn.type_name}"
        case DeclTarget(block=block, node=ast.Condition() as cond):
            out = [f"**condition** `{block}.{cond.name}` : bool"]
            out += _label_lines(_labels(cond.labels))
            out += ["", f"`require {_truncate(_source_text(snap, cond.require.span))}`"]
            out += _sources_section(snap, block, cond.sources)
            return "\n".join(out)
        case DeclTarget(block=block, node=ast.SourceDecl() as src):
            out = [f"**source** `{block}.{src.name}`"]
            out += [f"- {key}: {value}" for key, value in src.fields]
            return "\n".join(out)
        case BlockTarget(node=node):
            labels = _labels(tuple(i for i in node.items if isinstance(i, ast.Labels)))
            out = [f"**{node.kind}** `{node.name}`", *_label_lines(labels)]
            return "\n".join([*out, "", f"{_short(node.span.file, snap.root)}"])
        case ArgTarget(fn=fn, param=p):
            return f"argument `{p.name}` : {p.type_name} of fn `{fn.name}`"
        case VarTarget(aggregate=agg):
            coll = vocab.COLLECTIONS.get(agg.collection.dotted)
            text = f"`{agg.var}`: an element of `{agg.collection.dotted}`"
            if coll is not None and coll.fields:
                text += "\n\n" + ", ".join(f"`{k}` : {t}" for k, t in coll.fields.items())
            elif coll is not None and coll.scalar is not None:
                text += f" ({coll.scalar})"
            return text
        case FieldTarget(path=path):
            return _field_text(path)
        case AsOfTarget():
            return "`as_of` : date — the evaluation date"
    return None


def _field_text(path: str) -> str | None:
    if path in vocab.SCALARS:
        text = f"profile field `{path}` : {vocab.SCALARS[path]}"
    elif path in vocab.COLLECTIONS:
        coll = vocab.COLLECTIONS[path]
        if coll.scalar is not None:
            return f"profile list `{path}` of {coll.scalar}"
        fields = ", ".join(f"`{k}` : {t}" for k, t in coll.fields.items())
        return f"profile list `{path}`\n\nfields: {fields}"
    else:
        head, _, last = path.rpartition(".")
        owner = vocab.COLLECTIONS.get(head)
        if owner is None or last not in owner.fields:
            return None
        text = f"field `{last}` : {owner.fields[last]} of the elements of `{head}`"
    values = vocab.SYMBOL_VALUES.get(path)
    if values:
        text += "\n\nvalues: " + ", ".join(f"'{v}'" for v in sorted(values))
    return text


def definition_span(snap: Snapshot, file: str, target: Target) -> Span | None:
    match target:
        case DeclTarget(node=node):
            return node.span
        case BlockTarget(node=node):
            return node.span
        case ArgTarget(param=p):
            return p.span
        case VarTarget(aggregate=agg):
            return _binder_span(snap, file, agg)
    return None


def _binder_span(snap: Snapshot, file: str, agg: ast.Aggregate) -> Span | None:
    """Where `for x` names a comprehension variable; the AST keeps no span for it."""
    text = snap.texts.get(file)
    if text is None:
        return None
    lines = _lines(text)
    start = _offset(lines, agg.span.line, agg.span.column)
    end = _offset(lines, agg.span.end_line, agg.span.end_column)
    m = re.compile(rf"\bfor\s+({re.escape(agg.var)})\b").search(text, start, end)
    if m is None:
        return agg.span
    line = text.count("\n", 0, m.start(1)) + 1
    column = m.start(1) - (text.rfind("\n", 0, m.start(1)) + 1) + 1
    return Span(file, line, column, line, column + len(agg.var))


# ---- the server

P = ParamSpec("P")
R = TypeVar("R")


def _safe(handler: Callable[P, R]) -> Callable[P, R | None]:
    """Log a handler's exception and answer null: one bad request must not end the session."""

    @functools.wraps(handler)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            return handler(*args, **kwargs)
        except Exception as exc:
            # One line in the log; the traceback only at the DEBUG level.
            logger.error("subsidia lsp: %s failed: %r", handler.__name__, exc)
            logger.debug("subsidia lsp: %s failed", handler.__name__, exc_info=True)
            return None

    return wrapper


def _version() -> str:
    try:
        return metadata.version("subsidia")
    except metadata.PackageNotFoundError:
        return "0+unknown"


class SubsidiaServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("subsidia", _version())
        self.rules = RuleWorkspace()
        self.lang = "en"  # the client's `locale` from `initialize`, when it names one of ours

    def open_texts(self) -> dict[str, str]:
        """Open rule documents by file name: their text replaces the file on disk."""
        out: dict[str, str] = {}
        for uri, doc in self.workspace.text_documents.items():
            key = doc_key(uri)
            if key.endswith(RULE_SUFFIX) or doc.language_id == "subsidia":
                out[key] = doc.source
        return out

    def uri_of(self, file: str) -> str:
        for uri in self.workspace.text_documents:
            if doc_key(uri) == file:
                return uri
        return from_fs_path(file) or file

    def folders(self) -> list[Path]:
        """The workspace folders the client named (its root if it named no folders)."""
        uris = [f.uri for f in self.workspace.folders.values()] or [self.workspace.root_uri]
        out = []
        for folder_uri in uris:
            path = to_fs_path(folder_uri) if folder_uri and folder_uri.startswith("file:") else None
            if path:
                out.append(Path(path).resolve())
        return out

    def snapshot_for(self, uri: str) -> tuple[str, Snapshot] | None:
        """The document's file name and snapshot; None for a document that cannot be read."""
        key = doc_key(uri)
        open_texts = self.open_texts()
        if key not in open_texts:  # asked about a document the client did not open
            text = self.unopened_text(uri, key)
            if text is None:
                return None
            open_texts[key] = text
        return key, self.rules.snapshot(key, open_texts, self.folders())

    def unopened_text(self, uri: str, key: str) -> str | None:
        """An open document's text, else its file's, read within the rule-file limits."""
        doc = self.workspace.text_documents.get(uri)
        if doc is not None:
            return doc.source
        if not uri.startswith("file:"):
            return None
        try:
            return read_rule_text(Path(key))
        except RuleError:
            return None

    def publish(self, uri: str) -> None:
        found = self.snapshot_for(uri)
        if found is None:
            return
        key, snap = found
        per_file = self.rules.diagnostics(snap)
        codec = self.workspace.position_codec
        lookup = formatter(self.lang).lookup
        open_keys = {doc_key(u): u for u in self.workspace.text_documents}
        open_keys.setdefault(key, uri)
        # Every open document of the folder: editing sme.rules can break a programme's file.
        for file, doc_uri in open_keys.items():
            if file not in snap.texts:
                continue
            text = snap.texts[file]
            diags = [to_lsp_diagnostic(d, text, codec, lookup) for d in per_file.get(file, [])]
            version = self.workspace.get_text_document(doc_uri).version
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=doc_uri, diagnostics=diags, version=version)
            )

    def target_at(self, uri: str, position: types.Position) -> tuple[Snapshot, str, Target] | None:
        found = self.snapshot_for(uri)
        if found is None:
            return None
        key, snap = found
        text = snap.texts.get(key, "")
        lines = _lines(text)
        if position.line >= len(lines):
            return None
        pos = self.workspace.position_codec.position_from_client_units(lines, position)
        word = word_at(lines[pos.line], pos.line + 1, pos.character)
        if word is None:
            return None
        target = resolve(snap, key, word)
        return (snap, key, target) if target is not None else None


def client_lang(locale: str | None) -> str:
    """Our language for the client's locale (`nl-BE` -> nl, `fr` -> fr); English otherwise,
    and when the client names none (the LSP has no language option of its own)."""
    from policy.output.formatting import LANGS

    lang = (locale or "").replace("_", "-").split("-")[0].lower()
    return lang if lang in LANGS else "en"


def create_server() -> SubsidiaServer:
    server = SubsidiaServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: SubsidiaServer, params: types.InitializeParams) -> None:
        ls.lang = client_lang(params.locale)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    @_safe
    def did_open(ls: SubsidiaServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    @_safe
    def did_change(ls: SubsidiaServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    @_safe
    def did_save(ls: SubsidiaServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    @_safe
    def did_close(ls: SubsidiaServer, params: types.DidCloseTextDocumentParams) -> None:
        # The file on disk may differ from what was shown: its problems are no longer ours.
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
        )

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    @_safe
    def hover(ls: SubsidiaServer, params: types.HoverParams) -> types.Hover | None:
        found = ls.target_at(params.text_document.uri, params.position)
        if found is None:
            return None
        snap, _, target = found
        text = hover_text(snap, target)
        if text is None:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    @_safe
    def definition(ls: SubsidiaServer, params: types.DefinitionParams) -> types.Location | None:
        found = ls.target_at(params.text_document.uri, params.position)
        if found is None:
            return None
        snap, key, target = found
        span = definition_span(snap, key, target)
        if span is None or span.line <= 0:
            return None
        text = snap.texts.get(span.file)
        if text is None:
            try:
                text = read_rule_text(Path(span.file))
            except RuleError:
                text = None
        rng = to_range(span, text, ls.workspace.position_codec)
        return types.Location(uri=ls.uri_of(span.file), range=rng)

    return server


def main() -> None:
    # stdout carries the protocol: logs go to stderr.
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(name)s: %(message)s")
    server = create_server()
    from policy.engine import DEFAULT_RULES

    threading.Thread(target=server.rules.warm, args=(Path(DEFAULT_RULES),), daemon=True).start()
    # pygls reads frames with no size limit and drops bad ones silently: a filter in front
    # of it checks every frame and answers the bad ones (policy/lsp/frames.py).
    output = LockedOutput(sys.stdout.buffer)
    frames = FrameFilter(sys.stdin.buffer, output.write, message_check(server.protocol))
    # mypy, ignored below: pygls types stdin/stdout as BinaryIO; ours are small duck-typed wrappers
    server.start_io(stdin=frames, stdout=output)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
