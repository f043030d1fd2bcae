"""Portable SQL for time: epoch seconds, local day numbers and ages, on SQLite and PostgreSQL.

Working in integer seconds avoids each engine's own interval arithmetic: a local day is
`(epoch + offset) // 86400`, the same number for a DATE column (its midnight) as for a timestamp.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Integer, case, cast, extract
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

DAY = 86400


class epoch(FunctionElement[int]):  # noqa: N801  (reads like the SQL function it is)
    """Whole seconds since 1970-01-01 UTC of a timestamp, or of a date's midnight."""

    type = BigInteger()
    inherit_cache = True


@compiles(epoch, "sqlite")
def _epoch_sqlite(element: epoch, compiler: Any, **kw: Any) -> str:
    return f"CAST(strftime('%s', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(epoch, "postgresql")
def _epoch_postgresql(element: epoch, compiler: Any, **kw: Any) -> str:
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})) AS BIGINT)"


def local_day(timestamp: Any, utc_offset_hours: int) -> ColumnElement[int]:
    """The local calendar day (days since 1970-01-01) a UTC timestamp falls on."""
    return (epoch(timestamp) + utc_offset_hours * 3600) // DAY


def day_number(date_column: Any) -> ColumnElement[int]:
    """Days since 1970-01-01 of a DATE column, comparable with `local_day`."""
    return epoch(date_column) // DAY


def day_iso(day: int) -> str:
    """The ISO date of a day number from `local_day` or `day_number`."""
    return (date(1970, 1, 1) + timedelta(days=int(day))).isoformat()


def age_at(birth: Any, on: Any) -> ColumnElement[int]:
    """Completed years between two DATE columns."""

    def part(unit: str, column: Any) -> ColumnElement[int]:
        return cast(extract(unit, column), Integer)

    before_birthday = part("month", on) * 100 + part("day", on) < (
        part("month", birth) * 100 + part("day", birth)
    )
    return part("year", on) - part("year", birth) - case((before_birthday, 1), else_=0)
