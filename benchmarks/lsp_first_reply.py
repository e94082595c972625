"""How long a fresh language server takes to answer on the bundled catalogue.

    .venv/bin/python -m benchmarks.lsp_first_reply [--runs 5] [--gap 0]

Starts `python -m policy.lsp`, sends `initialize`, then (after `--gap` seconds, the time an
editor takes before it opens a file) opens `kmo_groeisubsidie.rules` and hovers on a name.
Prints, per run, the seconds from start to the `initialize` reply and from the `didOpen`
to the document's diagnostics and to the hover's answer, each checked for correctness.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
KMO = ROOT / "programmes" / "flanders" / "kmo_groeisubsidie.rules"


def _frame(message: dict[str, Any]) -> bytes:
    body = json.dumps({"jsonrpc": "2.0", **message}).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _read(stream: IO[bytes]) -> dict[str, Any]:
    length = 0
    while line := stream.readline().strip():
        name, _, value = line.decode("ascii").partition(":")
        if name.lower() == "content-length":
            length = int(value)
    if not length:
        raise SystemExit("the server closed its output")
    message: dict[str, Any] = json.loads(stream.read(length))
    return message


def one_run(gap: float) -> tuple[float, float, float]:
    text = KMO.read_text(encoding="utf-8")
    lines = text.splitlines()
    line = next(i for i, x in enumerate(lines) if re.search(r"< cooldown\b", x))
    character = lines[line].index("< cooldown") + 2
    doc = {"uri": KMO.as_uri()}
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "policy.lsp"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdin is not None and proc.stdout is not None
    stdin, stdout = proc.stdin, proc.stdout

    def send(message: dict[str, Any]) -> None:
        stdin.write(_frame(message))
        stdin.flush()

    def until(match: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        while not match(message := _read(stdout)):
            pass
        return message

    try:
        params = {"processId": None, "rootUri": ROOT.as_uri(), "capabilities": {}}
        send({"id": 1, "method": "initialize", "params": params})
        until(lambda m: m.get("id") == 1)
        initialized = time.monotonic() - start
        send({"method": "initialized", "params": {}})
        time.sleep(gap)
        opened = time.monotonic()
        item = {**doc, "languageId": "subsidia", "version": 1, "text": text}
        send({"method": "textDocument/didOpen", "params": {"textDocument": item}})
        position = {"line": line, "character": character}
        send(
            {
                "id": 2,
                "method": "textDocument/hover",
                "params": {"textDocument": doc, "position": position},
            }
        )
        diags = until(lambda m: m.get("method") == "textDocument/publishDiagnostics")
        diagnosed = time.monotonic() - opened
        hover = until(lambda m: m.get("id") == 2)
        hovered = time.monotonic() - opened
    finally:
        proc.kill()
        proc.wait()
    assert "24 months" in hover["result"]["contents"]["value"], hover
    assert not [d for d in diags["params"]["diagnostics"] if d["severity"] == 1], diags
    return initialized, diagnosed, hovered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--gap", type=float, default=0.0)
    args = parser.parse_args()
    runs = [one_run(args.gap) for _ in range(args.runs)]
    medians = tuple(statistics.median(r[i] for r in runs) for i in range(3))
    for label, (init, diagnosed, hovered) in [*(("run", r) for r in runs), ("median", medians)]:
        print(
            f"{label:6}  initialize {init:.2f} s, didOpen to diagnostics {diagnosed:.2f} s,"
            f" to hover {hovered:.2f} s"
        )


if __name__ == "__main__":
    main()
