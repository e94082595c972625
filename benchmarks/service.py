"""Latency and throughput of `POST /api/v1/check` on a real `subsidia serve` over loopback.

    python -m benchmarks.service [--clients 50] [--requests 20000] [--workers 1]

Starts the server, warms it, then `--clients` threads send `--requests` checks of the
bundled example profile in total (bounded in count, and stopped after 10 minutes). The
baseline in the same run is the in-process facade call (`policy.check(profile).as_json()`
plus `json.dumps`), so the figures separate the engine from HTTP and serialisation.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

import policy

ROOT = Path(__file__).resolve().parent.parent
PROFILE = ROOT / "examples/profiles/flemish_growth.yaml"
URL = "/api/v1/check?as_of=2026-03-01"
LIMIT_SECONDS = 600


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _quantiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"p50": pick(0.5) * 1e3, "p99": pick(0.99) * 1e3, "max": ordered[-1] * 1e3}


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
    return _quantiles(samples)


def over_http(clients: int, requests: int, workers: int) -> dict[str, float]:
    port = _port()
    exe = Path(sys.executable).parent / "subsidia"
    server = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--workers", str(workers)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    from policy.inputs.loading import read_profile_data

    # A JSON body, as API clients send it (numbers and dates as text: the format allows it).
    body = json.dumps(read_profile_data(PROFILE), default=str).encode()
    headers = {"content-type": "application/json"}
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        with httpx.Client(base_url=base) as warm:  # sequential: latency without queueing
            for _ in range(50):
                warm.post(URL, content=body, headers=headers)
            single = []
            for _ in range(500):
                start = time.perf_counter()
                warm.post(URL, content=body, headers=headers)
                single.append(time.perf_counter() - start)
        latencies: list[float] = []
        failures = [0]
        lock = threading.Lock()
        left = [requests]
        stop_at = time.monotonic() + LIMIT_SECONDS

        def client() -> None:
            with httpx.Client(base_url=base, timeout=30) as c:
                while time.monotonic() < stop_at:
                    with lock:
                        if left[0] == 0:
                            return
                        left[0] -= 1
                    start = time.perf_counter()
                    r = c.post(URL, content=body, headers=headers)
                    took = time.perf_counter() - start
                    with lock:
                        latencies.append(took)
                        failures[0] += r.status_code != 200

        threads = [threading.Thread(target=client) for _ in range(clients)]
        begin = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - begin
    finally:
        server.terminate()
        server.wait(timeout=30)
    loaded = _quantiles(latencies)
    return {
        **{f"sequential_{k}": v for k, v in _quantiles(single).items()},
        **{f"loaded_{k}": v for k, v in loaded.items()},
        "requests": len(latencies),
        "errors": failures[0],
        "requests_per_s": len(latencies) / wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    base = in_process()
    print("in-process facade call + json.dumps (ms):", {k: round(v, 2) for k, v in base.items()})
    http = over_http(args.clients, args.requests, args.workers)
    print("HTTP:", {k: round(v, 2) if isinstance(v, float) else v for k, v in http.items()})


if __name__ == "__main__":
    main()
