"""The exit codes of `subsidia`; docs/cli.md has the same table (tests/test_error_codes.py)."""

from __future__ import annotations

OK = 0  # the command did what was asked
FINDINGS = 1  # it ran, and found what a script should stop on (failed cases, lint, diff, ...)
BAD_INPUT = 2  # it could not run: a bad argument, profile, scenario or rule file
PIPE_CLOSED = 1  # the reader of stdout stopped early (`| head`); stopped quietly
ROWS_REJECTED = 3  # `screen` wrote its output, but some input rows failed validation
INTERRUPTED = 130  # stopped by Ctrl-C (128 + SIGINT); `screen` leaves nothing written
