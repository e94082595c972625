"""Golden-file comparison: `SUBSIDIA_UPDATE_GOLDEN=1 pytest` rewrites, otherwise compares."""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"


def updating() -> bool:
    return os.environ.get("SUBSIDIA_UPDATE_GOLDEN") == "1"


def assert_golden(path: Path, actual: str) -> None:
    if updating():
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"missing golden file {path}; run with SUBSIDIA_UPDATE_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, (
        f"{path.name} differs; review with SUBSIDIA_UPDATE_GOLDEN=1 and git diff"
    )
