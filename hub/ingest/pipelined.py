"""Batches that arrive in sequence, stored in order while the next one is prepared.

Storing a batch is mostly waiting for the database server; preparing one (validation and
canonical hashing, hub/ingest/prepare.py) is mostly Python. `pipelined` runs the preparation of
batch N+1 in a worker thread while the event loop awaits the server for batch N, so the two
halves overlap on two cores instead of taking turns. The GIL lets them: the event loop releases
it while it waits on the socket.

The stored result is the same as storing each batch with `Ingestor.ingest` in turn: batches are
stored one at a time, in order, and preparation reads nothing a stored batch changes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

B = TypeVar("B")
P = TypeVar("P")


async def _each(batches: AsyncIterable[B] | Iterable[B]) -> AsyncIterable[B]:
    if isinstance(batches, AsyncIterable):
        async for batch in batches:
            yield batch
    else:
        for batch in batches:
            yield batch


async def pipelined(
    batches: AsyncIterable[B] | Iterable[B],
    prepare: Callable[[B], P],
    store: Callable[[B, P], Awaitable[None]],
) -> None:
    """`await store(batch, prepare(batch))` for each batch in order, preparing one batch ahead.

    `prepare` runs in a worker thread and must touch no database. If reading the next batch
    fails, the batch already read is stored before the error is raised, as it would have been
    without reading ahead.
    """
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-prepare") as worker:
        pending: tuple[B, asyncio.Future[P]] | None = None
        iterator = aiter(_each(batches))
        while True:
            try:
                batch = await anext(iterator)
            except StopAsyncIteration:
                break
            except Exception:
                if pending is not None:
                    await store(pending[0], await pending[1])
                raise
            ahead = loop.run_in_executor(worker, prepare, batch)
            try:
                if pending is not None:
                    await store(pending[0], await pending[1])
            except BaseException:
                # Not left running: the worker would be waited for on the way out.
                ahead.cancel()
                raise
            pending = (batch, ahead)
        if pending is not None:
            await store(pending[0], await pending[1])
