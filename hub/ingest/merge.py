"""The set-based upsert of one record type: new rows inserted, changed rows updated, in one statement.

PostgreSQL: the batch is COPYed into a temporary staging table (one per record table and
connection, emptied at commit) and merged with one
`INSERT … SELECT … ON CONFLICT (platform_id, source_id) DO UPDATE … WHERE content_hash IS
DISTINCT FROM … RETURNING` whose source is a `DELETE … RETURNING` of the staging table, so
the merge leaves it empty. Its RETURNING reads, in the statement's snapshot, which trainee each
changed fact belonged to before, for the statistics roll-up.
SQLite: the existing keys are read first, then `INSERT … ON CONFLICT DO UPDATE … WHERE … RETURNING`.

Either way only rows inserted or changed come back: unchanged rows cost no write, no version and
no roll-up work. A batch must hold each (platform, source_id) at most once: one statement cannot
update a row twice (the pipeline merges repeated records in successive rounds).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import bindparam, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from hub.bulk import bind_tuples, copy_tuples, is_postgresql
from hub.ingest.batching import chunks

KEY = ("platform_id", "source_id")
KEEP_ON_UPDATE = frozenset({"id", "platform_id", "source_id", "first_seen_at"})


class Merged(NamedTuple):
    """One row the merge inserted or changed (a tuple: thousands are made per batch)."""

    id: int
    source_id: str
    inserted: bool
    trainee_id: int | None = None  # fact rows: the trainee the row belongs to now
    old_trainee_id: int | None = None  # changed fact rows: the trainee it belonged to before
    version_id: int | None = None  # PostgreSQL: the id reserved for the row's version


async def merge(
    session: AsyncSession,
    table: Any,
    rows: Sequence[dict[str, Any]],
    shared: dict[str, Any],
    version_table: Any | None = None,
) -> list[Merged]:
    """Upsert `rows` into `table`; returns what was written.

    Each row holds the same keys; `shared` holds the values every row has alike (the platform,
    the batch's moment), so that together they give every column but `id`. With
    `version_table` (PostgreSQL), each returned row also carries an id taken from that table's
    sequence in the same statement, for the version the caller writes next.
    """
    if not rows:
        return []
    if await is_postgresql(session):
        return await _merge_postgresql(session, table, rows, shared, version_table)
    return await _merge_sqlite(session, table, [{**row, **shared} for row in rows])


def _has_trainee(table: Any) -> bool:
    return "trainee_id" in table.c


async def _staging(session: AsyncSession, table: Any, names: Sequence[str]) -> str:
    """The connection's staging table for `table` with columns `names` (empty between merges)."""
    stage = f"stage_{table.name}"
    columns = ", ".join(names)
    # Created when missing on every use: a transaction that created it and then rolled back
    # took it away again, so remembering it per connection would not be safe. The merge
    # statement empties it (DELETE … RETURNING is its source), so no statement clears it here.
    await session.execute(
        text(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS "
            f"AS SELECT {columns} FROM {table.name} WITH NO DATA"
        )
    )
    return stage


async def _merge_postgresql(
    session: AsyncSession,
    table: Any,
    rows: Sequence[dict[str, Any]],
    shared: dict[str, Any],
    version_table: Any | None,
) -> list[Merged]:
    names = sorted(rows[0])  # sorted: one staging layout per table whatever the dict order
    stage = await _staging(session, table, names)
    dialect = (await session.connection()).dialect
    # The rows' timestamps are validated records' and utcnow()'s: all timezone-aware.
    tuples = bind_tuples(table, dialect, names, rows, aware_timestamps=True)
    await copy_tuples(session, stage, names, tuples)
    staged_columns = ", ".join(names)
    # The shared values join in the INSERT as parameters: staged, they were sent once per row.
    shared_names = sorted(shared)
    columns = ", ".join([*names, *shared_names])
    values = ", ".join([*names, *(f":{n}" for n in shared_names)])
    parameters = [bindparam(n, shared[n], type_=table.c[n].type) for n in shared_names]
    updates = ", ".join(
        f"{n} = EXCLUDED.{n}" for n in [*names, *shared_names] if n not in KEEP_ON_UPDATE
    )
    facts = _has_trainee(table)
    trainee = "t.trainee_id" if facts else "NULL::int"
    # The trainee a changed fact belonged to before: a subquery in RETURNING reads the table as
    # the statement found it (its own writes are invisible to it), so it sees the row before
    # this update. Asked only of updated rows: an index probe per change, none per new row.
    old_trainee = (
        f"CASE WHEN t.xmax = 0 THEN NULL ELSE "
        f"(SELECT o.trainee_id FROM {table.name} o WHERE o.id = t.id) END"
        if facts
        else "NULL::int"
    )
    # The version ids come from the sequence here rather than in a statement of their own.
    version_id = (
        f"nextval((SELECT pg_get_serial_sequence('{version_table.name}', 'id')))"
        if version_table is not None
        else "NULL::bigint"
    )
    statement = f"""
        WITH staged AS (DELETE FROM {stage} RETURNING {staged_columns})
        INSERT INTO {table.name} AS t ({columns})
        SELECT {values} FROM staged
        ON CONFLICT (platform_id, source_id) DO UPDATE SET {updates}
        WHERE t.content_hash IS DISTINCT FROM EXCLUDED.content_hash
        RETURNING t.id, t.source_id, t.xmax = 0 AS inserted, {trainee} AS trainee_id,
            {old_trainee} AS old_trainee_id, {version_id} AS version_id
    """
    found = await session.execute(text(statement).bindparams(*parameters))
    return [Merged(*row) for row in found.all()]


async def _merge_sqlite(
    session: AsyncSession, table: Any, rows: Sequence[dict[str, Any]]
) -> list[Merged]:
    facts = _has_trainee(table)
    platform_id = rows[0]["platform_id"]
    before: dict[str, Any] = {}
    wanted = [row["source_id"] for row in rows]
    trainee_column = table.c.trainee_id if facts else table.c.id
    for part in chunks(wanted):
        found = await session.execute(
            select(table.c.source_id, trainee_column).where(
                table.c.platform_id == platform_id, table.c.source_id.in_(part)
            )
        )
        before.update({sid: trainee for sid, trainee in found.all()})
    insert = sqlite.insert(table)
    names = [n for n in rows[0] if n not in KEEP_ON_UPDATE]
    upsert = insert.on_conflict_do_update(
        index_elements=list(KEY),
        set_={n: insert.excluded[n] for n in names},
        where=table.c.content_hash.is_distinct_from(insert.excluded.content_hash),
    ).returning(table.c.id, table.c.source_id, trainee_column)
    written = (await session.execute(upsert, list(rows))).all()
    return [
        Merged(
            rid,
            sid,
            sid not in before,
            trainee if facts else None,
            before.get(sid) if facts else None,
        )
        for rid, sid, trainee in written
    ]
