"""LSP frames: hostile bytes on the language server's input cost one message, never the
session (more examples: SUBSIDIA_FUZZ_EXAMPLES, tests/fuzzing.py).

Two layers: the frame filter in-process (fast: many inputs), and a live server over stdio
(the whole path, pygls included: fewer inputs)."""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from policy.lsp.frames import MESSAGE_LIMIT, FrameFilter, message_check
from policy.lsp.server import create_server
from tests.fuzzing import fuzz_settings
from tests.test_lsp import KMO, Client, position_of, serve, uri

# The declared length may exceed the body by this much at most: the bytes it wrongly
# claims are taken from the frames after it, which the valid tail must outlast.
OVERCLAIM = 300
TAIL = 4  # valid requests after the hostile bytes: the last one must be answered

_protocol = create_server().protocol


def _frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _hover(msg_id: int, position: Any = None, params: Any = None) -> dict[str, Any]:
    if params is None:
        doc = {"uri": uri(KMO)}
        params = {"textDocument": doc, "position": position or {"line": 0, "character": 0}}
    return {"jsonrpc": "2.0", "id": msg_id, "method": "textDocument/hover", "params": params}


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=8,
)
_positions = st.one_of(
    st.fixed_dictionaries({"line": _scalars, "character": _scalars}),
    st.fixed_dictionaries(
        {"line": st.integers(0, 2**31 - 1), "character": st.integers(0, 2**31 - 1)}
    ),
    _json,
)
_bodies = st.one_of(
    st.binary(max_size=120),
    _json.map(lambda v: json.dumps(v).encode()),
    _positions.map(lambda p: json.dumps(_hover(9_000, position=p)).encode()),
    _json.map(lambda p: json.dumps(_hover(9_001, params=p)).encode()),
    st.integers(1, 200_000).map(lambda n: b"[" * n),
    st.sampled_from([b"\xef\xbb\xbf{}", b"\xff\xfe", b'{"jsonrpc": "2.0", "id": 1', b"{}"]),
)


def _not_a_lie(value: bytes) -> bool:
    """A valid length far above the body makes the server wait for bytes that never come, as
    the protocol says it must: the fuzz lies by at most OVERCLAIM bytes."""
    return not (value.strip().isdigit() and OVERCLAIM < int(value) <= MESSAGE_LIMIT)


_lengths = st.one_of(
    st.integers(-(10**20), OVERCLAIM).map(lambda n: str(n).encode()),
    st.integers(MESSAGE_LIMIT + 1, 10**40).map(lambda n: str(n).encode()),
    st.sampled_from([b"", b"abc", b"1e3", b"0x10", b" 12", b"+5", b"\xef\xbc\x99", b"12 13"]),
    st.binary(max_size=12).filter(_not_a_lie),
)


@st.composite
def hostile_frames(draw: st.DrawFn) -> bytes:
    """One hostile piece: a frame with a lying, bad or missing header, or bare junk."""
    body = draw(_bodies)
    kind = draw(st.sampled_from(["exact", "lying", "bad header", "extra headers", "junk"]))
    event(kind)
    if kind == "exact":
        return _frame(body)
    if kind == "lying":
        declared = max(len(body) + draw(st.integers(-len(body), OVERCLAIM)), 0)
        return b"Content-Length: %d\r\n\r\n" % declared + body
    if kind == "bad header":
        return b"Content-Length: " + draw(_lengths) + b"\r\n\r\n" + body
    if kind == "extra headers":
        lines = draw(st.lists(st.binary(max_size=40), max_size=3))
        return b"\r\n".join([*lines, b"Content-Length: %d" % len(body), b"", b""]) + body
    return draw(st.binary(max_size=300))


def _valid_tail(first_id: int) -> list[bytes]:
    return [_frame(json.dumps(_hover(first_id + i)).encode()) for i in range(TAIL)]


def _pygls_reads(source: FrameFilter) -> Iterator[bytes]:
    """The bodies pygls reads from the filter, the way its loop reads them."""
    pattern = re.compile(rb"Content-Length: (\d+)\r\n")
    while True:
        header = source.readline()
        if not header:
            return
        match = pattern.fullmatch(header)
        assert match, header
        assert source.readline() == b"\r\n"
        body = source.read(int(match.group(1)))
        assert len(body) == int(match.group(1))
        yield body


@given(pieces=st.lists(hostile_frames(), min_size=1, max_size=4))
@fuzz_settings(300)
def test_fuzz_frame_filter_resynchronises(pieces: list[bytes]) -> None:
    tail = _valid_tail(100)
    stream = io.BufferedReader(io.BytesIO(b"".join([*pieces, *tail])))
    replies: list[bytes] = []
    frames = FrameFilter(stream, replies.append, message_check(_protocol))
    start = time.monotonic()
    bodies = list(_pygls_reads(frames))
    assert time.monotonic() - start < 5
    # Everything pygls gets decodes as it will decode it; the last valid request arrives.
    for body in bodies:
        assert len(body) <= MESSAGE_LIMIT
        message = json.loads(body)
        if "method" in message:
            message_check(_protocol)(body)
    assert bodies[-1] == tail[-1].split(b"\r\n\r\n", 1)[1]
    # Every reply is one JSON-RPC error, framed.
    for reply in replies:
        head, _, body = reply.partition(b"\r\n\r\n")
        assert head == b"Content-Length: %d" % len(body)
        error = json.loads(body)
        assert set(error) == {"jsonrpc", "id", "error"}
        assert error["error"]["code"] in (-32700, -32600, -32602)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    with serve(tmp_path_factory.mktemp("lsp-fuzz") / "stderr.log") as c:
        c.open(KMO)
        yield c


def _cooldown(msg_id: int) -> bytes:
    position = position_of(KMO, r"< (cooldown)\b")
    return _frame(json.dumps(_hover(msg_id, position=position)).encode())


@given(pieces=st.lists(hostile_frames(), min_size=1, max_size=3))
@fuzz_settings(15)
def test_fuzz_live_server_answers_after_hostile_frames(live: Client, pieces: list[bytes]) -> None:
    live.next_id += TAIL + 1
    first = live.next_id
    live.send_raw(b"".join(pieces) + b"".join(_cooldown(first + i) for i in range(TAIL)))
    # The last request is answered (earlier ones may have been eaten by a lying length),
    # correctly, and the server is still running.
    deadline = time.monotonic() + 20
    last = first + TAIL - 1
    while True:
        message = live._next(deadline)
        if message.get("id") == last and "method" not in message:
            break
    assert "24 months" in message["result"]["contents"]["value"]
    assert live.proc.poll() is None
