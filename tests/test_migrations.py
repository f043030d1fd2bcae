"""The migrated schema is exactly the models' schema, on both engines."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from hub.db import create_engine
from hub.migrate import is_at_head, upgrade_engine
from hub.policy.parameters import in_force
from schema.regions import REGIONS
from schema.tables import Region, metadata
from schema.types import utcnow


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


async def test_wuhai_requires_designated_institutions_from_the_migration(tmp_path: Path) -> None:
    """26号 一 as seeded by migration 0011: on for Wuhai, off for the region's default."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'seeded.db'}")
    try:
        await upgrade_engine(engine)
        async with AsyncSession(engine) as session:
            wuhai = await in_force(session, "150302", utcnow())
            hohhot = await in_force(session, "150102", utcnow())
        assert wuhai.get("designated_institutions_required") is True
        assert hohhot.get("designated_institutions_required") is False
    finally:
        await engine.dispose()
