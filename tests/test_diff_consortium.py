"""`subsidia diff` on a consortium programme of the real catalogue: the witness has
partners, and its example must still load (in a file of its own: it takes half a minute,
and pytest-xdist's `--dist loadfile` runs a file on one worker)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from policy.authoring.diff import diff
from policy.engine import DEFAULT_RULES
from tests.cli import invoke

DAY = dt.date(2026, 3, 1)


def test_a_raised_minimum_aid_shows_on_a_consortium_profile_check_loads(tmp_path: Path) -> None:
    """VLAIO's research project with the minimum aid raised from €100,000 to €150,000: a
    grant between the two is eligible before and not after. The solver's witness has a
    partner (the rules read the partners' costs, never their ids); the example gives it
    an id, so it loads, and `subsidia check` answers it as diff says (before the ids, every
    witness was dropped as unloadable and diff said that nothing changes)."""
    from policy.authoring.witness_profile import profile_yaml

    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(DEFAULT_RULES, old)
    shutil.copytree(DEFAULT_RULES, new)
    path = new / "flanders/vlaio_research_project.rules"
    text = path.read_text(encoding="utf-8")
    assert text.count("2018-01-01.. = 100_000 EUR") == 1
    path.write_text(text.replace("2018-01-01.. = 100_000 EUR", "2018-01-01.. = 150_000 EUR"))
    pid, differences = diff(old, new, "vlaio_research_project", DAY, old)
    assert [(d.old_status, d.new_status) for d in differences] == [("eligible", "ineligible")]
    [d] = differences
    assert d.profile is not None and 100_000 <= d.old_amount < 150_000
    partners = d.profile["project"]["partners"]  # type: ignore[index]
    assert partners and len({p["id"] for p in partners}) == len(partners)
    profile = tmp_path / "example.yaml"
    profile.write_text("\n".join(profile_yaml(d.profile)) + "\n", encoding="utf-8")
    for rules, status in ((old, "eligible"), (new, "ineligible")):
        result = invoke(
            "check",
            str(profile),
            "--programme",
            pid,
            "--as-of",
            str(DAY),
            "--json",
            "--rules",
            str(rules),
        )
        assert result.exit_code == 0, result.output
        [answer] = json.loads(result.stdout)["results"]
        assert answer["status"] == status
