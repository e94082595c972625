"""Read rule files from disk (a file or a folder tree) and check them together."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from dsl import ir
from dsl.cache import disk_cached
from dsl.codes import NOT_UTF8, UNREADABLE_FILE
from dsl.diagnostics import Diagnostic, RuleError
from dsl.errors import N_
from dsl.files import RULE_FILE_LIMIT, read_regular
from dsl.span import Span

RULE_SUFFIX = ".rules"


def rule_files(*roots: str | Path) -> list[Path]:
    """Rule files under the given files or folders, in a stable order."""
    found: list[Path] = []
    for root in roots:
        p = Path(root)
        if p.is_dir():
            found.extend(sorted(p.rglob(f"*{RULE_SUFFIX}")))
        else:
            found.append(p)
    return found


def load_catalogue(*roots: str | Path) -> tuple[ir.Catalogue, list[Diagnostic]]:
    """Parse every rule file, then check them as one catalogue.

    Syntax errors of all files are reported together before any checking.
    """
    # Imported here: a cached catalogue needs neither Lark nor the checker.
    from dsl.checker import check
    from dsl.parser import parse_text

    sources: dict[str, str] = {}
    parsed = []
    errors: list[Diagnostic] = []
    for path in rule_files(*roots):
        name = str(path)
        text = read_rule_text(path)
        sources[name] = text
        try:
            parsed.append(parse_text(text, name))
        except RuleError as err:
            errors.extend(err.diagnostics)
    if errors:
        raise RuleError(errors, sources)
    return check(parsed, sources)


def _file_span(name: str) -> Span:
    return Span(name, 0, 0, 0, 0)


def read_rule_text(path: Path) -> str:
    """The text of a rule file, or a `RuleError`: E100 when it cannot be read (missing, not a
    regular file, over the size limit), E103 at the first byte that is not UTF-8.

    A leading UTF-8 byte-order mark is dropped, as editors on Windows write one.
    """
    name = str(path)
    try:
        raw = read_regular(path, RULE_FILE_LIMIT)
    except OSError as exc:
        raise RuleError(
            [
                Diagnostic(
                    UNREADABLE_FILE,
                    N_("cannot read rule file: {value}", value=exc.strerror or exc),
                    _file_span(name),
                )
            ]
        ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        span = Span(name, line, column, line, column + 1)
        raise RuleError(
            [Diagnostic(NOT_UTF8, N_("not UTF-8 text: byte 0x{raw:02x}", raw=raw[exc.start]), span)]
        ) from None


def _cache_key(files: list[Path]) -> str:
    """Changes whenever a rule file or the front end's own code changes."""
    digest = hashlib.sha256()
    for path in [*files, *sorted(Path(__file__).parent.glob("*.py")), _GRAMMAR_FILE]:
        digest.update(str(path).encode())
        digest.update(read_regular(path, RULE_FILE_LIMIT))
    return digest.hexdigest()[:32]


_GRAMMAR_FILE = Path(__file__).with_name("grammar.lark")


def load_catalogue_cached(*roots: str | Path) -> tuple[ir.Catalogue, list[Diagnostic]]:
    """`load_catalogue`, memoised on disk: a CLI run skips parsing unchanged rule files.

    Only successful checks are cached; errors are always recomputed and reported.
    """
    key = catalogue_key(*roots)
    if key is None:
        return load_catalogue(*roots)
    return disk_cached(f"catalogue-{key}", lambda: load_catalogue(*roots))


def catalogue_key(*roots: str | Path) -> str | None:
    """A key that changes whenever a rule file or the front end changes; None when caching
    is off (`SUBSIDIA_NO_CACHE=1`) or the files cannot be read."""
    if os.environ.get("SUBSIDIA_NO_CACHE") == "1":
        return None
    try:
        return _cache_key(rule_files(*roots))
    except OSError:
        return None


def load_overriding(
    root: str | Path, *overrides: str | Path
) -> tuple[ir.Catalogue, list[Diagnostic]]:
    """The catalogue under `root` with the blocks of `overrides` taking the place of the
    root's blocks of the same name (e.g. an older version of one programme, for diff);
    memoised on disk like `load_catalogue_cached`."""
    base_key, override_key = catalogue_key(root), catalogue_key(*overrides)
    if base_key is None or override_key is None:
        return _load_overriding(root, *overrides)
    return disk_cached(
        f"overriding-{base_key}-{override_key}", lambda: _load_overriding(root, *overrides)
    )


def _load_overriding(
    root: str | Path, *overrides: str | Path
) -> tuple[ir.Catalogue, list[Diagnostic]]:
    from dsl.checker import check
    from dsl.parser import parse_text

    sources: dict[str, str] = {}
    errors: list[Diagnostic] = []

    def parse_all(paths: list[Path]) -> list:
        parsed = []
        for path in paths:
            text = read_rule_text(path)
            sources[str(path)] = text
            try:
                parsed.append(parse_text(text, str(path)))
            except RuleError as err:
                errors.extend(err.diagnostics)
        return parsed

    replacing = parse_all(rule_files(*overrides))
    taken = {block.name for f in replacing for block in f.blocks}
    override_files = {Path(f.path).resolve() for f in replacing}
    base = [p for p in rule_files(root) if p.resolve() not in override_files]
    kept = [f for f in parse_all(base) if not {b.name for b in f.blocks} & taken]
    if errors:
        raise RuleError(errors, sources)
    return check([*kept, *replacing], sources)
