"""Checks that a text is translated: no word of the English sentence left, the data kept."""

from __future__ import annotations

import re
from collections.abc import Set

# Words a message carries as data, never translated: the rule language's type names and
# keywords (inserted unquoted: "cannot compute money + percent", "'}' ...; expected
# aggregate"), units, the date format and the product's name; the words of a
# `# lint: allow L702 because ...` comment, which a hint shows as it must be written.
CODE_WORDS = {
    "money", "percent", "number", "months", "bool", "amount", "limit", "programme",
    "aggregate", "eur", "yyyy", "subsidia", "lint", "allow", "because",
}  # fmt: skip
# Words spelt the same in English and in the translation: a correct French sentence keeps them.
SAME_WORD = {
    "nl": {"consortium", "server"},
    "fr": {
        "date", "dates", "condition", "conditions", "consortium", "collaboration", "effective",
    },
}
WORD = re.compile(r"[^\W\d_]{3,}")  # letters, accented ones included ("unité" is one word)


def prose_words(text: str) -> set[str]:
    """The words of a message's own sentence: without the data it carries (quoted values,
    file:line:col, the source line under a diagnostic, field paths, codes like E201)."""
    kept = []
    for line in text.splitlines():
        if re.match(r"\s+\d+ \||\s+\|", line):  # the source line and its caret
            continue
        line = re.sub(r"'[^']*'|\"[^\"]*\"", " ", line)  # quoted values
        line = re.sub(r"\S*[/._\[\]:]\S*", " ", line)  # paths, file:line:col, field paths
        line = re.sub(r"\[[EW]\d+\]", " ", line)
        kept.append(line)
    return {w.lower() for w in WORD.findall(" ".join(kept))} - CODE_WORDS


def assert_translated(
    english: str, translated: str, data: list[str], lang: str, names: Set[str] = frozenset()
) -> None:
    """No word of the English sentence is left, and every piece of data is still there;
    `names` are identifiers shown bare (a condition called `theme`), data like the rest."""
    words = prose_words(english) - SAME_WORD[lang] - names
    assert words, english  # the check would be empty otherwise
    left = words & prose_words(translated)
    assert not left, f"English words {sorted(left)} left in: {translated!r}"
    for item in data:
        assert item in translated, (item, translated)
