"""Editor and shell integration: `subsidia lsp` and `subsidia completion SHELL`.

Completion uses argcomplete (docs/architecture.md, "Packaging"): the shell asks the
`subsidia` parser itself at each Tab, so completions never drift from the commands, and
one library covers bash, zsh and fish.
"""

from __future__ import annotations

import sys

from policy.cli.args import arg, command
from policy.output.formatting import _

PROG = "subsidia"
SHELLS = ("bash", "zsh", "fish")


@command(
    name="lsp", help=_("Start the language server for rule files (LSP over stdio, for editors).")
)
def language_server() -> None:
    from policy.lsp.server import main

    main()


@command(
    arg("shell", choices=SHELLS, help=_("The shell to complete in.")),
    help=_("Print the shell code that completes subsidia's commands and options."),
)
def completion(shell: str) -> None:
    import argcomplete

    sys.stdout.write(argcomplete.shellcode([PROG], shell=shell))
