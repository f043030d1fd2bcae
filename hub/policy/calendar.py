"""Calendar days as the bureaus count them: China Standard Time (UTC+8)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8), "CST")


def china_day(value: datetime | str | None) -> date | None:
    """The UTC+8 calendar day of a timestamp (SQL aggregates may return text on SQLite)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(CHINA).date()
