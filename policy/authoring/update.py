"""`subsidia test --update`: rewrite the expectations of failing cases in their files.

Like a snapshot tool's update, reviewed with `git diff`: only the values that disagree are
replaced, each at its place in the text (found through PyYAML's node positions), so
comments, key order, quoting and layout stay as they were. Only expect keys the case
already writes are rewritten; nothing is added. Each file is written whole or not at all,
and only after its new text has been read back as the same cases with the new values.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import yaml

from dsl.errors import UsageError
from dsl.formatter import _replace
from policy.authoring.cases import CaseOutcome, load_cases
from policy.errors import InputError

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


def update_case_files(failed: list[CaseOutcome]) -> list[str]:
    """Rewrite every failing case's mismatched expectations; the files changed."""
    by_file: dict[Path, list[CaseOutcome]] = {}
    for outcome in failed:
        by_file.setdefault(outcome.case.file, []).append(outcome)
    changed = []
    for path, outcomes in by_file.items():
        text = path.read_text(encoding="utf-8")
        new = rewrite(text, outcomes, str(path))
        if new != text:
            _check_readable(path, new)
            _replace(path, new)
            changed.append(str(path))
    return changed


def rewrite(text: str, outcomes: list[CaseOutcome], name: str) -> str:
    """`text` with each outcome's mismatched expectations set to what the rules answered."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    cases = _get(root, "cases")
    if not isinstance(cases, yaml.SequenceNode):
        raise UsageError(f"--update: {name}: no 'cases' list to rewrite")
    edits: list[tuple[int, int, str]] = []
    for outcome in outcomes:
        expect = _get(cases.value[outcome.case.index], "expect")
        for mismatch in outcome.mismatches:
            key = mismatch.what
            if key in ("status", "amount", "category", "failed", "missing"):
                node = _get(expect, key)
                value = outcome.actual.get(key)
            else:
                node = _get(_get(expect, "values"), key)
                value = outcome.actual.get("values." + key)
            if node is None:
                continue
            edits.append(_edit(text, node, value))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value_node
    return None


def _edit(text: str, node: yaml.Node, value: object) -> tuple[int, int, str]:
    start = node.start_mark.index
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        # A block list: from its first `-` to the end of its last item, so the line breaks
        # and comments after it stay; the new items keep the first one's column.
        end = node.value[-1].end_mark.index
        names = value if isinstance(value, list) else []
        if names:
            indent = "\n" + " " * node.start_mark.column
            return start, end, indent.join(f"- {_scalar(n, None)}" for n in names)
        return start, end, "[]"
    end = node.end_mark.index
    if isinstance(value, list):
        return start, end, "[" + ", ".join(_scalar(n, None) for n in value) + "]"
    style = node.style if isinstance(node, yaml.ScalarNode) else None
    return start, end, _scalar(value, style)


def _scalar(value: object, style: str | None) -> str:
    """A value as the case file writes it, in the node's quoting where it had one."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        text = value.isoformat()
    elif isinstance(value, Decimal):
        text = str(value)
    else:
        text = str(value)
        if style is None and not (
            _PLAIN.fullmatch(text) and text.lower() not in ("true", "false", "yes", "no", "null")
        ):
            style = '"'
    if style == '"':
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if style == "'":
        return "'" + text.replace("'", "''") + "'"
    return text


def _check_readable(path: Path, text: str) -> None:
    """The new text must load as cases, as the old one did: written to a temporary file
    (not beside it, where another run would find it), loaded, and removed; a failure stops
    the update with nothing written."""
    import tempfile

    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", suffix=".cases.yaml", delete=False
    ) as probe:
        probe.write(text)
    try:
        load_cases(probe.name)
    except InputError as exc:
        raise UsageError(f"--update: {path}: the rewritten file does not load: {exc}") from None
    finally:
        Path(probe.name).unlink(missing_ok=True)
