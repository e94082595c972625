"""Latency and throughput of `POST /api/v1/check` on a real `subsidia serve` over loopback.

    python -m benchmarks.service [--clients 50] [--requests 20000] [--workers 1]

Starts the server, warms it, measures one client sending one request at a time (with the
standard library's `http.client`, then with httpx), then `--clients` threads send
`--requests` checks of the bundled example profile in total (bounded in count, and
stopped after 10 minutes) to a server with `--workers` processes. The
baseline in the same run is the in-process facade call (`policy.check(profile).as_json()`
plus `json.dumps`), so the figures separate the engine from HTTP and serialisation.
tests/test_service_load.py runs the same load (`load`) in `make test`.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

import httpx

import policy

ROOT = Path(__file__).resolve().parent.parent
PROFILE = ROOT / "examples/profiles/flemish_growth.yaml"
URL = "/api/v1/check?as_of=2026-03-01"
LIMIT_SECONDS = 600
HEADERS = {"content-type": "application/json"}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def quantiles(samples: list[float]) -> dict[str, float]:
    """p50, p99 and max of durations in seconds, in milliseconds."""
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"p50": pick(0.5) * 1e3, "p99": pick(0.99) * 1e3, "max": ordered[-1] * 1e3}


def body() -> bytes:
    """The example profile as a JSON body, as API clients send it (numbers and dates as
    text: the profile format allows it)."""
    from policy.inputs.loading import read_profile_data

    return json.dumps(read_profile_data(PROFILE), default=str).encode()


@dataclass(frozen=True)
class Running:
    base: str  # http://127.0.0.1:PORT
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time the server process has used (user + system), from /proc (Linux)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def server(*options: str, stderr: IO[bytes] | int = subprocess.DEVNULL) -> Iterator[Running]:
    """A `subsidia serve` process on a free loopback port, ready."""
    port = _port()
    exe = Path(sys.executable).parent / "subsidia"
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), *options],
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"subsidia serve did not start (exit {proc.poll()})")
            time.sleep(0.1)
        yield Running(base, proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


class Client:
    """One keep-alive connection of the standard library's `http.client`: a few tenths of
    a millisecond of CPU per request where httpx takes several (measured on this machine,
    docs/performance.md), so the load generator leaves the two cores to the server."""

    def __init__(self, base: str) -> None:
        url = urlsplit(base)
        self.host, self.port = url.hostname or "127.0.0.1", url.port
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)

    def post(self, content: bytes) -> tuple[int, bytes]:
        try:
            self.conn.request("POST", URL, body=content, headers=HEADERS)
            answer = self.conn.getresponse()
            return answer.status, answer.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()  # a fresh connection for the next request
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            raise

    def close(self) -> None:
        self.conn.close()


def load(
    base: str, content: bytes, clients: int, requests: int, limit: float = LIMIT_SECONDS
) -> dict[str, object]:
    """`clients` threads send `requests` checks in total (stopping after `limit` seconds).
    An error is any answer that is not 200 with the same bytes as the first answer."""
    first = Client(base)
    expected = first.post(content)[1]
    first.close()
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    left = [requests]
    stop_at = time.monotonic() + limit

    def client() -> None:
        c = Client(base)
        while time.monotonic() < stop_at:
            with lock:
                if left[0] == 0:
                    break
                left[0] -= 1
            start = time.perf_counter()
            try:
                status, answer = c.post(content)
                problem = (
                    "" if status == 200 and answer == expected else f"{status}: {answer[:200]!r}"
                )
            except (OSError, http.client.HTTPException) as err:
                problem = f"{type(err).__name__}: {err}"
            took = time.perf_counter() - start
            with lock:
                latencies.append(took)
                if problem:
                    errors.append(problem)
        c.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    begin = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - begin
    return {
        **quantiles(latencies),
        "requests": len(latencies),
        "errors": len(errors),
        "first_errors": errors[:5],
        "requests_per_s": len(latencies) / wall,
        "seconds": wall,
        "clients": clients,
    }


def in_process(rounds: int = 500) -> dict[str, float]:
    import datetime as dt

    profile = policy.load_profile(PROFILE)
    day = dt.date(2026, 3, 1)
    for _ in range(20):
        json.dumps(policy.check(profile, day).as_json())
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        json.dumps(policy.check(profile, day).as_json())
        samples.append(time.perf_counter() - start)
    return quantiles(samples)


def sequential(
    running: Running, content: bytes, rounds: int = 500, client: str = "http.client"
) -> dict[str, float]:
    """One client, one request at a time: latency without queueing (after 50 to warm),
    the server's CPU time per request (one worker: the server is that process) and the
    client's, which other jobs on the machine disturb less than wall time. `client`:
    "http.client" (the standard library's, light) or "httpx"."""
    if client == "httpx":
        session = httpx.Client(base_url=running.base)
        post = lambda: session.post(URL, content=content, headers=HEADERS)  # noqa: E731
        close = session.close
    else:
        light = Client(running.base)
        post, close = (lambda: light.post(content)), light.close
    for _ in range(50):
        post()
    single = []
    cpu, mine = running.cpu_seconds(), time.process_time()
    for _ in range(rounds):
        start = time.perf_counter()
        post()
        single.append(time.perf_counter() - start)
    cpu, mine = running.cpu_seconds() - cpu, time.process_time() - mine
    close()
    return {
        **quantiles(single),
        "server_cpu_ms": cpu / rounds * 1e3,
        "client_cpu_ms": mine / rounds * 1e3,
    }


def in_process_from_body(rounds: int = 500) -> dict[str, float]:
    """The second baseline: what the endpoint does in-process, from the request's bytes —
    parse the JSON body exactly, validate the profile, check, `json.dumps` — with no HTTP
    and no framework: the gap to `sequential_in_server` is FastAPI's and the logging's."""
    import datetime as dt

    from policy.inputs.loading import parse_text

    content = body().decode()
    day = dt.date(2026, 3, 1)

    def once() -> None:
        data = parse_text(content, None, as_json=True)
        assert isinstance(data, dict)
        json.dumps(policy.check(policy.load_profile(data), day).as_json())

    for _ in range(20):
        once()
    samples = []
    cpu = time.process_time()
    for _ in range(rounds):
        start = time.perf_counter()
        once()
        samples.append(time.perf_counter() - start)
    return {**quantiles(samples), "cpu_ms": (time.process_time() - cpu) / rounds * 1e3}


def in_process_asgi(rounds: int = 500) -> dict[str, float]:
    """The third baseline: the service's ASGI application called in-process (no socket, no
    uvicorn), with the request's bytes; interleaved with `in_process_from_body`'s steps so
    that both see the same machine: `framework_cpu_ms` is what FastAPI and the middleware
    add per request, in CPU time (the access-log line is made, not written)."""
    import asyncio
    import datetime as dt

    from policy import engine
    from policy.inputs.loading import parse_text
    from policy.service.app import create_app

    logging.getLogger("subsidia.access").disabled = True  # no log lines in the output
    app = create_app()
    engine.catalogue(None)
    content = body()
    day = dt.date(2026, 3, 1)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/check",
        "raw_path": b"/api/v1/check",
        "query_string": b"as_of=2026-03-01",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
        "state": {},
    }

    async def call() -> None:
        messages = [{"type": "http.request", "body": content, "more_body": False}]

        async def receive() -> dict:
            return messages.pop() if messages else {"type": "http.disconnect"}

        async def send(message: object) -> None:
            pass

        await app(dict(scope), receive, send)

    async def run() -> dict[str, float]:
        for _ in range(20):
            await call()
        samples, direct, framework = [], 0.0, 0.0
        for _ in range(rounds):
            cpu = time.process_time()
            data = parse_text(content.decode(), None, as_json=True)
            assert isinstance(data, dict)
            json.dumps(policy.check(policy.load_profile(data), day).as_json())
            direct += time.process_time() - cpu
            start, cpu = time.perf_counter(), time.process_time()
            await call()
            framework += time.process_time() - cpu
            samples.append(time.perf_counter() - start)
        return {**quantiles(samples), "framework_cpu_ms": (framework - direct) / rounds * 1e3}

    try:
        return asyncio.run(run())
    finally:
        logging.getLogger("subsidia.access").disabled = False


def in_process_cpu(rounds: int = 500) -> float:
    """CPU ms per facade call + json.dumps, the baseline of `server_cpu_ms`."""
    import datetime as dt

    profile = policy.load_profile(PROFILE)
    day = dt.date(2026, 3, 1)
    start = time.process_time()
    for _ in range(rounds):
        json.dumps(policy.check(profile, day).as_json())
    return (time.process_time() - start) / rounds * 1e3


def logged_ms(log: str, last: int) -> dict[str, float]:
    """p50/p99/max of the server's own `duration_ms` (its access log) over the last
    `last` checks: the time in the server, without the client's or the network's."""
    durations = [
        entry["duration_ms"] / 1e3
        for line in log.splitlines()
        if line.startswith("{")
        and (entry := json.loads(line))["path"] == "/api/v1/check"
        and entry["status"] == 200
    ][-last:]
    return quantiles(durations)


def over_http(clients: int, requests: int, workers: int) -> dict[str, object]:
    import tempfile

    content = body()
    out: dict[str, object] = {}
    with tempfile.TemporaryFile() as log:
        with server("--workers", "1", stderr=log) as running:
            for client in ("http.client", "httpx"):
                single = sequential(running, content, client=client)
                out.update({f"sequential_{client}_{k}": v for k, v in single.items()})
        log.seek(0)
        inside = logged_ms(log.read().decode(), 1000)  # both clients' measured requests
    out.update({f"sequential_in_server_{k}": v for k, v in inside.items()})
    with server("--workers", str(workers)) as running:
        loaded = load(running.base, content, clients, requests)
    out.update({f"loaded_{k}": v for k, v in loaded.items()})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[:2]}")
    base = {**in_process(), "cpu_ms": in_process_cpu()}
    print("in-process facade call + json.dumps (ms):", {k: round(v, 2) for k, v in base.items()})
    parsed = in_process_from_body()
    print("in-process from the body's bytes (ms):", {k: round(v, 2) for k, v in parsed.items()})
    asgi = in_process_asgi()
    print("in-process ASGI app, no socket (ms):", {k: round(v, 2) for k, v in asgi.items()})
    http = over_http(args.clients, args.requests, args.workers)
    print("HTTP:", {k: round(v, 2) if isinstance(v, float) else v for k, v in http.items()})
    print(f"load average at end: {os.getloadavg()[:2]}")


if __name__ == "__main__":
    main()
