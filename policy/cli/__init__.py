"""The command line: `subsidia CHECK|EXPLAIN|PLAN|…` (main.py), its argument helpers (args.py)."""

from policy.cli.main import main

__all__ = ["main"]
