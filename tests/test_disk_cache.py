"""The on-disk cache stays bounded, and no file in the cache folder can run code or change
an answer: entries are authenticated (HMAC, key outside the cache folder), anything else is
a miss that is rebuilt (dsl/cache.py)."""

from __future__ import annotations

import os
import pickle
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dsl import cache, loader
from tests.fuzzing import fuzz_settings

ROOT = Path(__file__).parent.parent

SMALL_RULES = """\
programme mini {
  label nl "Mini" fr "Mini" en "Mini"
  source s { url "https://example.org" }
  valid 2025-01-01..
  param ceiling : money { source s 2025-01-01.. = 50_000 EUR }
  condition small {
    label nl "Klein" fr "Petit" en "Small"
    source s
    require company.staff < 50
  }
  amount { = 60% * 100_000 EUR }
  limit cap {
    label nl "Plafond" fr "Plafond" en "Cap"
    source s
    = ceiling
  }
}
"""


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private cache folder and key folder for the test."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("SUBSIDIA_NO_CACHE", raising=False)
    return tmp_path / "cache" / "subsidia"


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "mini.rules").write_text(SMALL_RULES, encoding="utf-8")
    return folder


def test_cache_keeps_the_most_recently_used_entries(
    folders: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "CACHE_ENTRIES", 3)
    for i in range(3):
        assert cache.disk_cached(f"entry-{i}", lambda i=i: i) == i
        os.utime(folders / f"entry-{i}.entry", (1000 + i, 1000 + i))  # distinct ages
    # entry-0 is the oldest, but reading it makes it the most recently used.
    assert cache.disk_cached("entry-0", lambda: "rebuilt") == 0
    cache.disk_cached("entry-3", lambda: 3)
    left = sorted(p.stem for p in folders.glob("*.entry"))
    assert left == ["entry-0", "entry-2", "entry-3"]
    # A pruned entry is simply built again.
    assert cache.disk_cached("entry-1", lambda: "again") == "again"


def test_overridden_catalogues_are_cached_and_keyed_by_both_folders(
    tmp_path: Path, folders: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = ROOT / "programmes"
    override = tmp_path / "old"
    override.mkdir()
    text = (root / "flanders" / "kmo_groeisubsidie.rules").read_text(encoding="utf-8")
    (override / "kmo.rules").write_text(text, encoding="utf-8")
    first, _ = loader.load_overriding(root, override)

    def no_rebuild(*args: object) -> None:
        raise AssertionError("rebuilt although nothing changed")

    monkeypatch.setattr(loader, "_load_overriding", no_rebuild)
    again, _ = loader.load_overriding(root, override)
    assert set(again.programmes) == set(first.programmes)
    # An edit of the override is a new key: built again, not served stale.
    (override / "kmo.rules").write_text(text + "\n# edited\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="rebuilt"):
        loader.load_overriding(root, override)


def test_the_key_is_private_and_outside_the_cache_folder(folders: Path, tmp_path: Path) -> None:
    cache.disk_cached("x", lambda: 1)
    key = tmp_path / "data" / "subsidia" / cache.KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert folders not in key.parents


def test_a_key_others_can_read_turns_the_cache_off(folders: Path, tmp_path: Path) -> None:
    cache.disk_cached("x", lambda: 1)
    key = tmp_path / "data" / "subsidia" / cache.KEY_FILE
    key.chmod(0o644)
    cache._key.cache_clear()
    try:
        assert cache.disk_cached("x", lambda: 2) == 2  # not read from the cache
        assert cache.disk_cached("y", lambda: 3) == 3
        assert not (folders / "y.entry").exists()  # nor written
    finally:
        cache._key.cache_clear()


class _Plant:
    """Unpickling this creates the file `path`: proof that code ran."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, ...]]:
        return (os.system, (f"touch {self.path}",))


def _planted(marker: Path) -> bytes:
    return pickle.dumps(_Plant(marker))


def test_a_planted_pickle_never_runs(folders: Path, rules: Path, tmp_path: Path) -> None:
    expected, _ = loader.load_catalogue(rules)
    key = loader.catalogue_key(rules)
    entry = folders / f"catalogue-{key}{cache.SUFFIX}"
    marker = tmp_path / "pwned"
    forged_tag = cache.MAGIC + b"\0" * cache.TAG_SIZE
    for content in (_planted(marker), forged_tag + _planted(marker)):
        folders.mkdir(parents=True, exist_ok=True)
        entry.write_bytes(content)
        got, _ = loader.load_catalogue_cached(rules)
        assert not marker.exists()
        assert got == expected
        assert entry.read_bytes() != content  # replaced by a good entry


def test_even_with_the_key_only_our_classes_are_unpickled(folders: Path, tmp_path: Path) -> None:
    # Should the key leak, a correctly tagged entry still cannot name os.system.
    cache.disk_cached("x", lambda: 1)
    key = cache._key(str(cache.key_dir()))
    assert key is not None
    marker = tmp_path / "pwned"
    payload = _planted(marker)
    entry = folders / f"x{cache.SUFFIX}"
    entry.write_bytes(cache.MAGIC + cache._tag(key, "x", payload) + payload)
    assert cache.disk_cached("x", lambda: "rebuilt") == "rebuilt"
    assert not marker.exists()


def test_an_entry_under_another_name_is_a_miss(folders: Path) -> None:
    cache.disk_cached("a", lambda: "answer for a")
    (folders / f"b{cache.SUFFIX}").write_bytes((folders / f"a{cache.SUFFIX}").read_bytes())
    assert cache.disk_cached("b", lambda: "answer for b") == "answer for b"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_in_place_of_an_entry_does_not_block(folders: Path) -> None:
    folders.mkdir(parents=True)
    entry = folders / f"x{cache.SUFFIX}"
    os.mkfifo(entry)
    result: list[object] = []
    worker = threading.Thread(target=lambda: result.append(cache.disk_cached("x", lambda: 7)))
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "blocked on the FIFO"
    assert result == [7]
    assert entry.is_file()  # replaced atomically by a regular entry


def test_a_symlinked_entry_is_not_followed(folders: Path, tmp_path: Path) -> None:
    cache.disk_cached("real", lambda: "real")
    (folders / f"x{cache.SUFFIX}").symlink_to(folders / f"real{cache.SUFFIX}")
    assert cache.disk_cached("x", lambda: "built") == "built"


@fuzz_settings(25)
@given(data=st.data())
def test_corrupted_entries_give_the_answers_of_no_cache(
    data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    base = tmp_path_factory.mktemp("corrupt")
    env = {"XDG_CACHE_HOME": str(base / "cache"), "XDG_DATA_HOME": str(base / "data")}
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        mp.delenv("SUBSIDIA_NO_CACHE", raising=False)
        rules = base / "rules"
        rules.mkdir()
        (rules / "mini.rules").write_text(SMALL_RULES, encoding="utf-8")
        expected, _ = loader.load_catalogue(rules)
        loader.load_catalogue_cached(rules)  # writes the entry
        [entry] = (base / "cache" / "subsidia").glob(f"catalogue-*{cache.SUFFIX}")
        raw = bytearray(entry.read_bytes())
        edits = data.draw(
            st.lists(
                st.tuples(st.integers(0, 10**6), st.integers(0, 255)),
                min_size=1,
                max_size=4,
            )
        )
        # Positions drawn independently of the entry's length (it varies with the folder).
        for at, byte in edits:
            raw[at % len(raw)] = byte
        if data.draw(st.booleans()):
            raw = raw[: data.draw(st.integers(0, 10**6)) % len(raw)]  # or cut short
        entry.write_bytes(bytes(raw))
        got, _ = loader.load_catalogue_cached(rules)
        assert got == expected
        cap = got.params["mini.ceiling"].versions[0].value
        assert cap == expected.params["mini.ceiling"].versions[0].value


def test_a_corrupted_cache_never_changes_a_check(folders: Path, tmp_path: Path) -> None:
    """End to end, as the fuzzing pass found it: flip bytes in every entry of the cache
    after a check; the next check (a fresh process) answers exactly as before."""
    profile = ROOT / "examples" / "profiles" / "flemish_growth.yaml"
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    env.pop("SUBSIDIA_NO_CACHE", None)
    command = [
        sys.executable,
        "-m",
        "policy.cli",
        "check",
        str(profile),
        "--json",
        "--as-of",
        "2026-03-01",
    ]
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    entries = list(folders.glob(f"*{cache.SUFFIX}"))
    assert entries
    for entry in entries:
        raw = bytearray(entry.read_bytes())
        for at in range(len(cache.MAGIC) + cache.TAG_SIZE + 10, len(raw), max(1, len(raw) // 7)):
            raw[at] ^= 0x01
        entry.write_bytes(bytes(raw))
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
