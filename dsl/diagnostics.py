"""One error type for everything wrong in rule files, rendered as `file:line:col` with a caret."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

from dsl.errors import SubsidiaError
from dsl.span import Span

MAX_ERRORS_PER_FILE = 20
MAX_SHOWN = 160  # characters of a source line shown under a message


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str  # a registered code (dsl/codes.py), e.g. codes.SYNTAX, a str equal to E101
    message: str
    span: Span
    hints: tuple[str, ...] = ()
    severity: str = "error"  # error | warning

    def render(self, sources: dict[str, str] | None = None) -> str:
        """`file:line:col: error[E201]: message`, the source line, a caret, then hints."""
        s = self.span
        lines = [f"{s.file}:{s.line}:{s.column}: {self.severity}[{self.code}]: {self.message}"]
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
        lines.extend(f"  = {hint}" for hint in self.hints)
        return "\n".join(lines)


@dataclass
class RuleError(SubsidiaError):
    """Raised when rule files cannot be parsed or checked; holds every diagnostic found."""

    diagnostics: list[Diagnostic]
    sources: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.render()

    def render(self) -> str:
        return "\n".join(d.render(self.sources) for d in self.diagnostics)


def did_you_mean(name: str, candidates: Iterable[str]) -> tuple[str, ...]:
    """A 'did you mean' hint for a misspelt name, or nothing when no candidate is close."""
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return (f"did you mean '{close[0]}'?",) if close else ()
