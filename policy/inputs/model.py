"""Input models without a framework: frozen dataclasses whose fields say how to read them.

A profile or scenario is validated by walking its model: each field carries a `Kind`
(a scalar with its validator, a nested model, or a list) in its dataclass metadata. The
walk stops at the first problem and raises one `Failure` naming the field path
(`company.enterprises[2].share`). The same field table produces the JSON Schema.

Why not pydantic: importing it and building these models cost ~0.16 s of a 0.4 s
`subsidia check` (docs/architecture.md, "Input models are dataclasses, not pydantic").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from dsl.errors import N_, SubsidiaError
from dsl.types import Type

__all__ = [
    "EMPTY",
    "Failure",
    "FieldSpec",
    "Invalid",
    "ListOf",
    "Nested",
    "Scalar",
    "describe",
    "fields_of",
    "json_schema",
    "spec",
    "validate",
]

M = TypeVar("M")


class Invalid(SubsidiaError):
    """Raised by a validator: a final message, and `at`, a suffix below the failing field
    (`[3].year`, `.amount`) when the problem sits deeper than the field validated."""

    def __init__(self, message: str, at: str = "") -> None:
        super().__init__(message, at)
        self.message = message
        self.at = at


class Failure(SubsidiaError):
    """A located validation failure: `path` is the field path, `message` what is wrong."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(path, message)
        self.path = path
        self.message = message


# --- kinds of field -------------------------------------------------------------------------


@dataclass(frozen=True)
class Scalar:
    """A value read by `read(value, noun)`; `noun` names the field in messages ("region")."""

    read: Callable[[object, str], Any]
    schema: Mapping[str, Any]
    vocabulary: Type | None = None  # the rule language's type of the field (dsl.vocabulary)
    choices: tuple[str, ...] = ()  # the accepted symbols of a closed set
    ref: str | None = None  # set when `schema` is shared, as $defs/<ref>


@dataclass(frozen=True)
class Nested:
    model: type


@dataclass(frozen=True)
class ListOf:
    item: Scalar | Nested
    # Checks the whole validated list (unique ids); raises `Invalid` with `at="[i]..."`.
    check: Callable[[list[Any]], None] | None = None


Kind = Scalar | Nested | ListOf


class _Empty:
    """The default of a list field: an empty list, a fresh one each time."""


EMPTY = _Empty()


def spec(kind: Kind, *, default: object = dataclasses.MISSING, description: str = "") -> Any:
    """A model field: `field: Money | None = spec(MONEY, default=None)`.

    `default=EMPTY` gives a list field an empty list; without a default the field is
    required. Typed `Any` so that it can stand as the default of any annotation.
    """
    metadata = {"kind": kind, "description": description}
    if default is EMPTY:
        return dataclasses.field(default_factory=list, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: Kind
    required: bool
    default: object
    description: str

    @property
    def nullable(self) -> bool:
        """A field whose default is None: an explicit null means "not given"."""
        return not self.required and self.default is None


_FIELDS: dict[type, dict[str, FieldSpec]] = {}


def fields_of(model: type) -> dict[str, FieldSpec]:
    """The fields of a model class, in declaration order."""
    found = _FIELDS.get(model)
    if found is None:
        found = {}
        for f in dataclasses.fields(model):
            has_factory = f.default_factory is not dataclasses.MISSING
            required = f.default is dataclasses.MISSING and not has_factory
            default = EMPTY if has_factory else (None if required else f.default)
            found[f.name] = FieldSpec(
                f.name, f.metadata["kind"], required, default, f.metadata["description"]
            )
        _FIELDS[model] = found
    return found


# --- validation -----------------------------------------------------------------------------


def validate(model: type[M], data: object, path: str = "") -> M:
    """`data` (parsed YAML or JSON) as an instance of `model`, or a `Failure`.

    Fields are read in declaration order, then unknown keys are reported, so the first
    problem in the file's reading order of the model is the one the user sees.
    """
    return _model(model, data, path, ())


def describe(value: object) -> str:
    """A short, user-facing rendering of an input value ("'abc'", "the number 3", "a list")."""
    if value is None:
        return N_("nothing")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return N_("the number {number}", number=str(value))
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, dt.datetime):
        return N_("the date-time {value}", value=value.isoformat(sep=" "))
    if isinstance(value, dt.date):
        return N_("the date {value}", value=value.isoformat())
    if isinstance(value, list | tuple):
        return N_("a list")
    if isinstance(value, dict):
        return N_("a mapping")
    return N_("a {type}", type=type(value).__name__)


def _model(model: type[M], data: object, path: str, open_: tuple[int, ...]) -> M:
    if isinstance(data, model):
        return data
    if not isinstance(data, dict):
        raise Failure(path, N_("expected a mapping of fields, got {got}", got=describe(data)))
    open_ = _enter(data, path, open_)
    fields = fields_of(model)
    values: dict[str, Any] = {}
    for name, field in fields.items():
        where = f"{path}.{name}" if path else name
        if name in data:
            values[name] = _field(field, data[name], where, open_)
        elif field.required:
            raise _missing(data, fields, name, path, where)
    for key in data:
        if not isinstance(key, str):
            raise Failure(path, N_("field names must be text, got {got}", got=describe(key)))
        if key not in fields:
            where = f"{path}.{key}" if path else key
            raise Failure(where, _unknown_field(key, list(fields)))
    instance = model(**values)
    check = getattr(instance, "check", None)
    if check is not None:
        try:
            check()
        except Invalid as exc:
            raise Failure(path + exc.at, exc.message) from None
    return instance


def _enter(container: object, path: str, open_: tuple[int, ...]) -> tuple[int, ...]:
    # A YAML alias can make a mapping contain itself; walking it would never end.
    if id(container) in open_:
        raise Failure(path, N_("refers to itself (a recursive YAML alias)"))
    return (*open_, id(container))


def _missing(
    data: dict[Any, Any], fields: dict[str, FieldSpec], name: str, path: str, where: str
) -> Failure:
    # A missing `company` beside an unknown `compnay`: the typo is the one worth reporting.
    for key in data:
        if isinstance(key, str) and key not in fields:
            if difflib.get_close_matches(key, [name], n=1):
                return Failure(f"{path}.{key}" if path else key, _unknown_field(key, list(fields)))
    return Failure(where, N_("required field missing"))


def _unknown_field(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return N_("unknown field {name!r}; did you mean {close!r}?", name=name, close=close[0])
    return N_("unknown field {name!r}; expected one of {known}", name=name, known=", ".join(known))


def _field(field: FieldSpec, value: object, path: str, open_: tuple[int, ...]) -> Any:
    if value is None and field.nullable:
        return None
    kind = field.kind
    if isinstance(kind, ListOf):
        return _list(kind, [] if value is None else value, path, field.name, open_)
    return _one(kind, value, path, field.name, open_)


def _one(kind: Scalar | Nested, value: object, path: str, name: str, open_: tuple[int, ...]) -> Any:
    if isinstance(kind, Nested):
        return _model(kind.model, value, path, open_)
    try:
        return kind.read(value, name.replace("_", " "))
    except Invalid as exc:
        raise Failure(path + exc.at, exc.message) from None


def _list(kind: ListOf, value: object, path: str, name: str, open_: tuple[int, ...]) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise Failure(path, N_("expected a list, got {got}", got=describe(value)))
    # An element is named by its list's field in messages.
    items = [_one(kind.item, item, f"{path}[{i}]", name, open_) for i, item in enumerate(value)]
    if kind.check is not None:
        try:
            kind.check(items)
        except Invalid as exc:
            raise Failure(path + exc.at, exc.message) from None
    return items


# --- JSON Schema ----------------------------------------------------------------------------


def json_schema(root: type, title: str, shared: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of `root`; `shared` are the $defs scalars refer to."""
    defs: dict[str, Any] = {name: dict(schema) for name, schema in shared.items()}
    body = _model_schema(root, defs)
    body.pop("title")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        **body,
        "$defs": dict(sorted(defs.items())),
    }


def _model_schema(model: type, defs: dict[str, Any]) -> dict[str, Any]:
    properties = {name: _property(f, defs) for name, f in fields_of(model).items()}
    schema: dict[str, Any] = {"additionalProperties": False}
    doc = model.__doc__ or ""
    # Without a docstring, @dataclass writes the signature there; that is no description.
    if doc and not doc.startswith(f"{model.__name__}("):
        schema["description"] = " ".join(doc.split())
    schema["properties"] = properties
    required = [name for name, f in fields_of(model).items() if f.required]
    if required:
        schema["required"] = required
    schema["title"] = model.__name__
    schema["type"] = "object"
    return schema


def _property(field: FieldSpec, defs: dict[str, Any]) -> dict[str, Any]:
    kind = field.kind
    if isinstance(kind, ListOf):
        value: dict[str, Any] = {"items": _kind_schema(kind.item, defs), "type": "array"}
    else:
        value = _kind_schema(kind, defs)
    if "$ref" in value and field.required:
        return value  # a reference stands alone
    extra: dict[str, Any] = {}
    if not isinstance(kind, Nested):  # a model's title is in its definition
        extra["title"] = field.name.replace("_", " ").title()
    if field.nullable:
        value = {"anyOf": [value, {"type": "null"}]}
    if not field.required and field.default is not EMPTY:
        extra["default"] = field.default
    if field.description:
        extra["description"] = field.description
    return dict(sorted({**value, **extra}.items()))


def _kind_schema(kind: Scalar | Nested, defs: dict[str, Any]) -> dict[str, Any]:
    if isinstance(kind, Nested):
        name = kind.model.__name__
        if name not in defs:
            defs[name] = {}  # reserve first: models may refer to each other
            defs[name] = _model_schema(kind.model, defs)
        return {"$ref": f"#/$defs/{name}"}
    if kind.ref is not None:
        return {"$ref": f"#/$defs/{kind.ref}"}
    return _sorted(kind.schema)


def _sorted(node: Any) -> Any:
    # Keys in alphabetical order at every level, as the committed schemas have them.
    if isinstance(node, Mapping):
        return {key: _sorted(node[key]) for key in sorted(node)}
    if isinstance(node, list):
        return [_sorted(item) for item in node]
    return node
