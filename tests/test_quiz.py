"""The adaptive quiz (policy/funding/quiz.py, `policy.quiz`, `POST /api/v1/quiz/next`,
the page at `/`): its questions come from what the engine still misses, it never asks a
field twice, and what it reports as decided is what checking the whole profile says."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

import policy
from policy import engine
from policy.errors import InputError
from policy.funding.quiz import answer_from
from policy.inputs.loading import read_profile_data
from policy.inputs.questions import WORDING, askable, group_of, owning_field
from policy.service.app import create_app
from tests.schema_strategies import Hints, profiles
from tests.test_api import DAY, FLEMISH, _profile_files

GROUP_OF = group_of()
FLEMISH_ONLY = ("kmo_groeisubsidie", "kmo_portefeuille", "kmo_haalbaarheidsstudie")


def run(
    profile: policy.inputs.profile.Profile, lang: str = "en", whole_questions: bool = True
) -> tuple[list[str], dict]:
    """Answer the quiz from `profile` until it stops: the fields asked, and the statuses
    it ended with. Asserts, at every step, that no field of the question was asked before
    and that each is open for some programme that is unknown or decided on a default.
    `whole_questions=False` answers only the question's `field`, as a client written
    before questions could ask several fields does."""
    from policy.funding.quiz import profile_mapping, quiz_record

    answers: dict[str, object] = {}
    while True:
        report = policy.quiz(answers, DAY, lang)
        statuses = {r.programme: r for r in report.check.results}
        if report.question is None:
            return list(answers), {p: r.status for p, r in statuses.items()}
        parts = report.question["fields"]
        assert {k: v for k, v in parts[0].items()} == {
            k: v for k, v in report.question.items() if k not in ("fields", "title", "title_help")
        }  # the top level is the first field's question: older clients read that
        record = quiz_record(
            engine.catalogue(), policy.load_profile(profile_mapping(answers)), answers, DAY
        )
        open_fields = engine.direct_program(None, DAY).open_fields(record)
        needed = {owning_field(f) for fields in open_fields.values() for f in fields}
        for part in parts if whole_questions else parts[:1]:
            field = part["field"]
            assert field not in answers, f"{field} asked twice"
            assert field in needed or field == "project.start", (field, needed)
            answers[field] = answer_from(profile, field)


def _loadable() -> list[Path]:
    found = []
    for path in _profile_files():
        try:
            policy.load_profile(path)
        except InputError:
            continue
        found.append(path)
    return found


@pytest.mark.parametrize("path", _loadable(), ids=lambda p: p.name)
def test_what_the_quiz_decides_is_what_the_whole_profile_gets(path: Path) -> None:
    profile = policy.load_profile(path)
    asked, statuses = run(profile)
    whole = {r.programme: r.status for r in policy.check(path, DAY).checked.results}
    for programme, status in statuses.items():
        if status != "unknown":
            assert status == whole[programme], programme
    # Every programme the whole profile decides, the quiz decides too, unless the
    # profile's own answers left it open (then the whole profile does not decide it).
    assert [p for p, s in statuses.items() if s == "unknown" and whole[p] != "unknown"] == []
    assert len(asked) == len(set(asked))


# filter_too_much: the profile strategy draws numbers written as text by regex and keeps
# those of at most 16 characters without a two-digit exponent (tests/schema_strategies.py);
# some draws are discarded by design, and on an unlucky seed Hypothesis's health check
# counts more than it likes (as in tests/test_csp_backend.py, which suppresses them all).
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(profiles(Hints(engine.catalogue())))
def test_generated_profiles_keep_the_promise(data: dict) -> None:
    try:
        profile = policy.load_profile(data)
        whole = {r.programme: r.status for r in policy.check(profile, DAY).checked.results}
    except InputError:
        return  # a combination the profile format refuses (cross-field checks)
    try:
        _, statuses = run(profile)
    except InputError:
        # Only the costing's own cross-field check can refuse a partial profile that the
        # whole one passes: costs dated without a project start answered.
        assert profile.project is not None and profile.project.start is None
        return
    for programme, status in statuses.items():
        if status != "unknown":
            assert status == whole[programme], programme


@pytest.mark.parametrize("name", ["flemish_growth.yaml", "walloon_large.yaml"])
def test_a_client_that_answers_only_field_gets_the_same_statuses(name: str) -> None:
    """Backward compatibility: answering only `field` of each question (the API before
    grouped questions) still ends, never asks a field twice and decides the same."""
    path = Path("examples/profiles") / name
    profile = policy.load_profile(path)
    _, grouped = run(profile)
    asked, single = run(profile, whole_questions=False)
    assert single == grouped
    assert len(asked) == len(set(asked))


def test_related_fields_are_asked_in_one_question() -> None:
    """The size figures of the SME definition come as one question, headed by the group's
    wording; each field keeps its own label, kind and help."""
    profile = policy.load_profile(FLEMISH)
    answers: dict[str, object] = {}
    report = policy.quiz(answers, DAY, "nl")
    seen, size = [], None
    while report.question is not None:
        fields = [p["field"] for p in report.question["fields"]]
        seen.append(fields)
        if "company.staff" in fields:
            size = report.question
        answers.update({f: answer_from(profile, f) for f in fields})
        report = policy.quiz(answers, DAY, "nl")
    assert size is not None
    assert [p["field"] for p in size["fields"]] == [
        "company.staff", "company.turnover", "company.balance_sheet"
    ]  # fmt: skip
    assert size["title"] == "Hoe groot is de onderneming?"
    assert size["label"] == size["fields"][0]["label"] != size["title"]
    assert [p["kind"] for p in size["fields"]] == ["number", "money", "money"]
    # No field is in two questions, and a question never mixes groups.
    flat = [f for fields in seen for f in fields]
    assert len(flat) == len(set(flat))
    for fields in seen:
        assert len({GROUP_OF.get(f, f) for f in fields}) == 1, fields


def test_a_status_resting_on_a_default_is_asked_about() -> None:
    """A profile file that omits `public_ownership` means 0 % (the rules' default); a quiz
    that has not asked does not know: a 60 % public holding must come up and make the
    SME growth subsidy ineligible, as it does for the whole profile."""
    data = read_profile_data(FLEMISH)
    data["company"]["public_ownership"] = 60
    profile = policy.load_profile(data)
    asked, statuses = run(profile)
    assert "company.public_ownership" in asked
    whole = policy.check(profile, DAY).result("kmo_groeisubsidie").status
    assert statuses["kmo_groeisubsidie"] == whole == "ineligible"


def test_a_walloon_company_is_not_asked_what_only_flemish_programmes_need() -> None:
    first = policy.quiz({}, DAY)
    assert first.question is not None and first.question["field"] == "company.region"
    after = policy.quiz({"company.region": "wallonia"}, DAY)
    statuses = {r.programme: r.status for r in after.check.results}
    assert all(statuses[p] == "ineligible" for p in FLEMISH_ONLY)
    # The questions left are what the other programmes need.
    profile = policy.load_profile("examples/profiles/walloon_large.yaml")
    asked, _ = run(profile)
    assert asked[0] == "company.region"


def test_dont_know_is_never_asked_again_and_the_quiz_ends() -> None:
    answers: dict[str, object] = {}
    for _ in range(len(askable()) + 1):
        report = policy.quiz(answers, DAY)
        if report.question is None:
            break
        answers[report.question["field"]] = None
    else:
        pytest.fail("the quiz did not end with every answer 'don't know'")
    assert report.as_json()["asked"] == len(answers)


def test_questions_are_translated_and_typed() -> None:
    en = policy.quiz({}, DAY, "en").question
    nl = policy.quiz({}, DAY, "nl").question
    fr = policy.quiz({}, DAY, "fr").question
    assert en and nl and fr
    assert en["label"] == WORDING["company.region"][0]
    assert len({en["label"], nl["label"], fr["label"]}) == 3
    assert en["kind"] == "choice" and en["choices"] == ["brussels", "flanders", "wallonia"]
    costs = policy.quiz(
        {"company.region": "flanders", "project.start": "2026-04-01"}, DAY
    )  # a list question names its row fields
    kinds = {f: askable()[f].kind for f in askable()}
    assert kinds["project.costs"] == "list" and kinds["company.nace"] == "codes"
    assert costs.as_json()["asked"] == 2


def test_bad_answers_name_the_field() -> None:
    with pytest.raises(InputError) as err:
        policy.quiz({"company.staff": "many"}, DAY)
    assert err.value.path == "company.staff"
    with pytest.raises(InputError) as err:
        policy.quiz({"company.regio": "flanders"}, DAY)
    assert "did you mean 'company.region'" in err.value.message


# ---- the HTTP endpoint


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app()) as c:
        yield c


def test_the_endpoint_answers_what_the_facade_gives(client) -> None:
    answers = {"company.region": "flanders", "company.staff": 12, "company.turnover": None}
    response = client.post(
        "/api/v1/quiz/next", json={"answers": answers, "as_of": DAY.isoformat(), "lang": "nl"}
    )
    assert response.status_code == 200, response.text
    assert response.json() == policy.quiz(answers, DAY, "nl").as_json()
    body = response.json()
    assert set(body) == {"question", "results", "asked", "as_of"} and body["asked"] == 3


@pytest.mark.parametrize(
    "body, path",
    [
        ({"answers": {"company.staff": "many"}}, "company.staff"),
        ({"answers": {"company.regio": "x"}}, "company.regio"),
        ({"answers": []}, "answers"),
        ({}, "answers"),
        ({"answers": {}, "lang": "de"}, "lang"),
        ({"answers": {}, "as_of": "tomorrow"}, "as_of"),
        ({"answers": {}, "extra": 1}, "extra"),
    ],
)
def test_bad_quiz_requests_get_422_with_the_path(client, body, path) -> None:
    response = client.post("/api/v1/quiz/next", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["path"] == path


def test_a_body_that_is_not_json_is_400(client) -> None:
    response = client.post(
        "/api/v1/quiz/next", content=b"{", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400


# ---- the page


def _field(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="(.*?)"', page)
    assert found, name
    return html.unescape(found.group(1))


def test_the_page_walks_the_quiz_with_back_and_dont_know(client) -> None:
    page = client.get("/?lang=en")
    assert page.status_code == 200 and "operating seat" in page.text
    step = client.post(
        "/", data={"answers": "{}", "field": "company.region", "value": "wallonia"}
    )
    assert step.status_code == 200
    answers = _field(step.text, "answers")
    assert '"company.region": "wallonia"' in answers
    asked = _field(step.text, "field")
    unknown = client.post("/", data={"answers": answers, "field": asked, "action": "unknown"})
    assert f'"{asked}": null' in _field(unknown.text, "answers")
    back = client.post(
        "/", data={"answers": _field(unknown.text, "answers"), "action": "back"}
    )
    assert _field(back.text, "answers") == answers
    bad = client.post("/", data={"answers": answers, "field": "company.staff", "value": "x"})
    assert bad.status_code == 422 and "company.staff" in bad.text


def test_markup_in_an_answer_is_shown_as_text(client) -> None:
    answers = '{"project.theme": "<script>alert(1)</script>"}'
    page = client.post("/", data={"answers": answers, "action": "back"})
    assert "<script>alert(1)" not in page.text


def _before_size() -> dict[str, object]:
    """The answers of the example Flemish profile up to the question about its size."""
    profile = policy.load_profile(FLEMISH)
    answers: dict[str, object] = {}
    while True:
        question = policy.quiz(answers, DAY).question
        assert question is not None
        if question["field"] == "company.staff":
            return answers
        answers.update({p["field"]: answer_from(profile, p["field"]) for p in question["fields"]})


def test_the_page_asks_a_group_on_one_form_and_back_takes_it_back(client) -> None:
    import json

    before = _before_size()
    data = {"answers": json.dumps(before), "sizes": json.dumps([1] * len(before))}
    page = client.post("/", data={**data, "action": "show"})  # a stale action: just shows
    assert _field(page.text, "fields") == "company.staff,company.turnover,company.balance_sheet"
    assert 'name="value-company.turnover"' in page.text and "How large is the company?" in page.text
    asked = int(re.search(r"Question (\d+)", page.text).group(1))  # type: ignore[union-attr]
    step = client.post(
        "/",
        data={
            **data,
            "fields": _field(page.text, "fields"),
            "value-company.staff": "12",
            "value-company.turnover": "",  # left empty: "don't know"
            "value-company.balance_sheet": "950000",
        },
    )
    assert step.status_code == 200
    got = json.loads(_field(step.text, "answers"))
    assert got == {
        **before, "company.staff": "12", "company.turnover": None,
        "company.balance_sheet": "950000",
    }  # fmt: skip
    assert json.loads(_field(step.text, "sizes"))[-1] == 3
    assert f"Question {asked + 1}" in step.text  # three fields, one question
    back = client.post(
        "/",
        data={
            "answers": _field(step.text, "answers"),
            "sizes": _field(step.text, "sizes"),
            "action": "back",
        },
    )
    assert json.loads(_field(back.text, "answers")) == before  # the whole question undone
    bad = client.post(
        "/", data={**data, "fields": _field(page.text, "fields"), "value-company.staff": "x"}
    )
    assert bad.status_code == 422 and "company.staff" in bad.text
    assert json.loads(_field(bad.text, "answers")) == before
