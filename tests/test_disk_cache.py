"""The on-disk cache of checked catalogues and compiled programs stays bounded."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dsl import loader


def test_cache_keeps_the_most_recently_used_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(loader, "CACHE_ENTRIES", 3)
    folder = tmp_path / "subsidia"
    for i in range(3):
        assert loader.disk_cached(f"entry-{i}", lambda i=i: i) == i
        os.utime(folder / f"entry-{i}.pickle", (1000 + i, 1000 + i))  # distinct ages
    # entry-0 is the oldest, but reading it makes it the most recently used.
    assert loader.disk_cached("entry-0", lambda: "rebuilt") == 0
    loader.disk_cached("entry-3", lambda: 3)
    left = sorted(p.stem for p in folder.glob("*.pickle"))
    assert left == ["entry-0", "entry-2", "entry-3"]
    # A pruned entry is simply built again.
    assert loader.disk_cached("entry-1", lambda: "again") == "again"


def test_overridden_catalogues_are_cached_and_keyed_by_both_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = Path(__file__).parent.parent / "programmes"
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
