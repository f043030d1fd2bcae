"""The API's connection pool serves waiting requests in the order they came (hub/api/fair_pool.py).

On the real PostgreSQL server, with one connection: a connection handed back goes to the request
that waited longest, not to one that asks at that moment; a wait that times out or is cancelled
loses no connection.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import exc
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.util import greenlet_spawn

from hub.api.request_session import api_engine


def _one_connection(engine: AsyncEngine, timeout: float = 5) -> AsyncEngine:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's connections are not pooled this way")
    return api_engine(engine.url.render_as_string(hide_password=False), timeout, pool_size=1)


async def _checkout(api: AsyncEngine) -> PoolProxiedConnection:
    return await greenlet_spawn(api.sync_engine.pool.connect)


async def test_a_connection_handed_back_goes_to_the_longest_waiter(engine: AsyncEngine) -> None:
    """The pool's only connection is handed back and, in the same step, asked for again by a
    newcomer: the request already waiting gets it first (the default asyncio pool gave it to
    the newcomer, and the waiter went to the back of the line)."""
    api = _one_connection(engine)
    served: list[str] = []
    try:
        held = await _checkout(api)

        async def waiter() -> None:
            connection = await _checkout(api)
            served.append("waiting")
            await greenlet_spawn(connection.close)

        waiting = asyncio.create_task(waiter())
        await asyncio.sleep(0.05)
        assert not waiting.done()

        def hand_back_and_ask_again() -> None:
            held.close()
            connection = api.sync_engine.pool.connect()
            served.append("newcomer")
            connection.close()

        await greenlet_spawn(hand_back_and_ask_again)
        await waiting
        assert served == ["waiting", "newcomer"]
    finally:
        await api.dispose()


async def test_waits_that_time_out_or_are_cancelled_lose_no_connection(
    engine: AsyncEngine,
) -> None:
    """A wait past the pool timeout is the pool's TimeoutError; a waiter cancelled (its request
    ended) leaves the line; the connection then goes to the next request at once."""
    api = _one_connection(engine, timeout=0.2)
    try:
        held = await _checkout(api)
        with pytest.raises(exc.TimeoutError):
            await _checkout(api)
        cancelled = asyncio.create_task(_checkout(api))
        await asyncio.sleep(0.05)
        cancelled.cancel()
        await asyncio.gather(cancelled, return_exceptions=True)
        await greenlet_spawn(held.close)
        again = await asyncio.wait_for(_checkout(api), 1)
        await greenlet_spawn(again.close)
        assert api.sync_engine.pool.checkedout() == 0
    finally:
        await api.dispose()
