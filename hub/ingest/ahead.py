"""Reading and preparing the next batch while the current one is stored.

A sync waits by turns for the platform (the next page) and for the database (storing a batch);
a file import reads, then stores. Here the waits overlap: while the caller stores batch N in its
transaction, batch N+1 is read from its source and prepared (`prepare_in_turns`: validation and
hashing, no database) in the same event loop. What is stored, and in which order, is unchanged:
batch N+1 is handed over only after batch N, and a failure reading it surfaces only then, once
everything before it is stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Callable
from typing import Any, TypeVar

from hub.ingest.prepare import Prepared, prepare_in_turns
from hub.security.pii import PiiVault

B = TypeVar("B")


async def prepared_ahead(
    batches: AsyncIterable[B], records_of: Callable[[B], list[Any]], vault: PiiVault
) -> AsyncIterator[tuple[B, Prepared]]:
    """Each batch with its prepared records, the next one read and prepared meanwhile.

    Close it (`contextlib.aclosing`) when leaving early: that stops the batch under way.
    """
    source = aiter(batches)

    async def following() -> tuple[B, Prepared] | None:
        try:
            batch = await anext(source)
        except StopAsyncIteration:
            return None
        return batch, await prepare_in_turns(records_of(batch), vault)

    pending = asyncio.ensure_future(following())
    try:
        while (item := await pending) is not None:
            pending = asyncio.ensure_future(following())
            yield item
    finally:
        pending.cancel()
        await asyncio.wait([pending])  # a cancelled read ends before its source is closed
        if not pending.cancelled():
            pending.exception()  # raised above already, or dropped with the caller's failure
        closing = getattr(source, "aclose", None)
        if closing is not None:
            await closing()
