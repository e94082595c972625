"""Settings of the bounded fuzz tests (tests/test_fuzz_*.py, tests/test_disk_cache.py).

Each fuzz test runs a few examples by default, so `make test` stays fast; set
`SUBSIDIA_FUZZ_EXAMPLES=N` for a long run (docs/reliability.md), e.g.
`SUBSIDIA_FUZZ_EXAMPLES=2000 .venv/bin/pytest tests/test_fuzz_inputs.py`.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings


def examples(default: int) -> int:
    """`default`, or the number `SUBSIDIA_FUZZ_EXAMPLES` asks for."""
    return int(os.environ.get("SUBSIDIA_FUZZ_EXAMPLES", default))


def fuzz_settings(default: int) -> settings:
    return settings(
        max_examples=examples(default),
        deadline=None,
        derandomize="SUBSIDIA_FUZZ_EXAMPLES" not in os.environ,  # CI: the same inputs each run
        suppress_health_check=list(HealthCheck),
    )
