"""One chunk of rows screened: what a worker process does, and the main process too when
there is one worker. Importable at the top level so that spawned processes can run it.

Every row is validated on its own: a row that fails becomes a `Rejected` (its number,
the field path, the message) and the others are checked through the facade,
`policy.check_many`, whose answers are the ones `subsidia check` gives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dsl.errors import N_
from policy.errors import InputError
from policy.screening.reading import Chunk

if TYPE_CHECKING:
    from policy.inputs.profile import Profile
    from solver.record import InputRecord

__all__ = ["Rejected", "Settings", "find_profile", "row_data", "screen_chunk"]

# An output row: company.id, programme, status, amount (exact decimal text or None),
# missing (field paths joined by ';', None when nothing is missing).
ResultRow = tuple[str, str, str, str | None, str | None]
OUTPUT_COLUMNS = ("company.id", "programme", "status", "amount", "missing")
ERROR_COLUMNS = ("row", "field", "message")


@dataclass(frozen=True, slots=True)
class Settings:
    """What every chunk is checked with (picklable: sent to the worker processes)."""

    as_of: dt.date
    programmes: tuple[str, ...]
    rules: str | None
    backend: str = "direct"


@dataclass(frozen=True, slots=True)
class Rejected:
    """A row that failed validation: its number, the field path and the message; `file`
    names a table given with --table when the row is one of its rows (else the input)."""

    row: int
    field: str
    message: str
    file: str | None = None


@dataclass(frozen=True, slots=True)
class ChunkResult:
    rows: list[ResultRow]
    rejected: list[Rejected]
    screened: int  # companies checked (rows not rejected)
    fallback: int = 0  # programme answers the vector backend left to the direct one
    # With --table on Dask: the company ids whose records a worker joined (the tables'
    # rows no company took are reported by this process once every partition is back).
    matched: frozenset[str] = frozenset()


def screen_chunk(chunk: Chunk, settings: Settings) -> ChunkResult:
    """Validate and check one chunk; rows in input order, each company's programmes in
    catalogue order."""
    from policy.screening.tables import rejected_row

    valid: list[tuple[int, Profile]] = []
    rejected: list[tuple[int, Rejected]] = []  # by the input's row number
    for number, payload in chunk.rows:
        try:
            valid.append((number, _profile(chunk, number, payload)))
        except InputError as err:
            rejected.append((number, rejected_row(chunk, number, err)))
    rows, failed, fallback = _checked(valid, settings)
    rejected += [(r.row, r) for r in failed]
    in_order = [r for _, r in sorted(rejected, key=lambda item: item[0])]
    return ChunkResult(rows, in_order, len(valid) - len(failed), fallback)


def _profile(chunk: Chunk, number: int, payload: object) -> Profile:
    from policy.inputs.loading import parse_profile

    data = row_data(chunk, payload)
    if chunk.joined and number in chunk.joined:
        from policy.screening.tables import join_records

        assert isinstance(data, dict)
        join_records(data, chunk.joined[number])
    return parse_profile(data)


def row_data(chunk: Chunk, payload: object) -> object:
    """One row's profile data (as a profile file parses to), not yet validated."""
    from policy.inputs.loading import decode_text, parse_text
    from policy.screening.columns import row_profile_data

    if chunk.columns is None:  # a JSON Lines row: the bytes of one line
        assert isinstance(payload, bytes)
        try:
            return parse_text(decode_text(payload.rstrip(b"\r\n"), None), None, as_json=True)
        except InputError as err:  # "line 1, column 13": the row is the line
            raise InputError(err.path.removeprefix("line 1, "), err.message) from None
    assert isinstance(payload, tuple)
    return row_profile_data(chunk.columns, payload)


def find_profile(chunks: Iterator[Chunk], company_id: str, file: str) -> Profile:
    """The profile of the first row whose company.id is `company_id`; an `InputError`
    naming the row when that row is not valid, or saying that no row has the id."""
    from policy.inputs.loading import parse_profile

    wanted = company_id.strip()
    for chunk in chunks:
        for number, payload in chunk.rows:
            try:
                data = row_data(chunk, payload)
            except InputError:
                continue  # a row that cannot be read cannot be told apart; not ours
            company = data.get("company") if isinstance(data, dict) else None
            found = company.get("id") if isinstance(company, dict) else None
            if isinstance(found, str) and found.strip() == wanted:
                try:
                    if chunk.joined and number in chunk.joined:
                        from policy.screening.tables import join_records

                        assert isinstance(data, dict)
                        join_records(data, chunk.joined[number])
                    return parse_profile(data)
                except InputError as err:
                    raise InputError(f"row {number}: {err.path}", err.message, file) from None
    raise InputError("", N_("no row with company.id {wanted!r}", wanted=wanted), file)


def _checked(
    items: list[tuple[int, Profile]], settings: Settings
) -> tuple[list[ResultRow], list[Rejected], int]:
    """The output rows of valid profiles, and how many answers fell back to the direct
    backend; a profile that fails while it is costed (an `InputError` from the budget
    rules) is rejected alone, the others still checked."""
    from policy import engine
    from policy.api import profile_record

    cat = engine.catalogue(settings.rules)
    checked: list[tuple[str, InputRecord]] = []  # (company id, record)
    rejected: list[Rejected] = []
    for number, profile in items:
        try:
            record = profile_record(cat, profile, settings.as_of)
            checked.append((str(profile.company.id), record))
        except InputError as err:  # the costing rules refuse this profile alone
            rejected.append(Rejected(number, err.path, err.message))
    # Rows, not reports: a row needs each programme's status, amount and missing fields,
    # not the reasons, labels and limits a report builds for a reader.
    answers, fallbacks = engine.check_rows(
        [record for _, record in checked],
        settings.as_of,
        list(settings.programmes or cat.programmes),
        settings.rules,
        settings.backend,
    )
    rows: list[ResultRow] = []
    for (company, _), programmes in zip(checked, answers, strict=True):
        for programme, status, amount, missing in programmes:
            rows.append(
                (
                    company,
                    programme,
                    status,
                    None if amount is None else str(amount),
                    ";".join(missing) or None,
                )
            )
    return rows, rejected, sum(fallbacks)

