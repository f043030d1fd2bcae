"""A root field that fails while a sibling's statement runs leaves the request's session usable.

graphql-core cancels the siblings of a failed field; a statement cancelled half-way used to
invalidate the session's connection, and what the request did next on it failed ("Cannot
operate on a closed database" on SQLite, a pending rollback on PostgreSQL) — among it the read
log of the unmasked numbers a third root field had served.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.api.ledger import queries as ledger_queries
from hub.api.platforms import queries as platform_queries
from hub.db import transaction
from schema.tables import AccessLogEntry
from tests.api.test_compiled_reads import Paths, paths  # noqa: F401  (fixture)

# a: unmasked numbers (logged at the end of the request); b: a statement of some length;
# c: fails while b's statement runs; d: compiled (the mixed path runs it first).
QUERY = """{ a: persons { edges { node { idNumber } } }
  b: trainees { edges { node { phone } } } c: syncRuns { totalCount }
  d: trainingClasses(first: 1) { edges { node { name } } } }"""

# A predicate that takes the database a few tenths of a second on either engine.
SLOW = text(
    "(WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 500000)"
    " SELECT count(*) FROM n) > 0"
)


async def _log_entries(engine: AsyncEngine) -> int:
    async with transaction(engine) as db:
        return (await db.execute(select(func.count()).select_from(AccessLogEntry))).scalar_one()


@pytest.mark.usefixtures("two_cities")
async def test_a_failing_root_field_leaves_the_session_usable(
    paths: Paths,  # noqa: F811
    token: Callable[..., str],
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    conditions = ledger_queries.trainee_where

    def slow_trainees(context: Any, filter: Any) -> list[Any]:
        return [*conditions(context, filter), SLOW]

    def b_running(context: Any) -> bool:
        # a has served its numbers, and a statement (b's, the only one left) is under way
        running = context.session.info.get("statements", ())
        return bool(context.unmasked) and any(not task.done() for task in running)

    async def failing(info: Any, *args: Any, **kwargs: Any) -> Any:
        for _ in range(3000):  # not a fixed delay: on a loaded machine b may start late
            if b_running(info.context):
                break
            await asyncio.sleep(0.002)
        raise RuntimeError("a resolver's bug")

    monkeypatch.setattr(ledger_queries, "trainee_where", slow_trainees)
    monkeypatch.setattr(platform_queries, "paginate", failing)
    bearer = token("auditor")
    before = await _log_entries(engine)
    for response in await paths.both(bearer, QUERY):
        body = response.json()
        assert response.status_code == 200, response.text
        assert body["data"] is None  # c is a non-null root field
        assert [e["extensions"]["code"] for e in body["errors"]] == ["INTERNAL"], body
    assert await _log_entries(engine) == before + 2  # a's idNumber reads, one per path
    for response in await paths.both(bearer, "{ persons { totalCount } }"):
        assert response.json() == {"data": {"persons": {"totalCount": 3}}}
