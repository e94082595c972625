"""A small declarative layer over argparse for the `subsidia` command.

Why not typer: typer 0.29 builds a pydantic TypeAdapter for every parameter on every run,
about 0.1-0.15 s plus 0.05 s of imports, which was a third of the 0.5 s budget of a single
`subsidia check` (docs/performance.md). argparse is in the standard library and costs ~5 ms.
Commands are declared next to their functions with `@command(arg(...), ...)`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from policy.cli import language
from policy.cli.exit_codes import BAD_INPUT, OK
from policy.errors import InputError, InternalError, SubsidiaError


class Exit(SubsidiaError):
    """Stop the command with this exit code (its message, if any, is already printed)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code
        self.exit_code = code


@dataclass(frozen=True)
class Arg:
    flags: tuple[str, ...]
    options: dict[str, Any] = field(default_factory=dict)


def arg(*flags: str, **options: Any) -> Arg:
    """One argparse argument: `arg("profile", type=Path, help=...)`, `arg("--json", ...)`."""
    return Arg(flags, options)


@dataclass(frozen=True)
class Command:
    name: str
    run: Callable[..., None]
    args: tuple[Arg, ...]
    help: str  # English, marked with `_()`: its first line is the summary in the list


COMMANDS: dict[str, Command] = {}


def command(*args: Arg, help: str, name: str | None = None) -> Callable[[Callable[..., None]], Any]:
    """Register a function as a subcommand. `help` (marked with `_()` so that it is
    translated) is its description; the first line is the summary in `subsidia --help`."""

    def register(fn: Callable[..., None]) -> Callable[..., None]:
        cmd = Command(name or fn.__name__, fn, args, help)
        COMMANDS[cmd.name] = cmd
        return fn

    return register


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line in the house style ("--lang: 'de' is not one of …"), exit code 2. The
        # translations of argparse's "argument %(argument_name)s: …" leave the word out.
        problem = message.removeprefix("argument ")
        line = language.active().gettext(
            "{prog}: {problem} (see {prog} --help)", prog=self.prog, problem=problem
        )
        sys.stderr.write(line + "\n")
        raise Exit(BAD_INPUT)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            sys.stderr.write(message)
        raise Exit(status)


DISTRIBUTION = "subsidia"  # whose installed version `--version` prints


class _Version(argparse.Action):
    """`--version`: the installed distribution's version, looked up only when asked for."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        # SUPPRESS: no `version` key in the namespace handed to the command.
        super().__init__(
            option_strings,
            dest,
            nargs=0,
            default=argparse.SUPPRESS,
            help=language.active().gettext("Print the version."),
        )

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        from importlib.metadata import version

        sys.stdout.write(f"{parser.prog} {version(DISTRIBUTION)}\n")
        parser.exit()


def build_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """The parser, its help in the language of `language.speaking` (call it inside)."""
    f = language.active()
    parser = _Parser(prog=prog, description=f.gettext(description))
    parser.add_argument("--version", action=_Version)
    subparsers = parser.add_subparsers(
        dest="command", metavar=f.gettext("COMMAND"), parser_class=_Parser
    )
    for cmd in COMMANDS.values():
        doc = f.gettext(cmd.help)
        sub = subparsers.add_parser(cmd.name, help=_help(doc.splitlines()[0]), description=doc)
        for a in cmd.args:
            options = dict(a.options)
            if isinstance(options.get("help"), str):
                options["help"] = _help(f.gettext(options["help"]))
            if isinstance(options.get("metavar"), str):
                options["metavar"] = f.gettext(options["metavar"])
            if "--lang" in a.flags:
                options["default"] = language.default()
            sub.add_argument(*a.flags, **options)
    return parser


def _help(text: str) -> str:
    # argparse expands %(default)s in help texts: a translation's "30 %" must stay a "%".
    return text.replace("%", "%%")


def _complete(parser: argparse.ArgumentParser) -> None:
    """Answer the shell's completion request and exit; a no-op on an ordinary run.

    The code `subsidia completion SHELL` prints runs `subsidia` with `_ARGCOMPLETE` set at
    each Tab; argcomplete is imported only then.
    """
    if "_ARGCOMPLETE" in os.environ:
        import argcomplete

        argcomplete.autocomplete(parser)


def run(prog: str, description: str, argv: list[str]) -> int:
    """Parse `argv`, run the command, and return its exit code.

    This is the one place errors become messages: a `SubsidiaError` is printed as its
    message (a rule file's as file:line:col with the source line, a profile's as
    file: field path: message) and gives its exit code (docs/cli.md). `InternalError`
    and every other exception are bugs and keep their traceback.
    """
    namespace: dict[str, Any] = {}
    cmd = None
    try:
        with language.speaking(language.requested(argv)):
            language.check_environment()
            parser = build_parser(prog, description)
            _complete(parser)
            if not argv:
                parser.print_help()
                return BAD_INPUT
            namespace = vars(parser.parse_args(argv))
        cmd = COMMANDS[namespace.pop("command")]
        cmd.run(**namespace)
    except Exit as stop:
        return stop.code
    except InternalError:
        raise
    except SubsidiaError as err:
        if isinstance(err, InputError) and not err.file and cmd is not None:
            # Errors found after reading (costing, budget rules) do not know the file name.
            err = err.with_file(_input_file(cmd, namespace))
        sys.stderr.write(f"{_error_text(err, argv)}\n")
        return err.exit_code
    return OK


def _error_text(err: SubsidiaError, argv: list[str]) -> str:
    """The error in the language `--lang` asks for. Read from `argv` itself: the error may
    come from parsing, before there is a namespace, and from commands without the option."""
    from policy.output.formatting import formatter

    return formatter(language.requested(argv)).error(err)


def _input_file(cmd: Command, namespace: dict[str, Any]) -> str | None:
    """The file the command reads its input from: its first single positional Path."""
    for a in cmd.args:
        name = a.flags[0]
        if not name.startswith("-") and a.options.get("type") is Path and "nargs" not in a.options:
            value = namespace.get(name)
            return None if value is None else str(value)
    return None
