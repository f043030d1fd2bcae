"""Preparing the next batch while the current one is stored: same batches, same order, nothing lost."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.ingest.ahead import prepared_ahead
from hub.ingest.prepare import Prepared, prepare, prepare_in_turns
from hub.security.pii import PiiVault
from tests.ingest.test_merge_semantics import records
from tests.records import session, trainee

VAULT = PiiVault(os.urandom(32))


def _shape(prepared: Prepared) -> Any:
    """What a prepared batch holds, comparable across two preparations of it."""
    return (
        [
            [(kind, [(r.record, r.canonical) for r in ready]) for kind, ready in round_]
            for round_ in prepared.rounds
        ],
        [(r.reason, r.record_type, r.source_id) for r in prepared.rejections],
        dict(prepared.received),
    )


@settings(max_examples=60, deadline=None)
@given(raws=st.lists(records, max_size=40))
def test_preparing_in_turns_prepares_what_prepare_does(raws: list[Any]) -> None:
    # Repeats, invalid records and every type, split over several turns of the loop.
    in_turns = asyncio.run(prepare_in_turns(raws, VAULT, turn=3))
    assert _shape(in_turns) == _shape(prepare(raws, VAULT))


async def _batches(log: list[str], count: int, fail_at: int | None = None) -> AsyncIterator[list]:
    for number in range(count):
        log.append(f"read {number}")
        await asyncio.sleep(0)
        if number == fail_at:
            raise ConnectionError(f"page {number} failed")
        start, end = "2026-03-02T09:00:00+08:00", "2026-03-02T10:00:00+08:00"
        yield [trainee(f"T{number}"), session(f"S{number}", f"T{number}", start, end)]


async def test_each_batch_comes_in_order_and_the_next_is_read_while_one_is_stored() -> None:
    log: list[str] = []
    seen = []
    async with aclosing(prepared_ahead(_batches(log, 3), list, VAULT)) as ahead:
        async for batch, prepared in ahead:
            number = int(batch[0]["source_id"][1:])
            log.append(f"store {number}")
            await asyncio.sleep(0.01)  # the store's statements in the database
            log.append(f"stored {number}")
            ids = [r.record.source_id for _, ready in prepared.rounds[0] for r in ready]
            seen.append((number, ids))
    assert seen == [(n, [f"T{n}", f"S{n}"]) for n in range(3)]
    # each next batch was read (and prepared) while the one before was stored, not after it
    assert log == [
        "read 0",
        "store 0",
        "read 1",
        "stored 0",
        "store 1",
        "read 2",
        "stored 1",
        "store 2",
        "stored 2",
    ]


async def test_a_failed_read_surfaces_after_the_batches_before_it() -> None:
    log: list[str] = []
    stored = []
    with pytest.raises(ConnectionError, match="page 2 failed"):
        async with aclosing(prepared_ahead(_batches(log, 5, fail_at=2), list, VAULT)) as ahead:
            async for batch, _ in ahead:
                await asyncio.sleep(0.01)
                stored.append(batch[0]["source_id"])
    assert stored == ["T0", "T1"]  # everything before the failure was handed over


async def test_leaving_early_stops_the_read_under_way_and_closes_the_source() -> None:
    log: list[str] = []
    source = _batches(log, 100)
    async with aclosing(prepared_ahead(source, list, VAULT)) as ahead:
        async for batch, _ in ahead:
            if batch[0]["source_id"] == "T1":
                break
    assert len([line for line in log if line.startswith("read")]) <= 3
    with pytest.raises(StopAsyncIteration):
        await anext(source)  # closed: it reads no further
