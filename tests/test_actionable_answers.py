"""Every field an answer asks for is one the user can give.

For profiles generated from the profile model (every field of policy/inputs/profile.py,
each present or absent, so a new field is generated without touching this file), every
`missing` path any programme of the catalogue reports names a profile field, and the same
profile with a valid value at that path still loads. (The schema strategies of
tests/schema_strategies.py take most of a minute to build; these are built in no time.)
Before hire lines were costed by the rule files, VLAIO's development project asked for
`project.costs[1].amount` on a hire line, where the loader refuses an amount. Hypothesis
examples: a few by default,
SUBSIDIA_FUZZ_EXAMPLES for a long run (tests/fuzzing.py).
"""

from __future__ import annotations

import copy
import datetime as dt
import re

from hypothesis import given
from hypothesis import strategies as st

from policy import engine
from policy.api import profile_record
from policy.errors import InputError
from policy.inputs import profile as p
from policy.inputs.loading import parse_profile
from policy.inputs.model import FieldSpec, ListOf, Nested, Scalar, fields_of
from tests.fuzzing import fuzz_settings

CATALOGUE = engine.catalogue()
DATES = st.sampled_from([dt.date(2020, 6, 1), dt.date(2026, 3, 1)])
# A field path as answers write it: `company.staff`, `project.costs[1].amount`.
PATH = re.compile(r"^[a-z_]+(\.[a-z_]+|\[\d+\])+$")
STEP = re.compile(r"\.([a-z_]+)|\[(\d+)\]")

# A valid value for each kind of scalar field.
_VALUES: list[tuple[Scalar, object]] = [
    (p.Money, "1000"),
    (p.SignedMoney, "1000"),
    (p.Count, "5"),
    (p.Months, "12"),
    (p.Percent, "50"),
    (p.Ratio, "1"),
    (p.Year, 2024),
    (p.Inhabitants, 1000),
    (p.Text, "x"),
    (p.OpenSymbol, "x"),
    (p.Date, "2026-01-01"),
    (p.Flag, True),
    (p.NaceCode, "62.01"),
]


# Values each kind of field is drawn from: around the rules' usual thresholds.
_DRAWN: list[tuple[Scalar, list[object]]] = [
    (p.Money, ["0", "20000", "55000", "250000", "5000000"]),
    (p.SignedMoney, ["-1000", "0", "400000"]),
    (p.Count, ["0", "9", "12", "49", "300"]),
    (p.Months, ["6", "12", "24", "36", "48"]),
    (p.Percent, ["0", "25", "50", "100"]),
    (p.Ratio, ["0.5", "8"]),
    (p.Year, [2023, 2024, 2025]),
    (p.Inhabitants, [1000, 10000]),
    (p.Text, ["kmo_groeisubsidie", "x"]),
    (p.OpenSymbol, ["digitalisation", "bv", "vzw"]),
    (p.Date, ["2020-01-01", "2024-06-01", "2026-03-10", "2026-04-01"]),
    (p.Flag, [True, False]),
    (p.NaceCode, ["18.12", "62.01", "01.11"]),
]


def _drawn(spec: FieldSpec, depth: int) -> st.SearchStrategy[object]:
    kind = spec.kind
    if isinstance(kind, ListOf):
        return st.lists(_drawn_item(kind.item, depth + 1), max_size=2 if depth < 2 else 0)
    return _drawn_item(kind, depth)


def _drawn_item(kind: Scalar | Nested, depth: int) -> st.SearchStrategy[object]:
    if isinstance(kind, Nested):
        return records(kind.model, depth)
    if kind.choices:
        return st.sampled_from(kind.choices)
    for known, values in _DRAWN:
        if kind is known:
            return st.sampled_from(values)
    raise AssertionError(f"no values for {kind.schema}")


def records(model: type, depth: int = 0) -> st.SearchStrategy[dict]:
    """Records of `model`: required fields always, each other field present or absent."""
    specs = fields_of(model)
    return st.fixed_dictionaries(
        {name: _drawn(s, depth) for name, s in specs.items() if s.required},
        optional={name: _drawn(s, depth) for name, s in specs.items() if not s.required},
    ).map(_repaired if model is p.CostLine else lambda r: r)


def _repaired(line: dict) -> dict:
    """A cost line as the loader takes it: a hire from a salary, others from an amount."""
    line = dict(line)
    category = line["category"]
    if category == "hire":
        line.pop("amount", None)
        line.pop("recoverable_vat", None)
        line.setdefault("gross_salary", "55000")
    elif category == "personnel" and "gross_salary" in line:
        line.pop("amount", None)
        line.pop("recoverable_vat", None)
    else:
        line.setdefault("amount", "30000")
        line.pop("gross_salary", None)
    if "gross_salary" not in line:
        line.pop("employer_contributions", None)
    if category != "equipment":
        line.pop("depreciation_months", None)
    if "recoverable_vat" in line:
        line["recoverable_vat"] = "0"
    return line


PROFILES = records(p.Profile)


def _value(spec: FieldSpec) -> object:
    kind = spec.kind
    if isinstance(kind, ListOf):
        return []
    if isinstance(kind, Nested):
        return {}
    if kind.choices:
        return kind.choices[0]
    for known, value in _VALUES:
        if kind is known:
            return value
    raise AssertionError(f"no test value for {spec.name}")


def give(data: dict, path: str) -> dict:
    """`data` with a valid value at `path`; AssertionError when `path` is no profile field
    (or an element the profile does not have)."""
    out = copy.deepcopy(data)
    node: object = out
    model: type = p.Profile
    steps = [(m.group(1), m.group(2)) for m in STEP.finditer("." + path)]
    assert "".join(f".{n}" if n else f"[{i}]" for n, i in steps) == "." + path, path
    for k, (name, index) in enumerate(steps):
        last = k == len(steps) - 1
        if name is not None:
            spec = fields_of(model).get(name)
            assert spec is not None, f"{path}: {name} is no field of {model.__name__}"
            assert isinstance(node, dict), path
            if last:
                node[name] = _value(spec)
                break
            kind = spec.kind.item if isinstance(spec.kind, ListOf) else spec.kind
            assert isinstance(kind, Nested), f"{path}: {name} holds no fields"
            model = kind.model
            if node.get(name) is None:  # absent, or null: the same for the loader
                node[name] = [] if isinstance(spec.kind, ListOf) else {}
            node = node[name]
        else:
            assert isinstance(node, list) and int(index) < len(node), f"{path}: no such element"
            assert not last, path
            node = node[int(index)]
    return out


def _asked(data: dict, as_of: dt.date) -> set[str]:
    loaded = parse_profile(data)
    record = profile_record(CATALOGUE, loaded, as_of)
    report = engine.check_records([record], as_of, backend="direct")[0]
    return {m for r in report.results for m in r.missing if PATH.match(m)}


@fuzz_settings(30)
@given(PROFILES, DATES)
def test_every_field_an_answer_asks_for_can_be_given(data: dict, as_of: dt.date) -> None:
    try:
        asked = _asked(data, as_of)
    except InputError:
        return  # a combination the loader refuses (a date before 1900 after some months …)
    for path in sorted(asked):
        given_data = give(data, path)
        try:
            parse_profile(given_data)
        except InputError as error:
            message = f"answers ask for {path}, which cannot be given: {error}"
            raise AssertionError(message) from None


def test_a_hire_line_is_never_asked_for_an_amount() -> None:
    """The issue's example: a hire line beside an advice line, checked by every programme."""
    data = {
        "company": {"id": "t", "region": "flanders", "staff": 12, "turnover": 1800000},
        "project": {
            "submitted": "2026-03-10",
            "start": "2026-04-01",
            "costs": [
                {"category": "advice", "amount": 30000},
                {"category": "hire", "gross_salary": 55000, "employment_months": 12},
            ],
        },
    }
    asked = _asked(data, dt.date(2026, 3, 20))
    assert "project.costs[1].amount" not in asked
    assert asked  # the profile leaves much open: the answers ask for fields…
    for path in asked:
        parse_profile(give(data, path))  # …each of which can be given


def test_give_refuses_what_is_no_field() -> None:
    data = {"company": {"id": "t"}, "project": {"costs": [{"category": "hire"}]}}
    assert give(data, "project.costs[0].gross_salary")["project"]["costs"][0]["gross_salary"]
    for path in ("company.staf", "project.costs[3].amount", "company.enterprises.aid"):
        try:
            give(data, path)
        except AssertionError:
            continue
        raise AssertionError(f"{path} was given")
