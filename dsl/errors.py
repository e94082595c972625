"""The root of every exception Subsidia raises on purpose.

It lives in `dsl/` because `dsl` is the bottom layer: `policy` and `solver` import it,
it imports nothing of ours. `policy.errors` re-exports it for users of the public API.

Two branches:
- `SubsidiaError` itself and most subclasses are problems the user can fix (a rule file,
  a profile, a command-line value). The CLI prints `str(err)` and exits with `exit_code`.
- `InternalError` subclasses are bugs, or control flow that must never escape the module
  that raises it. The CLI lets them through so they show a traceback.
"""

from __future__ import annotations


class SubsidiaError(Exception):
    """Something Subsidia refuses, with a message meant for the person who can fix it."""

    # The `subsidia` exit code for this error (docs/cli.md, policy/cli/exit_codes.py).
    exit_code: int = 2


class UsageError(SubsidiaError):
    """A bad command-line value or call (`--as-of: 'x' is not a date`); the message is final."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InternalError(SubsidiaError):
    """A bug or an internal signal; never a message for the user (the CLI shows a traceback)."""
