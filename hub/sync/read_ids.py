"""The source ids one sync run met, kept in the database (`sync_read_id`) rather than in memory.

A stream of a million records would otherwise hold a million strings in the syncing process (and
the hub's own ids as many again to compare with). A batch's ids are written in the batch's own
transaction, so they commit with its cursor; a census's ids when the census is taken. They are
compared with what the hub holds in SQL (hub/sync/reconcile.py) and deleted when the run ends
(hub/ingest/runs.py).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from hub.bulk import is_postgresql
from hub.ingest.batching import chunks
from schema.tables import SyncReadId

# Ids per statement: one array parameter on PostgreSQL, one executemany on SQLite.
CHUNK = 10_000

# One array bound as a whole: the statement stays one round trip however many ids it carries.
# An id met twice (a page read again, a read resumed) is already there.
_PG_INSERT = text(
    "INSERT INTO sync_read_id (run_id, stream, listed, source_id) "
    "SELECT CAST(:run_id AS integer), CAST(:stream AS varchar), CAST(:listed AS boolean), "
    "unnest(CAST(:ids AS varchar[])) "
    "ON CONFLICT DO NOTHING"
)


async def record_ids(
    session: AsyncSession, run_id: int, stream: str, ids: Collection[str], listed: bool = False
) -> None:
    """Note `ids` as met by the run for `stream` (`listed`: by its census), in the caller's txn."""
    if not ids:
        return
    ordered = list(ids)
    if await is_postgresql(session):
        for part in chunks(ordered, CHUNK):
            values = {"run_id": run_id, "stream": stream, "listed": listed, "ids": list(part)}
            await session.execute(_PG_INSERT, values)
        return
    statement = sqlite_insert(SyncReadId).on_conflict_do_nothing()
    for part in chunks(ordered, CHUNK):
        rows = [
            {"run_id": run_id, "stream": stream, "listed": listed, "source_id": i} for i in part
        ]
        await session.execute(statement, rows)


def met_ids(run_id: int, stream: str, listed: bool | None = None) -> Any:
    """A query of the ids run `run_id` met for `stream`: by its census (`listed` True), by its
    read (False), or either (None)."""
    query = select(SyncReadId.source_id.label("source_id")).where(
        SyncReadId.run_id == run_id, SyncReadId.stream == stream
    )
    return query if listed is None else query.where(SyncReadId.listed.is_(listed))
