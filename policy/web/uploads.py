"""Turning what a form sends (an uploaded file, a bundled example, or the profile echoed
back for a download) into a profile mapping for the facade. Every failure is an
`InputError` naming the upload, so a page shows one clear message and never a 500."""

from __future__ import annotations

import json
from pathlib import Path

from dsl.errors import N_
from policy.errors import InputError

# The bundled example profiles live in the source checkout (examples/profiles); an
# installed wheel has none, and the page then offers the upload only.
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "profiles"
MAX_BYTES = 1_000_000


def examples() -> list[str]:
    return sorted(p.stem for p in EXAMPLES.glob("*.yaml")) if EXAMPLES.is_dir() else []


def parse(data: bytes, name: str) -> dict:
    """The mapping in an uploaded YAML or JSON profile (JSON is YAML, so one parser)."""
    import yaml

    if len(data) > MAX_BYTES:
        raise InputError(
            "", N_("the profile is larger than {MAX_BYTES} bytes", MAX_BYTES=MAX_BYTES), name
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("", N_("not UTF-8 text; upload a YAML or JSON profile"), name) from None
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or "invalid YAML"
        raise InputError("", str(problem), f"{name}{where}") from None
    if not isinstance(value, dict):
        raise InputError("", N_("a profile is a mapping with company: and project:"), name)
    return value


def example(name: str) -> dict:
    if name not in examples():
        raise InputError("example", N_("unknown example profile '{name}'", name=name))
    path = EXAMPLES / f"{name}.yaml"
    return parse(path.read_bytes(), path.name)


def echoed(text: str) -> dict:
    """The profile a result page sent back (JSON in a hidden field) for its downloads."""
    try:
        value = json.loads(text)
    except ValueError:
        raise InputError("profile", N_("not a JSON profile")) from None
    if not isinstance(value, dict):
        raise InputError("profile", N_("a profile is a mapping"))
    return value


def to_json(profile: dict) -> str:
    # Dates from YAML become ISO strings, which the profile format reads back.
    return json.dumps(profile, default=str, sort_keys=True)
