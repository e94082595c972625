"""The language server, driven over its protocol: JSON-RPC with Content-Length framing on the
stdio of a `python -m policy.lsp` subprocess, as an editor would drive it."""

from __future__ import annotations

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
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
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
        self.next_id += 1
        request_id = self.next_id
        self.send({"id": request_id, "method": method, "params": params})
        deadline = time.monotonic() + TIMEOUT
        while True:
            message = self._next(deadline)
            if message.get("id") == request_id and "method" not in message:
                assert "error" not in message, message["error"]
                return message.get("result")
            if "method" in message:
                self.notifications.append(message)

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


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    log = tmp_path_factory.mktemp("lsp") / "stderr.log"
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
            result = c.request(
                "initialize",
                {"processId": os.getpid(), "rootUri": uri(ROOT), "capabilities": {}},
            )
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
