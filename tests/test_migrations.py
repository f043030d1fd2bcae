"""The migrated schema is exactly the models' schema, on both engines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.migrate import is_at_head
from schema.regions import REGIONS
from schema.tables import Region, metadata


async def test_autogenerate_finds_no_difference(migrated_engine: AsyncEngine) -> None:
    def diff(connection):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)

    async with migrated_engine.connect() as connection:
        differences = await connection.run_sync(diff)
    assert differences == []
    assert await is_at_head(migrated_engine)


async def test_regions_are_seeded_with_their_hierarchy(migrated_engine: AsyncEngine) -> None:
    async with migrated_engine.connect() as connection:
        rows = (await connection.execute(select(Region.code, Region.parent_code))).all()
    assert len(rows) == len(REGIONS)
    parents = dict(rows)
    assert parents["150302"] == "150300" and parents["150300"] == "150000"
    assert parents["150781"] == "150700"
