"""Reading a profile file: YAML or JSON in, a validated `Profile` or one `InputError` out.

Numbers are read as exact decimals straight from the text (YAML and JSON floats never
become Python floats), and every failure — missing file, syntax, validation — ends up
as a single located `InputError`; no parser traceback reaches the user.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from policy.errors import InputError
from policy.model import Failure, describe, validate
from policy.profile import Profile

__all__ = ["load_profile", "parse_profile", "read_profile_data"]


def load_profile(path: str | Path) -> Profile:
    """Read and validate a profile file (`.yaml`, `.yml` or `.json`; anything else as YAML)."""
    return parse_profile(read_profile_data(path), file=str(path))


def read_profile_data(path: str | Path) -> object:
    """The parsed but unvalidated content of a profile file: numbers as Decimal, dates as text.

    Suits a JSON Schema validator as well as `parse_profile`.
    """
    name = str(path)
    text = _read_text(Path(path), name)
    if Path(path).suffix.lower() == ".json":
        return _parse_json(text, name)
    return _parse_yaml(text, name)


def parse_profile(data: object, file: str | None = None) -> Profile:
    """Validate already-parsed profile data (a mapping), such as `json.load` output.

    Python floats are accepted and read by their shortest repr (0.1 is exactly 1/10), but
    parsing with `parse_float=Decimal` avoids the question altogether.
    """
    if data is None:
        raise InputError(
            "", "the profile is empty; expected a mapping with a 'company' section", file
        )
    if not isinstance(data, dict):
        raise InputError(
            "",
            f"the top level must be a mapping with a 'company' section, got {describe(data)}",
            file,
        )
    try:
        return validate(Profile, data)
    except Failure as exc:
        raise InputError(exc.path, exc.message, file) from None
    except RecursionError:
        raise InputError("", "the profile is nested too deeply", file) from None


# --- reading -------------------------------------------------------------------------------


def _read_text(path: Path, name: str) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("", "no such file", name) from None
    except IsADirectoryError:
        raise InputError("", "is a directory, not a profile file", name) from None
    except PermissionError:
        raise InputError("", "cannot read the file: permission denied", name) from None
    except OSError as exc:
        raise InputError("", f"cannot read the file: {exc.strerror or exc}", name) from None
    try:
        # utf-8-sig: editors on Windows like to start files with a byte-order mark.
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(_at(line, column), "cannot read the file: not UTF-8 text", name) from None


def _at(line: int, column: int) -> str:
    return f"line {line}, column {column}"


class _DuplicateKey(Exception):
    pass


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _parse_json(text: str, name: str) -> object:
    try:
        # NaN and Infinity become Decimals so validation can reject them at their field.
        return json.loads(
            text, parse_float=Decimal, parse_constant=Decimal, object_pairs_hook=_json_object
        )
    except json.JSONDecodeError as exc:
        raise InputError(_at(exc.lineno, exc.colno), f"invalid JSON: {exc.msg}", name) from None
    except _DuplicateKey as exc:
        raise InputError("", f"invalid JSON: duplicate key {exc.args[0]!r}", name) from None
    except RecursionError:
        raise InputError("", "invalid JSON: nested too deeply", name) from None
    except ValueError as exc:
        raise InputError("", f"invalid JSON: {_value_error(exc)}", name) from None


class _ProfileLoader(yaml.SafeLoader):
    """SafeLoader reading floats as Decimal, dates as text, and refusing duplicate keys.

    Dates stay text so that a bad one (2026-02-30) is reported at its field by validation
    instead of crashing the parser. The pure-Python loader is used on purpose: its error
    messages do not depend on whether libyaml is installed.
    """

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    continue
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key_node.value!r}", key_node.start_mark
                    )
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal | str:
    text = str(loader.construct_scalar(node))
    if ":" in text:
        return text  # see _construct_int
    body = text.replace("_", "").lower()
    sign = ""
    if body[:1] in ("+", "-"):
        sign, body = body[0].replace("+", ""), body[1:]
    if body == ".inf":
        return Decimal(f"{sign}Infinity")
    if body == ".nan":
        return Decimal("NaN")
    return Decimal(sign + body)


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int | str:
    text = str(loader.construct_scalar(node)).replace("_", "")
    if ":" in text:
        # YAML 1.1 reads 1:30 as the base-60 number 90; left as text, validation rejects it.
        return text
    digits = text.lstrip("+-")
    # YAML 1.1 reads 010 as octal 8; nobody writing a staff count means that.
    if len(digits) > 1 and digits[0] == "0" and digits.isdigit():
        return int(text, 10)
    return yaml.SafeLoader.construct_yaml_int(loader, node)  # type: ignore[no-any-return]


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


_ProfileLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_ProfileLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_ProfileLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def _parse_yaml(text: str, name: str) -> object:
    try:
        return yaml.load(text, Loader=_ProfileLoader)
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, name) from None
    except yaml.reader.ReaderError as exc:  # a control character; positions count characters
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        message = f"invalid YAML: special character #x{exc.character:04x} is not allowed"
        raise InputError(_at(line, column), message, name) from None
    except yaml.YAMLError as exc:
        message = " ".join(str(exc).split())
        raise InputError("", f"invalid YAML: {message}", name) from None
    except RecursionError:
        raise InputError("", "invalid YAML: nested too deeply", name) from None
    except ValueError as exc:
        raise InputError("", f"invalid YAML: {_value_error(exc)}", name) from None


def _value_error(exc: ValueError) -> str:
    # Python refuses to convert integers of more than 4300 digits; its message is
    # about sys.set_int_max_str_digits, which means nothing to a user.
    if "integer string conversion" in str(exc):
        return "a number has too many digits"
    return str(exc)


def _yaml_error(exc: yaml.MarkedYAMLError, name: str) -> InputError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "syntax error"
    if "'\\t'" in problem:
        # PyYAML's words ("found character '\\t' that cannot start any token") hide the fix.
        problem = "tab character found; indent with spaces, not tabs"
    elif exc.problem and exc.context:
        context = exc.context
        if exc.context_mark is not None and (
            mark is None
            or (exc.context_mark.line, exc.context_mark.column) != (mark.line, mark.column)
        ):
            context += f" at {_at(exc.context_mark.line + 1, exc.context_mark.column + 1)}"
        problem += f" ({context})"
    where = "" if mark is None else _at(mark.line + 1, mark.column + 1)
    return InputError(where, f"invalid YAML: {problem}", name)
