"""`subsidia serve`: the HTTP service and the web app (docs/service.md)."""

from __future__ import annotations

import os
from pathlib import Path

from dsl.errors import N_
from policy.cli.args import arg, command
from policy.errors import UsageError
from policy.output.formatting import _
from policy.service.settings import Settings


@command(
    arg(
        "--host",
        default="127.0.0.1",
        metavar=_("ADDRESS"),
        help=_("Address to listen on (default 127.0.0.1)."),
    ),
    arg(
        "--port",
        type=int,
        default=8000,
        metavar=_("PORT"),
        help=_("Port to listen on (default 8000)."),
    ),
    arg(
        "--rules",
        type=Path,
        default=None,
        metavar=_("DIR"),
        help=_("Rule folder (default: the bundled rules)."),
    ),
    arg("--workers", type=int, default=1, metavar="N", help=_("Worker processes (default 1).")),
    arg(
        "--max-plan-seconds",
        type=float,
        default=Settings.max_plan_seconds,
        metavar=_("SECONDS"),
        help=_("Longest search a plan request may ask for, and its default (default 30)."),
    ),
    arg(
        "--log-format",
        choices=("json", "text"),
        default="json",
        help=_("Access log lines on stderr: one JSON object each (default) or text."),
    ),
    name="serve",
    help=_("Serve the JSON API and the web app over HTTP."),
)
def serve(
    host: str,
    port: int,
    rules: Path | None,
    workers: int,
    max_plan_seconds: float,
    log_format: str,
) -> None:
    import uvicorn

    if workers < 1:
        raise UsageError(N_("--workers: must be at least 1"))
    if not 0 <= port <= 65535:
        raise UsageError(N_("--port: must be between 0 and 65535"))
    if not max_plan_seconds > 0:
        raise UsageError(N_("--max-plan-seconds: must be a positive number of seconds"))
    settings = Settings(
        rules=rules.resolve() if rules else None,
        max_plan_seconds=max_plan_seconds,
        log_format=log_format,
    )
    os.environ.update(settings.to_env())
    uvicorn.run(
        "policy.service.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,  # ours instead: policy/service/logs.py
    )
