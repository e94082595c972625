"""docs/profile.md, generated from the profile model and its template.

The hand-written prose (conventions, examples, errors) is `profile_doc.md` beside this
module; each `{{fields PATH}}` line in it becomes the table of the fields at PATH
(`company`, `company.enterprises`, `project.costs`, ...), one row per field of the model in
`policy/inputs/profile.py`, whose `description` is the row's meaning (the same text the JSON
Schema gives editors). A list of records that the template has no `{{fields ...}}` line for
gets a section of its own after its parent's table, from its model's docstring, so a field
added to the model is documented without touching the template. The model and
`dsl.vocabulary` list the same fields (tests/test_profile_loading.py), so the page documents
every field a rule can read.

Regenerate with `.venv/bin/python -m policy.inputs.profile_doc > docs/profile.md` (or
`make profile-doc`); tests/test_profile_doc.py fails when docs/profile.md is stale.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from dsl.errors import SubsidiaError
from policy.inputs import profile as p
from policy.inputs.model import FieldSpec, ListOf, Nested, Scalar, fields_of

TEMPLATE = Path(__file__).with_name("profile_doc.md")
MARKER = re.compile(r"^\{\{fields ([a-z_.]+)\}\}$")

# How each shared kind of value is written in the Type column.
_KINDS: list[tuple[Scalar, str]] = [
    (p.Money, "money ≥ 0"),
    (p.SignedMoney, "money, may be negative"),
    (p.Count, "number ≥ 0"),
    (p.Months, "number > 0"),
    (p.Percent, "percent"),
    (p.Ratio, "number, may be negative"),
    (p.Year, "whole number"),
    (p.Inhabitants, "whole number ≥ 0"),
    (p.Text, "text"),
    (p.OpenSymbol, "symbol"),
    (p.Date, "date"),
    (p.Flag, "true/false"),
    (p.NaceCode, "NACE code"),
]


class StaleTemplate(SubsidiaError):
    """The template names a path the profile model does not have."""


def models() -> dict[str, type]:
    """Every record of a profile by its path: `company`, `company.enterprises`, ..."""
    found: dict[str, type] = {}

    def visit(model: type, path: str) -> None:
        found.setdefault(path, model)
        for name, spec in fields_of(model).items():
            kind = spec.kind.item if isinstance(spec.kind, ListOf) else spec.kind
            if isinstance(kind, Nested):
                visit(kind.model, f"{path}.{name}" if path else name)

    visit(p.Profile, "")
    found.pop("")
    return found


def type_words(spec: FieldSpec) -> str:
    """The Type column: the kind of value, and whether the field is required."""
    kind = spec.kind
    if isinstance(kind, ListOf):
        words = "list" if isinstance(kind.item, Nested) else f"list of {_scalar(kind.item)}s"
    elif isinstance(kind, Nested):
        words = "record"
    else:
        words = _scalar(kind)
    return f"{words}, **required**" if spec.required else words


def _scalar(kind: Scalar) -> str:
    if kind.choices:
        return " \\| ".join(f"`{choice}`" for choice in kind.choices)
    for known, words in _KINDS:
        if kind is known:
            return words
    raise StaleTemplate(f"no Type words for a field kind {kind.schema}")


def _anchor(path: str) -> str:
    """The anchor of a `### `path[]`` heading, as GitHub writes it."""
    return path.replace(".", "")


def table(path: str, sections: frozenset[str] = frozenset()) -> str:
    """The fields of the record at `path` as a Markdown table; `sections`: the lists below
    it that get a section of their own, linked from their row."""
    model = models()[path]
    rows = ["| Field | Type | Meaning |", "|---|---|---|"]
    nested = {q for q in sections if q.rsplit(".", 1)[0] == path}
    for name, spec in fields_of(model).items():
        meaning = " ".join(spec.description.split())
        below = f"{path}.{name}"
        if below in nested and "below" not in meaning:
            meaning = f"{meaning} See [below](#{_anchor(below)})."
        if not meaning:
            raise StaleTemplate(f"{below} has no description in policy/inputs/profile.py")
        meaning = meaning.replace("|", "\\|")
        rows.append(f"| `{name}` | {type_words(spec)} | {meaning} |")
    return "\n".join(rows)


def _tables(path: str, sections: frozenset[str], marked: set[str]) -> list[str]:
    """The table of `path`, then a section for each list of records below it that the
    template does not document itself (and theirs, and so on)."""
    out = [table(path, sections)]
    for below in sorted(sections - marked):
        if below.rsplit(".", 1)[0] == path:
            doc = " ".join((models()[below].__doc__ or "").split())
            out.extend(["", f"### `{below}[]`", "", doc, "", *_tables(below, sections, marked)])
    return out


def render(template: str | None = None) -> str:
    """docs/profile.md as it should be."""
    text = TEMPLATE.read_text(encoding="utf-8") if template is None else template
    known = models()
    marked = [m.group(1) for line in text.splitlines() if (m := MARKER.match(line))]
    for path in marked:
        if path not in known:
            raise StaleTemplate(f"the template documents {path}, which profiles do not have")
    # A list of records whose model another section documents (an enterprise's aid has the
    # shape of the company's) is not documented twice; every other one gets a section.
    documented = {known[path] for path in marked}
    sections = frozenset(
        path for path, model in known.items() if path in marked or model not in documented
    )
    out: list[str] = []
    for line in text.splitlines():
        match = MARKER.match(line)
        if match is None:
            out.append(line)
            continue
        out.extend(_tables(match.group(1), sections, set(marked)))
    return "\n".join(out) + "\n"


def documented_paths(text: str) -> set[str]:
    """The field paths a rendered page documents (`company.staff`, `project.costs.amount`)."""
    found: set[str] = set()
    section = None
    for line in text.splitlines():
        heading = re.match(r"^#+ `([a-z_.]+)(\[\])?`", line)
        if heading:
            section = heading.group(1)
        row = re.match(r"^\| `([a-z_]+)` \|", line)
        if row and section:
            found.add(f"{section}.{row.group(1)}")
    return found


if __name__ == "__main__":
    sys.stdout.write(render())
