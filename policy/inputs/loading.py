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

from dsl.errors import N_, InternalError
from dsl.files import INPUT_FILE_LIMIT, read_regular
from policy.errors import InputError
from policy.inputs.model import Failure, describe, validate
from policy.inputs.profile import Profile

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
    return parse_text(text, name, as_json=Path(path).suffix.lower() == ".json")


def read_data_and_node(path: str | Path) -> tuple[object, object]:
    """`read_profile_data`, and for YAML the document's node tree (positions of every
    value: `subsidia test` reports a case's line and `--update` edits values in place).

    libyaml's parser is used when it is there (case files are read by the hundred); on any
    problem the file is read again the usual way, whose located message does not depend on
    libyaml."""
    name = str(path)
    if Path(path).suffix.lower() == ".json":
        return read_profile_data(path), None
    text = _read_text(Path(path), name)
    from policy.inputs.yaml_reading import compose_and_construct

    try:
        data, node = compose_and_construct(text)
        _check_text(data, name)
    except Exception:  # the usual reading below reports it, located
        return parse_text(text, name, as_json=False), None
    return data, node


def parse_text(text: str, name: str | None, as_json: bool) -> object:
    """Parsed, unvalidated data from text in JSON or YAML, as `read_profile_data` reads a
    file (the HTTP service reads request bodies with it). `name` is what errors call it."""
    if as_json:
        data = _parse_json(text, name)
    else:
        # PyYAML is imported only for YAML files: a JSON profile (or an API) never needs it.
        from policy.inputs.yaml_reading import parse_yaml

        data = parse_yaml(text, name)
    _check_text(data, name)
    return data


def _check_text(data: object, name: str | None) -> None:
    """Every text (key or value) is valid Unicode: a JSON escape such as "\\ud800" gives
    half a surrogate pair, which no output (clingo, a terminal, UTF-8) can encode."""
    if _all_encodable(data):
        return  # the usual case: no path is built (every request body comes through here)
    todo: list[tuple[str, object]] = [("", data)]
    while todo:
        path, value = todo.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                here = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and not _encodable(key):
                    raise InputError(path, N_("a key is not valid Unicode: {key!r}", key=key), name)
                todo.append((here, item))
        elif isinstance(value, list):
            todo.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
        elif isinstance(value, str) and not _encodable(value):
            raise InputError(
                path, N_("not valid Unicode text (a lone surrogate): {value!r}", value=value), name
            )


def _all_encodable(data: object) -> bool:
    """Whether every key and text under `data` is valid Unicode, without naming paths."""
    todo = [data]
    while todo:
        value = todo.pop()
        if isinstance(value, dict):
            for key in value:
                if isinstance(key, str) and not _encodable(key):
                    return False
            todo.extend(value.values())
        elif isinstance(value, list):
            todo.extend(value)
        elif isinstance(value, str) and not _encodable(value):
            return False
    return True


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_profile(data: object, file: str | None = None) -> Profile:
    """Validate already-parsed profile data (a mapping), such as `json.load` output.

    Python floats are accepted and read by their shortest repr (0.1 is exactly 1/10), but
    parsing with `parse_float=Decimal` avoids the question altogether.
    """
    if data is None:
        raise InputError(
            "", N_("the profile is empty; expected a mapping with a 'company' section"), file
        )
    if not isinstance(data, dict):
        raise InputError(
            "",
            N_(
                "the top level must be a mapping with a 'company' section, got {got}",
                got=describe(data),
            ),
            file,
        )
    try:
        return validate(Profile, data)
    except Failure as exc:
        raise InputError(exc.path, exc.message, file) from None
    except RecursionError:
        raise InputError("", N_("the profile is nested too deeply"), file) from None


# --- reading -------------------------------------------------------------------------------


def _read_text(path: Path, name: str) -> str:
    try:
        # Not a plain read: a FIFO or /dev/zero must not hang, a huge file not be swallowed.
        raw = read_regular(path, INPUT_FILE_LIMIT)
    except FileNotFoundError:
        raise InputError("", N_("no such file"), name) from None
    except IsADirectoryError:
        raise InputError("", N_("is a directory, not a profile file"), name) from None
    except PermissionError:
        raise InputError("", N_("cannot read the file: permission denied"), name) from None
    except OSError as exc:
        raise InputError(
            "", N_("cannot read the file: {value}", value=exc.strerror or exc), name
        ) from None
    return decode_text(raw, name)


def decode_text(raw: bytes, name: str | None) -> str:
    """Bytes of a profile or scenario (a file, a request body) as text, or the position
    of the first byte that is not UTF-8."""
    try:
        # utf-8-sig: editors on Windows like to start files with a byte-order mark.
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            at(line, column), N_("cannot read the file: not UTF-8 text"), name
        ) from None


def at(line: int, column: int) -> str:
    """A position as error paths spell it."""
    return f"line {line}, column {column}"


class _DuplicateKey(InternalError):
    pass


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _parse_json(text: str, name: str | None) -> object:
    try:
        # NaN and Infinity become Decimals so validation can reject them at their field.
        return json.loads(
            text, parse_float=Decimal, parse_constant=Decimal, object_pairs_hook=_json_object
        )
    except json.JSONDecodeError as exc:
        raise InputError(
            at(exc.lineno, exc.colno), N_("invalid JSON: {msg}", msg=exc.msg), name
        ) from None
    except _DuplicateKey as exc:
        raise InputError(
            "", N_("invalid JSON: duplicate key {args!r}", args=exc.args[0]), name
        ) from None
    except RecursionError:
        raise InputError("", N_("invalid JSON: nested too deeply"), name) from None
    except ValueError as exc:
        raise InputError("", N_("invalid JSON: {value}", value=value_error(exc)), name) from None


def value_error(exc: ValueError) -> str:
    # Python refuses to convert integers of more than 4300 digits; its message is
    # about sys.set_int_max_str_digits, which means nothing to a user.
    if "integer string conversion" in str(exc):
        return "a number has too many digits"
    return str(exc)
