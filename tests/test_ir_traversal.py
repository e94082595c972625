"""The IR's one traversal (walk, transform), its cached hashes and the built-in registry."""

from __future__ import annotations

import pickle
from fractions import Fraction

from dsl import ir
from dsl.builtins import BUILTINS
from dsl.types import BOOL, MONEY, NUMBER
from policy import engine

ONE = ir.Const(NUMBER, Fraction(1))
STAFF = ir.Field(NUMBER, "company.staff")
VAR = ir.Var("e", "company.enterprises", 1)
SHARE = ir.ElemField(NUMBER, VAR, "share")
SUM = ir.Arith(NUMBER, "+", STAFF, STAFF)  # a shared child
AGG = ir.Aggregate(NUMBER, "sum", VAR, ir.Arith(NUMBER, "*", SHARE, SUM), None)
TEST = ir.Compare("<", AGG, ir.DefRef(NUMBER, "b.limit"))


def test_walk_yields_each_node_once_in_pre_and_post_order() -> None:
    pre = list(ir.walk(TEST))
    assert pre[0] is TEST and pre.count(STAFF) == 1 and len(pre) == len({id(n) for n in pre})
    post = list(ir.walk(TEST, "post"))
    assert post[-1] is TEST and {id(n) for n in pre} == {id(n) for n in post}
    for i, node in enumerate(post):  # children come before their parent
        assert all(post.index(c) < i for c in ir.children(node))


def test_walk_follows_definitions_with_a_catalogue() -> None:
    cat = ir.Catalogue(
        {"b.limit": ir.Definition("b.limit", NUMBER, ONE, {}, ())}, {}, {}, {"b": {}}
    )
    assert ONE not in list(ir.walk(TEST))
    assert ONE in list(ir.walk(TEST, catalogue=cat))


def test_transform_rebuilds_bottom_up_and_keeps_unchanged_subtrees() -> None:
    def double_staff(node: ir.Node) -> ir.Node:
        return ir.Field(MONEY, "company.turnover") if node == STAFF else node

    out = ir.transform(TEST, double_staff)
    assert out is not TEST and "company.staff" not in repr(out)
    assert isinstance(out, ir.Compare) and out.right is TEST.right  # unchanged: shared
    assert ir.transform(TEST, lambda n: n) is TEST


def test_free_vars_and_hash_are_cached_per_node_and_not_pickled() -> None:
    assert ir.free_vars(AGG) == () and ir.free_vars(AGG.body) == (VAR,)
    copy = pickle.loads(pickle.dumps(TEST))
    assert copy == TEST and hash(copy) == hash(TEST)
    assert not hasattr(pickle.loads(pickle.dumps(ONE)), "_hash")


def test_every_expression_kind_has_its_children() -> None:
    cat = engine.catalogue()
    seen = {
        type(n)
        for d in cat.definitions.values()
        for n in ir.walk(d.expr)
        if isinstance(n, ir.EXPRESSION_KINDS)
    }
    assert seen <= set(ir.EXPRESSION_KINDS)


def test_every_builtin_has_a_grounder_function_and_types() -> None:
    from solver.asp.arith import Functions

    for function in BUILTINS.values():
        assert callable(getattr(Functions(), function.asp)), function.name
    assert BUILTINS["starts_with"].result([ir.Field(BOOL, "x").type]) is None
    assert BUILTINS["floor"].apply([Fraction(7, 2)]) == 3
