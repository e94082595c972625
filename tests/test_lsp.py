"""The language server, driven over its protocol: JSON-RPC with Content-Length framing on the
stdio of a `python -m policy.lsp` subprocess, as an editor would drive it."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROGRAMMES = ROOT / "programmes"
KMO = PROGRAMMES / "flanders" / "kmo_groeisubsidie.rules"
SME = PROGRAMMES / "eu" / "sme.rules"
TIMEOUT = 20.0  # per response: a hung server fails the test instead of hanging CI


def uri(path: Path) -> str:
    return path.resolve().as_uri()


class Client:
    """A minimal LSP client: requests wait for their response, notifications are queued."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self.inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.notifications: list[dict[str, Any]] = []
        self.stray: list[dict[str, Any]] = []  # responses to no request: errors with id null
        self.next_id = 0
        self.versions: dict[str, int] = {}  # the last version sent of each document
        # Reading on a thread: a blocking pipe read cannot time out by itself.
        self.reader = threading.Thread(target=self._read, args=(proc.stdout,), daemon=True)
        self.reader.start()

    def _read(self, stream: IO[bytes]) -> None:
        try:
            while True:
                length = None
                while True:
                    line = stream.readline()
                    if not line:
                        return
                    line = line.strip()
                    if not line:
                        break
                    name, _, value = line.decode("ascii").partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                if length is None:
                    continue
                self.inbox.put(json.loads(stream.read(length)))
        finally:
            self.inbox.put(None)  # end of stream

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def send_raw(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def _next(self, deadline: float) -> dict[str, Any]:
        try:
            message = self.inbox.get(timeout=max(deadline - time.monotonic(), 0.01))
        except queue.Empty:
            raise AssertionError("the server did not answer in time") from None
        if message is None:
            raise AssertionError("the server closed its output")
        if "method" in message and "id" in message:  # a request from the server
            self.send({"id": message["id"], "result": None})
        return message

    def request(self, method: str, params: Any) -> Any:
        message = self.call(method, params)
        assert "error" not in message, message["error"]
        return message.get("result")

    def call(self, method: str, params: Any) -> dict[str, Any]:
        """The whole response to a request: its result or its error."""
        self.next_id += 1
        request_id = self.next_id
        self.send({"id": request_id, "method": method, "params": params})
        deadline = time.monotonic() + TIMEOUT
        while True:
            message = self._next(deadline)
            if message.get("id") == request_id and "method" not in message:
                return message
            if "method" in message:
                self.notifications.append(message)
            else:  # an answer to no request of ours: a bad frame's error, id null
                self.stray.append(message)

    def wait_for(self, method: str, match: Callable[[Any], bool]) -> Any:
        """The params of the first `method` notification (past or coming) that `match`es."""
        for seen in self.notifications:
            if seen["method"] == method and match(seen["params"]):
                return seen["params"]
        deadline = time.monotonic() + TIMEOUT
        while True:
            message = self._next(deadline)
            if "method" in message:
                self.notifications.append(message)
                if message["method"] == method and match(message["params"]):
                    return message["params"]

    def open(self, path: Path, text: str | None = None) -> None:
        # Versions go up across re-opens so each wait matches this text's diagnostics only.
        version = self.versions[uri(path)] = self.versions.get(uri(path), 0) + 1
        self.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": uri(path),
                    "languageId": "subsidia",
                    "version": version,
                    "text": path.read_text(encoding="utf-8") if text is None else text,
                }
            },
        )

    def change(self, path: Path, text: str) -> None:
        version = self.versions[uri(path)] = self.versions[uri(path)] + 1
        self.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri(path), "version": version},
                "contentChanges": [{"text": text}],
            },
        )

    def diagnostics(self, path: Path) -> list[dict[str, Any]]:
        """The diagnostics published for the last version sent of a document."""
        version = self.versions[uri(path)]
        params = self.wait_for(
            "textDocument/publishDiagnostics",
            lambda p: p["uri"] == uri(path) and p.get("version") == version,
        )
        return params["diagnostics"]


@contextlib.contextmanager
def serve(log: Path, root: Path = ROOT, locale: str | None = None) -> Iterator[Client]:
    """A server on a subprocess, initialised with `root` as its workspace folder (and the
    client's `locale`, when given)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # The rule folder must come from the documents' own `programmes` ancestor.
    env.pop("SUBSIDIA_RULES", None)
    with log.open("wb") as err:
        # stderr to a file: a pipe nobody reads could fill up and block the server.
        proc = subprocess.Popen(
            [sys.executable, "-m", "policy.lsp"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
        )
        c = Client(proc)
        try:
            params = {"processId": os.getpid(), "rootUri": uri(root), "capabilities": {}}
            if locale is not None:
                params["locale"] = locale
            result = c.request("initialize", params)
            assert result["serverInfo"]["name"] == "subsidia"
            assert result["capabilities"]["hoverProvider"]
            assert result["capabilities"]["definitionProvider"]
            c.notify("initialized", {})
            yield c
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=TIMEOUT)
            if proc.stdin:
                proc.stdin.close()
            if proc.stdout:
                proc.stdout.close()
    print(log.read_text(errors="replace"))  # shown by pytest when a test failed


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    with serve(tmp_path_factory.mktemp("lsp") / "stderr.log") as c:
        yield c


def position_of(path: Path, pattern: str, group: int = 1) -> dict[str, int]:
    """0-based line and column of a regex group's start (ASCII lines: code points = UTF-16)."""
    for line, text in enumerate(path.read_text(encoding="utf-8").splitlines()):
        m = re.search(pattern, text)
        if m:
            return {"line": line, "character": m.start(group)}
    raise AssertionError(f"{pattern!r} not in {path}")


def test_syntax_error_is_published_with_a_zero_based_range(client: Client, tmp_path: Path) -> None:
    broken = tmp_path / "programmes" / "broken.rules"
    broken.parent.mkdir()
    # Not on disk: the open text is all the server has.
    client.open(broken, "definitions broken {\n  let total : money = 10 EUR +\n}\n")
    [diag] = client.diagnostics(broken)
    assert diag["code"] == "E101"
    assert diag["severity"] == 1
    assert diag["message"].startswith("unexpected '}'; expected")
    # The parser says line 3, column 1, one character wide.
    assert diag["range"] == {
        "start": {"line": 2, "character": 0},
        "end": {"line": 2, "character": 1},
    }


def test_warnings_are_published_as_warnings(client: Client, tmp_path: Path) -> None:
    tiny = tmp_path / "programmes" / "tiny.rules"
    tiny.parent.mkdir()
    text = (
        'programme tiny {\n  label nl "Klein" fr "Petit" en "Tiny"\n'
        "  condition small {\n    require company.staff < 10\n  }\n}\n"
    )
    client.open(tiny, text)
    diags = client.diagnostics(tiny)
    by_code = {d["code"]: d for d in diags}
    assert set(by_code) == {"W601", "W602"}
    assert {d["severity"] for d in diags} == {2}
    assert by_code["W602"]["message"] == "condition 'small' has no source"
    assert by_code["W602"]["range"] == {
        "start": {"line": 2, "character": 2},
        "end": {"line": 4, "character": 3},
    }


def test_columns_are_counted_in_utf16_units(client: Client, tmp_path: Path) -> None:
    # The parser counts code points; LSP's default encoding counts UTF-16 units, in which
    # the emoji takes two: the range must move one to the right.
    broken = tmp_path / "programmes" / "wide.rules"
    broken.parent.mkdir()
    line = '  label en "€ 😀" = 1'
    client.open(broken, "definitions wide {\n" + line + "\n}\n")
    [diag] = client.diagnostics(broken)
    assert diag["message"].startswith("unexpected '='")
    column = line.index("=") + 1
    assert diag["range"]["start"] == {"line": 1, "character": column}


def test_a_failing_request_answers_null_and_the_server_goes_on(
    client: Client, tmp_path: Path
) -> None:
    # Neither open nor on disk: reading it fails inside the handler, which must be caught.
    missing = tmp_path / "programmes" / "never_opened.rules"
    position = {"line": 0, "character": 0}
    params = {"textDocument": {"uri": uri(missing)}, "position": position}
    assert client.request("textDocument/hover", params) is None
    assert client.request("textDocument/definition", params) is None
    client.open(KMO)
    far = {"line": 10_000, "character": 500}
    params = {"textDocument": {"uri": uri(KMO)}, "position": far}
    assert client.request("textDocument/hover", params) is None


def test_open_text_is_checked_with_the_other_rule_files(client: Client, tmp_path: Path) -> None:
    # The server must prefer the open text to the file on disk and resolve `eu_sme` from
    # the rest of programmes/; the file itself is left untouched.
    text = KMO.read_text(encoding="utf-8").replace(
        "require eu_sme.is_sme\n", "require eu_sme.is_smee\n", 1
    )
    client.open(KMO, text)
    diags = client.diagnostics(KMO)
    [diag] = [d for d in diags if d["severity"] == 1]
    assert diag["code"] == "E201"
    assert diag["message"] == "'eu_sme' has no 'is_smee'\ndid you mean 'is_sme'?"
    start = position_of(KMO, r"require (eu_sme\.is_sme)")
    assert diag["range"]["start"] == start
    # Back to the file's own text: no more errors.
    client.change(KMO, KMO.read_text(encoding="utf-8"))
    assert [d for d in client.diagnostics(KMO) if d["severity"] == 1] == []


def test_hover_on_a_parameter_shows_its_dated_values(client: Client) -> None:
    client.open(KMO)
    result = client.request(
        "textDocument/hover",
        {"textDocument": {"uri": uri(KMO)}, "position": position_of(KMO, r"< (cooldown)\b")},
    )
    value = result["contents"]["value"]
    assert "24 months" in value
    assert "2025-01-01" in value
    assert "36 months" in value
    assert "Waiting period after an earlier grant" in value
    assert "Previous Funding Restrictions" in value  # the version's source locator


def test_definition_across_files(client: Client) -> None:
    client.open(KMO)
    position = position_of(KMO, r"eu_sme\.(is_sme)\b")
    result = client.request(
        "textDocument/definition", {"textDocument": {"uri": uri(KMO)}, "position": position}
    )
    location = result[0] if isinstance(result, list) else result
    assert location["uri"] == uri(SME)
    assert location["range"]["start"] == position_of(SME, r"^\s*(let) is_sme\b")


def test_definition_of_a_bare_name_in_the_same_block(client: Client) -> None:
    client.open(KMO)
    result = client.request(
        "textDocument/definition",
        {"textDocument": {"uri": uri(KMO)}, "position": position_of(KMO, r"< (cooldown)\b")},
    )
    location = result[0] if isinstance(result, list) else result
    assert location["uri"] == uri(KMO)
    assert location["range"]["start"] == position_of(KMO, r"^\s*(param) cooldown\b")


def test_nothing_under_the_cursor_answers_null(client: Client) -> None:
    client.open(KMO)
    # Inside a label text: names there are prose, not references.
    position = position_of(KMO, r'en "(Waiting) period after')
    result = client.request(
        "textDocument/hover", {"textDocument": {"uri": uri(KMO)}, "position": position}
    )
    assert result is None


def test_shutdown_and_exit(client: Client) -> None:
    assert client.request("shutdown", None) is None
    client.notify("exit", None)
    assert client.proc.wait(timeout=TIMEOUT) == 0


def test_an_installed_catalogue_is_found_whatever_its_folder_is_called(tmp_path, monkeypatch):
    """A wheel installs the rules as `site-packages/subsidia_programmes`: a rule file
    edited there is checked with its whole catalogue, not alone."""
    from policy import engine
    from policy.lsp.server import rules_root

    bundled = tmp_path / "subsidia_programmes"
    (bundled / "flanders").mkdir(parents=True)
    monkeypatch.setattr(engine, "DEFAULT_RULES", bundled)
    assert rules_root(str(bundled / "flanders" / "kmo.rules")) == bundled
    other = tmp_path / "elsewhere" / "x.rules"
    assert rules_root(str(other)) == other.parent


# ---- hostile input: a bad frame or request costs one message, never the session


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    """A server of its own: the tests below feed it bad frames."""
    with serve(tmp_path_factory.mktemp("lsp-hostile") / "stderr.log") as c:
        c.open(KMO)
        yield c


def cooldown_hover() -> dict[str, Any]:
    return {"textDocument": {"uri": uri(KMO)}, "position": position_of(KMO, r"< (cooldown)\b")}


def assert_answers(c: Client) -> None:
    """The server still answers a valid request, and correctly."""
    result = c.request("textDocument/hover", cooldown_hover())
    assert "24 months" in result["contents"]["value"]


def frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


BAD_FRAMES = {
    "huge length": b"Content-Length: 99999999999999\r\n\r\n{}",
    "length with 40 digits": b"Content-Length: " + b"9" * 40 + b"\r\n\r\n{}",
    "negative length": b"Content-Length: -5\r\n\r\n{}",
    "non-numeric length": b"Content-Length: twelve\r\n\r\n{}",
    "no length": b"Content-Type: application/json\r\n\r\n{}",
    "header line of 100 KB": b"X-Junk: " + b"a" * 100_000 + b"\r\n\r\n{}",
    "garbage, no header": b"\x00\xff garbage }{ \r\n",
    "length shorter than the body": b'Content-Length: 3\r\n\r\n{"jsonrpc": "2.0"}',
}


@pytest.mark.parametrize("data", BAD_FRAMES.values(), ids=BAD_FRAMES.keys())
def test_a_bad_frame_is_skipped_and_the_next_request_answered(hostile: Client, data: bytes) -> None:
    hostile.stray.clear()
    hostile.send_raw(data)
    assert_answers(hostile)
    assert hostile.proc.poll() is None
    # Each error the server sent for it says what was wrong, with id null.
    assert all(m["id"] is None and m["error"]["code"] < 0 for m in hostile.stray)


@pytest.mark.parametrize(
    "body",
    [b"not json", b'{"jsonrpc": "2.0", "id": 1, "method": ', b"\xff\xfe{}", b"[" * 100_000],
    ids=["text", "cut short", "not UTF-8", "nested 10^5 deep"],
)
def test_a_body_that_is_not_json_gets_a_parse_error(hostile: Client, body: bytes) -> None:
    hostile.stray.clear()
    hostile.send_raw(frame(body))
    assert_answers(hostile)
    [error] = hostile.stray
    assert error["id"] is None
    assert error["error"]["code"] == -32700


def test_a_body_that_is_not_an_object_is_an_invalid_request(hostile: Client) -> None:
    hostile.stray.clear()
    hostile.send_raw(frame(b"[1, 2]"))
    assert_answers(hostile)
    [error] = hostile.stray
    assert (error["id"], error["error"]["code"]) == (None, -32600)


def test_a_message_above_the_size_limit_is_skipped(hostile: Client) -> None:
    """A real 17 MB frame (a didChange with a huge text): dropped, the session goes on."""
    text = "x" * (17 * 1024 * 1024)
    body = json.dumps(
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didChange",
            "params": {
                "textDocument": {"uri": uri(KMO), "version": 1000},
                "contentChanges": [{"text": text}],
            },
        }
    ).encode()
    hostile.send_raw(frame(body))
    assert_answers(hostile)  # the document still has its text: the change was not applied


def test_an_open_document_above_the_rule_file_limit_is_not_parsed(
    hostile: Client, tmp_path: Path
) -> None:
    big = tmp_path / "programmes" / "big.rules"
    big.parent.mkdir()
    hostile.open(big, "# " + "x" * (3 * 1024 * 1024) + "\n")
    [diag] = hostile.diagnostics(big)
    assert diag["code"] == "E100"
    assert diag["message"] == "cannot read rule file: larger than the limit of 2 MB"
    assert_answers(hostile)


def test_hover_far_beyond_the_end_answers(hostile: Client) -> None:
    far = {"textDocument": {"uri": uri(KMO)}, "position": {"line": 10**9, "character": 10**9}}
    message = hostile.call("textDocument/hover", far)
    assert message.get("result") is None
    # Beyond LSP's uinteger range: the params are invalid.
    beyond = {"textDocument": {"uri": uri(KMO)}, "position": {"line": 2**40, "character": 0}}
    assert hostile.call("textDocument/hover", beyond)["error"]["code"] == -32602
    assert_answers(hostile)


@pytest.mark.parametrize(
    "params",
    [
        {"textDocument": {"uri": uri(KMO)}, "position": {"line": "x", "character": 0}},
        {"textDocument": {"uri": uri(KMO)}, "position": {"line": -1, "character": 0}},
        {"textDocument": {"uri": uri(KMO)}, "position": {"line": 0}},
        {"textDocument": {"uri": uri(KMO)}},
        [1, 2, 3],
        "hover",
    ],
    ids=["string line", "negative line", "no character", "no position", "a list", "a string"],
)
def test_wrongly_typed_params_get_an_invalid_params_error(hostile: Client, params: Any) -> None:
    message = hostile.call("textDocument/hover", params)
    assert message["error"]["code"] == -32602
    assert "invalid params for textDocument/hover" in message["error"]["message"]
    assert_answers(hostile)


def test_a_notification_with_bad_params_is_dropped_quietly(hostile: Client) -> None:
    hostile.stray.clear()
    hostile.notify("textDocument/didOpen", {"textDocument": "nope"})
    assert_answers(hostile)
    assert hostile.stray == []  # a notification gets no reply, not even an error


def test_a_request_with_a_bad_id_or_version_is_invalid(hostile: Client) -> None:
    hostile.stray.clear()
    hostile.send_raw(frame(b'{"jsonrpc": "1.0", "id": 7, "method": "textDocument/hover"}'))
    hostile.send_raw(frame(b'{"jsonrpc": "2.0", "id": [7], "method": 3}'))
    assert_answers(hostile)
    hostile.send_raw(frame(b'{"jsonrpc": "2.0"}'))
    hostile.send_raw(frame(b'{"jsonrpc": "2.0", "id": [1], "result": null}'))
    assert_answers(hostile)
    errors = [m for m in hostile.stray if m["id"] in (7, None)]
    assert [m["error"]["code"] for m in errors] == [-32600] * 4


# ---- what the server reads


def test_a_document_at_the_file_system_root_is_checked_alone(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Opened as file:///x.rules: the server must not parse every rule file on the disk."""
    log = tmp_path_factory.mktemp("lsp-root") / "stderr.log"
    with serve(log) as c:
        at_root = Path("/subsidia-lsp-test-does-not-exist.rules")
        c.open(at_root, "definitions lone {\n  let x : money = 10 EUR\n}\n")
        assert c.diagnostics(at_root) == []


def test_rule_folders_stay_inside_the_workspace(tmp_path: Path, monkeypatch) -> None:
    from policy.lsp import server
    from policy.lsp.server import rules_root

    monkeypatch.delenv("SUBSIDIA_RULES", raising=False)
    monkeypatch.setattr(server.Path, "home", classmethod(lambda cls: tmp_path / "home"))
    (tmp_path / "home").mkdir()
    ws = tmp_path / "ws"
    # Never a root or a home folder, with or without workspace folders.
    assert rules_root("/x.rules") is None
    assert rules_root("/x.rules", [Path("/")]) is None
    assert rules_root(str(tmp_path / "home" / "x.rules")) is None
    assert rules_root(str(tmp_path / "x.rules")) is None  # the home's parent: wider still
    # Inside the workspace: the file's own folder, or its catalogue.
    assert rules_root(str(ws / "a" / "x.rules"), [ws]) == ws / "a"
    assert rules_root(str(ws / "programmes" / "eu" / "x.rules"), [ws]) == ws / "programmes"
    # A catalogue above the workspace folder: only the workspace folder is read.
    inner = tmp_path / "programmes" / "flanders"
    assert rules_root(str(inner / "sub" / "x.rules"), [inner]) == inner
    # Outside every workspace folder: the file alone.
    assert rules_root(str(tmp_path / "elsewhere" / "x.rules"), [ws]) is None


def test_the_first_request_on_the_bundled_catalogue_is_answered(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A fresh server, a document of the bundled catalogue opened and hovered at once: the
    hover and the diagnostics are right (the time is measured in docs/editor.md)."""
    with serve(tmp_path_factory.mktemp("lsp-first") / "stderr.log") as c:
        c.open(KMO)
        assert_answers(c)
        assert [d for d in c.diagnostics(KMO) if d["severity"] == 1] == []


@pytest.mark.parametrize("junk", [64 * 1024 - 5, 64 * 1024, 200_000])
def test_the_frame_filter_finds_a_header_across_its_read_chunks(junk: int) -> None:
    """After a bad frame it looks for the next header 64 KB at a time: one that straddles
    two reads is found all the same."""
    import io

    from policy.lsp.frames import FrameFilter

    body = b'{"jsonrpc": "2.0", "method": "initialized", "params": {}}'
    data = b"Content-Length: -1\r\n\r\n" + b"x" * junk + frame(body)
    replies: list[bytes] = []
    frames = FrameFilter(io.BufferedReader(io.BytesIO(data)), replies.append)
    assert frames.readline() == b"Content-Length: %d\r\n" % len(body)
    assert frames.readline() == b"\r\n"
    assert frames.read(len(body)) == body
    assert frames.readline() == b""  # the end of the input
    assert len(replies) == 1


def test_a_large_valid_document_is_accepted(hostile: Client, tmp_path: Path) -> None:
    """Below the limits: a 1.5 MB document is checked like any other."""
    doc = tmp_path / "programmes" / "large.rules"
    doc.parent.mkdir()
    filler = "# " + "x" * 1000 + "\n"
    hostile.open(doc, filler * 1500 + "definitions large {\n  let x : money = 10 EUR\n}\n")
    assert hostile.diagnostics(doc) == []
    assert_answers(hostile)


def test_messages_follow_the_clients_locale(tmp_path: Path) -> None:
    from policy.lsp.server import client_lang
    from tests.translation import assert_translated

    folder = tmp_path / "programmes"
    folder.mkdir()
    tiny = folder / "tiny.rules"
    tiny.write_text(
        'programme tiny {\n  label nl "Klein" fr "Petit" en "Tiny"\n'
        "  condition small {\n    require company.staff < 10\n  }\n}\n",
        encoding="utf-8",
    )
    broken = folder / "broken.rules"
    broken.write_text("definitions broken {\n  let total : money = 10 EUR +\n}\n", "utf-8")
    seen = {}
    for locale in (None, "nl-BE"):
        with serve(tmp_path / f"{locale}.log", tmp_path, locale) as c:
            c.open(tiny)
            # The server's own message (the other file does not parse) and a checker's one.
            [diag] = c.diagnostics(tiny)
            seen[locale] = diag["message"]
    assert seen[None] == "names and types not checked: syntax errors in broken.rules"
    assert_translated(seen[None], seen["nl-BE"], ["broken.rules"], "nl")
    assert [client_lang(x) for x in ("fr-BE", "nl_BE", "NL", "de-DE", None)] == [
        "fr", "nl", "nl", "en", "en",
    ]
