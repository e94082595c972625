"""Reading YAML profiles and scenarios: exact decimals, dates as text, no duplicate keys,
and PyYAML's errors as one located `InputError`. Separate from `policy.loading` so that
PyYAML (~20 ms to import) is loaded only when a YAML file is read."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml

from dsl.errors import N_
from policy.errors import InputError
from policy.inputs.loading import at, value_error


class _NoDuplicates:
    """Refuses a mapping that gives a key twice (PyYAML would keep the last silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
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
        # mypy, ignored below: types-PyYAML declares SafeLoader's bases without construct_mapping
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc]


class _ProfileLoader(_NoDuplicates, yaml.SafeLoader):
    """SafeLoader reading floats as Decimal, dates as text, and refusing duplicate keys.

    Dates stay text so that a bad one (2026-02-30) is reported at its field by validation
    instead of crashing the parser. The pure-Python loader is used on purpose: its error
    messages do not depend on whether libyaml is installed.
    """


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
    if digits[:2].lower() in ("0x", "0o", "0b"):
        # YAML 1.1 reads 0x1F as 31: left as text, validation says it is not a number.
        return text
    # YAML 1.1 reads 010 as octal 8; nobody writing a staff count means that.
    if len(digits) > 1 and digits[0] == "0" and digits.isdigit():
        return int(text, 10)
    return yaml.SafeLoader.construct_yaml_int(loader, node)


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


_ProfileLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_ProfileLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_ProfileLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)

# The same reading on libyaml's parser, for files read by the hundred (case files); its
# errors are never shown: the caller reads a failing file again with _ProfileLoader.
_Fast: type | None = None
if hasattr(yaml, "CSafeLoader"):

    class _FastLoader(_NoDuplicates, yaml.CSafeLoader):
        pass

    _FastLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
    _FastLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
    _FastLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
    _Fast = _FastLoader


def compose_and_construct(text: str) -> tuple[object, yaml.Node | None]:
    """The data and its node tree; raises PyYAML's exceptions (see `parse_yaml` for ones
    meant for people)."""
    loader = (_Fast or _ProfileLoader)(text)
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()
    return data, node


def parse_yaml(text: str, name: str | None) -> object:
    try:
        return yaml.load(text, Loader=_ProfileLoader)
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, name) from None
    except yaml.reader.ReaderError as exc:  # a control character; positions count characters
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        message = N_(
            "invalid YAML: special character #x{character:04x} is not allowed",
            character=exc.character,
        )
        raise InputError(at(line, column), message, name) from None
    except yaml.YAMLError as exc:
        message = " ".join(str(exc).split())
        raise InputError("", N_("invalid YAML: {message}", message=message), name) from None
    except RecursionError:
        raise InputError("", N_("invalid YAML: nested too deeply"), name) from None
    except ValueError as exc:
        raise InputError("", N_("invalid YAML: {value}", value=value_error(exc)), name) from None


def _yaml_error(exc: yaml.MarkedYAMLError, name: str | None) -> InputError:
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
            context += f" at {at(exc.context_mark.line + 1, exc.context_mark.column + 1)}"
        problem += f" ({context})"
    where = "" if mark is None else at(mark.line + 1, mark.column + 1)
    return InputError(where, N_("invalid YAML: {problem}", problem=problem), name)
