"""The async engine and sessions on HUB_DATABASE_URL (SQLite by default, PostgreSQL in production)."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.sql.dml import Insert


def sqlite_b64(text: object) -> str | None:
    """urlsafe base64 of a value's text (NULL stays NULL): registered in SQLite as hub_b64()."""
    if text is None:
        return None
    return base64.urlsafe_b64encode(str(text).encode()).decode()


def ensure_sqlite_directory(url: str) -> None:
    """Create the folder an embedded SQLite database file lives in (no-op for other engines)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)


def create_engine(url: str, **kwargs: object) -> AsyncEngine:
    """An async engine; on SQLite with foreign keys enforced and WAL so readers never block."""
    if url.startswith("sqlite"):
        ensure_sqlite_directory(url)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
            # ids and cursors in compiled reads are base64, which SQLite cannot write itself
            dbapi_conn.create_function("hub_b64", 1, sqlite_b64, deterministic=True)

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_async_engine(url, **kwargs)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def transaction(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session whose work is committed on success and rolled back on any error."""
    async with session_factory(engine)() as session, session.begin():
        yield session


def insert_new(session: AsyncSession, table: type | Table) -> Insert:
    """INSERT that skips rows whose unique key exists (ON CONFLICT DO NOTHING on both engines).

    Rows every platform shares (persons, organisations) may be created by two concurrent syncs
    at once; the second then waits for the first and inserts nothing instead of failing.
    """
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing()
