"""The command line in the reader's language, argparse's own words included.

argparse writes its headings and errors through `gettext.gettext` of the process's default
domain (`from gettext import gettext as _` in argparse.py), which would need compiled `.mo`
files and the process's locale. Instead, while one command line is built and parsed,
`argparse._` is our catalogue's lookup for the language `--lang` asks for: its msgids are
listed below (marked for `make messages`) and translated in policy/locale like ours.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator

from dsl.errors import N_, UsageError, localize
from policy.output.formatting import LANGS, Formatter, _, formatter

# argparse's messages a user of `subsidia` can meet (Python 3.11-3.13); the rest of
# argparse.py's `_()` calls report mistakes in the parser's own definition.
ARGPARSE_MESSAGES = (
    _("usage: "),
    # Headings: argparse adds the ":" itself, so the French ones end with a space.
    _("positional arguments"),
    _("options"),
    _("show this help message and exit"),
    _("argument %(argument_name)s: %(message)s"),
    _("the following arguments are required: %s"),
    _("invalid choice: %(value)r (choose from %(choices)s)"),
    _("invalid %(type)s value: %(value)r"),
    _("unrecognized arguments: %s"),
    _("ambiguous option: %(option)s could match %(matches)s"),
    _("expected one argument"),
    _("expected at most one argument"),
    _("expected at least one argument"),
    _("ignored explicit argument %r"),
    _("unknown parser %(parser_name)r (choices: %(choices)s)"),
)

_active = formatter("en")


ENVIRONMENT = "SUBSIDIA_LANG"  # the default of `--lang` (docs/i18n.md)


def default() -> str:
    """`SUBSIDIA_LANG` when it names one of our languages, else English."""
    value = os.environ.get(ENVIRONMENT, "")
    return value if value in LANGS else "en"


def check_environment() -> None:
    """A `SUBSIDIA_LANG` that names no language of ours is a usage error (exit code 2)."""
    value = os.environ.get(ENVIRONMENT, "")
    if value and value not in LANGS:
        message = N_(
            "{variable}: '{lang}' is not one of {names}",
            variable=ENVIRONMENT,
            lang=value,
            names=", ".join(LANGS),
        )
        raise UsageError(message)


def requested(argv: list[str]) -> str:
    """The language `--lang` asks for in `argv`, read before parsing (the command line
    itself may be what is wrong); `default()` when it names none or an unknown one."""
    lang = default()
    for i, word in enumerate(argv):
        value = argv[i + 1] if word == "--lang" and i + 1 < len(argv) else None
        if word.startswith("--lang="):
            value = word.removeprefix("--lang=")
        if value in LANGS:
            lang = value
    return lang


def active() -> Formatter:
    """The formatter of the command line being parsed (English outside `speaking`)."""
    return _active


def text(message: str) -> str:
    """A message (`N_(...)`) in the language of the command line being parsed: for the
    option value checks argparse reports (`--lang`, `--workers`)."""
    return localize(message, _active.lookup)


@contextlib.contextmanager
def speaking(lang: str) -> Iterator[Formatter]:
    """argparse's messages and headings in `lang` while the block runs (build the parser
    and parse inside it: argparse translates its headings when a parser is made)."""
    global _active
    names = vars(argparse)  # `_` is private to argparse: no stub declares it
    saved, saved_active = names["_"], _active
    _active = formatter(lang)
    names["_"] = _active.lookup
    try:
        yield _active
    finally:
        names["_"] = saved
        _active = saved_active
