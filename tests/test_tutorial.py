"""docs/tutorial.md, the rule author's walkthrough: the toolkit steps (test, fmt, lint,
diff, explain) are run as written and must print what the page shows.

Only the steps from "Step 11" on are compared: the earlier ones show `check` tables that
other features extend. The page's commands use fixed /tmp paths, as a reader's would.
"""

from __future__ import annotations

import os
import re
import subprocess
from itertools import pairwise
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs/tutorial.md"
FENCE = re.compile(r"```(\w*)\n(.*?)```", re.S)


def _blocks(text: str) -> list[tuple[str, str, int]]:
    """Fenced blocks as (language, body, end offset), in order."""
    return [(m.group(1), m.group(2), m.end()) for m in FENCE.finditer(text)]


def _pairs(text: str) -> list[tuple[str, str]]:
    """Each `sh` block directly followed by a `text` block: (commands, expected output)."""
    blocks = _blocks(text)
    pairs = []
    for (lang, body, end), nxt in pairwise(blocks):
        between = text[end : text.index("```" + nxt[0], end)]
        if lang == "sh" and nxt[0] == "text" and not between.strip():
            pairs.append((body, nxt[1]))
    return pairs


def _run(commands: str) -> str:
    env = {**os.environ, "COLUMNS": "80", "TERM": "dumb"}
    env.pop("SUBSIDIA_RULES", None)
    done = subprocess.run(
        commands, shell=True, capture_output=True, text=True, cwd=ROOT, env=env, timeout=300
    )
    return "\n".join(line.rstrip() for line in (done.stdout + done.stderr).rstrip().splitlines())


TEXT = PAGE.read_text(encoding="utf-8")
TOOLKIT = TEXT[TEXT.index("## Step 11") : TEXT.index("## Where to go next")]
SETUP = TEXT[TEXT.index("## Step 9") : TEXT.index("## Step 10")]


@pytest.fixture(scope="module")
def rule_folder() -> None:
    """Step 9's folder: the shared EU blocks and the voucher, as the later steps expect."""
    setup = next(body for lang, body, _ in _blocks(SETUP) if "mkdir /tmp/voucher-rules" in body)
    _run(setup)


def test_the_page_has_a_command_and_its_output_for_each_tool() -> None:
    commands = " ".join(body for body, _ in _pairs(TOOLKIT))
    for tool in ("test", "fmt", "lint", "diff", "explain"):
        assert f"subsidia {tool} " in commands


@pytest.mark.parametrize("commands, shown", _pairs(TOOLKIT), ids=lambda s: s.split("\n")[-2][:50])
def test_toolkit_step_prints_what_the_page_shows(
    rule_folder: None, commands: str, shown: str
) -> None:
    assert _run(commands) == "\n".join(line.rstrip() for line in shown.rstrip().splitlines())
