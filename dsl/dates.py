"""The one date format and the one date range of rule files, profiles and `--as-of`.

Dates are written YYYY-MM-DD, nothing else (`date.fromisoformat` alone also takes
`20260310` and week dates such as `2026-W10-1`). Years run from 1900 to 2199: wide enough
for any company's founding and any programme's period, and far enough from 9999 that date
arithmetic (a period's end plus a day, 36 months after a submission) never leaves what
`datetime.date` can hold.
"""

from __future__ import annotations

import datetime as dt
import re

from dsl.errors import N_, UsageError

FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2199, 12, 31)
RANGE_TEXT = f"{FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class DateProblem(UsageError, ValueError):
    """Why a text is not a date we take; the message is meant for the user (callers
    prefix it with the option or field it came from)."""


class OutOfRange(DateProblem):
    """A real date, outside `FIRST_DAY`..`LAST_DAY`."""


def parse_date(text: str) -> dt.date:
    """`text` (YYYY-MM-DD) as a date within the range, or `DateProblem`."""
    if not _ISO_DATE.fullmatch(text):
        raise DateProblem(N_("'{text}' is not a date (YYYY-MM-DD)", text=text))
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise DateProblem(N_("'{text}' is not a calendar date", text=text)) from None
    check_range(day)
    return day


def check_range(day: dt.date) -> dt.date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise OutOfRange(
            N_(
                "{day} is outside the dates Subsidia takes ({first} to {last})",
                day=day.isoformat(),
                first=FIRST_DAY.isoformat(),
                last=LAST_DAY.isoformat(),
            )
        )
    return day
