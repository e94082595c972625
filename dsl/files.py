"""Reading a user's file without hanging or swallowing the machine.

Every file Subsidia reads on a user's behalf (rule files, profiles, scenarios) goes through
`read_regular`: it opens without blocking (a FIFO in place of a file would otherwise wait
for a writer forever), refuses anything that is not a regular file (`/dev/zero` reads
forever), and refuses files above a size limit before reading them. Problems are raised as
`OSError`s whose `strerror` is a message for the user, so callers that already turn
`OSError` into their own error (a `RuleError` E100, an `InputError`) need nothing more.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

MIB = 1024 * 1024

# Rule files: the whole bundled catalogue is ~0.3 MB, its largest file ~40 KB.
RULE_FILE_LIMIT = 2 * MIB
# Profiles and scenarios: the examples are a few KB; 4 MB is thousands of cost lines.
INPUT_FILE_LIMIT = 4 * MIB


# Opening a FIFO for reading waits for a writer unless O_NONBLOCK (POSIX; Windows has no
# FIFOs in the file system and no such flag).
NO_WAIT = getattr(os, "O_NONBLOCK", 0)
BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation, no stop at Ctrl-Z


def unblock(fd: int) -> None:
    """Blocking reads again on `fd`: a regular file never waits."""
    if NO_WAIT:
        os.set_blocking(fd, True)


def describe_limit(limit: int) -> str:
    return f"{limit // MIB} MB" if limit % MIB == 0 else f"{limit} bytes"


def read_regular(path: str | Path, limit: int) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them.

    Raises `FileNotFoundError`, `IsADirectoryError`, `PermissionError` as `open` does, and
    `OSError` with a readable `strerror` for a file that is not a regular file or is larger
    than `limit`.
    """
    fd = os.open(path, os.O_RDONLY | NO_WAIT | BINARY | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory, not a file", str(path))
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, f"not a regular file ({_kind(info.st_mode)})", str(path))
        if info.st_size > limit:
            raise OSError(errno.EFBIG, _too_large(limit), str(path))
        unblock(fd)
        chunks = []
        size = 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:  # the file grew while we read it
                raise OSError(errno.EFBIG, _too_large(limit), str(path))
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _too_large(limit: int) -> str:
    return f"larger than the limit of {describe_limit(limit)}"


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def is_regular_file(path: Path) -> bool:
    """Whether `path` (after symlinks) is a regular file; False when it cannot be reached."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False
