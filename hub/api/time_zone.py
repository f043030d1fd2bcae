"""Datetimes in the caller's time zone: UTC by default, local time when the client asks.

Bureau staff read times in Beijing time; programs compare instants and prefer UTC. A client
sends `Time-Zone: Asia/Shanghai` (any IANA name) or `Time-Zone: +08:00` and every DateTime in
the answer carries that offset (`2020-03-09T19:00:00+08:00`); without the header they are UTC
(`2020-03-09T11:00:00+00:00`). Both denote the same instant.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

HEADER = "time-zone"
_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})$")
_answer_zone: ContextVar[tzinfo] = ContextVar("answer_zone", default=UTC)


class UnknownTimeZone(ValueError):
    """The Time-Zone header names no zone the hub knows."""


def parse_time_zone(value: str | None) -> tzinfo:
    """The zone a `Time-Zone` header asks for; UTC when absent."""
    if not value or not value.strip():
        return UTC
    value = value.strip()
    if value.upper() in {"UTC", "Z"}:
        return UTC
    offset = _OFFSET.match(value)
    if offset:
        sign, hours, minutes = offset.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes))
        if delta > timedelta(hours=14):
            raise UnknownTimeZone(f"Time-Zone offset {value} is out of range")
        return timezone(-delta if sign == "-" else delta)
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise UnknownTimeZone(
            f"unknown Time-Zone {value!r}: use an IANA name such as Asia/Shanghai, or +08:00"
        ) from error


def answer_in(zone: tzinfo) -> None:
    """Serialise this request's datetimes in `zone` (set once per request, before executing)."""
    _answer_zone.set(zone)


def answering_in_utc() -> bool:
    """True unless this request asked for datetimes in another zone."""
    return _answer_zone.get() is UTC


def serialize_datetime(value: datetime) -> str:
    """ISO 8601 with the requested offset; stored values are UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(_answer_zone.get()).isoformat()
