"""The HTTP service: every endpoint answers the document of the matching `--json`
command, every kind of bad request gets its 4xx and the one error shape, and a real
`subsidia serve` process answers on loopback."""

from __future__ import annotations

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

import policy
from policy.inputs.loading import read_profile_data
from policy.service.app import create_app
from policy.service.settings import Settings
from tests.cli import invoke
from tests.test_api import AS_OF, DAY, FLEMISH, ROOT, WORKED, _cli_json, _profile_files

YAML = {"content-type": "application/yaml"}
QUERY = f"as_of={DAY.isoformat()}"


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(Settings(max_body_bytes=200_000))) as c:
        yield c


def _errors(response: httpx.Response, status: int) -> list[dict[str, str]]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"errors"} and body["errors"]
    assert all(set(e) == {"path", "message"} for e in body["errors"])
    return body["errors"]


@pytest.mark.parametrize("path", _profile_files(), ids=lambda p: p.name)
def test_check_answers_what_the_command_prints(client, path: Path) -> None:
    headers = {} if path.suffix == ".json" else YAML
    response = client.post(f"/api/v1/check?{QUERY}", content=path.read_bytes(), headers=headers)
    cli = invoke("check", str(path), *AS_OF, "--json")
    if cli.exit_code == 2:  # a broken profile: the same message, without the file name
        problem = _errors(response, 422 if response.status_code == 422 else 400)[0]
        assert problem["message"] in cli.stderr
        assert problem["path"] in cli.stderr
        return
    assert response.status_code == 200, response.text
    assert response.json() == json.loads(cli.stdout)


def test_a_json_body_answers_as_the_yaml_file(client) -> None:
    data = read_profile_data(FLEMISH)
    body = json.dumps(data, default=str)  # Decimals and dates as text: the format allows both
    response = client.post(f"/api/v1/check?{QUERY}", content=body)
    assert response.json() == _cli_json("check", str(FLEMISH), *AS_OF, "--json")


def test_programme_and_language_options(client) -> None:
    url = f"/api/v1/check?{QUERY}&lang=nl&programme=kmo_groeisubsidie&programme=kmo_portefeuille"
    response = client.post(url, content=FLEMISH.read_bytes(), headers=YAML)
    expected = policy.check(FLEMISH, DAY, ["kmo_groeisubsidie", "kmo_portefeuille"], "nl")
    assert response.json() == expected.as_json()
    assert {r["programme"] for r in response.json()["results"]} == {
        "kmo_groeisubsidie",
        "kmo_portefeuille",
    }


def test_explain_budget_and_plan_answer_what_the_commands_print(client) -> None:
    programme = "kmo_groeisubsidie"
    url = f"/api/v1/explain?{QUERY}&programme={programme}"
    explain = _cli_json("explain", str(FLEMISH), "--programme", programme, *AS_OF, "--json")
    assert client.post(url, content=FLEMISH.read_bytes(), headers=YAML).json() == explain
    tree = client.post(url + "&tree=true", content=FLEMISH.read_bytes(), headers=YAML).json()
    assert tree == _cli_json(
        "explain", str(FLEMISH), "--programme", programme, *AS_OF, "--json", "--tree"
    )
    budget = client.post(f"/api/v1/budget?{QUERY}", content=WORKED.read_bytes(), headers=YAML)
    assert budget.json() == _cli_json("budget", str(WORKED), *AS_OF, "--json")

    scenario_file = ROOT / "examples/scenarios/bel_sme_seed.yaml"
    scenario = read_profile_data(scenario_file)
    assert isinstance(scenario, dict)
    for partner in scenario["partners"]:  # the request carries each profile inline
        if isinstance(partner["profile"], str):
            partner["profile"] = read_profile_data(scenario_file.parent / partner["profile"])
    body = json.dumps(scenario, default=str)
    response = client.post("/api/v1/plan", content=body)
    assert response.status_code == 200, response.text
    # Without `time_limit` a request gets the server's maximum (30 s here).
    assert response.json() == _cli_json("plan", str(scenario_file), "--json", "--time-limit", "30")
    limited = client.post("/api/v1/plan?time_limit=2.5&alternatives=1", content=body).json()
    cli = _cli_json(
        "plan", str(scenario_file), "--json", "--time-limit", "2.5", "--alternatives", "1"
    )
    assert limited == cli and limited["time_limit"] == "2.5"


def test_a_plan_time_limit_above_the_server_maximum_is_refused() -> None:
    scenario = {"partners": []}  # refused before the body is read
    with TestClient(create_app(Settings(max_plan_seconds=5))) as c:
        found = _errors(c.post("/api/v1/plan?time_limit=6", json=scenario), 422)
        assert found == [{"path": "time_limit", "message": "at most 5 seconds on this server"}]
        for bad in ("0", "-1", "soon"):
            found = _errors(c.post(f"/api/v1/plan?time_limit={bad}", json=scenario), 422)
            assert found[0]["path"] == "time_limit", found
        doc = c.get("/openapi.json").json()
        params = doc["paths"]["/api/v1/plan"]["post"]["parameters"]
        assert "time_limit" in {p["name"] for p in params}


def test_catalogue_endpoints_answer_what_the_commands_print(client) -> None:
    for lang in ("en", "nl"):
        got = client.get(f"/api/v1/programmes?lang={lang}").json()
        assert got == _cli_json("programmes", "--json", "--lang", lang)
    ids = [p["id"] for p in got["programmes"]]
    assert len(ids) >= 5
    got = client.get(f"/api/v1/programmes/{ids[0]}?lang=fr").json()
    assert got == _cli_json("show", ids[0], "--json", "--lang", "fr")
    assert got["text"] and got["id"] == ids[0]
    url = f"/api/v1/compare?id={ids[0]}&id={ids[1]}&{QUERY}"
    assert client.get(url).json() == _cli_json("compare", ids[0], ids[1], *AS_OF, "--json")
    assert _errors(client.get("/api/v1/programmes/nope"), 404)
    assert _errors(client.get(f"/api/v1/compare?id={ids[0]}&id=nope"), 422)[0]["path"] == "id"
    assert _errors(client.get("/api/v1/compare"), 422)[0]["path"] == "id"


def test_bad_requests_get_4xx_with_the_field_path(client) -> None:
    check = "/api/v1/check"
    assert _errors(client.post(check, content=b"{x"), 400)[0]["path"] == "line 1, column 2"
    assert _errors(client.post(check, content=b"\xff\xfe"), 400)
    assert _errors(client.post(check, content=b"x" * 300_000), 413)
    assert _errors(client.post(check, content=b"[]"), 422)[0]["path"] == ""
    bad_staff = {"company": {"id": "c", "region": "flanders", "staff": "many"}}
    paths = [e["path"] for e in _errors(client.post(check, json=bad_staff), 422)]
    assert paths and paths[0].startswith("company.")
    profile = FLEMISH.read_bytes()
    for query, path in [
        ("as_of=20260301", "as_of"),
        ("as_of=2026-02-30", "as_of"),
        ("lang=de", "lang"),
        ("programme=nope", "programme"),
    ]:
        found = _errors(client.post(f"{check}?{query}", content=profile, headers=YAML), 422)
        assert found[0]["path"] == path, found
    assert _errors(client.post("/api/v1/explain", content=profile, headers=YAML), 422)
    no_project = read_profile_data(FLEMISH)
    assert isinstance(no_project, dict)
    no_project.pop("project")
    body = json.dumps(no_project, default=str)
    found = _errors(client.post(f"/api/v1/budget?{QUERY}", content=body), 422)
    assert found == [{"path": "project", "message": "required for a budget"}]
    scenario = {"partners": [{"id": "a", "profile": "/etc/passwd"}]}
    assert _errors(client.post("/api/v1/plan", json=scenario), 422)
    passwd = client.post("/api/v1/plan", json=scenario).text
    assert "root:" not in passwd


def test_the_openapi_document_describes_the_bodies(client) -> None:
    doc = client.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert {"Profile", "Scenario", "Errors"} <= set(schemas)
    refs = set()

    def collect(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.add(node["$ref"])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(doc)
    assert all(ref.removeprefix("#/components/schemas/") in schemas for ref in refs)
    body = doc["paths"]["/api/v1/check"]["post"]["requestBody"]["content"]
    assert body["application/json"]["schema"] == {"$ref": "#/components/schemas/Profile"}
    assert client.get("/docs").status_code == 200
    assert client.get("/healthz").json() == {"status": "ok"}


def test_a_real_server_answers_concurrent_clients_and_logs_each_request(tmp_path: Path) -> None:
    """`subsidia serve` as a process; 8 clients × 25 checks over loopback, no errors; one
    JSON access-log line per request on stderr, without the body."""
    from benchmarks.service import server

    log = tmp_path / "stderr.log"
    with log.open("wb") as stderr, server(stderr=stderr) as running:
        base = running.base
        profile = FLEMISH.read_bytes()
        expected = policy.check(FLEMISH, DAY).as_json()

        def client_run(n: int) -> list[int]:
            with httpx.Client(base_url=base, timeout=30) as c:
                out = []
                for i in range(25):
                    headers = {**YAML, "x-request-id": f"client{n}-{i}"}
                    r = c.post(f"/api/v1/check?{QUERY}", content=profile, headers=headers)
                    out.append(r.status_code)
                    assert r.json() == expected
                    assert r.headers["x-request-id"] == f"client{n}-{i}"
                return out

        with ThreadPoolExecutor(8) as pool:
            statuses = [s for run in pool.map(client_run, range(8)) for s in run]
        assert statuses == [200] * 200
        with httpx.Client(base_url=base) as c:
            assert c.post("/api/v1/check", content=b"{x").status_code == 400
            generated = c.get("/api/v1/programmes?lang=nl").headers["x-request-id"]
    text = log.read_text()
    assert "Traceback" not in text
    entries = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    checks = [e for e in entries if e["path"] == "/api/v1/check"]
    assert len(checks) == 201
    keys = {"time", "method", "path", "query", "status", "duration_ms", "request_id"}
    assert all(set(e) == keys for e in entries)
    assert {e["request_id"] for e in checks if e["status"] == 200} == {
        f"client{n}-{i}" for n in range(8) for i in range(25)
    }
    assert [e["status"] for e in checks].count(400) == 1
    ok = next(e for e in checks if e["status"] == 200)
    assert ok["method"] == "POST" and ok["query"] == QUERY and ok["duration_ms"] > 0
    assert ok["time"].endswith("Z") and dt.datetime.fromisoformat(ok["time"][:-1])
    listing = next(e for e in entries if e["path"] == "/api/v1/programmes")
    assert listing["request_id"] == generated and len(generated) == 32
    assert "flemish" not in text.lower()  # bodies are never logged
    assert '"GET /healthz' not in text  # uvicorn's own access log is off


def test_text_access_logs() -> None:
    from policy.service.logs import AccessLog

    scope = {"method": "GET", "path": "/api/v1/compare", "query_string": b"id=a&id=b"}
    line = AccessLog(lambda *_: None, "text").line(scope, 422, 0.0021, "r1")
    assert line.endswith(" GET /api/v1/compare?id=a&id=b 422 2.100ms r1")
    with pytest.raises(ValueError):
        AccessLog(lambda *_: None, "xml")
