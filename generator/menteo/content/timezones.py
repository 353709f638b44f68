"""Time zones as matching compares them: one number of minutes east of UTC per zone.

A zone's offset changes with daylight saving time, and a build must not depend on the clock, so
an IANA zone is read at two fixed instants (mid-January and mid-July) and the two offsets are
averaged: Lisbon is +30 (0 in winter, +60 in summer), São Paulo -180. Two zones compared this
way are off by at most the one hour by which their summer times disagree.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

_OFFSET = re.compile(r"^UTC(?:([+-])([0-9]{1,2})(?::([0-5][0-9]))?)?$")
_INSTANTS = (
    dt.datetime(2025, 1, 15, 12, tzinfo=dt.UTC),
    dt.datetime(2025, 7, 15, 12, tzinfo=dt.UTC),
)
MAX_MINUTES = 14 * 60
"""UTC-14:00 to UTC+14:00 is every offset in use (Kiribati is +14)."""


def utc_offset_minutes(name: str) -> int:
    """Minutes east of UTC for an offset (`UTC`, `UTC+2`, `UTC-03:30`) or an IANA name.

    Raises ValueError for anything else, including IANA names this Python has no data for."""
    found = _OFFSET.fullmatch(name)
    if found:
        sign, hours, minutes = found.groups()
        total = int(hours or 0) * 60 + int(minutes or 0)
        if total > MAX_MINUTES:
            raise ValueError(name)
        return -total if sign == "-" else total
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+)*", name):
        raise ValueError(name)
    try:
        zone = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(name) from None
    offsets = [instant.astimezone(zone).utcoffset() for instant in _INSTANTS]
    seconds = sum(o.total_seconds() for o in offsets if o is not None) / len(offsets)
    return round(seconds / 60)


def hours_apart(a: int, b: int) -> float:
    """Hours between two offsets (minutes), the short way round the clock."""
    gap = abs(a - b) % (24 * 60)
    return min(gap, 24 * 60 - gap) / 60
