"""One database session per API request, bounded by the request timeout.

Cancelling the request task at its deadline is not enough on its own: the statement it was
waiting for keeps running (in aiosqlite's thread, or on the PostgreSQL server when the event
loop cannot deliver the cancellation), and a session cancelled half-way through one of its own
state changes refuses to close, which used to break the next request on the same connection.
So: on PostgreSQL each transaction carries `statement_timeout` (the server stops the statement
itself); on SQLite a request waits for locks no longer than its timeout and is interrupted at
its deadline; and a session that cannot
close cleanly after a timeout has its connection invalidated instead of going back to the pool.

Within a request, a statement runs to its end even when the field that asked for it is
cancelled: graphql-core cancels a failed field's siblings, and a statement cancelled half-way
invalidates the session's connection, so whatever the request did next on it (writing the read
log of the unmasked numbers it served) failed. `finished` lets the statement complete and stops
it only at the request's deadline.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import weakref
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from hub.api.fair_pool import FairAsyncPool
from hub.db import create_engine

log = logging.getLogger("hub.api")

T = TypeVar("T")

INTERRUPT_AFTER_DEADLINE = 0.005  # seconds


# Engines made for the API alone, whose PostgreSQL connections start with the request settings
# (statement_timeout, jit) in asyncpg's startup packet: their transactions need no SET LOCAL.
_PRESET: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()


def _milliseconds(timeout_seconds: float) -> int:
    return max(1, int(timeout_seconds * 1000))


def api_engine(url: str, timeout_seconds: float, pool_size: int) -> AsyncEngine:
    """The API's own engine on `url`. On PostgreSQL every connection starts with the settings
    each request transaction would otherwise set first (a round trip per request, a tenth of
    the city page's time in process): nothing else uses these connections.

    Its `pool_size` connections stay open and no more are opened: under a load beyond them,
    "overflow" connections were opened and closed again all the time (a connect, its startup
    and every statement prepared anew: a tenth of the city page's time under load). Requests
    waiting for one are served in the order they came (`FairAsyncPool`)."""
    if not url.startswith("postgresql"):
        return create_engine(url)
    milliseconds = _milliseconds(timeout_seconds)
    settings = {"statement_timeout": str(milliseconds), "jit": "off"}
    engine = create_engine(
        url,
        # asyncpg prepares a statement anew on every call when its text is longer than this
        # (15 KiB by default): compiled plans, which it runs directly, reach 30 KiB (ten
        # `node(id:)` lookups), and were parsed and planned again each time at a third of the speed.
        connect_args={"server_settings": settings, "max_cacheable_statement_size": 256 * 1024},
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=timeout_seconds,
        poolclass=FairAsyncPool,
    )
    _PRESET[engine.sync_engine] = milliseconds
    return engine


def bounded_per_connection(session: AsyncSession) -> bool:
    """Whether the session's connections carry the request bounds themselves (`api_engine`), so
    that a single read statement may run outside a transaction."""
    bind = session.bind
    return bind is not None and bind.sync_engine in _PRESET  # type: ignore[union-attr]


@event.listens_for(Session, "after_begin")
def _bound_transaction(session: Session, _transaction: Any, connection: Any) -> None:
    """Bounds each transaction of a request session (`request_session` puts its timeout in
    `info`); other sessions pass. One listener for all: registering one per request session
    cost more than the rest of a compiled read's session handling."""
    milliseconds = session.info.get("timeout_ms")
    if milliseconds is None:
        return
    session.info.setdefault("connections", []).append(connection)
    if _PRESET.get(connection.engine) == milliseconds:
        return  # the connection started with these settings
    if connection.dialect.name == "postgresql":
        # SET LOCAL ends with the transaction: the pooled connection keeps no trace of it.
        # JIT off: an API statement reads a page's rows in milliseconds, and a plan whose
        # estimate crosses jit_above_cost (a count with a hashed scope subplan) spent far
        # longer compiling itself than running (bench/scope_rule.py). One round trip.
        connection.exec_driver_sql(
            f"SELECT set_config('statement_timeout', '{milliseconds}', true),"
            " set_config('jit', 'off', true)"
        )
    elif connection.dialect.name == "sqlite":
        # Waiting for another writer's lock cannot be interrupted, only bounded. (The
        # setting stays on the pooled connection; by default it equals the 30 s it had.)
        # A little longer than the request's own deadline, so that the deadline fires first.
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {milliseconds + 100}")


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
    session.info["timeout_ms"] = _milliseconds(timeout_seconds)
    session.info["deadline"] = asyncio.get_running_loop().time() + timeout_seconds
    try:
        yield session
    finally:
        await release(session)


@asynccontextmanager
async def within_deadline(session: AsyncSession, timeout_seconds: float) -> AsyncIterator[None]:
    """Run the block under the request's deadline: cancelled then (TimeoutError), and the
    session's SQLite statement interrupted then too, which cancelling alone does not reach (it
    runs in aiosqlite's thread)."""
    # After the deadline's cancellation, never before it: a statement interrupted first ends in
    # SQLite's "interrupted" error, which reached the client as INTERNAL instead of TIMEOUT
    # (seen once under load; uvloop's timers tick in whole milliseconds). So: at once when the
    # cancelled block has ended, or a little after the deadline if it has not ended by then.
    stop = asyncio.get_running_loop().call_later(
        timeout_seconds + INTERRUPT_AFTER_DEADLINE, interrupt, session
    )
    deadline = asyncio.timeout(timeout_seconds)
    try:
        async with deadline:
            yield
    finally:
        stop.cancel()
        if deadline.expired():
            interrupt(session)


async def finished(session: AsyncSession, work: Awaitable[T]) -> T:
    """The result of `work` (statements on `session`), which runs to its end even if the caller
    is cancelled meanwhile: then the caller's cancellation is raised once it has ended."""
    task = asyncio.ensure_future(work)
    running: set[asyncio.Future[Any]] = session.info.setdefault("statements", set())
    running.add(task)
    task.add_done_callback(running.discard)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await _settle(session, task)
        raise


async def _settle(session: AsyncSession, task: asyncio.Future[Any]) -> None:
    """Wait for a statement whose caller was cancelled, stopping it at the request's deadline
    (on PostgreSQL asyncpg cancels it on the server; SQLite's is interrupted in its thread)."""
    loop = asyncio.get_running_loop()
    deadline: float | None = session.info.get("deadline")
    while not task.done():
        left = None if deadline is None else deadline - loop.time()
        if left is not None and left <= 0:
            interrupt(session)
            task.cancel()
            left = None
        try:
            await asyncio.wait([task], timeout=left)
        except asyncio.CancelledError:  # the deadline's own cancellation: keep waiting for it
            continue
    if not task.cancelled() and task.exception() is not None:
        log.debug("statement of a cancelled field failed: %s", task.exception())


async def release(session: AsyncSession) -> None:
    """Close the session; when a cancelled operation left it unable to close, invalidate its
    connection so that no later request is handed a connection in an unknown state."""
    pending = list(session.info.get("statements", ()))
    if pending:  # a statement whose caller went away: it must end before the session closes
        interrupt(session)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
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
