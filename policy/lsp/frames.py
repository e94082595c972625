"""The language server's input, checked frame by frame before pygls sees it.

pygls (2.1) reads `Content-Length` frames itself with no size limit and no way to recover
from a bad header: a huge length is read into memory at once, a negative or non-numeric
one makes it wait forever for a body, and a body that is not JSON or whose params have the
wrong types is logged and dropped, so the client never gets its reply. It has no hook for
any of this, but it takes any object with `readline()` and `read(n)` as its input.

`FrameFilter` is that object. It reads the client's bytes, validates each frame (headers,
size, JSON, params) and hands pygls only the valid ones, re-framed canonically. A bad frame
is answered here with a JSON-RPC error where a reply is due, then skipped: reading resumes
at the next `Content-Length` header, so one bad frame costs one message, not the session.
pygls's own reads happen one after another, so the filter needs no lock of its own; its
replies share the output with pygls through `LockedOutput`.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from typing import Any, BinaryIO

from cattrs.errors import ClassValidationError
from pygls.protocol.json_rpc import JsonRPCNotification, JsonRPCRequestMessage

from dsl.errors import N_, SubsidiaError

logger = logging.getLogger("subsidia.lsp")

MIB = 1024 * 1024
# The largest message accepted. An editor sends a whole document in didOpen/didChange:
# rule files are refused above 2 MB (dsl/files.py), so 16 MB leaves room for JSON escapes.
MESSAGE_LIMIT = 16 * MIB
HEADER_LINE_LIMIT = 8 * 1024  # one header line; real ones are under 100 bytes
HEADER_LINES_LIMIT = 32  # header lines in one frame; LSP defines two
_CHUNK = 64 * 1024  # skipped bytes are read and dropped this many at a time
_KEEP = len(b"content-length:") - 1  # bytes kept between chunks while looking for a header

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
INVALID_PARAMS = -32602

_LENGTH = re.compile(rb"content-length[ \t]*:[ \t]*(\S*)[ \t]*", re.IGNORECASE)
_HEADER_START = re.compile(rb"content-length[ \t]*:", re.IGNORECASE)
_HEADER = re.compile(rb"[!-9;-~]+[ \t]*:[^\r\n]*")  # a token, a colon, a value


class BadFrame(SubsidiaError):
    """A frame that cannot be read; `reply` tells whether the client is told."""


class LockedOutput:
    """The server's output, written one whole message at a time by pygls and the filter."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def write(self, data: bytes) -> None:
        with self._lock:
            self._stream.write(data)
            self._stream.flush()

    def flush(self) -> None:
        with self._lock:
            self._stream.flush()

    def close(self) -> None:
        with self._lock:
            self._stream.close()


def error_frame(msg_id: int | str | None, code: int, message: str) -> bytes:
    body = json.dumps(
        {"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": message}}
    ).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class FrameFilter:
    """A `readline()`/`read(n)` stream of valid frames only, read from `source`.

    `check` turns a body into pygls's message objects and raises when it cannot (wrong
    params); `reply` writes an error frame to the client.
    """

    def __init__(
        self,
        source: BinaryIO,
        reply: Callable[[bytes], None],
        check: Callable[[bytes], object] | None = None,
        limit: int = MESSAGE_LIMIT,
    ) -> None:
        self._source = source
        self._reply = reply
        self._check = check
        self._limit = limit
        self._pending = b""  # a canonical frame being handed to pygls
        self._carry = b""  # bytes read past a skipped frame: the start of the next header
        self._eof = False

    # ---- what pygls calls

    def readline(self, size: int = -1) -> bytes:
        if not self._pending and not self._next_frame():
            return b""
        end = self._pending.find(b"\n") + 1 or len(self._pending)
        line, self._pending = self._pending[:end], self._pending[end:]
        return line

    def read(self, size: int = -1) -> bytes:
        if not self._pending and not self._next_frame():
            return b""
        if size < 0:
            size = len(self._pending)
        data, self._pending = self._pending[:size], self._pending[size:]
        return data

    # ---- reading the client's bytes

    def _line(self) -> bytes:
        """One header line, at most HEADER_LINE_LIMIT bytes (a longer one is cut there)."""
        if self._carry:
            end = self._carry.find(b"\n") + 1
            if end:
                line, self._carry = self._carry[:end], self._carry[end:]
                return line
            line, self._carry = self._carry, b""
            return line + self._source.readline(max(HEADER_LINE_LIMIT - len(line), 1))
        return self._source.readline(HEADER_LINE_LIMIT)

    def _body(self, length: int) -> bytes:
        chunks = [self._carry[:length]]
        self._carry = self._carry[length:]
        size = len(chunks[0])
        while size < length:
            chunk = self._source.read(min(length - size, _CHUNK))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)

    def _next_frame(self) -> bool:
        """Read until a valid frame is pending (True) or the input ends (False)."""
        while not self._eof:
            try:
                body = self._frame()
            except BadFrame as bad:
                logger.warning("subsidia lsp: skipped a frame: %s", bad)
                self._reply(error_frame(None, INVALID_REQUEST, f"bad frame: {bad}"))
                self._resync()
                continue
            if body is None:
                continue
            self._pending = b"Content-Length: %d\r\n\r\n" % len(body) + body
            return True
        return False

    def _frame(self) -> bytes | None:
        """The body of the next frame if it is valid; None when it was answered and dropped."""
        length: int | None = None
        for count in range(HEADER_LINES_LIMIT + 1):
            line = self._line()
            if not line:
                self._eof = True
                return None
            text = line.rstrip(b"\r\n")
            if not text and line.endswith(b"\n"):
                if length is None:
                    if count == 0:  # a stray blank line between frames: skip it
                        return None
                    raise BadFrame(N_("no Content-Length header"))
                break
            try:
                length = self._header(line, text, length)
            except BadFrame:
                # The next frame's header may start inside this line (after a body longer
                # than its Content-Length said): look for it there, past this line's start.
                self._carry = line[1:] + self._carry
                raise
        else:
            raise BadFrame(
                N_(
                    "more than {HEADER_LINES_LIMIT} header lines",
                    HEADER_LINES_LIMIT=HEADER_LINES_LIMIT,
                )
            )
        assert length is not None
        body = self._body(length)
        if len(body) < length:
            self._eof = True
            return None
        return self._validate(body)

    def _header(self, line: bytes, text: bytes, length: int | None) -> int | None:
        """The frame's length so far, after one of its header lines."""
        if not line.endswith(b"\n"):
            raise BadFrame(
                N_(
                    "a header line longer than {HEADER_LINE_LIMIT} bytes",
                    HEADER_LINE_LIMIT=HEADER_LINE_LIMIT,
                )
            )
        if _HEADER_START.search(text, 1):
            raise BadFrame(N_("bytes before a Content-Length header"))
        match = _LENGTH.fullmatch(text)
        if match:
            return _length(match.group(1), self._limit)
        if not _HEADER.fullmatch(text):
            raise BadFrame(N_("a header line that is not 'Name: value'"))
        return length

    def _resync(self) -> None:
        """Drop bytes up to the next `Content-Length` header, which stays to be read.

        Reads at most _CHUNK bytes at a time, keeping the end of each chunk in case a
        header starts there."""
        tail = b""
        while True:
            chunk = self._carry or self._source.readline(_CHUNK)
            self._carry = b""
            if not chunk:
                self._eof = True
                return
            window = tail + chunk
            match = _HEADER_START.search(window)
            if match:
                self._carry = window[match.start() :]
                return
            tail = window[-_KEEP:]

    # ---- what the body says

    def _validate(self, body: bytes) -> bytes | None:
        try:
            message = json.loads(body)
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
            self._reply(error_frame(None, PARSE_ERROR, f"parse error: {_first_line(exc)}"))
            return None
        if not isinstance(message, dict):
            self._reply(error_frame(None, INVALID_REQUEST, "invalid request: not an object"))
            return None
        msg_id = message.get("id")
        is_request = "method" in message and "id" in message
        valid_id = isinstance(msg_id, int | str) and not isinstance(msg_id, bool)
        reply_id = msg_id if valid_id else None
        if message.get("jsonrpc") != "2.0" or not isinstance(message.get("method", ""), str):
            if is_request:
                self._reply(error_frame(reply_id, INVALID_REQUEST, "invalid request"))
            return None
        if "method" not in message and (not valid_id or not {"result", "error"} & set(message)):
            # Neither a request, a notification nor a response to one of the server's requests.
            self._reply(error_frame(None, INVALID_REQUEST, "invalid request: no method"))
            return None
        if self._check is not None and "method" in message:  # responses are pygls's own
            try:
                self._check(body)
            except Exception as exc:
                logger.warning("subsidia lsp: dropped a message: %s", _describe(exc))
                if is_request:
                    text = f"invalid params for {message['method']}: {_describe(exc)}"
                    self._reply(error_frame(reply_id, INVALID_PARAMS, text))
                return None
        return body


def _length(value: bytes, limit: int) -> int:
    if not value.isdigit():
        raise BadFrame(N_("Content-Length is not a number of bytes"))
    if len(value) > len(str(limit)) or int(value) > limit:
        raise BadFrame(N_("message larger than the {value} MB limit", value=limit // MIB))
    return int(value)


def _first_line(exc: BaseException) -> str:
    return (str(exc) or type(exc).__name__).splitlines()[0][:200]


def _describe(exc: BaseException) -> str:
    cause = exc.__cause__
    text = _first_line(exc)
    if cause is not None:
        text += f" ({_first_line(cause)})"
    return text


def message_check(protocol: Any) -> Callable[[bytes], object]:
    """Decode a client's request or notification into the type pygls will: raises where
    pygls would log a traceback and drop the message (params of the wrong type or range).

    The same converter and message types as pygls's `structure_message`, without its
    traceback in the log: the filter logs one line instead."""

    def check(body: bytes) -> object:
        data = json.loads(body)
        method = data["method"]
        default = JsonRPCRequestMessage if "id" in data else JsonRPCNotification
        kind = protocol.get_message_type(method) or default
        try:
            return protocol._converter.structure(data, kind)
        except ClassValidationError as exc:
            raise ValueError(_validation_text(exc)) from None

    return check


def _validation_text(exc: ClassValidationError) -> str:
    """The first leaf error of a converter's nested validation error."""
    leaf: BaseException = exc
    while isinstance(leaf, ExceptionGroup) and leaf.exceptions:
        leaf = leaf.exceptions[0]
    return _first_line(leaf)
