"""`subsidia serve`: the HTTP service and the web app (docs/service.md)."""

from __future__ import annotations

import os
from pathlib import Path

from policy.cli.args import arg, command
from policy.errors import UsageError


@command(
    arg("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1)."),
    arg("--port", type=int, default=8000, help="Port to listen on (default 8000)."),
    arg("--rules", type=Path, default=None, help="Rule folder (default: the bundled rules)."),
    arg("--workers", type=int, default=1, help="Worker processes (default 1)."),
    name="serve",
)
def serve(host: str, port: int, rules: Path | None, workers: int) -> None:
    """Serve the JSON API and the web app over HTTP."""
    import uvicorn

    from policy.service.settings import Settings

    if workers < 1:
        raise UsageError("--workers: must be at least 1")
    if not 0 <= port <= 65535:
        raise UsageError("--port: must be between 0 and 65535")
    settings = Settings(rules=rules.resolve() if rules else None)
    os.environ.update(settings.to_env())
    uvicorn.run(
        "policy.service.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )
