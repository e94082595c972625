"""Access logs: one line per request on standard error, JSON by default.

    {"time": "2026-12-06T23:20:01.123Z", "method": "POST", "path": "/api/v1/check",
     "query": "as_of=2026-03-01", "status": 200, "duration_ms": 1.84,
     "request_id": "5f0c…"}

Written by an ASGI middleware around the whole application (uvicorn's own access log is
off), so the status is the one the client gets and the duration is the server's time from
the request line to the last byte of the answer. Bodies are never logged. The request id is
the client's `X-Request-ID` when it sends a short, printable one (a proxy's), else a new
one; the answer carries it back in `X-Request-ID`.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

FORMATS = ("json", "text")
LOGGER = "subsidia.access"
_HEADER = b"x-request-id"


def access_logger() -> logging.Logger:
    """The access logger, writing bare lines to standard error (set up once)."""
    log = logging.getLogger(LOGGER)
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    return log


class AccessLog:
    """ASGI middleware: one access-log line per HTTP request (`fmt`: json or text)."""

    def __init__(self, app: App, fmt: str = "json") -> None:
        if fmt not in FORMATS:
            raise ValueError(f"log format {fmt!r}: expected one of {', '.join(FORMATS)}")
        self.app, self.fmt, self.log = app, fmt, access_logger()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        rid = _request_id(scope)
        status = 500  # what the client gets if the application fails before answering

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (_HEADER, rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, answer)
        finally:
            self.log.info(self.line(scope, status, time.perf_counter() - start, rid))

    def line(self, scope: Scope, status: int, seconds: float, rid: str) -> str:
        now = datetime.now(UTC)
        entry = {
            "time": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
            "method": scope["method"],
            "path": scope["path"],
            "query": scope.get("query_string", b"").decode("latin-1"),
            "status": status,
            "duration_ms": round(seconds * 1000, 3),
            "request_id": rid,
        }
        if self.fmt == "json":
            return json.dumps(entry, ensure_ascii=False)
        query = f"?{entry['query']}" if entry["query"] else ""
        return (
            f"{entry['time']} {entry['method']} {entry['path']}{query} {status} "
            f"{entry['duration_ms']:.3f}ms {rid}"
        )


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == _HEADER:
            text = value.decode("latin-1")
            if 0 < len(text) <= 128 and text.isprintable() and " " not in text:
                return text
            break
    return uuid.uuid4().hex
