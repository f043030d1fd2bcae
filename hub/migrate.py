"""Alembic driven from the hub: `hub db upgrade`, and the readiness check that the schema is at head."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import ensure_sqlite_directory

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    """Alembic configuration for the hub's migrations, on a URL or an open connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(url: str) -> None:
    """Bring the database at `url` to the newest revision of every branch (outside an event loop)."""
    ensure_sqlite_directory(url)
    command.upgrade(alembic_config(url), "heads")


async def upgrade_engine(engine: AsyncEngine) -> None:
    """Bring the database behind an async engine to the newest revision."""
    async with engine.begin() as connection:
        await connection.run_sync(
            lambda sync_conn: command.upgrade(alembic_config(connection=sync_conn), "heads")
        )


async def is_at_head(engine: AsyncEngine) -> bool:
    """True when the database's revision is the newest one the code knows."""
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    async with engine.connect() as connection:
        current = await connection.run_sync(
            lambda sync_conn: set(MigrationContext.configure(sync_conn).get_current_heads())
        )
    return current == heads
