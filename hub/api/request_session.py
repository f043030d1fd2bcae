"""One database session per API request, bounded by the request timeout.

Cancelling the request task at its deadline is not enough on its own: the statement it was
waiting for keeps running (in aiosqlite's thread, or on the PostgreSQL server when the event
loop cannot deliver the cancellation), and a session cancelled half-way through one of its own
state changes refuses to close, which used to break the next request on the same connection.
So: on PostgreSQL each transaction carries `statement_timeout` (the server stops the statement
itself); on SQLite a request waits for locks no longer than its timeout and is interrupted at
its deadline; and a session that cannot
close cleanly after a timeout has its connection invalidated instead of going back to the pool.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

log = logging.getLogger("hub.api")


def _bound_transactions(session: AsyncSession, timeout_seconds: float) -> None:
    milliseconds = max(1, int(timeout_seconds * 1000))

    def after_begin(_session: Any, _transaction: Any, connection: Any) -> None:
        session.info.setdefault("connections", []).append(connection)
        if connection.dialect.name == "postgresql":
            # SET LOCAL ends with the transaction: the pooled connection keeps no trace of it.
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {milliseconds}")
        elif connection.dialect.name == "sqlite":
            # Waiting for another writer's lock cannot be interrupted, only bounded. (The
            # setting stays on the pooled connection; by default it equals the 30 s it had.)
            # A little longer than the request's own deadline, so that the deadline fires first.
            connection.exec_driver_sql(f"PRAGMA busy_timeout = {milliseconds + 100}")

    event.listen(session.sync_session, "after_begin", after_begin)


def _sqlite_connection(connection: Any) -> sqlite3.Connection | None:
    try:
        adapted = connection.connection.dbapi_connection  # SQLAlchemy's aiosqlite adapter
        raw = getattr(getattr(adapted, "_connection", None), "_conn", None)
    except Exception:  # invalidated or closed meanwhile: nothing left to interrupt
        return None
    return raw if isinstance(raw, sqlite3.Connection) else None


def interrupt(session: AsyncSession) -> None:
    """Stop the statements a timed-out request's session may still be running (SQLite; the
    PostgreSQL server stops them through `statement_timeout` and asyncpg's cancellation)."""
    for connection in session.info.get("connections", ()):
        raw = _sqlite_connection(connection)
        if raw is None:
            continue
        try:
            raw.interrupt()  # thread-safe by design: aborts the query in aiosqlite's thread
        except sqlite3.Error:  # closed meanwhile: nothing runs on it any more
            continue


@asynccontextmanager
async def request_session(
    sessions: async_sessionmaker[AsyncSession], timeout_seconds: float
) -> AsyncIterator[AsyncSession]:
    """A session whose transactions are bounded by `timeout_seconds`, always released."""
    session = sessions()
    _bound_transactions(session, timeout_seconds)
    try:
        yield session
    finally:
        await release(session)


async def release(session: AsyncSession) -> None:
    """Close the session; when a cancelled operation left it unable to close, invalidate its
    connection so that no later request is handed a connection in an unknown state."""
    try:
        await session.close()
        return
    except Exception as error:
        log.warning("session could not close after a cancelled request: %s", error)
    for connection in session.info.get("connections", ()):
        try:
            connection.invalidate()
        except Exception as error:  # already invalidated or closed: nothing more to do
            log.debug("connection already gone: %s", error)
