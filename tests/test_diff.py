"""`subsidia diff`: kinds of changed answers between two versions, each with a concrete
example profile found by the solver and checked by the engine under both versions."""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from policy import engine
from policy.authoring.diff import Difference, diff, profile_lines
from policy.engine import DEFAULT_RULES
from policy.inputs.loading import parse_profile
from solver.record import InputRecord
from tests.cli import invoke
from tests.golden_files import GOLDEN, assert_golden

ROOT = Path(__file__).resolve().parent.parent
VOUCHER = ROOT / "docs/examples/innovation_voucher.rules"
DAY = dt.date(2026, 3, 1)

# A small programme that reads two shared definitions, one of them an amount (the de
# minimis headroom), so that an example must choose aid, staff and turnover for them.
MINI = """\
programme mini_grant {
  label nl "Mini" fr "Mini" en "Mini grant"
  valid 2025-01-01..
  source s { url "https://example.org/mini" }
  param rate : percent {
    label nl "Tarief" fr "Taux" en "Rate"
    source s
    2025-01-01.. = 50%
  }
  condition small {
    label nl "Klein" fr "Petite" en "Small or micro"
    source s
    require eu_sme.category_of_company in {'micro', 'small'}
  }
  condition minimum {
    label nl "Minimum" fr "Minimum" en "At least 1,000 EUR of costs"
    source s
    require sum(c.amount for c in project.costs) >= 1000 EUR
  }
  amount {
    label nl "Steun" fr "Aide" en "Grant"
    source s
    = min(rate * sum(c.amount for c in project.costs), eu_de_minimis.headroom)
  }
}
"""


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def versions(tmp_path: Path) -> tuple[Path, Path]:
    """The tutorial's voucher, and a version with a higher minimum and a lower rate."""
    text = VOUCHER.read_text(encoding="utf-8")
    changed = text.replace("= 2500 EUR", "= 5000 EUR").replace(
        '2026-01-01.. = 60% source amendment "art. 1"',
        '2026-01-01.. = 50% source amendment "art. 1"',
    )
    assert changed.count("5000 EUR") == 1 and "= 50%" in changed
    old = _write(tmp_path / "old", "innovation_voucher.rules", text)
    return old, _write(tmp_path / "new", "innovation_voucher.rules", changed)


@pytest.fixture
def mini_versions(tmp_path: Path) -> tuple[Path, Path]:
    """The mini grant, and a version with a lower rate that only micro companies get."""
    changed = MINI.replace("= 50%", "= 40%").replace("{'micro', 'small'}", "{'micro'}")
    old = _write(tmp_path / "old", "mini_grant.rules", MINI)
    return old, _write(tmp_path / "new", "mini_grant.rules", changed)


def _root(tmp_path: Path, name: str, rule_file: Path) -> Path:
    """A rules folder as a user would have it: the bundled catalogue plus one version."""
    root = tmp_path / name
    shutil.copytree(DEFAULT_RULES, root)
    shutil.copy(rule_file, root / rule_file.name)
    return root


def _engine_answer(record, pid: str, root: Path) -> tuple[str, Decimal | None]:
    result = engine.check(record, DAY, pid, root).results[0]
    return result.status, result.amount


def _assert_engine_agrees(
    pid: str, differences: list[Difference], old_root: Path, new_root: Path
) -> None:
    """Each example, checked by the engine under each version's own rules folder, gets
    exactly the two answers it is shown with, and they differ."""
    assert differences
    for d in differences:
        assert not any(p.startswith("@") for p in d.record.scalars)  # nothing assumed
        before = _engine_answer(d.record, pid, old_root)
        after = _engine_answer(d.record, pid, new_root)
        assert before == (d.old_status, d.old_amount)
        assert after == (d.new_status, d.new_amount)
        assert before != after


def _cents(x: Fraction) -> Decimal:
    return (Decimal((x * 100).__floor__()) / 100).quantize(Decimal("0.01"), ROUND_FLOOR)


def test_each_kind_of_change_has_an_example_that_shows_it(versions: tuple[Path, Path]) -> None:
    pid, differences = diff(*versions, None, DAY, DEFAULT_RULES)
    assert pid == "innovation_voucher"
    kinds = {(d.old_status, d.new_status) for d in differences}
    assert kinds == {("eligible", "eligible"), ("eligible", "ineligible")}
    for d in differences:
        # The SME test is met by the profile's own figures, not assumed.
        assert d.shared == {"eu_sme.is_sme": True}
        for name in ("staff", "turnover", "balance_sheet"):
            assert f"company.{name}" in d.record.scalars
        assert d.record.collections["company.enterprises"] == []
        assert d.record.scalars["company.region"] in ("flanders", "brussels")
        costs = sum(
            c["amount"]
            for c in d.record.collections["project.costs"]
            if c["category"] in ("advice", "subcontracting")
        )
        assert d.old_amount == _cents(min(costs * Fraction(60, 100), Fraction(10_000)))
        if d.new_status == "eligible":  # the lower rate
            assert costs >= 5_000
            assert d.new_amount == _cents(min(costs * Fraction(50, 100), Fraction(10_000)))
            assert d.new_amount < d.old_amount
        else:  # the higher minimum
            assert 2_500 <= costs < 5_000
            assert d.new_amount is None


def test_every_example_differs_as_stated_under_the_engine(
    tmp_path: Path, versions: tuple[Path, Path], mini_versions: tuple[Path, Path]
) -> None:
    for pid, (old, new) in (("innovation_voucher", versions), ("mini_grant", mini_versions)):
        found, differences = diff(old, new, None, DAY, DEFAULT_RULES)
        assert found == pid
        old_root = _root(tmp_path, f"{pid}-old-root", old)
        new_root = _root(tmp_path, f"{pid}-new-root", new)
        _assert_engine_agrees(pid, differences, old_root, new_root)


def test_shared_amounts_come_from_aid_and_figures(mini_versions: tuple[Path, Path]) -> None:
    _, differences = diff(*mini_versions, None, DAY, DEFAULT_RULES)
    kinds = {(d.old_status, d.new_status) for d in differences}
    assert kinds == {("eligible", "eligible"), ("eligible", "ineligible")}
    for d in differences:
        assert set(d.shared) == {"eu_de_minimis.headroom", "eu_sme.category_of_company"}
        assert "company.aid" in d.record.collections  # what the headroom is computed from
        if d.new_status == "ineligible":  # small, no longer enough
            assert d.shared["eu_sme.category_of_company"] == "small"
        else:
            assert d.shared["eu_sme.category_of_company"] == "micro"


def test_printed_examples_are_profiles_with_the_stated_answers(
    tmp_path: Path, versions: tuple[Path, Path]
) -> None:
    """The YAML printed for an example, read back as a profile, is the example: the
    engine gives it the answers shown. Fields no rule reads are filled in to make the
    profile complete (an id; an aid's amount and regime, which the voucher never reads)."""
    old, new = versions
    _, differences = diff(old, new, None, DAY, DEFAULT_RULES)
    roots = _root(tmp_path, "old-root", old), _root(tmp_path, "new-root", new)
    for d in differences:
        data = yaml.safe_load("\n".join(profile_lines(d.record)))
        data["company"]["id"] = "example"
        for aid in data["company"].get("aid", []):
            aid.setdefault("amount", 0)
            aid.setdefault("regime", "other")
        record = parse_profile(data).to_record()
        assert _engine_answer(record, "innovation_voucher", roots[0]) == (
            d.old_status,
            d.old_amount,
        )
        assert _engine_answer(record, "innovation_voucher", roots[1]) == (
            d.new_status,
            d.new_amount,
        )


def test_a_version_not_in_force_on_the_day_answers_ineligible(tmp_path: Path) -> None:
    """A new version that ends before the day: every profile eligible under the old one
    is no longer, and the statuses are compared with the programme set aside."""
    text = VOUCHER.read_text(encoding="utf-8")
    assert text.count("  valid 2025-01-01..\n") == 1
    ended = text.replace("  valid 2025-01-01..\n", "  valid 2025-01-01..2025-12-31\n")
    old = _write(tmp_path / "old", "innovation_voucher.rules", text)
    new = _write(tmp_path / "new", "innovation_voucher.rules", ended)
    _, differences = diff(old, new, None, DAY, DEFAULT_RULES)
    assert [(d.old_status, d.new_status) for d in differences] == [("eligible", "ineligible")]
    old_root, new_root = _root(tmp_path, "old-root", old), _root(tmp_path, "new-root", new)
    _assert_engine_agrees("innovation_voucher", differences, old_root, new_root)


def test_identical_versions_have_no_difference(versions: tuple[Path, Path]) -> None:
    old, _ = versions
    assert diff(old, old, None, DAY, DEFAULT_RULES) == ("innovation_voucher", [])


def test_command_output_is_golden(
    versions: tuple[Path, Path], mini_versions: tuple[Path, Path]
) -> None:
    for name, (old, new) in (("innovation_voucher", versions), ("mini_grant", mini_versions)):
        result = invoke("diff", str(old), str(new), "--as-of", "2026-03-01")
        assert result.exit_code == 1, result.output
        assert "Fraction" not in result.stdout and "assuming" not in result.stdout
        assert_golden(GOLDEN / "diff" / f"{name}.txt", result.stdout)


def test_command_exit_codes(versions: tuple[Path, Path]) -> None:
    old, new = versions
    same = invoke("diff", str(old), str(old), "--as-of", "2026-03-01")
    assert (same.exit_code, same.stdout) == (
        0,
        "innovation_voucher: no profile changes status or amount on 2026-03-01\n",
    )
    other = invoke("diff", str(old), str(new), "--programme", "kmo_portefeuille")
    assert other.exit_code == 0  # in both catalogues, unchanged
    missing = invoke("diff", str(old), str(new), "--programme", "nope")
    assert missing.exit_code == 2
    assert "programme 'nope' is not in both versions" in missing.stderr


# ---- the real catalogue: a copy of programmes/ with one rule file edited


def _catalogue_versions(tmp_path: Path, edits: list[tuple[str, str]]) -> tuple[Path, Path]:
    """programmes/ twice; in the second, Kmo-groeisubsidie edited (each edit matches once)."""
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(DEFAULT_RULES, old)
    shutil.copytree(DEFAULT_RULES, new)
    path = new / "flanders/kmo_groeisubsidie.rules"
    text = path.read_text(encoding="utf-8")
    for before, after in edits:
        assert text.count(before) == 1, before
        text = text.replace(before, after)
    path.write_text(text, encoding="utf-8")
    return old, new


RATE = ("2021-01-01.. = 50%\n", "2021-01-01.. = 40%\n")
ADVICE_CAP = (
    'its cap for advice is not given"\n    2021-01-01.. = 25_000 EUR',
    'its cap for advice is not given"\n    2021-01-01.. = 20_000 EUR',
)
TOTAL_CAP = ("2021-01-01.. = 50_000 EUR", "2021-01-01.. = 40_000 EUR")
NON_PROFIT = {"vzw", "ivzw", "asbl", "aisbl", "stichting", "fondation"}
THEMES = {"internationalisation", "digitalisation", "innovation", "circular"}


def test_a_rate_and_a_cap_of_a_catalogue_programme(tmp_path: Path) -> None:
    """The rule author's case: two parameters of Kmo-groeisubsidie changed in a copy of the
    whole catalogue. Only amounts can change (no condition did), every example is the
    engine's answer under each folder, and open symbols take values the rules test them
    against or a neutral one, never a constant from elsewhere."""
    old, new = _catalogue_versions(tmp_path, [RATE, ADVICE_CAP])
    pid, differences = diff(old, new, "kmo_groeisubsidie", DAY, old)
    assert pid == "kmo_groeisubsidie"
    assert {(d.old_status, d.new_status) for d in differences} == {("eligible", "eligible")}
    _assert_engine_agrees(pid, differences, old, new)
    for d in differences:
        assert d.new_amount < d.old_amount  # a lower rate and a lower cap
        scalars = d.record.scalars
        assert scalars["company.legal_form"] in NON_PROFIT | {"other"}
        assert scalars["project.theme"] in THEMES | {"other"}
        for aid in d.record.collections["company.aid"]:
            assert aid["programme"] in ("kmo_groeisubsidie", "other")
        for cost in d.record.collections["project.costs"]:
            assert cost["category"] in ("advice", "hire", "other")
        advice = sum(
            c["amount"] for c in d.record.collections["project.costs"] if c["category"] == "advice"
        )
        if not any(c["category"] == "hire" for c in d.record.collections["project.costs"]):
            assert d.old_amount == _cents(min(advice / 2, Fraction(25_000)))
            assert d.new_amount == _cents(min(advice * Fraction(2, 5), Fraction(20_000)))


def test_a_change_only_two_cost_lines_show(tmp_path: Path) -> None:
    """A lower total cap binds only above €40,000, which one advice or one hire line
    (each capped at €25,000) never reaches: the search goes on to two-element lists."""
    old, new = _catalogue_versions(tmp_path, [TOTAL_CAP])
    pid, differences = diff(old, new, "kmo_groeisubsidie", DAY, old)
    assert {(d.old_status, d.new_status) for d in differences} == {("eligible", "eligible")}
    _assert_engine_agrees(pid, differences, old, new)
    for d in differences:
        assert len(d.record.collections["project.costs"]) == 2
        assert d.old_amount > 40_000 and d.new_amount == 40_000



def test_every_example_diff_prints_is_a_profile_check_answers_as_shown(tmp_path: Path) -> None:
    """Each kind of change diff shows (another amount, another status), saved to a file:
    `subsidia check` loads it and gives the old answer with the bundled rules and the new
    one with the changed copy."""
    from policy.authoring.witness_profile import profile_yaml

    bundled = ROOT / "programmes"
    copy = tmp_path / "rules"
    shutil.copytree(bundled, copy)
    rules = copy / "flanders/kmo_groeisubsidie.rules"
    text = rules.read_text(encoding="utf-8")
    for old, new in (("2021-01-01.. = 50%", "2021-01-01.. = 90%"),
                     ("2021-01-01.. = 20_000 EUR", "2021-01-01.. = 25_000 EUR")):
        assert old in text
        text = text.replace(old, new, 1)
    rules.write_text(text, encoding="utf-8")
    day = dt.date(2026, 3, 1)
    old_file = bundled / "flanders/kmo_groeisubsidie.rules"
    _, differences = diff(old_file, rules, "kmo_groeisubsidie", day, bundled, 1)
    kinds = {(d.old_status, d.new_status) for d in differences}
    assert ("eligible", "eligible") in kinds and ("eligible", "ineligible") in kinds
    for i, d in enumerate(differences):
        assert d.profile is not None
        profile = tmp_path / f"example{i}.yaml"
        written = "\n".join(profile_yaml(d.profile)) + "\n"
        profile.write_text(written, encoding="utf-8")
        assert "gross_salary" not in written or "category: hire" in written
        assert yaml.safe_load(written)["company"]["id"]
        for extra, status, amount in (
            ((), d.old_status, d.old_amount),
            (("--rules", str(copy)), d.new_status, d.new_amount),
        ):
            result = invoke(
                "check", str(profile), "--programme", "kmo_groeisubsidie",
                "--as-of", "2026-03-01", "--json", *extra,
            )
            assert result.exit_code == 0, result.output
            [answer] = json.loads(result.stdout)["results"]
            shown = None if answer.get("amount") is None else Decimal(answer["amount"])
            assert (answer["status"], shown if status != "ineligible" else None) == (
                status,
                amount,
            ), d.kind


def test_a_witness_gets_the_ids_and_aid_programme_no_rule_read() -> None:
    """The profile format requires an id on each partner and related enterprise (unique in
    its list) and a programme on each earlier aid; a witness has them only if a rule read
    them. diff's examples are made by the converter lint and the properties use, which
    fills them in: the profile loads, and its YAML reads back as the same profile."""
    from policy.authoring.witness_profile import loadable, profile_yaml

    record = InputRecord(
        {"company.region": "flanders", "project.submitted": DAY},
        {
            "project.partners": [{"costs": Fraction(10)}, {"id": "p"}, {}],
            "company.enterprises": [{"share": Fraction(1, 2), "direction": "holds"}],
            "company.aid": [
                {"granted": dt.date(2025, 1, 1), "amount": Fraction(5), "regime": "de_minimis"}
            ],
        },
    )
    loaded = loadable(record, engine.catalogue(), DAY)
    assert loaded is not None
    data, recomputed = loaded
    ids = [p["id"] for p in data["project"]["partners"]]
    assert len(set(ids)) == 3
    assert data["company"]["enterprises"][0]["id"]
    assert data["company"]["aid"][0]["programme"]
    assert recomputed.collections["project.partners"][0]["costs"] == 10
    text = "\n".join(profile_yaml(data)) + "\n"
    assert "submitted: 2026-03-01\n" in text and "costs: 10\n" in text  # bare, not quoted
    assert parse_profile(yaml.safe_load(text)) == parse_profile(copy.deepcopy(data))


def test_changes_found_only_on_unstatable_witnesses_are_not_reported_as_none() -> None:
    """A search that found changed answers but no profile stating them proves nothing:
    the report says so, and it is not conclusive (the command exits 1, not 0)."""
    from policy.authoring.diff import Searched, render

    assert Searched().conclusive
    assert not Searched(unstated=2).conclusive and not Searched(finished=False).conclusive
    text = render("p", DAY, [], "en", Searched(unstated=2))
    assert "found 2 changed answer(s)" in text and "no profile changes" not in text
    assert "no profile changes status or amount" in render("p", DAY, [], "en", Searched())


def test_the_report_in_the_readers_language(mini_versions: tuple[Path, Path]) -> None:
    from tests.translation import assert_translated

    old, new = mini_versions
    english = invoke("diff", str(old), str(new), "--as-of", "2026-03-01").stdout.splitlines()
    for lang in ("nl", "fr"):
        args = ("diff", str(old), str(new), "--as-of", "2026-03-01", "--lang", lang)
        translated = invoke(*args).stdout.splitlines()
        # The sentences (and the comment under each example) are translated; the example
        # profiles (indented YAML) are files, unchanged.
        def profile(line: str) -> bool:
            return line[:1] == " " and not line.lstrip().startswith("#")

        pairs = list(zip(english, translated, strict=True))
        sentences = [(e, t) for e, t in pairs if not profile(e)]
        assert len(sentences) == 5  # the title, two examples, the comment under each
        for e, t in sentences:
            data = [w for w in ("mini_grant", "eu_sme.category_of_company = micro") if w in e]
            assert_translated(e, t, data, lang, names={"micro", "small"})  # values
        assert [e for e, _ in pairs if profile(e)] == [t for _, t in pairs if profile(t)]
    same = invoke("diff", str(old), str(old), "--as-of", "2026-03-01", "--lang", "fr")
    assert (same.exit_code, same.stdout) == (
        0,
        "mini_grant : aucun profil ne change de statut ni de montant au 2026-03-01\n",
    )


def test_a_time_limit_stops_the_search_and_says_it_proves_nothing(mini_versions) -> None:
    old, new = (str(p) for p in mini_versions)
    stopped = invoke("diff", old, new, "--as-of", str(DAY), "--time-limit", "0.001")
    assert stopped.exit_code == 1  # no example, and no proof that nothing changes
    assert "no example found before the time limit" in stopped.stdout
    assert "did not finish" in stopped.stdout
    assert invoke("diff", old, new, "--time-limit", "0").exit_code == 2
    finished = invoke("diff", old, new, "--as-of", str(DAY), "--time-limit", "600")
    assert finished.exit_code == 1 and "example(s) of a changed answer" in finished.stdout
    assert "time limit" not in finished.stdout
