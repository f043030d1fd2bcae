"""Shared fixtures: every database test runs against both SQLite and the real PostgreSQL.

PostgreSQL tests use a database of their own, created for the run and dropped after it, on the
server named by HUB_TEST_POSTGRES_URL (default: the local server's `test` database).
HUB_TEST_ENGINES=sqlite limits a local run to SQLite; CI runs both.
"""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import create_engine
from hub.migrate import upgrade_engine
from hub.security.pii import PiiVault
from schema.tables import metadata

POSTGRES_URL = os.environ.get(
    "HUB_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
ENGINES = os.environ.get("HUB_TEST_ENGINES", "sqlite,postgres").split(",")
TEST_DATA_KEY = b"k" * 32


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


@pytest_asyncio.fixture(scope="session", loop_scope="session", params=ENGINES)
async def migrated_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[AsyncEngine]:
    """A freshly migrated database per engine, for the whole test run."""
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("sqlite") / "hub.db"
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        await upgrade_engine(engine)
        yield engine
        await engine.dispose()
        return
    name = f"hub_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(_asyncpg_dsn(POSTGRES_URL))
    await admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = POSTGRES_URL.rpartition("/")
    engine = create_engine(f"{base}/{name}")
    try:
        await upgrade_engine(engine)
        yield engine
    finally:
        await engine.dispose()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest_asyncio.fixture(loop_scope="session")
async def engine(migrated_engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """The migrated database with every table but the seeded regions emptied before the test."""
    tables = [t.name for t in reversed(metadata.sorted_tables) if t.name != "region"]
    async with migrated_engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                await conn.execute(text(f"DELETE FROM {table}"))
    yield migrated_engine


@pytest.fixture
def vault() -> PiiVault:
    return PiiVault(TEST_DATA_KEY)


@pytest.fixture
def data_key_b64() -> str:
    return base64.urlsafe_b64encode(TEST_DATA_KEY).decode()
