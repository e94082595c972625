"""Load on loopback: 50 concurrent clients send 20,000 `POST /api/v1/check` requests to a
real `subsidia serve --workers 2`; every answer must be 200 and the same document.

Bounded in count (`SUBSIDIA_LOAD_REQUESTS`, default 20000; `SUBSIDIA_LOAD_CLIENTS`,
default 50) and in time (stopped after `SUBSIDIA_LOAD_SECONDS`, default 600). Latency and
throughput are printed and written to tests/artifacts/load.json, never asserted: the
machine may be shared (docs/performance.md has the measured figures).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from benchmarks.service import body, load, server

ARTIFACTS = Path(__file__).parent / "artifacts"


def test_load_on_loopback_has_no_errors(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    requests = int(os.environ.get("SUBSIDIA_LOAD_REQUESTS", "20000"))
    clients = int(os.environ.get("SUBSIDIA_LOAD_CLIENTS", "50"))
    seconds = float(os.environ.get("SUBSIDIA_LOAD_SECONDS", "600"))
    log = tmp_path / "stderr.log"
    with log.open("wb") as stderr, server("--workers", "2", stderr=stderr) as running:
        result = load(running.base, body(), clients, requests, seconds)
    result["load_average"] = os.getloadavg()[:2]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "load.json").write_text(json.dumps(result, indent=2) + "\n")
    with capsys.disabled():
        print(
            f"\nload: {result['requests']} requests, {clients} clients, 2 workers: "
            f"{result['errors']} errors, p50 {result['p50']:.1f} ms, "
            f"p99 {result['p99']:.1f} ms, {result['requests_per_s']:.0f} requests/s "
            f"({result['seconds']:.0f} s; tests/artifacts/load.json)"
        )
    assert result["errors"] == 0, result["first_errors"]
    assert result["requests"] > 0
    text = log.read_text()
    assert "Traceback" not in text
    # One access-log line per request (the first answer, taken as the reference, too).
    logged = sum(1 for line in text.splitlines() if '"path": "/api/v1/check"' in line)
    assert logged == result["requests"] + 1
