"""A connection pool that serves waiting requests in the order they came.

SQLAlchemy's asyncio pool hands a returned connection to whoever asks next: a request arriving
just then takes it before those already waiting, and a waiter passed over goes to the back of
the line again. Under a load beyond the pool (the API at concurrency 32 on a few connections)
that let some requests wait many turns while others waited none: the p99 grew with it. Here a
returned connection goes straight to the longest waiter, and nobody takes one past the line.
"""

from __future__ import annotations

import asyncio
from collections import deque
from contextlib import suppress
from typing import Any

from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlalchemy.util import await_only
from sqlalchemy.util.queue import AsyncAdaptedQueue, Empty


class _FairQueue(AsyncAdaptedQueue[Any]):
    """The pool's idle connections, and the requests waiting for one, first come first served."""

    def __init__(self, maxsize: int = 0, use_lifo: bool = False) -> None:
        super().__init__(maxsize, use_lifo)
        self._waiting: deque[asyncio.Future[Any]] = deque()

    def put_nowait(self, item: Any) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(item)
                return
        super().put_nowait(item)

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        # Without `block` the pool is filling up or being disposed of: take what is idle.
        if not block or not self._waiting:
            try:
                return self.get_nowait()
            except Empty:
                if not block:
                    raise
        return await_only(self._wait(timeout))

    async def _wait(self, timeout: float | None) -> Any:
        waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        try:
            async with asyncio.timeout(timeout):
                return await waiter
        except BaseException as error:
            if waiter.done() and not waiter.cancelled():
                self.put_nowait(waiter.result())  # handed over just as the wait ended
            else:
                waiter.cancel()
                with suppress(ValueError):  # unless a returned connection passed it by
                    self._waiting.remove(waiter)
            if isinstance(error, TimeoutError):
                raise Empty() from None
            raise


class FairAsyncPool(AsyncAdaptedQueuePool):
    """`AsyncAdaptedQueuePool` with first-come-first-served waiting (see the module)."""

    _queue_class = _FairQueue  # type: ignore[assignment]
