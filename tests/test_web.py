"""The web pages over `create_app()`: they render, show the facade's figures, download the
same figures, and answer a bad upload with a 4xx page."""

from __future__ import annotations

import csv
import io
import os
import socket
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import policy
from policy.output.formatting import formatter
from policy.service.app import create_app
from policy.web import exports

EXAMPLE = Path("examples/profiles/flemish_growth.yaml")


def money(value: str, lang: str = "en") -> str:
    """A figure as the pages show it: Babel's notation of the reader's language."""
    return formatter(lang).money(Decimal(value))


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app()) as c:
        yield c


def upload(path: Path = EXAMPLE, data: bytes | None = None) -> dict:
    return {"file": (path.name, data if data is not None else path.read_bytes(), "text/yaml")}


def test_budget_page_shows_the_facade_figures(client):
    doc = policy.budget(str(EXAMPLE)).as_json()
    r = client.post("/budget", files=upload())
    assert r.status_code == 200, r.text
    assert f'id="grant">{money(doc["grant"])}<' in r.text
    assert f'id="cofinancing">{money(doc["cofinancing"])}<' in r.text
    assert f'id="eligible_total">{money(doc["eligible_total"])}<' in r.text
    for t in doc["tranches"]:
        assert money(t["amount"]) in r.text
    assert "<svg" in r.text


def test_budget_example_choice_and_form(client):
    assert client.get("/budget").status_code == 200
    r = client.post("/budget", data={"example": "flemish_growth"})
    assert r.status_code == 200
    assert "<svg" in r.text


def test_csv_and_xlsx_parse_back_to_the_figures(client):
    from openpyxl import load_workbook

    doc = policy.budget(str(EXAMPLE)).as_json()
    expected = exports.rows(doc)
    assert any(row[1] == "grant" and row[4] == doc["grant"] for row in expected)
    r = client.post("/budget.csv", files=upload())
    assert r.status_code == 200
    assert list(csv.reader(io.StringIO(r.text)))[1:] == expected
    r = client.get("/budget.xlsx", params={"example": "flemish_growth"})
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    got = [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert got[1:] == expected


def test_download_from_the_echoed_profile(client):
    page = client.post("/budget", files=upload()).text
    import html
    import re

    value = html.unescape(re.search(r'name="profile" value="([^"]*)"', page).group(1))
    r = client.post("/budget.csv", data={"profile": value})
    assert r.status_code == 200
    assert list(csv.reader(io.StringIO(r.text)))[1:] == exports.rows(
        policy.budget(str(EXAMPLE)).as_json()
    )


@pytest.mark.parametrize(
    "data, message",
    [
        (b"company: [unclosed", "bad.yaml:"),
        (b"- just\n- a list\n", "a profile is a mapping"),
        (b"\xff\xfe", "not UTF-8"),
        (b"company:\n  staff: 3\n", "bad.yaml: company.id: required"),
    ],
)
def test_bad_upload_is_a_clear_4xx_page(client, data, message):
    r = client.post("/budget", files=upload(Path("bad.yaml"), data))
    assert r.status_code in (400, 422)
    assert message in r.text
    assert "Traceback" not in r.text


def test_no_profile_and_unknown_programme_are_4xx(client):
    assert client.post("/budget", data={}).status_code == 422
    r = client.post("/programmes/no_such/why", data={"example": "flemish_growth"})
    assert r.status_code == 422
    assert "unknown programme" in r.text


def test_why_page_renders_summary_and_tree(client):
    report = policy.explain(str(EXAMPLE), "kmo_groeisubsidie").as_json(tree=True)
    assert client.get("/programmes/kmo_groeisubsidie/why").status_code == 200
    r = client.post("/programmes/kmo_groeisubsidie/why", files=upload())
    assert r.status_code == 200
    assert "<b>eligible</b>" in r.text and report["status"] == "eligible"
    assert f'id="amount">{money(report["amount"])}<' in r.text
    assert '<details id="tree">' in r.text
    for d in report["deciding"]:
        assert str(d["label"]).replace("'", "&#39;") in r.text


def test_user_text_is_escaped(client):
    data = EXAMPLE.read_bytes().replace(b"Voorbeeld Digitaal BV", b"<script>x()</script>")
    r = client.post("/budget", files=upload(EXAMPLE, data))
    assert "<script>x()" not in r.text


def test_language_switch_is_remembered(client):
    r = client.get("/budget", params={"lang": "fr"})
    assert r.cookies.get("lang") == "fr"
    assert '<html lang="fr">' in r.text
    client.cookies.set("lang", "nl")
    assert '<html lang="nl">' in client.get("/budget").text
    assert "Begroting" in client.get("/budget").text  # the page words are translated
    client.cookies.clear()
    assert "Budget</h1>" in client.get("/budget").text


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Debian chromium at {CHROMIUM}")
def test_budget_page_in_a_real_browser(tmp_path):
    import uvicorn
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        assert server.started
        errors: list[str] = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"http://127.0.0.1:{port}/budget")
            page.set_input_files("input[name=file]", str(EXAMPLE))
            page.click("button[type=submit]")
            page.wait_for_selector("#chart svg")
            grant = policy.budget(str(EXAMPLE)).as_json()["grant"]
            assert page.inner_text("#grant") == money(grant)
            shots = Path("tests/artifacts/screenshots")
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / "budget.png"), full_page=True)
            browser.close()
        assert errors == []
    finally:
        server.should_exit = True
        thread.join(timeout=10)
