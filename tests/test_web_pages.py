"""The catalogue, compare and planner pages over `create_app()`: they render what the
facade answers, in the reader's language and notation, download the same figures, keep a
result when the language is switched, and answer bad input with a 4xx page naming it."""

from __future__ import annotations

import html
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

import policy
from policy.output.formatting import formatter
from policy.service.app import create_app
from policy.service.settings import Settings
from policy.web import plan_exports, scenario_input

SEED = Path("examples/scenarios/bel_sme_seed.yaml")  # inline profiles, plans in about a second
CONSORTIUM = Path("examples/scenarios/bel_coo_consortium.yaml")  # profiles given as paths
PAGES = ["/programmes", "/compare", "/budget", "/plan", "/programmes/kmo_groeisubsidie/why"]


# A page plans with the server's maximum solve time, like POST /api/v1/plan.
PAGE_LIMIT = Settings().max_plan_seconds


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app()) as c:
        yield c


@pytest.fixture(autouse=True)
def english(client):
    client.cookies.clear()  # a test that switched language leaves no cookie behind


def money(value: str, lang: str = "en") -> str:
    return formatter(lang).money(Decimal(value))


def hidden(page: str, name: str) -> str:
    """The value of the first hidden field `name` a page carries (unescaped)."""
    found = re.search(rf'type="hidden" name="{name}" value="([^"]*)"', page)
    assert found, f"no hidden field {name}"
    return html.unescape(found.group(1))


# --- every page ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_the_nav_the_language_switch_and_a_phone_viewport(client, url):
    r = client.get(url)
    assert r.status_code == 200, r.text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in r.text
    for href in ("/", "/programmes", "/compare", "/budget", "/plan"):
        assert f'<a href="{href}"' in r.text
    for lang in ("nl", "fr", "en"):
        assert f"lang={lang}" in r.text
    assert ":focus-visible" in r.text  # keyboard focus is visible


@pytest.mark.parametrize("url", PAGES)
def test_every_page_is_translated(client, url):
    english = client.get(url).text
    dutch = client.get(url, params={"lang": "nl"}).text
    assert '<html lang="nl">' in dutch
    assert "Programma&#39;s" in dutch and "Vergelijken" in dutch  # the nav, in Dutch
    assert english != dutch


def test_language_links_keep_the_query(client):
    r = client.get("/compare", params=[("id", "bel_coo"), ("id", "kmo_groeisubsidie")])
    assert 'href="/compare?id=bel_coo&amp;id=kmo_groeisubsidie&amp;lang=fr"' in r.text


# --- programmes ------------------------------------------------------------------------------


def test_programmes_lists_the_catalogue_with_links_and_checkboxes(client):
    entries = policy.programmes().as_json()["programmes"]
    r = client.get("/programmes")
    assert r.status_code == 200
    for entry in entries:
        assert f'href="/programmes/{entry["id"]}/why"' in r.text
        assert f'name="id" value="{entry["id"]}"' in r.text
    assert f"{len(entries)} of {len(entries)} programmes" in r.text


@pytest.mark.parametrize(
    "params", [{"region": "wallonia"}, {"instrument": "recoverable_advance"},
               {"region": "flanders", "instrument": "recoverable_advance"},
               {"theme": "cooperation"}, {"region": "wallonia", "theme": "research_development"},
               {"theme": "digitalisation"}]
)  # fmt: skip
def test_programme_filters_are_applied_on_the_server(client, params):
    keys = {"region": "regions", "instrument": "instrument", "theme": "themes"}
    entries = policy.programmes().as_json()["programmes"]
    wanted = [e for e in entries if all(v in e[keys[k]] for k, v in params.items())]
    assert 0 < len(wanted) < len(entries)
    r = client.get("/programmes", params=params)
    assert r.status_code == 200
    shown = re.findall(r'<tr id="row-([^"]+)">', r.text)
    assert shown == [e["id"] for e in wanted]
    for value in params.values():
        assert f'<option value="{value}" selected>' in r.text  # the form shows the filter


def test_programme_filter_words_are_translated(client):
    r = client.get("/programmes", params={"region": "wallonia", "lang": "fr"})
    assert "Wallonie" in r.text and "Région" in r.text


def test_the_theme_filter_offers_the_themes_the_rule_files_declare(client):
    entries = policy.programmes().as_json()["programmes"]
    declared = sorted({t for e in entries for t in e["themes"]})
    assert len(declared) >= 5
    r = client.get("/programmes", params={"lang": "en"})
    start = r.text.index('id="filter-theme"')
    menu = r.text[start : r.text.index("</select>", start)]
    assert re.findall(r'<option value="([^"]+)"', menu) == declared
    assert "Research and development" in menu and "Cooperation" in menu
    assert "states its themes" not in r.text
    nl = client.get("/programmes", params={"lang": "nl", "theme": "cooperation"})
    fr = client.get("/programmes", params={"lang": "fr", "theme": "cooperation"})
    assert "Samenwerking" in nl.text and "Onderzoek en ontwikkeling" in nl.text
    assert "Coopération" in fr.text and "Recherche et développement" in fr.text


def test_unknown_filter_value_is_a_422_naming_the_filter(client):
    r = client.get("/programmes", params={"region": "mars"})
    assert r.status_code == 422
    assert "region: unknown region &#39;mars&#39;" in r.text
    assert "Traceback" not in r.text


# --- compare ---------------------------------------------------------------------------------


def test_compare_shows_the_facade_rows_side_by_side(client):
    ids = ["kmo_groeisubsidie", "vlaio_development_project"]
    doc = policy.compare(ids).as_json()
    r = client.get("/compare", params=[("id", i) for i in ids])
    assert r.status_code == 200
    table = r.text[r.text.index('<table id="comparison">') :]
    shown = html.unescape(table)  # the template escapes ' as &#39;, html.escape as &#x27;
    for row in doc["rows"]:
        if row["label"] in ("name", "agency", "conditions") or row["label"].startswith("caps"):
            for cell in row["cells"]:
                assert cell in shown
    for label in ("Rates on", "Caps and minimums on", "Eligible costs", "Conditions", "Valid"):
        assert label in table
    assert "from 1 May 2016" in table  # the validity, as a date a reader reads


def test_compare_in_french_writes_amounts_as_french_readers_do(client):
    ids = ["kmo_groeisubsidie", "bel_coo"]
    r = client.get("/compare", params=[*[("id", i) for i in ids], ("lang", "fr")])
    assert r.status_code == 200
    assert "25\u202f000\xa0€" in r.text or "25\xa0000\xa0€" in r.text
    assert "€25,000" not in r.text
    assert "Taux au" in r.text


def test_compare_without_programmes_offers_the_picker(client):
    r = client.get("/compare")
    assert r.status_code == 200
    assert '<table id="comparison">' not in r.text
    assert 'name="id" value="bel_coo"' in r.text


def test_compare_unknown_programme_is_a_422(client):
    r = client.get("/compare", params=[("id", "bel_coo"), ("id", "nope")])
    assert r.status_code == 422
    assert "id: unknown programme &#39;nope&#39;" in r.text


# --- planner ---------------------------------------------------------------------------------


def test_planner_example_shows_consortium_split_chart_rules_and_alternatives(client):
    doc = policy.plan(CONSORTIUM, time_limit=PAGE_LIMIT).as_json()
    r = client.get("/plan", params={"example": CONSORTIUM.stem})
    assert r.status_code == 200, r.text
    assert f'<b id="total">{money(doc["total"])}</b>' in r.text
    chart = r.text[r.text.index('<figure id="chart"') :]
    assert "<svg" in chart[:400]
    for p in doc["partners"]:
        if p["included"]:
            row = r.text[r.text.index(f'<tr id="partner-{p["id"]}">') :]
            assert money(p["grant"]) in row[:1200]
            assert money(p["co_financing"]) in row[:1200]
    split = r.text[r.text.index('<table id="split">') :]
    for a in doc["allocation"]:
        assert a["work_package"] in split
    binding = r.text[r.text.index('<table id="binding">') :]
    assert "works its full capacity of 60 person-months" in binding
    assert "At most 3 partners: one more partner would add €2,900.00." in binding
    alternatives = r.text[r.text.index('<table id="alternatives">') :]
    for alt in doc["alternatives"]:
        assert money(alt["total"]) in alternatives


def test_planner_in_dutch_says_what_binds_in_dutch(client):
    r = client.get("/plan", params={"example": CONSORTIUM.stem, "lang": "nl"})
    assert r.status_code == 200
    binding = r.text[r.text.index('<table id="binding">') :]
    assert "Hoogstens 3 partners" in binding
    assert "532.750,00" in r.text


def test_plan_downloads_equal_the_facade(client):
    from openpyxl import load_workbook

    doc = policy.plan(CONSORTIUM, time_limit=PAGE_LIMIT).as_json()
    r = client.get("/plan.json", params={"example": CONSORTIUM.stem})
    assert r.status_code == 200
    assert r.headers["content-disposition"] == 'attachment; filename="plan.json"'
    assert r.json() == doc
    r = client.get("/plan.xlsx", params={"example": CONSORTIUM.stem})
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.content))
    for name, rows in plan_exports.sheets(doc).items():
        cells = book[name].iter_rows(values_only=True)
        got = [[c if c is not None else "" for c in row] for row in cells]
        assert got == rows, name
    grants = {row[0]: row[8] for row in book["partners"].iter_rows(values_only=True)}
    for p in doc["partners"]:
        assert grants[p["id"]] == p["grant"]  # exact money, as text, not a float


def test_plan_from_pasted_yaml_and_its_echoed_downloads(client):
    doc = policy.plan(SEED, time_limit=PAGE_LIMIT).as_json()
    r = client.post("/plan", data={"source": "text", "scenario": SEED.read_text()})
    assert r.status_code == 200, r.text
    assert f'<b id="total">{money(doc["total"])}</b>' in r.text
    assert "<svg" in r.text
    assert '45%*</td>' in r.text and 'id="what-if"' in r.text  # the seed's own rates
    scenario = hidden(r.text, "scenario")
    r = client.post("/plan.json", data={"source": "echo", "scenario": scenario})
    assert r.status_code == 200
    assert r.json() == doc
    r = client.post("/plan.xlsx", data={"source": "echo", "scenario": scenario})
    assert r.status_code == 200 and r.content[:2] == b"PK"


def test_plan_from_an_uploaded_json_file(client):
    data = json.dumps(yaml.safe_load(SEED.read_text()), default=str).encode()
    files = {"file": ("seed.json", data, "application/json")}
    r = client.post("/plan", data={"source": "file"}, files=files)
    assert r.status_code == 200, r.text
    assert money(policy.plan(SEED, time_limit=PAGE_LIMIT).as_json()["total"]) in r.text


def test_plan_from_the_form_rows(client):
    form = {
        "source": "form",
        "programme": "bel_sme",
        "as_of": "2019-06-01",
        "project_start": "2019-09-01",
        "project_duration_months": "18",
        "project_research_category": "experimental_development",
        "partner_id": ["brussels_regtech", "flemish_nlp", ""],
        "partner_region": ["brussels", "flanders", ""],
        "partner_staff": ["15", "20", ""],
        "partner_turnover": ["1500000", "2500000", ""],
        "partner_balance_sheet": ["1000000", "1800000", ""],
        "partner_monthly_cost": ["10000", "7000", ""],
        "partner_capacity": ["15", "20", ""],
        "partner_required": ["yes", "yes", "no"],
        "wp_id": ["regtech_platform", "nlp_engine", ""],
        "wp_effort": ["15", "20", ""],
        "wp_allowed": ["brussels_regtech", "flemish_nlp", ""],
    }
    r = client.post("/plan", data=form)
    assert r.status_code == 200, r.text
    # The same scenario as the example without its fixed cost and what-if rates.
    expected = yaml.safe_load(Path("examples/scenarios/bel_sme_seed_catalogue.yaml").read_text())
    expected.pop("costs")
    for partner in expected["partners"]:
        partner["profile"]["company"] = {
            k: partner["profile"]["company"][k]
            for k in ("region", "staff", "turnover", "balance_sheet")
        } | {"id": partner["id"]}
    total = policy.plan(expected, time_limit=PAGE_LIMIT).as_json()["total"]
    assert f'<b id="total">{money(total)}</b>' in r.text


def test_infeasible_plan_says_which_rules_cannot_be_met(client):
    text = SEED.read_text().replace("partners:", "max_partners: 1\npartners:", 1)
    r = client.post("/plan", data={"source": "text", "scenario": text})
    assert r.status_code == 200, r.text
    rules = r.text[r.text.index('<ul id="infeasible">') :]
    assert "max_partners (1) is below the 2 required partners" in rules
    assert '<figure id="chart"' not in r.text  # no partner is in: nothing to draw


def test_form_row_missing_a_field_names_its_path(client):
    form = {
        "source": "form", "programme": "bel_sme", "as_of": "2019-06-01",
        "partner_id": ["a"], "partner_region": ["brussels"], "partner_monthly_cost": ["10"],
        "wp_id": ["w"], "wp_effort": ["3"],
    }  # fmt: skip
    r = client.post("/plan", data=form)
    assert r.status_code == 422
    assert "partners[0].capacity" in r.text


def test_language_switch_on_a_plan_result_keeps_the_result(client):
    r = client.post("/plan", data={"source": "text", "scenario": SEED.read_text()})
    assert '<form method="post" action="/plan?lang=fr">' in r.text
    scenario = hidden(r.text, "scenario")
    r = client.post("/plan", params={"lang": "fr"}, data={"source": "echo", "scenario": scenario})
    assert r.status_code == 200
    assert '<html lang="fr">' in r.text and r.cookies.get("lang") == "fr"
    assert money(policy.plan(SEED, time_limit=PAGE_LIMIT).as_json()["total"], "fr") in r.text


def test_language_switch_on_a_budget_result_keeps_the_result(client):
    doc = policy.budget("examples/profiles/flemish_growth.yaml", lang="nl").as_json()
    r = client.post("/budget", data={"example": "flemish_growth"})
    assert '<form method="post" action="/budget?lang=nl">' in r.text
    profile = hidden(r.text, "profile")
    r = client.post("/budget", params={"lang": "nl"}, data={"profile": profile})
    assert r.status_code == 200
    assert f'id="grant">{money(doc["grant"], "nl")}<' in r.text
    assert "Begroting" in r.text


def test_language_switch_on_a_why_result_keeps_the_result(client):
    r = client.get("/programmes/kmo_groeisubsidie/why", params={"example": "flemish_growth"})
    assert r.status_code == 200 and '<details id="tree">' in r.text
    profile = hidden(r.text, "profile")
    r = client.post(
        "/programmes/kmo_groeisubsidie/why", params={"lang": "fr"}, data={"profile": profile}
    )
    assert r.status_code == 200
    assert '<details id="tree">' in r.text and '<html lang="fr">' in r.text


def test_why_page_writes_the_counterfactuals_as_changes(client):
    path = Path("tests/golden/explain/kmo_groeisubsidie_ineligible.yaml")
    report = policy.explain(path, "kmo_groeisubsidie").as_json()
    assert report["counterfactuals"]
    files = {"file": (path.name, path.read_bytes(), "text/yaml")}
    r = client.post("/programmes/kmo_groeisubsidie/why", files=files)
    assert r.status_code == 200
    shown = r.text[r.text.index('<ol id="counterfactuals">') :]
    for cf in report["counterfactuals"]:
        for c in cf["changes"]:
            assert f"<code>{c['field']}</code>: {c['from']} → <b>{c['to']}</b>" in shown
        if cf["amount_after"]:
            assert money(cf["amount_after"]) in shown


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe", "bad.yaml"),
        (b"programme: [unclosed", "bad.yaml:"),
        (b"- a list\n", "a scenario is a mapping"),
        (b"programme: bel_sme\n", "bad.yaml: as_of"),
        (
            CONSORTIUM.read_bytes(),  # profiles as paths: the server never reads its own files
            "bad.yaml: partners[0].profile: give the profile inline, as a mapping",
        ),
        (
            SEED.read_bytes().replace(b"capacity: 15", b"capacity: many"),
            "bad.yaml: partners[0].capacity: expected a number",
        ),
        (SEED.read_bytes().replace(b"programme: bel_sme", b"programme: nope"), "unknown"),
    ],
)
def test_bad_scenario_upload_is_a_4xx_page_naming_the_file(client, data, message):
    files = {"file": ("bad.yaml", data, "text/yaml")}
    r = client.post("/plan", data={"source": "file"}, files=files)
    assert r.status_code in (400, 422), r.text
    assert html.escape(message) in r.text
    assert "Traceback" not in r.text


@pytest.mark.parametrize(
    ("url", "data", "message"),
    [
        ("/plan", {}, "source: send a scenario"),
        ("/plan", {"source": "file"}, "file: choose a scenario file"),
        ("/plan", {"source": "text", "scenario": " "}, "scenario: paste a scenario"),
        ("/plan", {"source": "echo", "scenario": "{"}, "scenario"),
        ("/plan", {"source": "example", "example": "../profiles/x"}, "unknown example"),
        ("/plan.json", {"source": "echo", "scenario": "[]"}, "a scenario is a mapping"),
    ],
)
def test_bad_planner_requests_are_4xx_pages(client, url, data, message):
    r = client.post(url, data=data)
    assert r.status_code in (400, 422), r.text
    assert html.escape(message) in r.text


def test_unknown_example_by_get_is_a_422(client):
    assert client.get("/plan", params={"example": "nope"}).status_code == 422
    assert client.get("/plan.xlsx", params={"example": "nope"}).status_code == 422


def test_scenario_text_is_escaped(client):
    text = SEED.read_text().replace("brussels_regtech", "<script>x()</script>")
    r = client.post("/plan", data={"source": "text", "scenario": text})
    assert r.status_code == 200, r.text
    assert "<script>x()" not in r.text
    assert "&lt;script&gt;x()&lt;/script&gt;" in r.text


def test_bundled_examples_are_resolved_inside_the_examples_folder():
    scenario = scenario_input.example(CONSORTIUM.stem)
    assert all(isinstance(p["profile"], dict) for p in scenario["partners"])
    assert scenario_input.examples() == sorted(p.stem for p in CONSORTIUM.parent.glob("*.yaml"))


# --- in a real browser -----------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
# Debian's chromium, headless, with nothing that reaches the network on its own.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
SHOTS = Path("tests/artifacts/screenshots")


@pytest.fixture(scope="module")
def server():
    """A real uvicorn server on a free loopback port, for the browser."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app()
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    for _ in range(400):
        if uv.started:
            break
        time.sleep(0.05)
    assert uv.started
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def tab(browser):
    """A page that records every console error and uncaught script error."""
    page = browser.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    errors = page.errors
    page.close()
    assert errors == [], errors


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"no Debian chromium at {CHROMIUM}"
)


@needs_chromium
def test_browser_programmes_filter_compare_and_why(server, tab):
    tab.goto(f"{server}/programmes?lang=en")
    shot(tab, "programmes")
    tab.keyboard.press("Tab")  # the first stop is the navigation, and it shows focus
    assert tab.evaluate("document.activeElement.closest('nav') !== null")
    tab.select_option("#filter-region", "flanders")
    tab.click("#apply-filters")
    tab.wait_for_url("**region=flanders**")
    regions = tab.locator("#programmes tr[id^=row-] td:nth-child(4)").all_inner_texts()
    assert regions and all("Flanders" in r for r in regions)
    tab.select_option("#filter-theme", "cooperation")  # both filters at once
    tab.click("#apply-filters")
    tab.wait_for_url("**theme=cooperation**")
    themes = tab.locator("#programmes tr[id^=row-] td:nth-child(6)").all_inner_texts()
    assert themes and all("Cooperation" in t for t in themes)
    assert len(themes) < len(regions)
    tab.select_option("#filter-theme", "")
    tab.click("#apply-filters")
    tab.wait_for_selector("#pick-kmo_groeisubsidie")
    tab.check("#pick-kmo_groeisubsidie")
    tab.check("#pick-vlaio_development_project")
    tab.click("#pick #compare-chosen")
    tab.wait_for_selector("#comparison")
    header = tab.inner_text("#comparison tr:first-child")
    assert "SME growth subsidy" in header and "Development project" in header
    shot(tab, "compare")
    tab.click("#langs a[lang=fr]")  # the choice survives the language switch
    tab.wait_for_selector("html[lang=fr] #comparison")
    assert "Taux au" in tab.inner_text("#comparison")
    tab.goto(f"{server}/programmes?lang=en")
    tab.click("#row-kmo_groeisubsidie a")
    tab.select_option("select[name=example]", "flemish_growth")
    tab.click("main button[type=submit]")
    tab.wait_for_selector("#tree")
    shot(tab, "why")


@needs_chromium
def test_browser_plan_chart_and_language_switch_on_the_result(server, tab):
    tab.goto(f"{server}/plan?lang=en")
    shot(tab, "plan_form")
    rows = tab.locator("#partner-rows tr").count()
    tab.click("button[data-table=partner-rows]")  # the progressive "add a row"
    assert tab.locator("#partner-rows tr").count() == rows + 1
    assert tab.evaluate("document.activeElement.name") == "partner_id"
    tab.click("#text-editor summary")
    tab.fill("#scenario-text", SEED.read_text())
    tab.click("#text-form button[type=submit]")
    tab.wait_for_selector("#chart svg", timeout=60_000)
    total = money(policy.plan(SEED, time_limit=PAGE_LIMIT).as_json()["total"])
    assert tab.inner_text("#total") == total
    tab.click("#langs button[lang=nl]")  # posts the scenario again: the result stays
    tab.wait_for_selector("html[lang=nl] #chart svg", timeout=60_000)
    assert tab.inner_text("#total") == money(policy.plan(SEED).as_json()["total"], "nl")
    assert "Partners" in tab.inner_text("#result")
    with tab.expect_download() as download:
        tab.click("#download-json")
    saved = download.value.path()
    assert json.loads(Path(saved).read_text()) == policy.plan(SEED, time_limit=PAGE_LIMIT).as_json()


@needs_chromium
def test_browser_plan_example_and_phone_width(server, browser):
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    errors: list[str] = []
    phone.on("pageerror", lambda e: errors.append(str(e)))
    phone.goto(f"{server}/plan?lang=en")
    phone.select_option("#example", CONSORTIUM.stem)
    phone.click("#example-form button")
    phone.wait_for_selector("#chart svg", timeout=60_000)
    assert phone.locator("#binding").count() == 1
    # Readable on a phone: the page itself never scrolls sideways (wide tables scroll inside).
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(phone, "plan_phone")
    laptop = browser.new_page(viewport={"width": 1280, "height": 900})
    laptop.goto(phone.url)
    laptop.wait_for_selector("#chart svg")
    shot(laptop, "plan")
    laptop.close()
    phone.close()
    assert errors == []


SEVERAL = Path("examples/scenarios/several_programmes.yaml")


@needs_chromium
def test_browser_plan_over_several_programmes_names_each_partners_funder(server, tab):
    tab.goto(f"{server}/plan?lang=en")
    tab.select_option("#example", SEVERAL.stem)
    tab.click("#example-form button")
    tab.wait_for_selector("#chart svg", timeout=60_000)
    doc = policy.plan(SEVERAL, time_limit=PAGE_LIMIT).as_json()
    labels = {p["id"]: p["label"] for p in policy.programmes().as_json()["programmes"]}
    assert tab.inner_text("#total") == money(doc["total"])
    for p in doc["partners"]:
        funder = tab.inner_text(f"#partner-{p['id']} td.funder")
        assert funder == f"{p['funder']} ({labels[p['programme']]})"
    shot(tab, "plan_several")


def test_plan_form_sends_every_programme_chosen(client):
    form = {
        "source": "form",
        "programme": ["innoviris_rd_project", "wallonia_rd_project"],
        "as_of": "2026-03-01",
        "project_start": "2026-06-01",
        "project_duration_months": "24",
        "project_research_category": "experimental_development",
        "partner_id": ["bxl", ""],
        "partner_region": ["brussels", ""],
        "partner_staff": ["40", ""],
        "partner_turnover": ["5000000", ""],
        "partner_balance_sheet": ["4000000", ""],
        "partner_monthly_cost": ["9000", ""],
        "partner_capacity": ["20", ""],
        "partner_required": ["no", "no"],
        "wp_id": ["w", ""],
        "wp_effort": ["10", ""],
    }
    r = client.post("/plan", data=form)
    assert r.status_code == 200, r.text
    title = r.text[r.text.index('<h2 id="result-title">') :][:300]
    assert " + " in title
    scenario = json.loads(hidden(r.text, "scenario"))
    assert scenario["programme"] == ["innoviris_rd_project", "wallonia_rd_project"]
