"""Checking the properties of the rules (`property` blocks, docs/properties.md).

A property is violated by a profile (or a pair of profiles) for which its `assume` is true
and its `ensure` false; unknown is neither. Two searches look for one:

- **the solver** (one profile: one programme or several): clingo chooses a profile over
  the finite domain the rules themselves compare against (solver.search.candidates: each
  boundary a field is compared with, a step either side, the symbols tested, lists of at
  most two elements) such that the property fails. No such profile: the property holds
  *within those bounds*, and the answer states them.
- **the search** (every kind; the only one for two profiles): Hypothesis draws profiles
  from the same candidate values and from plain figures around them, shrinks what it finds,
  and keeps past counterexamples in a database under the user cache folder, so the next
  run tries them first.

Every counterexample is a complete profile in the profile format, and is reported only
after it was loaded as `subsidia check` loads it (costing included) and the property
evaluated on that: what the answer shows is what `subsidia check` on the file shows.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import fnmatch
import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from dsl import ir
from dsl import vocabulary as vocab
from dsl.cache import disk_lookup, disk_store
from dsl.errors import N_
from dsl.types import BOOL, DATE, NUMERIC, SYMBOL, TEXT, Type
from policy import engine
from policy.authoring.parallel import fork_map
from policy.authoring.profiles import loadable, profile_of
from policy.errors import InputError
from solver.record import InputRecord, Value

PROPERTY_ID = "__property"  # the stand-in programme whose one condition is the violation
# Examples Hypothesis tries per property: enough for the bundled catalogue to stay within
# a few seconds; `SUBSIDIA_PROPERTY_EXAMPLES` raises it for a long search.
EXAMPLES = 60
LONG_ENV = "SUBSIDIA_PROPERTY_EXAMPLES"
DATABASE_ENV = "SUBSIDIA_PROPERTY_DB"  # the counterexample database's folder ("" for none)
WITNESSES = 8  # solver witnesses tried, when filling one in changes the answer
CASE_SEEDS = 8  # a programme's cases a search over two profiles starts from, at most


@dataclass(slots=True)
class PropertyResult:
    name: str  # block.property
    kind: str  # one | two | cross
    status: str  # holds | violated | undecided
    method: str  # solver | search
    bounds: str | None = None
    counterexample: dict[str, Any] | None = None
    second: dict[str, Any] | None = None  # over two profiles: the other one
    message: str | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "status": self.status,
            "method": self.method,
        }
        if self.bounds is not None:
            out["bounds"] = self.bounds
        if self.counterexample is not None:
            out["counterexample"] = self.counterexample
        if self.second is not None:
            out["second"] = self.second
        if self.message is not None:
            out["message"] = self.message
        return out


# ---- evaluation: the path `subsidia check` takes


class Judge:
    """A property evaluated on profiles loaded as `subsidia check` loads them."""

    def __init__(self, catalogue: ir.Catalogue, prop: ir.Property, day: dt.date) -> None:
        from solver.native.direct import DirectProgram, evaluate_node

        self.catalogue, self.prop, self.day = catalogue, prop, day
        self.program = DirectProgram(catalogue, day, programmes=[])
        self._evaluate = evaluate_node
        self.assume = None if prop.assume is None else self.program.resolve(prop.assume)
        self.ensure = self.program.resolve(prop.ensure)

    def record(self, profile: dict[str, Any]) -> InputRecord | None:
        """The record `subsidia check` evaluates for this profile; None if it does not load."""
        from policy.funding.budget import check_record
        from policy.inputs.loading import parse_profile

        try:
            loaded = parse_profile(dict(profile))
            return check_record(self.catalogue, loaded, self.day)
        except InputError:
            return None

    def violated_by(self, record: InputRecord) -> bool:
        ctx = self.program.context(record)
        if self.assume is not None and self._evaluate(self.assume, ctx, ()) is not True:
            return False
        return self._evaluate(self.ensure, ctx, ()) is False

    def violates(self, first: dict[str, Any], second: dict[str, Any] | None = None) -> bool:
        """Whether the profile (the pair of profiles) violates the property, as loaded."""
        record = self.record(first)
        if record is None:
            return False
        if second is not None:
            other = self.record(second)
            if other is None:
                return False
            record = paired(record, other)
        return self.violated_by(record)


def paired(first: InputRecord, second: InputRecord) -> InputRecord:
    """One record holding both profiles: the second one's paths `b:`-prefixed."""
    scalars = dict(first.scalars)
    scalars.update({ir.SECOND + k: v for k, v in second.scalars.items()})
    collections = dict(first.collections)
    collections.update({ir.SECOND + k: v for k, v in second.collections.items()})
    return InputRecord(scalars, collections)


def _violation(prop: ir.Property) -> ir.Node:
    fails = ir.Not(prop.ensure)
    return fails if prop.assume is None else ir.Logic("and", (prop.assume, fails))


def _first_side(node: ir.Node) -> ir.Node:
    """The expression with the second profile's paths read on the first: the rules compare
    both profiles' fields with the same values."""

    def one(n: ir.Node) -> ir.Node:
        match n:
            case ir.Field(type=t, path=p) if p.startswith(ir.SECOND):
                return ir.Field(t, p.removeprefix(ir.SECOND))
            case ir.ElemField(type=t, var=v, field=f) if v.collection.startswith(ir.SECOND):
                return ir.ElemField(t, _unprefixed(v), f)
            case ir.Aggregate() if n.var.collection.startswith(ir.SECOND):
                return ir.Aggregate(n.type, n.kind, _unprefixed(n.var), n.body, n.where)
        return n

    return ir.transform(node, one, {})


def _unprefixed(v: ir.Var) -> ir.Var:
    return ir.Var(v.name, v.collection.removeprefix(ir.SECOND), v.depth)


# ---- the solver


def _witnesses(
    catalogue: ir.Catalogue, node: ir.Node, keep: set[str], day: dt.date, deep: bool
) -> tuple[Iterator[InputRecord], Any, int]:
    """Profiles (as the rules see them) for which `node` is true, over the candidate
    values: a lazy series of witnesses, the domain searched, and its lists' length."""
    from solver.asp.compile import compile_programmes
    from solver.search.witness import (
        ELEMENTS,
        FREE,
        Search,
        abstract,
        abstract_definitions,
        build_domain,
        status_atom,
    )

    # Shared definitions (the SME category, the de minimis headroom, ...) become free
    # choices, as in `lint`: the grounding stays small, and "no witness" stays true for
    # their real values, which are among the choices. A witness may then rest on a value
    # no profile gives them; such a witness does not reproduce and is not reported.
    wanted = abstract(node, catalogue, keep)
    cond = ir.Condition("violated", wanted, {}, ())
    stand_in = ir.Programme(PROPERTY_ID, {}, {}, ir.ALWAYS, (), (cond,), None, (), "")
    view = ir.Catalogue(
        abstract_definitions(catalogue, keep),
        catalogue.params,
        {**catalogue.programmes, PROPERTY_ID: stand_in},
        catalogue.blocks,
    )
    program = compile_programmes(view, day, [PROPERTY_ID])
    domain = build_domain([wanted], view, day)
    for path, values in domain.scalars.items():
        # A free definition takes any value of its type, negative ones too, unless its
        # expression cannot be negative (a headroom `max(x, 0 EUR)`): then a witness with
        # a negative one would be no profile's, and hide the answer.
        if path.startswith(FREE) and _nonnegative(
            catalogue.definitions[path.removeprefix(FREE)].expr, catalogue, day
        ):
            values[:] = [v for v in values if not (isinstance(v, Fraction) and v < 0)]
    stages, elements = domain.stages(), ELEMENTS
    if not deep:  # lists of two elements multiply the grounding: behind the long search
        stages, elements = stages[:1], 1

    def series() -> Iterator[InputRecord]:
        for stage in stages:
            search = Search(program, stage)
            yield from search.find([(status_atom(PROPERTY_ID, "eligible"), True)], WITNESSES)

    return series(), domain, elements


def _solver(
    catalogue: ir.Catalogue,
    prop: ir.Property,
    day: dt.date,
    judge: Judge,
    deep: bool,
    tried: list[InputRecord],
) -> PropertyResult:
    """A counterexample over the candidate values, or "holds within these bounds"."""
    keep = set(prop.programmes) | {prop.qname.split(".", 1)[0]}
    series, domain, elements = _witnesses(catalogue, _violation(prop), keep, day, deep)
    found = False
    for witness in series:
        found = True
        tried.append(witness)
        profile = loadable(profile_of(witness, day))
        if profile is not None and judge.violates(profile):
            return PropertyResult(
                prop.qname, prop.kind, "violated", "solver", counterexample=profile
            )
    if found:
        # Every witness needed a value no profile gives (a shared definition's free value,
        # a hire line with an amount): the search looks among loadable profiles.
        return PropertyResult(
            prop.qname,
            prop.kind,
            "undecided",
            "solver",
            message=N_("the solver's witnesses do not load as profiles unchanged"),
        )
    return PropertyResult(
        prop.qname, prop.kind, "holds", "solver", bounds=_bounds(domain, day, elements)
    )


def _seeds(catalogue: ir.Catalogue, prop: ir.Property, day: dt.date) -> list[InputRecord]:
    """Over two profiles: profiles that meet the first profile's part of the assumption
    (`a.eligible`), from the solver. Drawn at random, such a profile is rare (each condition
    halves the chances); the search starts from these and varies their lists."""
    if prop.assume is None:
        return []
    parts = (
        prop.assume.args
        if isinstance(prop.assume, ir.Logic) and prop.assume.op == "and"
        else (prop.assume,)
    )
    first = [p for p in parts if not _reads_second(p)]
    if not first:
        return []
    node = first[0] if len(first) == 1 else ir.Logic("and", tuple(first))
    keep = set(prop.programmes) | {prop.qname.split(".", 1)[0]}
    series, _, _ = _witnesses(catalogue, node, keep, day, deep=False)
    return [_fields_only(w) for w in series]


def _case_seeds(catalogue: ir.Catalogue, prop: ir.Property, day: dt.date) -> list[InputRecord]:
    """Over two profiles: the profiles of the rule authors' own cases for the programmes
    the property reads (the `.cases.yaml` beside each rule file), up to `CASE_SEEDS` each.

    A solver seed meets the first profile's part of the assumption with the shared
    definitions' values chosen freely; its company fields (staff, reserves, ...) are then
    drawn at random, and the drawn company is seldom one that `a.eligible` holds for. A
    case is a whole company the author wrote, most often an eligible one: from it, adding a
    cost line or changing a figure shows what the property says (measured: the seeded bug
    "amount 0 from two cost lines on" was missed for five programmes without these)."""
    from policy.authoring.cases import SUFFIX, load_cases
    from policy.errors import SubsidiaError
    from policy.funding.budget import check_record

    out: list[InputRecord] = []
    for pid in sorted(prop.programmes):
        programme = catalogue.programmes.get(pid)
        if programme is None or not programme.file:
            continue
        file = Path(programme.file)
        beside = file.with_name(file.name.removesuffix(".rules") + SUFFIX)
        if not beside.is_file():
            continue
        try:
            cases = load_cases(beside)
            out += [check_record(catalogue, c.profile, day) for c in cases[:CASE_SEEDS]]
        except SubsidiaError:  # a case file `subsidia test` reports on its own
            continue
    return out


def _fields_only(record: InputRecord) -> InputRecord:
    """A witness without the values it chose for shared definitions (`@block.name`)."""
    return InputRecord(
        {k: v for k, v in record.scalars.items() if not k.startswith("@")}, record.collections
    )


def _reads_second(node: ir.Node) -> bool:
    return any(
        (isinstance(n, ir.Field) and n.path.startswith(ir.SECOND))
        or (isinstance(n, ir.Aggregate) and n.var.collection.startswith(ir.SECOND))
        for n in ir.walk(node)
    )


def _nonnegative(node: ir.Node, catalogue: ir.Catalogue, day: dt.date) -> bool:
    """Whether a quantity can never be below zero, by its form alone (sound, not complete)."""
    from solver.search.witness import SIGNED

    def go(n: ir.Node) -> bool:
        match n:
            case ir.Const(value=v):
                return isinstance(v, Fraction) and v >= 0
            case ir.Field(path=p):
                return p not in SIGNED
            case ir.ElemField():
                return True  # list figures are never negative in a profile
            case ir.ParamRef(qname=q):
                version = catalogue.params[q].version_at(day)
                return version is not None and go(version.value)
            case ir.DefRef(qname=q):
                return go(catalogue.definitions[q].expr)
            case ir.Arith(op="+" | "*" | "/", left=a, right=b):
                return go(a) and go(b)
            case ir.Builtin(name="max", args=args):
                return any(go(a) for a in args)
            case ir.Builtin(name="min" | "floor", args=args):
                return all(go(a) for a in args)
            case ir.If(then=a, otherwise=b) | ir.Coalesce(first=a, fallback=b):
                return go(a) and go(b)
            case ir.Aggregate(kind="sum" | "maximum" | "minimum" | "count", body=body):
                return n.kind == "count" or go(body)
        return False

    return go(node)


def _bounds(domain: Any, day: dt.date, elements: int) -> str:
    fields = len(domain.scalars) + sum(len(f) for f in domain.elements.values())
    values = sum(len(v) for v in domain.scalars.values())
    values += sum(len(v) for f in domain.elements.values() for v in f.values())
    # A Message (pickled with the cached answer): `subsidia test --lang` translates it.
    if not domain.elements:
        return N_(
            "every profile over the values the rules compare against on {day}: "
            "{fields} fields, {values} candidate values",
            day=str(day),
            fields=fields,
            values=values,
        )
    if elements == 1:
        return N_(
            "every profile over the values the rules compare against on {day}: "
            "{fields} fields, {values} candidate values, lists of at most 1 element",
            day=str(day),
            fields=fields,
            values=values,
        )
    return N_(
        "every profile over the values the rules compare against on {day}: "
        "{fields} fields, {values} candidate values, lists of at most {elements} elements",
        day=str(day),
        fields=fields,
        values=values,
        elements=elements,
    )


# ---- the search (Hypothesis)


@dataclass(frozen=True, slots=True)
class _Space:
    """What profiles to draw: candidate values per field, from the rules' own constants."""

    scalars: dict[str, list[Value]]
    elements: dict[str, dict[str, list[Value]]]


def _space(catalogue: ir.Catalogue, prop: ir.Property, day: dt.date) -> _Space:
    from solver.search.witness import build_domain

    domain = build_domain([_first_side(_violation(prop))], catalogue, day)
    scalars = {k: v for k, v in domain.scalars.items() if k in vocab.SCALARS}
    elements = {c: dict(f) for c, f in domain.elements.items()}
    for path in prop.differ:  # a field that may differ is drawn even if no rule reads it
        head, _, last = path.rpartition(".")
        if path in vocab.SCALARS:
            scalars.setdefault(path, [])
        elif path in vocab.COLLECTIONS:
            elements.setdefault(path, {})
        elif head in vocab.COLLECTIONS:
            elements.setdefault(head, {}).setdefault(last, [])
    return _Space(scalars, elements)


def _value_strategy(kind: Type, values: list[Value], key: str, day: dt.date) -> Any:
    from hypothesis import strategies as st

    if kind == BOOL:
        return st.booleans()
    if kind == DATE:
        near = st.integers(-800, 800).map(lambda d: day + dt.timedelta(days=d))
        return st.sampled_from(values) | near if values else near
    if kind in (SYMBOL, TEXT):
        # The values the rules test first (half the draws), then any allowed one.
        tested = st.sampled_from(sorted(set(values))) if values else st.just("other")
        closed = vocab.SYMBOL_VALUES.get(key)
        return tested | st.sampled_from(sorted(closed)) if closed else tested
    assert kind in NUMERIC
    numbers = [v for v in values if isinstance(v, Fraction) and v >= 0]
    top = int(max(numbers, default=Fraction(100))) * 2 + 10
    plain = st.integers(0, top).map(Fraction)
    if kind.name == "percent":
        plain = st.integers(0, 100).map(lambda p: Fraction(p, 100))
    return st.sampled_from(numbers) | plain if numbers else plain


def _mostly(values: Any) -> Any:
    from hypothesis import strategies as st

    return st.one_of(values, values, values, st.none())


class _Strategies:
    """The strategies drawing records over a `_Space`, each field's built once and shared
    by every seed's (building and validating a strategy costs more than a draw)."""

    def __init__(self, space: _Space, day: dt.date) -> None:
        from hypothesis import strategies as st

        self.space, self.day = space, day
        # A field is given in most draws (an unknown field seldom violates anything) and
        # left out in some: shrinking then leaves out what a counterexample does not need.
        self.scalars = {
            path: _mostly(_value_strategy(vocab.SCALARS[path], values, path, day))
            for path, values in sorted(space.scalars.items())
        }
        self._elements: dict[str, Any] = {}
        self._changed: dict[str, Any] = {}
        # Lists with elements first: most rules read their elements, and an empty list is
        # the simplest example, which Hypothesis would otherwise try far more often.
        self.lists: dict[str, Any] = {
            coll: st.lists(self.element(coll), min_size=1, max_size=3) | st.just([])
            for coll in sorted(space.elements)
        }

    def element(self, coll: str) -> Any:
        """A strategy for one element of the list `coll`."""
        from hypothesis import strategies as st

        if coll in self._elements:
            return self._elements[coll]
        spec = vocab.COLLECTIONS[coll]
        elements = self.space.elements.get(coll, {})
        if spec.scalar is not None:
            found = _value_strategy(spec.scalar, elements.get("", []), coll, self.day)
        else:
            fields = {
                name: _mostly(
                    _value_strategy(spec.fields[name], values, f"{coll}.{name}", self.day)
                )
                for name, values in sorted(elements.items())
                if name
            }
            found = st.fixed_dictionaries(fields).map(
                lambda row: {k: v for k, v in row.items() if v is not None}
            )
        self._elements[coll] = found
        return found

    def changed(self, path: str) -> Any:
        """A `differ` path's value in the second profile: a scalar redrawn (or left out),
        an element field redrawn."""
        from hypothesis import strategies as st

        if path not in self._changed:
            head, _, last = path.rpartition(".")
            if path in vocab.SCALARS:
                values = self.space.scalars.get(path, [])
                kind = vocab.SCALARS[path]
                self._changed[path] = st.none() | _value_strategy(kind, values, path, self.day)
            else:
                kind = vocab.COLLECTIONS[head].fields[last]
                values = self.space.elements.get(head, {}).get(last, [])
                self._changed[path] = _value_strategy(kind, values, path, self.day)
        return self._changed[path]

    def records(self, seed: InputRecord | None = None, seed_lists: str = "never") -> Any:
        """Records: every field drawn; or, from a seed, the fields it leaves out drawn (its
        own stand) and its lists kept (`always`) or kept, shortened or drawn (`either`)."""
        given = seed.scalars if seed is not None else {}
        scalars = {p: s for p, s in self.scalars.items() if p not in given}
        lists = dict(self.lists)
        if seed is not None and seed_lists == "always":
            lists = {}
        elif seed is not None:
            lists = {c: s | _kept(seed.collections.get(c, [])) for c, s in lists.items()}
        return _records(dict(given), scalars, lists, seed)


def _kept(elements: list[Any]) -> Any:
    """A seed's list, or (as often) one of its shorter beginnings: a case with two cost
    lines then also gives the one-line profile that a second line is added to."""
    from hypothesis import strategies as st

    whole = st.just(elements)
    if not elements:
        return whole
    return whole | st.integers(0, len(elements) - 1).map(lambda n: elements[:n])


def _records_drawn(
    draw: Any,
    given: dict[str, Value],
    scalars: dict[str, Any],
    lists: dict[str, Any],
    seed: InputRecord | None,
) -> InputRecord:
    record = InputRecord(dict(given), dict(seed.collections) if seed is not None else {})
    for path, strategy in scalars.items():
        value = draw(strategy)
        if value is not None:
            record.scalars[path] = value
    for coll, strategy in lists.items():
        record.collections[coll] = draw(strategy)
    return record


def _records(*args: Any) -> Any:
    # `st.composite` reads the function's source each time it decorates one: once here.
    global _RECORDS
    if _RECORDS is None:
        from hypothesis import strategies as st

        _RECORDS = st.composite(_records_drawn)
    return _RECORDS(*args)


_RECORDS: Any = None


def _changed(record: InputRecord, differ: tuple[str, ...], drawing: _Strategies) -> Any:
    """A strategy for the second profile: the first with only the `differ` paths changed
    (a scalar redrawn, an element field redrawn in each element, a list one element
    longer)."""
    return _second(record, differ, drawing)


def _second_profile(
    draw: Any, record: InputRecord, differ: tuple[str, ...], drawing: _Strategies
) -> InputRecord:
    other = InputRecord(dict(record.scalars), copy.deepcopy(record.collections))
    for path in differ:
        head, _, last = path.rpartition(".")
        if path in vocab.SCALARS:
            value = draw(drawing.changed(path))
            if value is None:
                other.scalars.pop(path, None)
            else:
                other.scalars[path] = value
        elif path in vocab.COLLECTIONS:
            added = draw(drawing.element(path))
            other.collections[path] = [*other.collections.get(path, []), added]
        else:
            for row in other.collections.get(head, []):
                # mypy, ignored below: rows of a list of elements are mappings
                row[last] = draw(drawing.changed(path))  # type: ignore[index]
    return other


def _second(*args: Any) -> Any:
    # `st.composite` inspects the function's source each time it decorates one: decorated
    # once here, not once per drawn pair (that was a fifth of a search's time).
    global _SECOND
    if _SECOND is None:
        from hypothesis import strategies as st

        _SECOND = st.composite(_second_profile)
    return _SECOND(*args)


_SECOND: Any = None


def _profile(record: InputRecord, day: dt.date) -> dict[str, Any]:
    written = profile_of(record, day)
    return loadable(written) or written


def database_dir() -> Path | None:
    """The counterexample database: `SUBSIDIA_PROPERTY_DB`, else the user cache folder."""
    chosen = os.environ.get(DATABASE_ENV)
    if chosen is not None:
        return Path(chosen) if chosen else None
    from dsl.cache import cache_dir

    return cache_dir() / "properties"


def _search(
    catalogue: ir.Catalogue,
    prop: ir.Property,
    day: dt.date,
    judge: Judge,
    examples: int,
    seeds: list[InputRecord] | None = None,
) -> PropertyResult:
    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis import strategies as st
    from hypothesis.database import DirectoryBasedExampleDatabase
    from hypothesis.errors import NoSuchExample, Unsatisfiable

    space = _space(catalogue, prop, day)
    drawing = _Strategies(space, day)
    records = drawing.records()
    if seeds:
        # Profiles grown from the solver's witnesses: their fields stand, the rest drawn.
        fields = [_fields_only(seed) for seed in seeds]
        # Half the draws from them (`one_of` picks each of its strategies equally often).
        seeded = [drawing.records(f, "always") for f in fields]
        records = st.one_of([records] * len(seeded) + seeded)
    if prop.kind == "two":
        seeds = [_fields_only(seed) for seed in _seeds(catalogue, prop, day)]
        seeds += _case_seeds(catalogue, prop, day)
        if seeds:
            # A seed's fields stand; what it leaves out (the fields of the shared
            # definitions it chose freely) is drawn; its lists are kept, cut short or drawn.
            # Only profiles grown from seeds: a draw that misses the first profile's part
            # of the assumption is wasted, and without seeds most would.
            records = st.one_of([drawing.records(seed, "either") for seed in seeds])

        @st.composite
        def pairs(draw: Any) -> tuple[dict[str, Any], dict[str, Any] | None]:
            first = draw(records)
            second = draw(_changed(first, prop.differ, drawing))
            return _profile(first, day), _profile(second, day)

        strategy = pairs()
    else:
        strategy = records.map(lambda r: (_profile(r, day), None))
    folder = database_dir()
    key = hashlib.sha256(f"{prop.qname}@{day}".encode()).digest()
    config = settings(
        max_examples=examples,
        database=DirectoryBasedExampleDatabase(str(folder)) if folder else None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.reuse, Phase.generate, Phase.shrink],
        derandomize=folder is None,
    )
    try:
        first, second = find(
            strategy, lambda pair: judge.violates(*pair), settings=config, database_key=key
        )
    except (NoSuchExample, Unsatisfiable):
        return PropertyResult(
            prop.qname,
            prop.kind,
            "holds",
            "search",
            bounds=N_(
                "no counterexample among {count} generated pairs of profiles on {day} "
                "(a search, not a proof)",
                count=examples,
                day=str(day),
            )
            if prop.kind == "two"
            else N_(
                "no counterexample among {count} generated profiles on {day} "
                "(a search, not a proof)",
                count=examples,
                day=str(day),
            ),
        )
    return PropertyResult(
        prop.qname, prop.kind, "violated", "search", counterexample=first, second=second
    )


# ---- entry point


def check_property(
    catalogue: ir.Catalogue, prop: ir.Property, day: dt.date, examples: int | None = None
) -> PropertyResult:
    """One property: the solver first where it applies, then the search when the solver
    could not decide (or does not apply: two profiles)."""
    judge = Judge(catalogue, prop, day)
    deep = LONG_ENV in os.environ
    examples = examples or int(os.environ.get(LONG_ENV, EXAMPLES))
    if prop.kind != "two":
        tried: list[InputRecord] = []
        result = _solver(catalogue, prop, day, judge, deep, tried)
        if result.status != "undecided":
            return result
        # The witnesses rest on values of shared definitions that their fields do not give
        # (an SME category with no staff): the search starts from their fields and fills
        # in the rest.
        searched = _search(catalogue, prop, day, judge, examples, tried)
        if searched.status == "violated":
            return searched
        return dataclasses.replace(result, bounds=searched.bounds)
    return _search(catalogue, prop, day, judge, examples)


def check_properties(
    rules: ir.Catalogue | str | Path | None = None,
    as_of: dt.date | None = None,
    pattern: str | None = None,
    examples: int | None = None,
    paths: list[Path] | None = None,
    select: Callable[[str], bool] | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> list[PropertyResult]:
    """Every property of a catalogue (or of the rules under a folder; the bundled ones by
    default) whose name matches `pattern` (a glob, or a plain substring) and `select` (a
    `-k` expression's test), in name order. With `paths` (what `subsidia test` was given),
    only the properties written in those rule files, in the rule files beside those case
    files, or under those folders.

    The properties not in the disk cache are checked in forked worker processes (one per
    core, policy.authoring.parallel); `meanwhile` runs in this process while they work."""
    catalogue = rules if isinstance(rules, ir.Catalogue) else engine.catalogue(rules)
    day = as_of or dt.date.today()
    key = None if isinstance(rules, ir.Catalogue) else _run_key(rules, day, examples)
    chosen = []
    for qname in sorted(catalogue.properties):
        if pattern and not (fnmatch.fnmatch(qname, pattern) or pattern in qname):
            continue
        if select is not None and not select(qname):
            continue
        if paths is not None and not _within(Path(catalogue.properties[qname].file), paths):
            continue
        chosen.append(qname)
    # Unchanged rules give the same answer: a run after an edit of one file checks again
    # only what the edit can change (every key holds every rule file).
    names = {q: f"property-{key}-{hashlib.sha256(q.encode()).hexdigest()[:16]}" for q in chosen}
    results: dict[str, PropertyResult] = {}
    if key is not None:
        for qname in chosen:
            found = disk_lookup(names[qname])
            if found is not None:
                results[qname] = found[0]
    # The longest first, so that no worker is left with a long one at the end: those
    # across programmes (the largest groundings), the searches over two profiles, the rest.
    todo = sorted((q for q in chosen if q not in results), key=lambda q: _cost_rank(catalogue, q))
    if todo:
        import hypothesis  # noqa: F401  (imported once, before the workers fork)

    def one(qname: str) -> PropertyResult:
        return check_property(catalogue, catalogue.properties[qname], day, examples)

    for qname, result in zip(todo, fork_map(one, todo, meanwhile=meanwhile), strict=True):
        results[qname] = result
        if key is not None:
            disk_store(names[qname], result)
    return [results[q] for q in chosen]


def _cost_rank(catalogue: ir.Catalogue, qname: str) -> tuple[bool, bool, str]:
    prop = catalogue.properties[qname]
    own = qname.split(".", 1)[0] in catalogue.programmes
    return own, prop.kind != "two", qname


def _within(file: Path, paths: list[Path]) -> bool:
    file = file.resolve()
    for path in paths:
        path = path.resolve()
        if path.name.endswith(".cases.yaml"):
            path = path.with_name(path.name.removesuffix(".cases.yaml") + ".rules")
        if file == path or path in file.parents:
            return True
    return False


def _run_key(rules: str | Path | None, day: dt.date, examples: int | None) -> str | None:
    """What every answer of a run depends on: the rule files and the front end (the
    catalogue's key), this checker's code, the date and how long the searches are."""
    from dsl.loader import catalogue_key

    base = catalogue_key(rules or engine.rules_root())
    if base is None:
        return None
    digest = hashlib.sha256(base.encode())
    for module in ("properties.py", "profiles.py"):
        digest.update((Path(__file__).parent / module).read_bytes())
    for module in ("candidates.py", "witness.py"):
        digest.update((Path(__file__).parents[2] / "solver" / "search" / module).read_bytes())
    digest.update(f"{day}|{examples}|{os.environ.get(LONG_ENV, '')}".encode())
    return digest.hexdigest()[:32]


# The words `properties_text` shows for a status and a method; --json keeps the keys.
_WORDS = {
    "holds": N_("holds"),
    "violated": N_("violated"),
    "undecided": N_("undecided"),
    "solver": N_("solver"),
    "search": N_("search"),
}


def properties_text(results: list[PropertyResult], lang: str = "en") -> str:
    """One line per property, and each counterexample as the profile file to check, in
    the reader's language (the profiles are data: their keys stay as the format has them)."""
    import json

    from policy.output.formatting import formatter

    f = formatter(lang)

    def word(key: str) -> str:
        return f.text(_WORDS.get(key, key))

    lines = []
    for r in results:
        status, method = word(r.status), word(r.method)
        if r.bounds:
            lines.append(
                f.gettext(
                    "property {name}: {status} ({method}; {bounds})",
                    name=r.name,
                    status=status,
                    method=method,
                    bounds=f.text(r.bounds),
                )
            )
        else:
            lines.append(
                f.gettext(
                    "property {name}: {status} ({method})",
                    name=r.name,
                    status=status,
                    method=method,
                )
            )
        if r.message:
            lines.append(f"  {f.text(r.message)}")
        titles = (
            (f.gettext("counterexample (a profile for `subsidia check`):"), r.counterexample),
            (f.gettext("second (a profile for `subsidia check`):"), r.second),
        )
        for title, profile in titles:
            if profile is not None:
                lines.append(f"  {title}")
                text = json.dumps(profile, indent=2, ensure_ascii=False)
                lines += ["    " + row for row in text.splitlines()]
    held = sum(r.status == "holds" for r in results)
    broken = sum(r.status == "violated" for r in results)
    lines.append(
        f.gettext(
            "{count} properties: {held} hold, {violated} violated, {undecided} undecided",
            count=len(results),
            held=held,
            violated=broken,
            undecided=len(results) - held - broken,
        )
    )
    return "\n".join(lines) + "\n" if results else ""
