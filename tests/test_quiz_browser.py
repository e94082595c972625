"""The quiz page in a real browser (Debian's chromium through Playwright, against a real
uvicorn server): a person who holds a profile answers every question the page asks,
with "don't know" where the profile says nothing, and ends with the statuses checking
the whole profile gives; then opens a why-not page and switches the language.
Screenshots go to tests/artifacts/screenshots/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import policy
from policy.funding.quiz import answer_from
from policy.inputs.questions import askable
from tests import test_web_pages as pages

# The pages' own real server and browser (module-scoped fixtures), not a second copy.
CHROMIUM = pages.CHROMIUM
server = pages.server
browser = pages.browser

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "tests/artifacts/screenshots"

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason=f"no Debian chromium at {CHROMIUM}"
)


def _answer(page, field: str, value: object) -> None:
    """Fill the question about `field` with `value` as a person would, and submit."""
    kind = askable()[field].kind
    if value is None:
        page.click("#unknown")
        return
    if kind in ("choice", "boolean"):
        text = str(value).lower() if isinstance(value, bool) else str(value)
        page.check(f"input[name=value][value='{text}']")
    elif kind == "codes":
        page.fill("#value", ", ".join(str(v) for v in value))
    elif kind == "list":
        rows = list(value)
        while page.locator("tr.row").count() < len(rows):
            page.click("#add-row")
        for i, row in enumerate(rows):
            for name, cell in row.items():
                if isinstance(cell, list):
                    continue  # a list inside a row: not asked on this page
                box = page.locator(f"[name='row-{i}-{name}']")
                if box.evaluate("e => e.tagName") == "SELECT":
                    box.select_option(str(cell))
                else:
                    box.fill(str(cell))
    else:
        page.fill("#value", str(value))
    page.click("#next")


def _answer_group(page, fields: list[str], profile) -> None:
    """Fill a question that asks several fields, one box each (empty: "don't know")."""
    values = {f: answer_from(profile, f) for f in fields}
    if all(v is None for v in values.values()):
        page.click("#unknown")
        return
    for field, value in values.items():
        box = page.locator(f"[name='value-{field}']")
        text = "" if value is None else str(value)
        if isinstance(value, bool):
            text = text.lower()
        if box.evaluate("e => e.tagName") == "SELECT":
            box.select_option(text)
        else:
            box.fill(text)
    page.click("#next")


def _walk(page, profile) -> int:
    """Answer until the page says it is done; the number of questions."""
    for asked in range(len(askable()) + 1):
        page.wait_for_selector("#question-label, #done")
        if page.locator("#done").count():
            return asked
        if page.locator("input[name=fields]").count():
            fields = (page.get_attribute("input[name=fields]", "value") or "").split(",")
            if fields[0] == "company.staff":  # the SME size figures: one question, three boxes
                page.screenshot(path=str(SHOTS / "quiz-group.png"), full_page=True)
            _answer_group(page, fields, profile)
            continue
        field = page.get_attribute("input[name=field]", "value")
        assert field
        _answer(page, field, answer_from(profile, field))
    raise AssertionError("the quiz did not end")


@pytest.mark.parametrize("name", ["flemish_growth", "walloon_large"])
def test_a_person_completes_the_quiz(server, browser, name) -> None:
    path = ROOT / f"examples/profiles/{name}.yaml"
    profile = policy.load_profile(path)
    whole = {r.programme: r.status for r in policy.check(path).checked.results}
    errors: list[str] = []
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/?lang=en")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "quiz-question.png"), full_page=True)
    asked = _walk(page, profile)
    assert asked >= 1
    page.screenshot(path=str(SHOTS / f"quiz-result-{name}.png"), full_page=True)
    shown = {
        li.get_attribute("data-programme"): li.get_attribute("class").split()[-1]
        for li in page.locator("li.result").all()
    }
    for programme, status in shown.items():
        if status != "unknown":
            assert status == whole[programme], programme
    # The why / why-not page of the first programme, with the answers as the profile.
    page.locator("form.why button").first.click()
    page.wait_for_selector("#status")
    page.screenshot(path=str(SHOTS / f"quiz-why-{name}.png"), full_page=True)
    page.close()
    assert errors == []


def test_the_quiz_in_dutch_on_a_phone(server, browser) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 800})
    page.goto(f"{server}/?lang=nl")
    label = page.inner_text("#question-label")
    assert label == policy.quiz({}, lang="nl").question["label"]
    page.keyboard.press("Tab")  # keyboard: the choices take the focus
    page.check("input[name=value][value='flanders']")
    page.keyboard.press("Enter")
    page.wait_for_selector("#question-label")
    assert "Vraag 2" in page.inner_text(".step")
    page.screenshot(path=str(SHOTS / "quiz-nl-phone.png"), full_page=True)
    page.close()
