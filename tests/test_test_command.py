"""`subsidia test`: runs cases beside rule files, reports failures and condition coverage."""

from __future__ import annotations

from pathlib import Path

from policy.authoring.testing import gaps, run
from tests.cli import invoke

ROOT = Path(__file__).parent.parent


def test_bundled_cases_pass_and_cover_every_kmo_condition_both_ways() -> None:
    result = run([ROOT / "programmes/flanders/kmo_groeisubsidie.rules"])
    assert result.outcomes and not result.failed
    assert "kmo_groeisubsidie" not in gaps(result)


def test_a_wrong_expectation_fails_with_a_diff(tmp_path: Path) -> None:
    cases = tmp_path / "wrong.cases.yaml"
    cases.write_text(
        """
programme: kmo_groeisubsidie
cases:
  - name: walloon company expected eligible
    as_of: 2026-03-01
    profile:
      company: {id: x, region: wallonia}
    expect: {status: eligible}
""",
        encoding="utf-8",
    )
    result = invoke("test", str(cases))
    assert result.exit_code == 1
    assert "expected eligible, got ineligible" in result.output
    assert "0 passed, 1 failed" in result.output
    assert "never both met and failed" in result.output
