"""One error type for everything wrong in rule files, rendered as `file:line:col` with a caret."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

from dsl.errors import N_, Lookup, SubsidiaError, english, localize
from dsl.span import Span

MAX_ERRORS_PER_FILE = 20
MAX_SHOWN = 160  # characters of a source line shown under a message
# The severity word of a rendered diagnostic, translated with the message.
SEVERITIES = {"error": N_("error"), "warning": N_("warning")}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str  # a registered code (dsl/codes.py), e.g. codes.SYNTAX, a str equal to E101
    message: str
    span: Span
    hints: tuple[str, ...] = ()
    severity: str = "error"  # error | warning

    def render(self, sources: dict[str, str] | None = None, lookup: Lookup = english) -> str:
        """`file:line:col: error[E201]: message`, the source line, a caret, then hints;
        the words in the language of `lookup`, the location, code and source as they are."""
        s = self.span
        severity = lookup(SEVERITIES.get(self.severity, self.severity))
        message = localize(self.message, lookup)
        lines = [f"{s.file}:{s.line}:{s.column}: {severity}[{self.code}]: {message}"]
        text = (sources or {}).get(s.file)
        if text is not None and s.line > 0:
            source_lines = text.splitlines()
            if s.line <= len(source_lines):
                src = source_lines[s.line - 1]
                width = 1
                if s.end_line == s.line and s.end_column > s.column:
                    width = s.end_column - s.column
                if len(src) > MAX_SHOWN:  # a generated one-line file: show the start
                    src = src[:MAX_SHOWN] + "…"
                    width = max(1, min(width, MAX_SHOWN + 2 - s.column))
                lines.append(f"  {s.line:>4} | {src}")
                lines.append("       | " + " " * (s.column - 1) + "^" * width)
        lines.extend(f"  = {localize(hint, lookup)}" for hint in self.hints)
        return "\n".join(lines)


@dataclass
class RuleError(SubsidiaError):
    """Raised when rule files cannot be parsed or checked; holds every diagnostic found."""

    diagnostics: list[Diagnostic]
    sources: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.render()

    def render(self, lookup: Lookup = english) -> str:
        return "\n".join(d.render(self.sources, lookup) for d in self.diagnostics)

    def localized(self, lookup: Lookup) -> str:
        return self.render(lookup)


def did_you_mean(name: str, candidates: Iterable[str]) -> tuple[str, ...]:
    """A 'did you mean' hint for a misspelt name, or nothing when no candidate is close."""
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return (N_("did you mean '{name}'?", name=close[0]),) if close else ()
