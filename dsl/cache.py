"""The disk cache: results (checked catalogues, compiled programs, message catalogs) kept
between runs, which no file in the cache folder can turn into code or a wrong answer.

An entry is `MAGIC`, then an HMAC-SHA256 over the entry's name and its payload, then the
payload (a pickle). The HMAC key is 32 random bytes in a file of its own, outside the cache
folder, in the user's data folder (platformdirs' `user_data_dir`), created 0600. An entry
is unpickled only after its tag verifies, so a file planted in the cache folder, an entry
corrupted on disk, or a valid entry copied under another entry's name is never read: it is
a miss, built again and replaced atomically. The payload is then read by an unpickler that
resolves only classes of our own packages and of a few standard modules (no functions),
a second wall should the key ever leak. Entries are opened without blocking and must be
regular files of bounded size: a FIFO or a device in place of an entry is a miss too.

A cache that cannot be used (no key, a key file with loose permissions, a read-only
home) costs only speed: every result is then built. docs/architecture.md, "The disk cache".
"""

from __future__ import annotations

import builtins
import collections
import datetime
import decimal
import errno
import fractions
import hashlib
import hmac
import io
import os
import pickle
import stat
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from dsl.files import BINARY, NO_WAIT, unblock

T = TypeVar("T")

MAGIC = b"subsidia-cache-1\n"
TAG_SIZE = hashlib.sha256().digest_size
SUFFIX = ".entry"
KEY_FILE = "cache-key"
# The bundled catalogue's entry is ~1 MB; anything far larger is not ours.
ENTRY_LIMIT = 64 * 1024 * 1024
# Every rule edit and every evaluation date makes new entries; keep the most recently used.
CACHE_ENTRIES = 256


def cache_dir() -> Path:
    # The platform's user cache folder: ~/.cache/subsidia (or $XDG_CACHE_HOME/subsidia) on
    # Linux, ~/Library/Caches/subsidia on macOS, %LOCALAPPDATA%\subsidia\Cache on Windows.
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("subsidia", appauthor=False))


def key_dir() -> Path:
    # ~/.local/share/subsidia (or $XDG_DATA_HOME/subsidia) on Linux: not the cache folder,
    # which tools and people clear, share or restore without a second thought.
    from platformdirs import user_data_dir

    return Path(user_data_dir("subsidia", appauthor=False))


def disk_cached(name: str, build: Callable[[], T]) -> T:
    """`build()`, kept under the cache folder as `name`: later runs load it instead.

    The caller puts everything the result depends on into `name`. Only results are cached,
    never exceptions, so errors are always recomputed and reported.
    """
    found = disk_lookup(name)
    if found is not None:
        return found[0]
    result = build()
    disk_store(name, result)
    return result


def disk_lookup(name: str) -> tuple[Any] | None:
    """`(value,)` of the entry kept as `name`, or None (a miss of any kind): for a caller
    that builds its misses together (in parallel, say) and `disk_store`s each."""
    key = _key(str(key_dir()))
    if key is None:
        return None
    path = cache_dir() / f"{name}{SUFFIX}"
    found = _read_entry(path, name, key)
    if found is not None:
        _touch(path)
    return found


def disk_store(name: str, value: object) -> None:
    """Keep `value` as `name` (nothing when the cache cannot be used)."""
    key = _key(str(key_dir()))
    if key is not None:
        _write_entry(cache_dir() / f"{name}{SUFFIX}", name, key, value)


# ---- the key


@cache
def _key(folder: str) -> bytes | None:
    """The HMAC key under `folder`, created on first use; None when it cannot be trusted."""
    path = Path(folder) / KEY_FILE
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        Path(folder).mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=f".{KEY_FILE}.", dir=folder)  # 0600, O_EXCL
        try:
            os.write(fd, os.urandom(32))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)  # atomic, and never over a key another run just made
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
        return _read_key(path)
    except OSError:
        return None


def _read_key(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | NO_WAIT | BINARY | getattr(os, "O_NOFOLLOW", 0))
    try:
        info = os.fstat(fd)
        loose = info.st_mode & (stat.S_IRWXG | stat.S_IRWXO)
        theirs = hasattr(os, "getuid") and info.st_uid != os.getuid()
        if not stat.S_ISREG(info.st_mode) or loose or theirs or info.st_size != 32:
            raise OSError(errno.EPERM, "cache key not private")
        data = os.read(fd, 64)
    finally:
        os.close(fd)
    if len(data) != 32:
        raise OSError(errno.EPERM, "cache key truncated")
    return data


def _tag(key: bytes, name: str, payload: bytes) -> bytes:
    return hmac.new(key, name.encode() + b"\0" + payload, hashlib.sha256).digest()


# ---- entries


def _read_entry(path: Path, name: str, key: bytes) -> tuple[Any] | None:
    """`(value,)` of a verified entry, or None for a miss of any kind."""
    try:
        fd = os.open(path, os.O_RDONLY | NO_WAIT | BINARY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > ENTRY_LIMIT:
            return None
        unblock(fd)
        with os.fdopen(os.dup(fd), "rb") as fh:
            data = fh.read(ENTRY_LIMIT + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    head = len(MAGIC) + TAG_SIZE
    if len(data) > ENTRY_LIMIT or len(data) < head or not data.startswith(MAGIC):
        return None
    tag, payload = data[len(MAGIC) : head], data[head:]
    if not hmac.compare_digest(tag, _tag(key, name, payload)):
        return None
    try:
        return (_Unpickler(io.BytesIO(payload)).load(),)
    except Exception:  # a verified entry from an older layout of our classes, say
        return None


def _write_entry(path: Path, name: str, key: bytes, value: object) -> None:
    try:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        return  # not picklable: not cached
    data = MAGIC + _tag(key, name, payload) + payload
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        # mkstemp: a fresh name, O_EXCL, 0600; never a file someone placed in advance.
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)  # atomic, over whatever was there (a FIFO, a bad entry)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _prune(folder, CACHE_ENTRIES)
    except OSError:
        pass  # a read-only home only costs speed


def _touch(path: Path) -> None:
    try:
        os.utime(path)  # the modification time doubles as "last used" for pruning
    except OSError:
        pass


def _prune(folder: Path, keep: int) -> None:
    """Delete all but the `keep` most recently used entries (only ever at a write)."""
    entries = list(folder.glob(f"*{SUFFIX}"))
    if len(entries) <= keep:
        return

    def last_use(p: Path) -> float:
        try:
            return p.lstat().st_mtime
        except OSError:
            return 0.0

    for stale in sorted(entries, key=last_use, reverse=True)[keep:]:
        try:
            stale.unlink()
        except OSError:
            pass


# ---- reading a verified payload

# Modules whose classes an entry may name; only classes, never functions (no `os.system`,
# no `builtins.eval`), and of builtins only plain containers and scalars.
_OUR_PACKAGES = ("dsl.", "solver.", "policy.")
_STANDARD: dict[str, object] = {
    "fractions": fractions,
    "decimal": decimal,
    "datetime": datetime,
    "collections": collections,
}
_BUILTINS = frozenset(
    {
        "set",
        "frozenset",
        "list",
        "tuple",
        "dict",
        "str",
        "bytes",
        "int",
        "float",
        "bool",
        "complex",
        "slice",
        "range",
        "object",
    }
)


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module == "builtins":
            if name in _BUILTINS:
                return getattr(builtins, name)
        elif module in _STANDARD or module.startswith(_OUR_PACKAGES):
            found = super().find_class(module, name)
            if isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a cache entry")
