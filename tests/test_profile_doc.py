"""docs/profile.md is generated from the profile model (policy/inputs/profile_doc.py): it is
up to date, documents every field a rule can read, and picks up fields the template does
not know."""

from __future__ import annotations

from pathlib import Path

import pytest

from dsl.vocabulary import COLLECTIONS, SCALARS
from policy.inputs.profile_doc import StaleTemplate, documented_paths, render

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "profile.md"


def test_docs_profile_md_is_generated_and_up_to_date() -> None:
    assert PAGE.read_text(encoding="utf-8") == render(), (
        "docs/profile.md is stale: run "
        "`.venv/bin/python -m policy.inputs.profile_doc > docs/profile.md` (or make profile-doc)"
    )


def _vocabulary_paths() -> set[str]:
    paths = set(SCALARS)
    for path, collection in COLLECTIONS.items():
        paths.add(path)
        # An enterprise's aid rows are company.aid's shape; `enterprise` is added by the loader.
        shown = "company.aid" if path == "company.enterprises.aid" else path
        paths.update(f"{shown}.{name}" for name in collection.fields if name != "enterprise")
    return paths


def test_every_field_a_rule_can_read_is_documented() -> None:
    documented = documented_paths(PAGE.read_text(encoding="utf-8"))
    assert _vocabulary_paths() - documented == set()
    for path in ("project.time_share", "project.international_cooperation", "project.partners"):
        assert path in documented


def test_fields_and_lists_the_template_does_not_name_are_documented_all_the_same() -> None:
    """A template naming only `company` still documents its lists, each in a section of its
    own, down to an enterprise's aid: a new field or list needs no template change."""
    page = render("## `company`\n\n{{fields company}}\n")
    for heading in ("company.enterprises", "company.accounts", "company.aid"):
        assert f"### `{heading}[]`" in page
    assert "### `company.enterprises.aid[]`" in page
    documented = documented_paths(page)
    assert {"company.staff", "company.enterprises.share", "company.enterprises.aid.regime"} <= (
        documented
    )


def test_a_template_naming_a_path_profiles_lack_is_refused() -> None:
    with pytest.raises(StaleTemplate, match=r"company\.staf\b"):
        render("{{fields company.staf}}\n")
