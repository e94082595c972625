"""Read rule files from disk (a file or a folder tree) and check them together."""

from __future__ import annotations

from pathlib import Path

from dsl import ir
from dsl.checker import check
from dsl.diagnostics import Diagnostic, RuleError
from dsl.parser import parse_text

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
                        "E100", f"cannot read rule file: {exc.strerror or exc}", _file_span(name)
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


def _file_span(name: str):
    from dsl.ast import Span

    return Span(name, 0, 0, 0, 0)
