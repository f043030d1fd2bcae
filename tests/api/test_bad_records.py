"""Pushing: one bad record is quarantined with its reason, the rest of its batch is stored.

Over the GraphQL `pushRecords` mutation (one transaction per batch) and the bulk NDJSON route,
each failure mode on its own beside a clean ledger, and all of them together.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import transaction
from hub.platforms.service import ensure_platform
from schema.tables import LearningSession, Platform, QuarantinedRecord, RecordVersion, Trainee
from tests.api.conftest import Api
from tests.ingest.bad_records import bad_records, deep_lines, good_and_bad, ndjson
from tests.records import small_ledger, trainee

PUSH = """mutation($records: [JSON!]!, $key: String!) {
  pushRecords(platform: "acme", idempotencyKey: $key, records: $records) {
    counts { recordType received inserted updated quarantined } } }"""
REASONS = """{ quarantinedRecords(filter: {platform: "acme"}, first: 500) {
  edges { node { recordType sourceId reason raw } } } }"""


async def _count(engine: AsyncEngine, table: Any) -> int:
    query = (
        select(func.count())
        .select_from(table)
        .join(Platform, Platform.id == table.platform_id)
        .where(Platform.code == "acme")
    )
    async with transaction(engine) as db:
        return (await db.execute(query)).scalar_one()


@pytest.fixture
async def acme(engine: AsyncEngine) -> None:
    async with transaction(engine) as db:
        await ensure_platform(db, "acme", region_code="150300")


async def push(api: Api, bearer: str, records: list[Any], key: str) -> dict[str, Any]:
    """The mutation, its body sent with ASCII escapes: the way a lone surrogate travels in JSON."""
    body = json.dumps({"query": PUSH, "variables": {"records": records, "key": key}})
    response = await api.client.post(
        "/graphql",
        content=body.encode(),
        headers={"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"},
    )
    return response.json()


def _totals(body: dict[str, Any]) -> dict[str, int]:
    assert "errors" not in body, body["errors"]
    rows = body["data"]["pushRecords"]["counts"]
    return {k: sum(r[k] for r in rows) for k in ("received", "inserted", "quarantined")}


@pytest.mark.usefixtures("acme")
@pytest.mark.parametrize("index", range(len(bad_records())))
async def test_one_bad_record_beside_a_clean_ledger(
    api: Api, token: Callable[..., str], engine: AsyncEngine, index: int
) -> None:
    bad = bad_records()[index]
    records = [*small_ledger(), bad]
    body = await push(api, token("connector", platform="acme"), records, f"k{index}")
    assert _totals(body) == {"received": 10, "inserted": 9, "quarantined": 1}
    assert await _count(engine, Trainee) == 2
    assert await _count(engine, LearningSession) == 3
    quarantined = (await api.data(token("region"), REASONS))["quarantinedRecords"]["edges"]
    assert len(quarantined) == 1 and quarantined[0]["node"]["reason"]


@pytest.mark.usefixtures("acme")
async def test_graphql_push_keeps_the_good_and_quarantines_each_bad(
    api: Api, token: Callable[..., str], engine: AsyncEngine
) -> None:
    body = await push(api, token("connector", platform="acme"), good_and_bad(), "all")
    bad = len(bad_records())
    assert _totals(body) == {"received": 9 + bad, "inserted": 9, "quarantined": bad}
    assert await _count(engine, QuarantinedRecord) == bad


@pytest.mark.usefixtures("acme")
async def test_bulk_route_keeps_the_good_and_quarantines_each_bad(
    api: Api, token: Callable[..., str], engine: AsyncEngine
) -> None:
    response = await api.client.post(
        "/push/acme/records",
        content=ndjson(good_and_bad(), deep_lines()),
        headers={"Authorization": f"Bearer {token('connector', platform='acme')}"},
    )
    assert response.status_code == 200, response.text
    bad = len(bad_records()) + len(deep_lines())
    assert response.json()["total"]["quarantined"] == bad
    assert response.json()["total"]["inserted"] == 9
    assert await _count(engine, Trainee) == 2
    quarantined = (await api.data(token("region"), REASONS))["quarantinedRecords"]["edges"]
    assert len(quarantined) == bad and all(e["node"]["reason"] for e in quarantined)


@pytest.mark.usefixtures("acme")
async def test_a_key_sent_twice_in_one_push_keeps_both_versions(
    api: Api, token: Callable[..., str], engine: AsyncEngine
) -> None:
    records = [trainee("D1", name="甲"), trainee("D1", name="乙")]
    body = await push(api, token("connector", platform="acme"), records, "d")
    counts = body["data"]["pushRecords"]["counts"]
    assert counts == [
        {"recordType": "trainee", "received": 2, "inserted": 1, "updated": 1, "quarantined": 0}
    ]
    async with transaction(engine) as db:
        versions = (
            await db.execute(
                select(RecordVersion.version, RecordVersion.payload, RecordVersion.changed_fields)
                .where(RecordVersion.source_id == "D1")
                .order_by(RecordVersion.version)
            )
        ).all()
    assert [(v, p["name"], f) for v, p, f in versions] == [(1, "甲", None), (2, "乙", ["name"])]
