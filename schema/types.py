"""Column types shared by the tables, identical in behaviour on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from enum import Enum

import sqlalchemy as sa
from sqlalchemy.engine import Dialect


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware.

    SQLite has no time zone type; without this, values would come back naive there and aware on
    PostgreSQL, and comparisons across engines would differ.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def enum_column(enum: type[Enum]) -> sa.Enum:
    """A portable enum column: VARCHAR plus a CHECK constraint listing the values."""
    return sa.Enum(
        enum,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        name=enum.__name__.lower(),
    )


BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


# How far the hub's clock is set ahead of the system clock (zero outside rehearsals and tests).
_clock_shift = timedelta(0)


def utcnow() -> datetime:
    """The hub's current time, timezone-aware in UTC: every "now" of the hub comes from here."""
    return datetime.now(UTC) + _clock_shift


@contextmanager
def clock_shifted(by: timedelta) -> Iterator[None]:
    """Run the hub's clock `by` ahead of the system clock, e.g. to rehearse a whole training
    lifecycle (approval before the class, sessions, certificates, settlement) in minutes."""
    global _clock_shift
    held = _clock_shift
    _clock_shift = held + by
    try:
        yield
    finally:
        _clock_shift = held
