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
