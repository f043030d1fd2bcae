"""Bulk writes: COPY on PostgreSQL, executemany elsewhere.

COPY runs on the session's own connection, so the rows belong to the caller's transaction like
any other statement; values go through each column type's bind processing first (enums to their
values, timestamps to UTC, JSON to text), exactly as an INSERT would send them.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from schema.types import UTCDateTime

# Below this many rows a plain INSERT is as quick and keeps statement logs readable.
COPY_THRESHOLD = 50


async def is_postgresql(session: AsyncSession) -> bool:
    """Whether the session talks to PostgreSQL (COPY, temporary staging tables, sequences)."""
    return (await session.connection()).dialect.name == "postgresql"


def bind_tuples(
    table: Any,
    dialect: Any,
    names: Sequence[str],
    rows: Sequence[dict[str, Any]],
    aware_timestamps: bool = False,
) -> list[tuple[Any, ...]]:
    """Rows as tuples in `names` order, each value bind-processed for its column type.

    `aware_timestamps`: the caller vouches that every UTC timestamp is timezone-aware (validated
    records, `utcnow()`), so on PostgreSQL they go to asyncpg as they are: it converts aware
    timestamps to UTC itself, and the column type's check and conversion would only repeat that.
    """
    pick = itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
    tuples = [pick(row) for row in rows]
    skip_timestamps = aware_timestamps and dialect.name == "postgresql"
    processors = [
        (i, process)
        for i, name in enumerate(names)
        if not (skip_timestamps and isinstance(table.c[name].type, UTCDateTime))
        and (process := table.c[name].type.bind_processor(dialect)) is not None
    ]
    if not processors:
        return tuples
    # Only the columns with a processor are touched (a few of each row's values).
    result = []
    for values in tuples:
        row = list(values)
        for i, process in processors:
            row[i] = process(row[i])
        result.append(tuple(row))
    return result


async def copy_tuples(
    session: AsyncSession, table_name: str, names: Sequence[str], records: list[tuple[Any, ...]]
) -> None:
    """COPY already bind-processed tuples into `table_name` on the session's connection."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
        table_name, records=records, columns=list(names)
    )


async def insert_rows(session: AsyncSession, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys) into `model`'s table within the session."""
    table = model.__table__
    connection = await session.connection()
    dialect = connection.dialect
    names = list(rows[0]) if rows else []
    if dialect.name != "postgresql" or len(rows) < COPY_THRESHOLD or not _complete(table, names):
        await session.execute(insert(model), rows)
        return
    await copy_tuples(session, table.name, names, bind_tuples(table, dialect, names, rows))


async def reserve_ids(session: AsyncSession, table: Any, count: int) -> list[int]:
    """`count` fresh ids from the sequence of `table`'s `id` column (PostgreSQL), in order."""
    found = await session.execute(
        text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
        {"table": table.name, "n": count},
    )
    return [int(value) for value in found.scalars()]


def _complete(table: Any, names: list[str]) -> bool:
    """True when every column but the generated key is given (COPY applies no Python defaults)."""
    given = set(names)
    return all(c.name in given for c in table.columns if not c.primary_key) and all(
        n in table.c for n in names
    )
