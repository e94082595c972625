"""What one running service is configured with: the rules, its limits."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# How `subsidia serve` hands its options to worker processes: uvicorn starts each worker
# from an import string, so the options travel in the environment.
ENV_PREFIX = "SUBSIDIA_SERVE_"


@dataclass(frozen=True)
class Settings:
    rules: Path | None = None
    # Bodies above this many bytes get 413 before they are parsed.
    max_body_bytes: int = 1_000_000
    # The longest a /plan request may ask the planner to search, in seconds (and what a
    # request that does not say gets).
    max_plan_seconds: float = 30.0
    # Access logs on standard error: "json" (one object per line) or "text".
    log_format: str = "json"

    def to_env(self) -> dict[str, str]:
        env = {
            ENV_PREFIX + "MAX_BODY_BYTES": str(self.max_body_bytes),
            ENV_PREFIX + "MAX_PLAN_SECONDS": str(self.max_plan_seconds),
            ENV_PREFIX + "LOG_FORMAT": self.log_format,
        }
        if self.rules is not None:
            env[ENV_PREFIX + "RULES"] = str(self.rules)
        return env

    @classmethod
    def from_env(cls) -> Settings:
        rules = os.environ.get(ENV_PREFIX + "RULES")
        return cls(
            rules=Path(rules) if rules else None,
            max_body_bytes=int(os.environ.get(ENV_PREFIX + "MAX_BODY_BYTES", cls.max_body_bytes)),
            max_plan_seconds=float(
                os.environ.get(ENV_PREFIX + "MAX_PLAN_SECONDS", cls.max_plan_seconds)
            ),
            log_format=os.environ.get(ENV_PREFIX + "LOG_FORMAT", cls.log_format),
        )
