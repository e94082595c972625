"""Types and units of the rule language, and the unit algebra of its operators."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Type:
    name: str

    def __str__(self) -> str:
        return self.name


NUMBER = Type("number")
MONEY = Type("money")
PERCENT = Type("percent")
MONTHS = Type("months")
DATE = Type("date")
BOOL = Type("bool")
SYMBOL = Type("symbol")
TEXT = Type("text")
SYMBOL_SET = Type("set")

BY_NAME: dict[str, Type] = {
    t.name: t for t in (NUMBER, MONEY, PERCENT, MONTHS, DATE, BOOL, SYMBOL, TEXT, SYMBOL_SET)
}

# Quantities: types whose values are exact rationals.
NUMERIC = frozenset({NUMBER, MONEY, PERCENT, MONTHS})

_ADDITIVE = {(t, t): t for t in NUMERIC}
_ADDITIVE[(DATE, MONTHS)] = DATE

_MULTIPLY = {
    (NUMBER, NUMBER): NUMBER,
    (PERCENT, PERCENT): PERCENT,
    (MONEY, PERCENT): MONEY,
    (PERCENT, MONEY): MONEY,
    (MONTHS, PERCENT): MONTHS,
    (PERCENT, MONTHS): MONTHS,
}
for _t in NUMERIC:
    _MULTIPLY[(_t, NUMBER)] = _t
    _MULTIPLY[(NUMBER, _t)] = _t
# A percentage of a quantity is that quantity: 30 % of 20 staff is 6 staff.
_MULTIPLY[(PERCENT, NUMBER)] = NUMBER
_MULTIPLY[(NUMBER, PERCENT)] = NUMBER

_DIVIDE = {(t, NUMBER): t for t in NUMERIC}
_DIVIDE.update(
    {
        (MONEY, MONEY): NUMBER,
        (MONTHS, MONTHS): NUMBER,
        (PERCENT, PERCENT): NUMBER,
        (MONEY, PERCENT): MONEY,
    }
)


def arithmetic_result(op: str, left: Type, right: Type) -> Type | None:
    """Result type of `left op right`, or None when the units do not combine."""
    if op == "+":
        return _ADDITIVE.get((left, right))
    if op == "-":
        if (left, right) == (DATE, MONTHS):
            return DATE
        return _ADDITIVE.get((left, right)) if left != DATE else None
    if op == "*":
        return _MULTIPLY.get((left, right))
    if op == "/":
        return _DIVIDE.get((left, right))
    raise ValueError(op)


def comparable(left: Type, right: Type, op: str) -> bool:
    """Whether `left op right` is a meaningful comparison."""
    if left != right:
        return False
    if op in ("=", "!="):
        return left not in (BOOL, SYMBOL_SET)
    return left in NUMERIC or left == DATE
