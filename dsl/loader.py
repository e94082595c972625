"""Read rule files from disk (a file or a folder tree) and check them together."""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from dsl import ir
from dsl.codes import UNREADABLE_FILE
from dsl.diagnostics import Diagnostic, RuleError
from dsl.span import Span

RULE_SUFFIX = ".rules"

T = TypeVar("T")


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
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise RuleError(
                [
                    Diagnostic(
                        UNREADABLE_FILE,
                        f"cannot read rule file: {exc.strerror or exc}",
                        _file_span(name),
                    )
                ]
            ) from None
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


def _cache_dir() -> Path:
    # The platform's user cache folder: ~/.cache/subsidia (or $XDG_CACHE_HOME/subsidia) on
    # Linux, ~/Library/Caches/subsidia on macOS, %LOCALAPPDATA%\subsidia\Cache on Windows.
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("subsidia", appauthor=False))


def _cache_key(files: list[Path]) -> str:
    """Changes whenever a rule file or the front end's own code changes."""
    digest = hashlib.sha256()
    for path in [*files, *sorted(Path(__file__).parent.glob("*.py")), _GRAMMAR_FILE]:
        digest.update(str(path).encode())
        digest.update(path.read_bytes())
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


def disk_cached(name: str, build: Callable[[], T]) -> T:
    """`build()`, pickled under the cache folder as `name`: later runs load it instead.

    The caller puts everything the result depends on into `name`. Only results are cached,
    never exceptions, so errors are always recomputed and reported.
    """
    path = _cache_dir() / f"{name}.pickle"
    try:
        with path.open("rb") as fh:
            result = pickle.load(fh)
        _touch(path)
        return result
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    result = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)  # atomic: a concurrent run never reads half a file
        _prune(path.parent, CACHE_ENTRIES)
    except OSError:
        pass  # a read-only home only costs speed
    return result


# Every rule edit and every evaluation date makes new entries; keep the most recently used.
CACHE_ENTRIES = 256


def _touch(path: Path) -> None:
    try:
        os.utime(path)  # the modification time doubles as "last used" for pruning
    except OSError:
        pass


def _prune(folder: Path, keep: int) -> None:
    """Delete all but the `keep` most recently used entries (only ever at a write)."""
    entries = list(folder.glob("*.pickle"))
    if len(entries) <= keep:
        return
    by_use = sorted(entries, key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in by_use[keep:]:
        stale.unlink(missing_ok=True)


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
            text = path.read_text(encoding="utf-8")
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
