"""Bulk inserts for the ingest path: COPY on PostgreSQL, executemany elsewhere.

COPY runs on the session's own connection, so the rows belong to the caller's transaction like
any other statement; values go through each column type's bind processing first (enums to their
values, timestamps to UTC, JSON to text), exactly as an INSERT would send them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

# Below this many rows a plain INSERT is as quick and keeps statement logs readable.
COPY_THRESHOLD = 50


async def insert_rows(session: AsyncSession, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys) into `model`'s table within the session."""
    table = model.__table__
    connection = await session.connection()
    dialect = connection.dialect
    names = list(rows[0]) if rows else []
    if dialect.name != "postgresql" or len(rows) < COPY_THRESHOLD or not _complete(table, names):
        await session.execute(insert(model), rows)
        return
    processors = [table.c[name].type.bind_processor(dialect) for name in names]
    records = [
        tuple(
            value if process is None else process(value)
            for process, value in zip(processors, (row[n] for n in names), strict=True)
        )
        for row in rows
    ]
    raw = await connection.get_raw_connection()
    await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
        table.name, records=records, columns=names
    )


def _complete(table: Any, names: list[str]) -> bool:
    """True when every column but the generated key is given (COPY applies no Python defaults)."""
    given = set(names)
    return all(c.name in given for c in table.columns if not c.primary_key) and all(
        n in table.c for n in names
    )
