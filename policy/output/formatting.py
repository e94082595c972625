"""Money, percentages, dates and words in the reader's language: the one place output is
formatted (docs/architecture.md, "One formatting and translation layer").

Numbers and dates come from Babel's CLDR data for nl_BE, fr_BE and en_GB; every sentence
and header of the command line goes through `Formatter.gettext`, looked up in the gettext
catalogs under policy/locale/. Amounts arrive exact (Fraction, Decimal or int) and are
turned into Decimal without ever passing through a float.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction
from functools import lru_cache, wraps
from pathlib import Path
from typing import ParamSpec, TypeVar

from dsl.errors import Lookup, SubsidiaError, localize

# English is written for readers across the EU: en_GB gives "€40,000.00" and day-month
# dates ("1 March 2026"); en_BE would print English words with Belgian separators
# ("40.000,00 €"), which English readers misread, and en_US puts the month first.
LOCALES = {"nl": "nl_BE", "fr": "fr_BE", "en": "en_GB"}
LANGS = tuple(LOCALES)
DOMAIN = "subsidia"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

Number = Fraction | Decimal | int
P = ParamSpec("P")
R = TypeVar("R")


# Decimal's default 28 digits would round a long figure; with 60 every amount a profile can
# state is exact, and a fraction without a finite decimal expansion keeps 60 digits.
_DIGITS = 60


def _decimal(value: Number) -> Decimal:
    """An exact Decimal when the value has a finite decimal expansion."""
    if isinstance(value, Decimal):
        return value
    value = Fraction(value)
    with localcontext() as ctx:
        ctx.prec = _DIGITS
        return Decimal(value.numerator) / Decimal(value.denominator)


def _exponent(value: Decimal) -> int:
    """The exponent of a finite Decimal (an infinity's or a NaN's is a letter)."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int), value
    return exponent


def cents(value: Number) -> Decimal:
    """Down to the cent, as grants are (policy/engine.py, `round_grant`): a figure shown is
    never more than the rules give. Figures already in cents are unchanged."""
    floor = (Fraction(value) * 100).__floor__()
    return Decimal(f"{floor}E-2")  # exact: read from text, whatever the context


def _exact(method: Callable[P, R]) -> Callable[P, R]:
    """Runs a formatting method with enough digits that Babel's rounding never applies."""

    @wraps(method)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with localcontext() as ctx:
            ctx.prec = _DIGITS
            return method(*args, **kwargs)

    return run


class Formatter:
    """Formatting for one language: `money`, `percent`, `number`, `date`, and `gettext` for
    translated sentences (`{name}` placeholders filled after the lookup)."""

    def __init__(self, lang: str) -> None:
        if lang not in LOCALES:
            raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGS)}")
        self.lang = lang
        self.locale = LOCALES[lang]
        self._messages = _messages(lang)

    def gettext(self, message: str, **values: object) -> str:
        found = self._messages.get(message) or message
        return found.format(**values) if values else found

    def lookup(self, template: str) -> str:
        """The translation of a message template, its placeholders left to fill."""
        return self._messages.get(template) or template

    def text(self, message: str) -> str:
        """A `Message` (dsl/errors.py) in this language; other text is data, unchanged."""
        return localize(message, self.lookup)

    def error(self, err: SubsidiaError) -> str:
        """An error as `str(err)` shows it, in this language: the one formatting of errors
        for the command line, the HTTP service and the web pages."""
        return err.localized(self.lookup)

    @_exact
    def money(self, value: Number | None) -> str:
        """Euros to the cent, rounded down; `unknown` (translated) for None."""
        if value is None:
            return self.gettext("unknown")
        from babel.numbers import format_currency

        return format_currency(cents(value), "EUR", locale=self.locale)

    @_exact
    def money_exact(self, value: Number | None) -> str:
        """Euros with every decimal the figure has, none for whole euros ("€1,800,000",
        "€12.50", "€0.125"): for figures the rules do not round, like a turnover or a cap."""
        if value is None:
            return "?"
        import copy

        from babel import Locale

        locale = Locale.parse(self.locale)
        amount = _decimal(value).normalize()
        pattern = copy.copy(locale.currency_formats["standard"])
        places = max(0, -_exponent(amount))
        pattern.frac_prec = (0, 0) if places == 0 else (2, max(2, places))
        return pattern.apply(
            amount, locale, currency="EUR", currency_digits=False, decimal_quantization=False
        )

    @_exact
    def percent(self, value: Number) -> str:
        """A share of one as a percentage: 3/10 is 30 %; at most four decimals (a rate, not
        an amount: rounded half to even only here, for the reader)."""
        from babel.numbers import format_percent

        share = _decimal(value)
        if _exponent(share) < -6:
            share = share.quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)
        return format_percent(share.normalize(), locale=self.locale, decimal_quantization=False)

    @_exact
    def number(self, value: Number | None) -> str:
        if value is None:
            return "?"
        from babel.numbers import format_decimal

        return format_decimal(_decimal(value), locale=self.locale, decimal_quantization=False)

    def date(self, day: dt.date | None) -> str:
        if day is None:
            return "?"
        from babel.dates import format_date

        return format_date(day, "long", locale=self.locale)

    def words(self, values: list[str]) -> str:
        """A list in running text: "a, b and c" / "a, b en c" / "a, b et c"."""
        from babel.lists import format_list

        return format_list(values, locale=self.locale) if values else ""


@lru_cache(maxsize=len(LANGS))
def formatter(lang: str = "en") -> Formatter:
    return Formatter(lang)


def _formatter_of(lookup: Lookup) -> Formatter:
    """The formatter whose `lookup` this is (English for any other lookup): a figure
    inside a message is formatted in the language the message is translated into."""
    owner = getattr(lookup, "__self__", None)
    return owner if isinstance(owner, Formatter) else formatter("en")


class Money:
    """Euros inside a message (`N_("... {amount}", amount=Money(x))`): "€40,000.00",
    "€ 40.000,00" or "40 000,00 €" as the message is shown, rounded down to the cent."""

    def __init__(self, value: Number) -> None:
        self.value = value

    def localize(self, lookup: Lookup) -> str:
        return _formatter_of(lookup).money(self.value)

    def __str__(self) -> str:
        return formatter("en").money(self.value)


class Label:
    """A rule's label inside a message: the label in the message's language, else the
    English one, else `fallback` (the rule's name)."""

    def __init__(self, labels: Mapping[str, str], fallback: str) -> None:
        self.labels = labels
        self.fallback = fallback

    def localize(self, lookup: Lookup) -> str:
        lang = _formatter_of(lookup).lang
        return self.labels.get(lang) or self.labels.get("en") or self.fallback

    def __str__(self) -> str:
        return self.labels.get("en") or self.fallback


class Figure:
    """A plain number inside a message ("12.5", "12,5"), every decimal it has."""

    def __init__(self, value: Number) -> None:
        self.value = value

    def localize(self, lookup: Lookup) -> str:
        return _formatter_of(lookup).number(self.value)

    def __str__(self) -> str:
        return formatter("en").number(self.value)


def _messages(lang: str) -> dict[str, str]:
    """The catalog of `lang` as msgid → msgstr. The .po file is compiled on first use and
    kept in the cache folder (keyed by its content), not at install time: an editable
    install, a wheel and a source checkout then read the same file, and an edited .po is
    never shadowed by a stale .mo."""
    if lang == "en":
        return {}  # the messages are written in English
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    try:
        data = path.read_bytes()
    except OSError:
        return {}  # a missing catalog leaves English rather than failing a check
    from dsl.cache import disk_cached

    key = hashlib.sha256(data).hexdigest()[:16]
    return disk_cached(f"messages-{lang}-{key}", lambda: _compile(path))


def _compile(path: Path) -> dict[str, str]:
    from babel.messages.pofile import read_po

    with path.open("rb") as fh:
        catalog = read_po(fh)
    return {
        str(m.id): str(m.string)
        for m in catalog
        if m.id and m.string and not m.fuzzy and isinstance(m.id, str)
    }


def _(message: str) -> str:
    """Marks a message for `pybabel extract` where it is defined, not translated yet
    (tables of words looked up later with `Formatter.gettext`)."""
    return message
