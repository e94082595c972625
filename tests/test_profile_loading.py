"""The profile input layer: loading, exact conversion to an InputRecord, and error messages.

Error messages are golden-tested against tests/golden/profile_errors.txt; after a
deliberate change, regenerate it with `SUBSIDIA_UPDATE_GOLDEN=1 .venv/bin/pytest
tests/test_profile_loading.py` and review the diff.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import pickle
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dsl.vocabulary import COLLECTIONS, SCALARS, SYMBOL_VALUES
from policy.errors import InputError
from policy.inputs.loading import load_profile, parse_profile, read_profile_data
from policy.inputs.model import FieldSpec, ListOf, Nested, Scalar, fields_of
from policy.inputs.profile import (
    Account,
    Aid,
    Company,
    CostLine,
    Enterprise,
    Partner,
    Profile,
    Project,
    profile_json_schema,
    render_json_schema,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples" / "profiles").glob("*.yaml"))
FIXTURES = "tests/fixtures/profiles"
GOLDEN = ROOT / "tests" / "golden" / "profile_errors.txt"
SCHEMA = ROOT / "policy" / "inputs" / "schema" / "profile.schema.json"


def _yaml(tmp_path: Path, text: str, name: str = "profile.yaml") -> Profile:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_profile(path)


# --- valid profiles ----------------------------------------------------------------------


def test_the_four_examples_exist() -> None:
    names = {p.name for p in EXAMPLES}
    assert {
        "flemish_growth.yaml",
        "brussels_partner.yaml",
        "walloon_large.yaml",
        "startup_unknown.yaml",
    } <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_load_and_convert(path: Path) -> None:
    record = load_profile(path).to_record()
    assert set(record.scalars) <= set(SCALARS)
    company_lists = {p for p in COLLECTIONS if p.startswith("company.")}
    assert company_lists <= set(record.collections) <= set(COLLECTIONS)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_satisfy_the_json_schema(path: Path) -> None:
    validator = jsonschema.Draft202012Validator(profile_json_schema())
    errors = [e.message for e in validator.iter_errors(read_profile_data(path))]
    assert errors == []


def test_flemish_growth_record() -> None:
    record = load_profile(ROOT / "examples/profiles/flemish_growth.yaml").to_record()
    s = record.scalars
    assert s["company.region"] == "flanders"
    assert s["company.legal_form"] == "bv"
    assert s["company.staff"] == Fraction(12)
    assert s["company.turnover"] == Fraction(1_800_000)
    assert s["company.equity"] > 0
    assert s["company.public_ownership"] == Fraction(0)
    assert s["company.insolvency"] is False
    assert s["project.programme"] == "kmo_groeisubsidie"
    assert s["project.theme"] == "digitalisation"
    assert s["project.submitted"] == dt.date(2026, 3, 10)
    assert s["project.start"] == dt.date(2026, 4, 1)
    assert record.collections["company.nace"] == ["6201", "6202"]
    assert record.collections["company.enterprises"] == []
    assert record.collections["company.accounts"][0] == {
        "year": Fraction(2024),
        "staff": Fraction(21, 2),
        "turnover": Fraction(1_550_000),
        "balance_sheet": Fraction(880_000),
    }
    assert record.collections["project.costs"] == [
        {"category": "advice", "provider": "Digitaal Advies NV", "amount": Fraction(30_000)},
        {"category": "hire", "gross_salary": Fraction(52_000), "employment_months": Fraction(12)},
    ]


def test_brussels_partner_enterprises() -> None:
    record = load_profile(ROOT / "examples/profiles/brussels_partner.yaml").to_record()
    partner, linked = record.collections["company.enterprises"]
    assert isinstance(partner, dict) and isinstance(linked, dict)
    assert (partner["direction"], partner["relation"], partner["share"]) == (
        "held_by",
        "partner",
        Fraction(3, 10),
    )
    assert (linked["direction"], linked["relation"], linked["share"]) == (
        "holds",
        "linked",
        Fraction(3, 5),
    )


def test_startup_gives_only_what_it_knows() -> None:
    record = load_profile(ROOT / "examples/profiles/startup_unknown.yaml").to_record()
    assert record.scalars == {
        "company.id": "startup-001",
        "company.name": "Nieuw Idee",
        "company.region": "flanders",
        "company.founded": dt.date(2025, 11, 3),
    }
    # No project: the project's lists are unknown rather than empty.
    assert record.collections == {p: [] for p in COLLECTIONS if p.startswith("company.")}


def test_decimals_stay_exact(tmp_path: Path) -> None:
    profile = _yaml(
        tmp_path,
        """
company:
  id: acme
  staff: 0.1
  turnover: 0.30
  equity: -1_000.05
  public_ownership: 30
  enterprises:
    - {id: a, direction: holds, share: 12.5, staff: "0.7", inhabitants: 1200}
project:
  duration_months: 1.5e+1
""",
    )
    assert profile.company.staff == Decimal("0.1")
    record = profile.to_record()
    assert record.scalars["company.staff"] == Fraction(1, 10)
    assert record.scalars["company.turnover"] == Fraction(3, 10)
    assert record.scalars["company.equity"] == Fraction(-100_005, 100)
    assert record.scalars["company.public_ownership"] == Fraction(3, 10)
    assert record.scalars["project.duration_months"] == Fraction(15)
    assert record.collections["company.enterprises"] == [
        {
            "id": "a",
            "direction": "holds",
            "share": Fraction(1, 8),
            "staff": Fraction(7, 10),
            "inhabitants": Fraction(1200),
        }
    ]
    assert all(not isinstance(v, float) for v in record.scalars.values())


def test_json_numbers_are_exact(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text('{"company": {"id": "acme", "staff": 0.1, "public_ownership": 33.3}}')
    record = load_profile(path).to_record()
    assert record.scalars["company.staff"] == Fraction(1, 10)
    assert record.scalars["company.public_ownership"] == Fraction(333, 1000)


def test_python_floats_are_read_by_their_shortest_repr() -> None:
    profile = parse_profile({"company": {"id": "acme", "staff": 0.1, "turnover": 1e6}})
    assert profile.company.staff == Decimal("0.1")
    assert profile.to_record().scalars["company.turnover"] == Fraction(1_000_000)


def test_omitted_and_null_fields_are_absent(tmp_path: Path) -> None:
    record = _yaml(tmp_path, "company:\n  id: acme\n  staff:\n  aid:\nproject:\n").to_record()
    assert record.scalars == {"company.id": "acme"}
    assert record.collections["company.aid"] == []
    # `project:` with nothing under it is no project: its lists stay unknown.
    assert "project.costs" not in record.collections


def test_normalisation(tmp_path: Path) -> None:
    profile = _yaml(
        tmp_path,
        """
company:
  id: " acme "
  region: Flanders
  legal_form: " BV "
  nace: ["62.01", "01 11", "7"]
  staff: 010
project:
  theme: Digitalisation
  research_category: Industrial_Research
""",
    )
    assert profile.company.id == "acme"
    assert profile.company.region == "flanders"
    assert profile.company.legal_form == "bv"
    assert profile.company.nace == ["6201", "0111", "7"]
    # YAML 1.1 would read 010 as octal 8.
    assert profile.company.staff == Decimal(10)
    assert profile.project is not None
    assert profile.project.theme == "digitalisation"
    assert profile.project.research_category == "industrial_research"


def test_dates_may_be_quoted(tmp_path: Path) -> None:
    profile = _yaml(tmp_path, 'company:\n  id: acme\n  founded: "2020-01-31"\n')
    assert profile.to_record().scalars["company.founded"] == dt.date(2020, 1, 31)


def test_unknown_extension_is_read_as_yaml(tmp_path: Path) -> None:
    profile = _yaml(tmp_path, "company:\n  id: acme\n", name="profile.txt")
    assert profile.company.id == "acme"


def test_parse_profile_accepts_dates_and_decimals() -> None:
    profile = parse_profile(
        {"company": {"id": "acme", "founded": dt.date(2001, 2, 3), "turnover": Decimal("5")}}
    )
    assert profile.company.founded == dt.date(2001, 2, 3)


def test_profiles_are_frozen() -> None:
    profile = parse_profile({"company": {"id": "acme"}})
    with pytest.raises(dataclasses.FrozenInstanceError):
        profile.company.id = "other"


# --- errors ----------------------------------------------------------------------------------


def _load(name: str) -> Callable[[], object]:
    return lambda: load_profile(f"{FIXTURES}/{name}")


def _parse(data: object) -> Callable[[], object]:
    return lambda: parse_profile(data)


# Each case: a name and how to provoke the error. The expected path and message live in
# the golden file.
CASES: dict[str, Callable[[], object]] = {
    "missing_file": _load("does_not_exist.yaml"),
    "empty_file": _load("empty.yaml"),
    "not_utf8": _load("not_utf8.yaml"),
    "bad_yaml": _load("bad_yaml.yaml"),
    "yaml_tabs": _load("tabs.yaml"),
    "yaml_duplicate_key": _load("duplicate_key.yaml"),
    "bad_json": _load("bad_json.json"),
    "json_nan": _load("nan.json"),
    "top_level_list": _load("top_level_list.yaml"),
    "misspelt_section": _load("misspelt_section.yaml"),
    "missing_company_id": _load("missing_id.yaml"),
    "id_as_number": _load("id_as_number.yaml"),
    "wrong_type": _load("wrong_type.yaml"),
    "bool_as_number": _load("bool_as_number.yaml"),
    "decimal_comma": _load("decimal_comma.yaml"),
    "percent_sign": _load("percent_sign.yaml"),
    "negative_amount": _load("negative_amount.yaml"),
    "unknown_region": _load("unknown_region.yaml"),
    "share_over_100": _load("share_over_100.yaml"),
    "unknown_field": _load("unknown_field.yaml"),
    "unknown_field_without_match": _load("unknown_field_no_match.yaml"),
    "unknown_cost_field": _load("unknown_cost_field.yaml"),
    "enterprise_not_a_mapping": _load("enterprise_not_mapping.yaml"),
    "duplicate_enterprise_id": _load("duplicate_enterprise_id.yaml"),
    "bad_date": _load("bad_date.yaml"),
    "unquoted_nace": _load("unquoted_nace.yaml"),
    "hire_without_gross_salary": _load("hire_without_salary.yaml"),
    "hire_with_amount": _load("hire_with_amount.yaml"),
    "duplicate_account_years": _load("duplicate_account_years.yaml"),
    "parse_not_a_mapping": _parse("company: acme"),
    "parse_float_nan": _parse({"company": {"id": "acme", "staff": float("nan")}}),
    "parse_datetime": _parse({"company": {"id": "acme", "founded": dt.datetime(2020, 1, 1, 9)}}),
    "parse_non_text_key": _parse({"company": {"id": "acme", 7: "x"}}),
    "parse_list_expected": _parse({"company": {"id": "acme", "accounts": {"year": 2024}}}),
    "parse_fractional_year": _parse({"company": {"id": "acme", "accounts": [{"year": 2024.5}]}}),
    "parse_zero_months": _parse({"company": {"id": "a"}, "project": {"duration_months": 0}}),
    "parse_cost_without_amount": _parse(
        {"company": {"id": "a"}, "project": {"costs": [{"category": "equipment"}]}}
    ),
    "parse_huge_number": _parse({"company": {"id": "acme", "turnover": "1e999999999"}}),
    "parse_empty_id": _parse({"company": {"id": "  "}}),
}


def _block(name: str) -> str:
    with contextlib.chdir(ROOT), pytest.raises(InputError) as info:
        CASES[name]()
    err = info.value
    # A user must never see pydantic's or PyYAML's traceback behind ours.
    assert err.__cause__ is None
    assert err.__context__ is None or err.__suppress_context__
    path = f" {err.path}" if err.path else ""  # no trailing space for editors to strip
    return f"== {name}\npath:{path}\nmessage: {err.message}\nerror: {err}\n"


def _read_golden() -> dict[str, str]:
    blocks: dict[str, str] = {}
    for chunk in GOLDEN.read_text(encoding="utf-8").split("\n\n"):
        if chunk.strip():
            name = chunk.split("\n", 1)[0].removeprefix("== ")
            blocks[name] = chunk.strip("\n") + "\n"
    return blocks


@pytest.fixture(scope="module")
def golden() -> dict[str, str]:
    if os.environ.get("SUBSIDIA_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text("\n".join(_block(name) for name in CASES), encoding="utf-8")
    return _read_golden()


@pytest.mark.parametrize("name", CASES)
def test_error_message(name: str, golden: dict[str, str]) -> None:
    assert name in golden, "new case: regenerate with SUBSIDIA_UPDATE_GOLDEN=1"
    assert _block(name) == golden[name]


def test_golden_has_no_stale_cases(golden: dict[str, str]) -> None:
    assert list(golden) == list(CASES)


def test_a_few_messages_verbatim() -> None:
    # The golden file is authoritative; these pin the headline cases in plain sight.
    cases = {
        "share_over_100": ("company.enterprises[2].share", "must be at most 100 (a percentage)"),
        "unknown_field": ("company.turnovr", "unknown field 'turnovr'; did you mean 'turnover'?"),
        "unknown_region": (
            "company.region",
            "unknown region 'flandres'; expected one of brussels, flanders, wallonia",
        ),
        "wrong_type": ("company.staff", "expected a number, got 'abc'"),
        "missing_file": ("", "no such file"),
    }
    for name, (path, message) in cases.items():
        with contextlib.chdir(ROOT), pytest.raises(InputError) as info:
            CASES[name]()
        assert (info.value.path, info.value.message) == (path, message)


def test_input_error_rendering() -> None:
    assert str(InputError("company.staff", "must not be negative")) == (
        "company.staff: must not be negative"
    )
    err = InputError("company.staff", "must not be negative", "p.yaml")
    assert str(err) == "p.yaml: company.staff: must not be negative"
    assert str(InputError("", "no such file", "p.yaml")) == "p.yaml: no such file"
    assert pickle.loads(pickle.dumps(err)) == err
    assert err.with_file("q.yaml").file == "q.yaml"


# --- schema and vocabulary -----------------------------------------------------------------


def test_committed_schema_is_current() -> None:
    assert SCHEMA.read_text(encoding="utf-8") == render_json_schema(), (
        "regenerate: .venv/bin/python -m policy.inputs.profile"
        " > policy/inputs/schema/profile.schema.json"
    )
    jsonschema.Draft202012Validator.check_schema(json.loads(SCHEMA.read_text(encoding="utf-8")))


def test_schema_accepts_numeric_strings_and_rejects_bad_values() -> None:
    validator = jsonschema.Draft202012Validator(profile_json_schema())
    assert validator.is_valid({"company": {"id": "a", "turnover": "1800000.50", "staff": 3}})
    assert not validator.is_valid({"company": {"id": "a", "turnover": -1}})
    assert not validator.is_valid({"company": {"id": "a", "public_ownership": 101}})
    assert not validator.is_valid({"company": {"id": "a", "turnovr": 1}})
    assert not validator.is_valid({"company": {"id": "a", "region": "flandres"}})


ALLOWED_EXTRA = {
    "company.id",
    *(f"{path}.id" for path in COLLECTIONS),
    "company.enterprises.aid",  # the nested list itself (flattened for the rules)
}
# Added when the nested list is flattened: each aid names its enterprise.
FLATTENED = {"company.enterprises.aid.enterprise"}
ELEMENT_MODELS: dict[str, type] = {
    "company.enterprises": Enterprise,
    "company.accounts": Account,
    "company.aid": Aid,
    "company.enterprises.aid": Aid,
    "project.costs": CostLine,
    "project.partners": Partner,
}


def _model_paths() -> tuple[dict[str, FieldSpec], dict[str, Scalar | Nested]]:
    """Scalar and list fields of the profile model, by vocabulary path, with their kinds."""
    scalars: dict[str, FieldSpec] = {}
    lists: dict[str, Scalar | Nested] = {}
    for section, model in (("company", Company), ("project", Project)):
        for name, field in fields_of(model).items():
            path = f"{section}.{name}"
            if isinstance(field.kind, ListOf):
                lists[path] = field.kind.item
            else:
                scalars[path] = field
    # Aid nested in the related enterprises: one flat list for the rules (profile.py).
    aid = fields_of(Enterprise)["aid"].kind
    assert isinstance(aid, ListOf)
    lists["company.enterprises.aid"] = aid.item
    return scalars, lists


def _vocabulary_type(field: FieldSpec) -> Any:
    assert isinstance(field.kind, Scalar), field.name
    return field.kind.vocabulary


def test_model_fields_match_the_vocabulary() -> None:
    scalars, lists = _model_paths()
    assert set(SCALARS) - set(scalars) == set()
    assert set(scalars) - set(SCALARS) <= ALLOWED_EXTRA
    assert set(lists) == set(COLLECTIONS)
    for path, model in ELEMENT_MODELS.items():
        vocab = {f"{path}.{name}" for name in COLLECTIONS[path].fields}
        fields = {f"{path}.{name}" for name in fields_of(model)}
        assert vocab - fields <= FLATTENED, path
        assert fields - vocab <= ALLOWED_EXTRA, path
        assert lists[path] == Nested(model), path


def test_model_types_match_the_vocabulary() -> None:
    scalars, lists = _model_paths()
    for path, field in scalars.items():
        if isinstance(field.kind, Nested):
            continue
        assert _vocabulary_type(field) == SCALARS[path], path
    nace = lists["company.nace"]
    assert isinstance(nace, Scalar) and nace.vocabulary == COLLECTIONS["company.nace"].scalar
    for path, model in ELEMENT_MODELS.items():
        for name, field in fields_of(model).items():
            if f"{path}.{name}" in ALLOWED_EXTRA - {f"{path}.id"}:
                continue  # the nested aid list, checked as its own collection
            assert _vocabulary_type(field) == COLLECTIONS[path].fields[name], f"{path}.{name}"


def test_closed_symbols_match_the_vocabulary() -> None:
    scalars, _ = _model_paths()
    fields = dict(scalars)
    for path, model in ELEMENT_MODELS.items():
        fields.update({f"{path}.{name}": f for name, f in fields_of(model).items()})
    closed = {
        path: set(f.kind.choices)
        for path, f in fields.items()
        if isinstance(f.kind, Scalar) and f.kind.choices
    }
    assert closed == SYMBOL_VALUES


# --- robustness ------------------------------------------------------------------------------

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.decimals(),
    st.text(max_size=12),
    st.sampled_from(["flanders", "hire", "2024-01-31", "62.01", "30", "-1", "1e400", "holds"]),
)
_keys = st.one_of(st.sampled_from(sorted({*SCALARS, *COLLECTIONS})), st.text(max_size=8))


def _profile_like(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(_keys.map(lambda k: k.rsplit(".", 1)[-1]), children, max_size=5)
        ),
        max_leaves=20,
    )


@settings(max_examples=300, deadline=None)
@given(_profile_like(_scalars))
def test_any_data_gives_a_profile_or_an_input_error(data: object) -> None:
    with contextlib.suppress(InputError):
        parse_profile({"company": data} if isinstance(data, dict) else data)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("company: id\n-[]{},'\"\t&*!0.5:#x%@")), max_size=60))
def test_any_yaml_text_gives_a_profile_or_an_input_error(tmp_path_factory: Any, text: str) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "p.yaml"
    path.write_text(text, encoding="utf-8")
    with contextlib.suppress(InputError):
        load_profile(path)


def test_yaml_examples_in_the_docs_are_valid() -> None:
    text = (ROOT / "docs" / "profile.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in text.split("```yaml\n")[1:]]
    complete = [b for b in blocks if b.startswith("company:")]
    assert complete, "docs/profile.md lost its example profile"
    for block in complete:
        parse_profile(yaml.safe_load(block))
