"""What the checker knows statically about an expression's size and constant values.

- `inlined_depth`: how deep an IR expression is once definitions are inlined, as the Python
  backends do; measured without recursion, so that a rule file cannot make any later
  (recursive) stage exceed Python's stack. The limit is the parser's `MAX_DEPTH`.
- `constant_values`: the values an expression can take when it depends on nothing but
  literals and parameters (one value per combination of parameter versions), so that the
  checker can refuse a division by zero, a negative cap and a figure too large to print
  before any profile is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from itertools import product

from dsl import ir

MAX_DIGITS = 24  # of a constant's integer part or of its denominator
_TOO_LARGE = 10**MAX_DIGITS
_MAX_VALUES = 64  # combinations of parameter versions followed; beyond, "not constant"


def inlined_depth(
    node: ir.Node,
    definitions: Mapping[str, ir.Definition],
    memo: dict[int, tuple[ir.Node, int]],
) -> int:
    """Levels of `node` with every `DefRef` replaced by its definition's expression.

    `memo` (by node identity, each entry keeping its node alive so that no identity is
    reused while the memo lives) is shared by the calls of one checker run.
    """
    stack: list[tuple[ir.Node, bool]] = [(node, False)]
    while stack:
        n, ready = stack.pop()
        if id(n) in memo:
            continue
        below = _below(n, definitions)
        if not ready:
            stack.append((n, True))
            stack.extend((c, False) for c in below if id(c) not in memo)
            continue
        memo[id(n)] = (n, 1 + max((memo[id(c)][1] for c in below), default=0))
    return memo[id(node)][1]


def _below(n: ir.Node, definitions: Mapping[str, ir.Definition]) -> tuple[ir.Node, ...]:
    if isinstance(n, ir.DefRef):
        found = definitions.get(n.qname)
        return (found.expr,) if found is not None else ()
    return ir.children(n)


def constant_values(
    node: ir.Node, params: Mapping[str, ir.Param], definitions: Mapping[str, ir.Definition]
) -> frozenset[Fraction] | None:
    """Every value `node` can take, when it is a number computed from literals and
    parameters only (`unknown` versions left out); None otherwise. Divisions by zero are
    left out (the checker reports them where they are written)."""
    match node:
        case ir.Const(value=Fraction() as value):
            return frozenset({value})
        case ir.ParamRef(qname=qname):
            param = params.get(qname)
            if param is None:
                return None
            values = {
                v.value.value
                for v in param.versions
                if isinstance(v.value, ir.Const) and isinstance(v.value.value, Fraction)
            }
            return frozenset(values) or None
        case ir.DefRef(qname=qname):
            found = definitions.get(qname)
            return None if found is None else constant_values(found.expr, params, definitions)
        case ir.Neg(operand=operand):
            inner = constant_values(operand, params, definitions)
            return None if inner is None else frozenset(-v for v in inner)
        case ir.Arith(op=op, left=left, right=right):
            lefts = constant_values(left, params, definitions)
            rights = constant_values(right, params, definitions)
            if lefts is None or rights is None or len(lefts) * len(rights) > _MAX_VALUES:
                return None
            return frozenset(
                _apply(op, a, b) for a, b in product(lefts, rights) if not (op == "/" and b == 0)
            )
    return None


def _apply(op: str, a: Fraction, b: Fraction) -> Fraction:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    return a / b


def too_large(value: Fraction) -> bool:
    """More than `MAX_DIGITS` digits before the point, or a denominator that long."""
    return abs(value.numerator) >= _TOO_LARGE * value.denominator or value.denominator >= _TOO_LARGE
