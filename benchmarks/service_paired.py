"""`POST /api/v1/check` in-process, this tree against an earlier one, in the same run.

    git archive main | (mkdir -p /tmp/base && tar -x -C /tmp/base)
    .venv/bin/python -m benchmarks.service_paired --baseline /tmp/base [--blocks 20] [--size 50]

On a shared machine a figure taken an hour apart says more about the other jobs than about
the code. So two worker processes, one importing the baseline tree (`PYTHONPATH`, its own
programmes/ through `SUBSIDIA_RULES`), one this tree, take turns: block after block of
`--size` requests each, alternating which goes first, so both see the same load. Each
block times the same request two ways: what the endpoint does without the framework
(parse the body's bytes exactly, validate the profile, check, serialise: `json.dumps`
for the baseline, the way each tree's service does it for the other row) and the
service's ASGI app called directly (routing, query parameters, the handler, the answer's
serialisation, the access-log middleware; no socket). Printed per tree: p50 and p99 over
all blocks, and the median over blocks of the per-block p50 difference (the paired
figure), and the CPU time a request (median over blocks: less moved by the other jobs
than wall time). Both trees must answer with the same document.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The worker: reads a block size per line, answers one JSON line of timings (ms).
WORKER = r"""
import asyncio, datetime as dt, json, logging, sys, time
sys.path.insert(0, sys.argv[1])
import policy
from policy import engine
from policy.inputs.loading import decode_text, parse_text
from policy.service.app import create_app

body = sys.stdin.buffer.readline().rstrip(b"\n")
day = dt.date(2026, 3, 1)
logging.getLogger("subsidia.access").disabled = True  # the line is made, not written
app = create_app()
engine.catalogue(None)
scope = {
    "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
    "scheme": "http", "path": "/api/v1/check", "raw_path": b"/api/v1/check",
    "query_string": b"as_of=2026-03-01", "root_path": "",
    "headers": [(b"content-type", b"application/json"), (b"host", b"127.0.0.1")],
    "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "state": {},
}
answer = []

async def call():
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    async def receive():
        return messages.pop() if messages else {"type": "http.disconnect"}
    async def send(message):
        if message["type"] == "http.response.body":
            answer.append(message.get("body", b""))
    await app(dict(scope), receive, send)

def direct():
    data = parse_text(decode_text(body, None), None, as_json=True)
    return json.dumps(policy.check(policy.load_profile(data), day).as_json())

async def block(n):
    plain, asgi, cpu = [], [], {"plain": 0.0, "asgi": 0.0}
    for _ in range(n):
        start, used = time.perf_counter(), time.process_time()
        direct()
        plain.append((time.perf_counter() - start) * 1e3)
        cpu["plain"] += time.process_time() - used
        start, used = time.perf_counter(), time.process_time()
        await call()
        asgi.append((time.perf_counter() - start) * 1e3)
        cpu["asgi"] += time.process_time() - used
    return plain, asgi, {k: v / n * 1e3 for k, v in cpu.items()}

loop = asyncio.new_event_loop()
loop.run_until_complete(block(20))  # warm: catalogue, program, closures
print(json.dumps({"answer": json.loads(answer[-1])}), flush=True)
for line in sys.stdin:
    plain, asgi, cpu = loop.run_until_complete(block(int(line)))
    print(json.dumps({"plain": plain, "asgi": asgi, "cpu": cpu}), flush=True)
"""


def _start(tree: Path, rules: Path | None) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    if rules is not None:
        env["SUBSIDIA_RULES"] = str(rules)
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, str(tree)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tree,
    )


def _ask(worker: subprocess.Popen[str], line: str) -> dict:
    assert worker.stdin is not None and worker.stdout is not None
    worker.stdin.write(line + "\n")
    worker.stdin.flush()
    return json.loads(worker.stdout.readline())


def _pick(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    from benchmarks.service import body

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, required=True, help="an earlier source tree")
    parser.add_argument("--blocks", type=int, default=20)
    parser.add_argument("--size", type=int, default=50)
    args = parser.parse_args(argv)
    content = body().decode()
    workers = {
        "baseline": _start(args.baseline.resolve(), args.baseline.resolve() / "programmes"),
        "this tree": _start(ROOT, None),
    }
    try:
        answers = {name: _ask(w, content)["answer"] for name, w in workers.items()}
        if answers["baseline"] != answers["this tree"]:
            raise SystemExit("the two trees answer differently")
        times: dict[str, dict[str, list[float]]] = {
            name: {"plain": [], "asgi": []} for name in workers
        }
        medians: dict[str, dict[str, list[float]]] = {
            name: {"plain": [], "asgi": []} for name in workers
        }
        cpu: dict[str, dict[str, list[float]]] = {
            name: {"plain": [], "asgi": []} for name in workers
        }
        names = list(workers)
        for i in range(args.blocks):
            for name in names if i % 2 == 0 else reversed(names):
                got = _ask(workers[name], str(args.size))
                for kind in ("plain", "asgi"):
                    times[name][kind] += got[kind]
                    medians[name][kind].append(statistics.median(got[kind]))
                    cpu[name][kind].append(got["cpu"][kind])
    finally:
        for w in workers.values():
            assert w.stdin is not None
            w.stdin.close()
            w.wait(timeout=30)
    rows = {"plain": "from the body's bytes, no framework", "asgi": "the ASGI app, no socket"}
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"{args.blocks} blocks of {args.size} requests per tree, alternating; load {load}")
    for kind, title in rows.items():
        for name in names:
            t = times[name][kind]
            print(
                f"{title:>36} | {name:>9}: p50 {_pick(t, 0.5):.2f} ms, p99 {_pick(t, 0.99):.2f} "
                f"ms, CPU {statistics.median(cpu[name][kind]):.2f} ms a request (block median)"
            )
        diff = [
            b - a
            for a, b in zip(medians["this tree"][kind], medians["baseline"][kind], strict=True)
        ]
        print(
            f"{title:>36} | baseline minus this tree, median over blocks of the block "
            f"p50s: {statistics.median(diff):.2f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
