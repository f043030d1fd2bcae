"""The number of SQL statements a request runs depends on its depth, not on its page size."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import transaction
from hub.ingest import Ingestor
from hub.platforms.service import ensure_platform
from hub.security.pii import PiiVault
from tests.api.conftest import Api
from tests.records import course, enrolment, resident_id, trainee, training_class

CLASSES = 30
QUERY = """query Roster($n: Int) { trainingClasses(first: $n) { edges { node {
  name enrolments { trainee { name platform { code } } } } } } }"""


@contextmanager
def counting(engine: AsyncEngine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


async def test_same_statement_count_at_page_sizes_10_and_500(
    api: Api, token: Callable[..., str], engine: AsyncEngine, vault: PiiVault
) -> None:
    records: list[dict[str, Any]] = [course("C1")]
    for k in range(CLASSES):
        records.append(training_class(f"K{k}"))
        for t in range(2):
            serial = f"{k * 2 + t:03d}"
            records.append(trainee(f"T{serial}", id_number=resident_id(serial=serial)))
            records.append(enrolment(f"E{serial}", f"T{serial}", f"K{k}"))
    async with transaction(engine) as db:
        platform = await ensure_platform(db, "wh", region_code="150300")
        await Ingestor(db, platform.id, vault).ingest(records)

    counts = {}
    for size in (10, 500):
        with counting(engine) as statements:
            data = await api.data(token("city", region="150300"), QUERY, {"n": size})
        rows = data["trainingClasses"]["edges"]
        assert len(rows) == min(size, CLASSES)
        assert all(len(r["node"]["enrolments"]) == 2 for r in rows)
        assert all(
            e["trainee"]["platform"]["code"] == "wh" for r in rows for e in r["node"]["enrolments"]
        )
        counts[size] = len(statements)
    # One statement per level (classes, enrolments, trainees, platforms), whatever the page size.
    assert counts[10] == counts[500], counts
    assert counts[10] <= 6, counts
