"""The OpenAPI side of the one model system: request bodies are described by the JSON
Schemas the input models write (policy/inputs/schema/*.json, the same files the docs and
editors use), placed under `components/schemas` with their `$ref`s rewritten."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

# Which committed schema each component comes from; its `$defs` become `<Name>_<def>`.
BODIES = {"Profile": "profile.schema.json", "Scenario": "scenario.schema.json"}
MEDIA = ("application/json", "application/yaml")


def _body(name: str, what: str) -> dict[str, Any]:
    schema = {"$ref": f"#/components/schemas/{name}"}
    return {
        "requestBody": {
            "required": True,
            "description": f"{what}, as JSON (or YAML with `Content-Type: application/yaml`).",
            "content": {media: {"schema": schema} for media in MEDIA},
        }
    }


PROFILE_BODY = _body("Profile", "A profile in the profile format (docs/profile.md)")
QUIZ_BODY = _body("QuizAnswers", "The quiz's answers so far")
SCENARIO_BODY = _body("Scenario", "A planning scenario with inline partner profiles")

ERRORS = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["path", "message"],
                "properties": {"path": {"type": "string"}, "message": {"type": "string"}},
            },
        }
    },
}


def answer(command: str) -> dict[int | str, dict[str, Any]]:
    """The documented answers of an endpoint that returns `subsidia COMMAND`'s document."""
    errors = {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}}
    return {
        200: {"description": f"The document `subsidia {command}` prints."},
        400: {"description": "The body is not JSON (or YAML).", "content": errors},
        404: {"description": "No such programme.", "content": errors},
        413: {"description": "The body is larger than the server accepts.", "content": errors},
        422: {"description": "A field is invalid; `path` names it.", "content": errors},
    }


@cache
def components() -> dict[str, Any]:
    """`components/schemas` for the OpenAPI document."""
    out: dict[str, Any] = {
        "Errors": ERRORS,
        "QuizAnswers": _quiz_answers(),
        "QuizQuestion": QUIZ_QUESTION,
        "QuizStep": QUIZ_STEP,
    }
    root = resources.files("policy.inputs") / "schema"
    for name, file in BODIES.items():
        schema = json.loads((root / file).read_text(encoding="utf-8"))
        defs = schema.pop("$defs", {})
        schema.pop("$schema", None)
        schema.pop("$id", None)
        for key, sub in defs.items():
            out[f"{name}_{key}"] = _rewrite(sub, name)
        out[name] = _rewrite(schema, name)
    return out


def _rewrite(node: Any, name: str) -> Any:
    if isinstance(node, dict):
        return {
            k: (
                f"#/components/schemas/{name}_{v.removeprefix('#/$defs/')}"
                if k == "$ref" and isinstance(v, str) and v.startswith("#/$defs/")
                else _rewrite(v, name)
            )
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rewrite(v, name) for v in node]
    return node


# One field's question: how a page asks it (docs/quiz.md "Answers").
_FIELD_QUESTION: dict[str, Any] = {
    "type": "object",
    "required": ["field", "label", "help", "kind"],
    "properties": {
        "field": {"type": "string", "description": "The field path the answer goes to."},
        "label": {"type": "string"},
        "help": {"type": "string"},
        "kind": {
            "type": "string",
            "enum": [
                "choice", "boolean", "money", "percent", "number", "date", "text", "codes",
                "list", "record",
            ],
        },
        "choices": {"type": "array", "items": {"type": "string"}},
        "suggestions": {"type": "array", "items": {"type": "string"}},
        "item": {"type": "array", "items": {"type": "object"}},
    },
}  # fmt: skip
# The next question: one or more fields asked on one page. The top-level keys are the
# first field's question (a client that reads only `field` stays correct: it answers that
# one and is asked the others next); `fields` has every field's question, in order.
QUIZ_QUESTION: dict[str, Any] = {
    **_FIELD_QUESTION,
    "required": [*_FIELD_QUESTION["required"], "fields", "title", "title_help"],
    "properties": {
        **_FIELD_QUESTION["properties"],
        "fields": {"type": "array", "minItems": 1, "items": _FIELD_QUESTION},
        "title": {"type": "string", "description": "The heading of the whole question."},
        "title_help": {"type": "string"},
    },
}
QUIZ_STEP: dict[str, Any] = {
    "type": "object",
    "required": ["question", "results", "asked", "as_of"],
    "properties": {
        "question": {
            "anyOf": [{"$ref": "#/components/schemas/QuizQuestion"}, {"type": "null"}],
            "description": "null when no unanswered field can change a programme's status.",
        },
        "results": {"type": "array", "items": {"type": "object"}, "description": "As in "
                    "`check --json`."},
        "asked": {"type": "integer", "description": "How many fields are answered."},
        "as_of": {"type": "string", "format": "date"},
    },
}  # fmt: skip


def quiz_answer() -> dict[int | str, dict[str, Any]]:
    """`answer(...)` for the quiz, with the schema of its 200 document."""
    out = answer("check --json")
    out[200] = {
        "description": "The next question and the ranking of the answers so far.",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/QuizStep"}}
        },
    }
    return out


def _quiz_answers() -> dict[str, Any]:
    """The body of `POST /api/v1/quiz/next`: field path → answer (null: "I don't know");
    each answer is read as the same field of a profile (`Profile` has their schemas)."""
    from policy.inputs.questions import askable

    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["answers"],
        "properties": {
            "answers": {
                "type": "object",
                "description": "Field path of the profile format → the answer in that "
                "format; null means \"I don't know\" (the field is not asked again).",
                "propertyNames": {"enum": list(askable())},
            },
            "as_of": {"type": "string", "format": "date", "description": "YYYY-MM-DD"},
            "lang": {"type": "string", "enum": ["nl", "fr", "en"]},
        },
    }
