"""The input-model walker (policy/inputs/model.py) on small models of its own.

The profile's messages are golden-tested in test_profile_loading.py; these tests pin the
walker's rules themselves, whatever model uses them.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest

from policy.inputs.model import (
    EMPTY,
    Failure,
    Invalid,
    ListOf,
    Nested,
    Scalar,
    fields_of,
    json_schema,
    spec,
    validate,
)


def _word(value: object, noun: str) -> str:
    if not isinstance(value, str):
        raise Invalid(f"expected a {noun}")
    return value


def _positive(value: object, noun: str) -> Decimal:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise Invalid("must be a positive whole number")
    return Decimal(value)


Word = Scalar(_word, {"type": "string"})
Amount = Scalar(_positive, {"type": "integer"}, ref="Amount")


def _distinct(items: list[Any]) -> None:
    names = [item.name for item in items]
    for index, name in enumerate(names):
        if name in names[:index]:
            raise Invalid("repeated", at=f"[{index}].name")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Line:
    """A line."""

    name: str = spec(Word)
    amount: Decimal | None = spec(Amount, default=None)
    note: str = spec(Word, default="none", description="Free text.")

    def check(self) -> None:
        if self.name == "total" and self.amount is None:
            raise Invalid("a total needs an amount", at=".amount")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Sheet:
    """A sheet of lines."""

    title: str = spec(Word)
    lines: list[Line] = spec(ListOf(Nested(Line), check=_distinct), default=EMPTY)
    tags: list[str] | None = spec(ListOf(Word), default=None)
    first: Line | None = spec(Nested(Line), default=None)


def _failure(data: object) -> tuple[str, str]:
    with pytest.raises(Failure) as caught:
        validate(Sheet, data)
    return caught.value.path, caught.value.message


def test_valid_data_becomes_frozen_instances_with_defaults() -> None:
    sheet = validate(Sheet, {"title": "t", "lines": [{"name": "a", "amount": 3}]})
    assert sheet == Sheet(title="t", lines=[Line(name="a", amount=Decimal(3))])
    assert sheet.lines[0].note == "none" and sheet.tags is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        sheet.title = "u"


def test_fields_are_read_in_order_then_unknown_keys() -> None:
    assert _failure({"title": 1, "zzz": 1}) == ("title", "expected a title")
    assert _failure({"title": "t", "zzz": 1}) == (
        "zzz",
        "unknown field 'zzz'; expected one of title, lines, tags, first",
    )
    assert _failure({"title": "t", "line": []}) == (
        "line",
        "unknown field 'line'; did you mean 'lines'?",
    )


def test_a_missing_field_beside_its_typo_reports_the_typo() -> None:
    assert _failure({"titel": "t"}) == ("titel", "unknown field 'titel'; did you mean 'title'?")
    assert _failure({"other": "t"}) == ("title", "required field missing")


def test_null_means_not_given_or_empty_and_otherwise_goes_to_the_reader() -> None:
    sheet = validate(Sheet, {"title": "t", "lines": None, "tags": None, "first": None})
    assert sheet.lines == [] and sheet.tags is None and sheet.first is None
    assert _failure({"title": None}) == ("title", "expected a title")
    assert _failure({"title": "t", "lines": [{"name": "a", "note": None}]}) == (
        "lines[0].note",
        "expected a note",
    )


def test_shapes_are_checked_before_contents() -> None:
    assert _failure({"title": "t", "lines": {"name": "a"}}) == (
        "lines",
        "expected a list, got a mapping",
    )
    assert _failure({"title": "t", "first": ["a"]}) == (
        "first",
        "expected a mapping of fields, got a list",
    )
    assert _failure({"title": "t", 3: "x"}) == ("", "field names must be text, got the number 3")
    with pytest.raises(Failure) as caught:
        validate(Sheet, "t")
    assert caught.value.message == "expected a mapping of fields, got 't'"


def test_model_and_list_checks_locate_below_their_field() -> None:
    assert _failure({"title": "t", "lines": [{"name": "total"}]}) == (
        "lines[0].amount",
        "a total needs an amount",
    )
    assert _failure({"title": "t", "lines": [{"name": "a"}, {"name": "a"}]}) == (
        "lines[1].name",
        "repeated",
    )


def test_a_structure_containing_itself_is_reported() -> None:
    sheet: dict[str, Any] = {"title": "t"}
    sheet["first"] = sheet  # YAML: `&s {title: t, first: *s}`
    assert _failure(sheet) == ("first", "refers to itself (a recursive YAML alias)")
    outer: dict[str, Any] = {"title": "t", "lines": []}
    outer["lines"].append({"name": "a", "amount": 1})
    outer["first"] = outer["lines"][0]  # shared, not recursive: fine
    assert validate(Sheet, outer).first == Line(name="a", amount=Decimal(1))


def test_instances_pass_through() -> None:
    line = Line(name="a")
    assert validate(Sheet, {"title": "t", "first": line}).first is line


def test_field_table_and_schema() -> None:
    fields = fields_of(Sheet)
    assert list(fields) == ["title", "lines", "tags", "first"]
    assert fields["title"].required and not fields["lines"].required
    assert fields["tags"].nullable and not fields["lines"].nullable
    schema = json_schema(Sheet, "Sheets", {"Amount": {"type": "integer", "minimum": 1}})
    assert schema["required"] == ["title"] and schema["additionalProperties"] is False
    assert schema["properties"]["tags"] == {
        "anyOf": [{"items": {"type": "string"}, "type": "array"}, {"type": "null"}],
        "default": None,
        "title": "Tags",
    }
    line = schema["$defs"]["Line"]
    assert line["description"] == "A line."
    assert line["properties"]["note"] == {
        "default": "none",
        "description": "Free text.",
        "title": "Note",
        "type": "string",
    }
    assert line["properties"]["amount"]["anyOf"][0] == {"$ref": "#/$defs/Amount"}
    assert schema["properties"]["first"] == {
        "anyOf": [{"$ref": "#/$defs/Line"}, {"type": "null"}],
        "default": None,
    }
