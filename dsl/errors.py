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

from collections.abc import Callable
from typing import Protocol, runtime_checkable


def english(template: str) -> str:
    """The lookup for English: the templates are written in English."""
    return template


# Looks a message template up in the reader's language: English template in, translated
# template out (policy/output/formatting.py `Formatter.lookup`; the identity for English).
Lookup = Callable[[str], str]


class Message(str):
    """A translatable message: the English text, plus the template it was made from and
    the values filled into it (docs/i18n.md).

    A `str` on purpose: `str(err)`, logs, comparisons and the tests see the English text,
    and every place that only passes a message on keeps working unchanged. Only the error
    handlers that know the reader's language call `localize`. The values are data (field
    paths, file:line:col, what the user wrote): they are filled in after the lookup and
    never translated themselves, except a value that is itself a `Message` (a reason
    inside a sentence), which is localized the same way.
    """

    template: str
    values: dict[str, object]

    def __new__(cls, template: str, /, **values: object) -> Message:
        self = super().__new__(cls, _fill(template, values, english) if values else template)
        self.template = template
        self.values = values
        return self

    def localize(self, lookup: Lookup) -> str:
        """The message with its template looked up; English if a translation is broken."""
        template = lookup(self.template)
        if not self.values:
            return template
        try:
            return _fill(template, self.values, lookup)
        except (KeyError, IndexError, ValueError, AttributeError):
            return str(self)


@runtime_checkable
class Localizable(Protocol):
    """A value shown differently per language: a `Message`, or an amount inside a message
    (policy/output/formatting.py `Money`), given the lookup of the reader's language."""

    def localize(self, lookup: Lookup) -> str: ...


def _fill(template: str, values: dict[str, object], lookup: Lookup) -> str:
    """`template` with its placeholders filled: a `Localizable` value (a nested message, an
    amount) in the lookup's language, a tuple of values listed with commas ("'{', a name"),
    anything else as it is."""
    filled = {
        key: ", ".join(str(_value(item, lookup)) for item in value)
        if isinstance(value, tuple)
        else _value(value, lookup)
        for key, value in values.items()
    }
    return template.format(**filled)


def _value(value: object, lookup: Lookup) -> object:
    return value.localize(lookup) if isinstance(value, Localizable) else value


def localize(text: str, lookup: Lookup) -> str:
    """`text` in the reader's language when it is a `Message`; any other text is data."""
    return text.localize(lookup) if isinstance(text, Message) else text


def N_(template: str, /, **values: object) -> Message:
    """Marks a message template for `make messages` (pybabel extracts `N_("...")`) and
    fills its `{name}` placeholders: `N_("must be at most {maximum}", maximum=m)`."""
    return Message(template, **values)


class SubsidiaError(Exception):
    """Something Subsidia refuses, with a message meant for the person who can fix it."""

    # The `subsidia` exit code for this error (docs/cli.md, policy/cli/exit_codes.py).
    exit_code: int = 2

    def localized(self, lookup: Lookup) -> str:
        """The error as `str(err)` shows it, in the language `lookup` translates into.
        Subclasses whose text is built from `Message`s override it; the rest stay English."""
        if len(self.args) == 1 and isinstance(self.args[0], Message):
            return self.args[0].localize(lookup)
        return str(self)


class UsageError(SubsidiaError):
    """A bad command-line value or call (`--as-of: 'x' is not a date`); the message is final."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def localized(self, lookup: Lookup) -> str:
        return localize(self.message, lookup)


class InternalError(SubsidiaError):
    """A bug or an internal signal; never a message for the user (the CLI shows a traceback)."""
