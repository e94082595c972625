"""Errors of the public API: `SubsidiaError` is the root of every exception Subsidia raises
on purpose (defined in dsl/errors.py, the bottom layer, so that `dsl` and `solver` can raise
them too); `InputError` is a bad profile or other user file, located by field path."""

from __future__ import annotations

from dsl.errors import InternalError, Lookup, SubsidiaError, UsageError, localize

__all__ = ["InputError", "InternalError", "SubsidiaError", "UsageError"]


class InputError(SubsidiaError):
    """A profile (or other user file) that cannot be used, located as precisely as we can.

    `path` is a field path such as `company.enterprises[2].share`, a position such as
    `line 3, column 5` for syntax errors, or empty when the whole file is at fault
    (missing, unreadable, not a mapping). `file` is the file name as the user gave it.
    """

    def __init__(self, path: str, message: str, file: str | None = None) -> None:
        # Passing every attribute to Exception keeps the error picklable (multiprocessing).
        super().__init__(path, message, file)
        self.path = path
        self.message = message
        self.file = file

    def with_file(self, file: str | None) -> InputError:
        """The same error, attributed to `file`."""
        return InputError(self.path, self.message, file)

    def __str__(self) -> str:
        return self.localized(lambda template: template)

    def localized(self, lookup: Lookup) -> str:
        """`file: field path: message`; only the message is translated, the file name and
        the field path are the user's and the format's own words."""
        parts = [p for p in (self.file, self.path) if p]
        parts.append(localize(self.message, lookup))
        return ": ".join(parts)

    def __repr__(self) -> str:
        return f"InputError(path={self.path!r}, message={self.message!r}, file={self.file!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, InputError):
            return NotImplemented
        return (self.path, self.message, self.file) == (other.path, other.message, other.file)

    def __hash__(self) -> int:
        return hash((self.path, self.message, self.file))
