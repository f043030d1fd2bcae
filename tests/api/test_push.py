"""Pushing records: the GraphQL mutation and the bulk NDJSON route, idempotency and isolation."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.simulated.server import serve
from hub.api.app import create_app
from hub.db import transaction
from hub.platforms.service import ensure_platform
from hub.settings import Settings
from schema.tables import Platform, PushReceipt, SyncRun, Trainee
from schema.types import utcnow
from tests.api.conftest import Api
from tests.records import ORG, resident_id, small_ledger, trainee

PUSH = """
mutation Push($platform: String!, $key: String!, $records: [JSON!]!) {
  pushRecords(platform: $platform, idempotencyKey: $key, records: $records) {
    replayed
    counts { recordType received inserted updated unchanged quarantined }
    syncRun { id trigger status platform { code } }
  }
}
"""


@pytest_asyncio.fixture(loop_scope="session")
async def acme(engine: AsyncEngine) -> None:
    """Platform `acme`, operated by ORG, beside the two cities' platforms."""
    async with transaction(engine) as db:
        await ensure_platform(db, "acme", region_code="150300", operator_credit_code=ORG)


async def push(
    api: Api, token: str | None, platform: str, key: str, records: list[Any]
) -> dict[str, Any]:
    return await api.query(token, PUSH, {"platform": platform, "key": key, "records": records})


async def count(engine: AsyncEngine, table: Any, platform: str, **where: Any) -> int:
    query = (
        select(func.count())
        .select_from(table)
        .join(Platform, Platform.id == table.platform_id)
        .where(Platform.code == platform, *(getattr(table, k) == v for k, v in where.items()))
    )
    async with transaction(engine) as db:
        return (await db.execute(query)).scalar_one()


def counts(body: dict[str, Any]) -> dict[str, dict[str, int]]:
    rows = body["data"]["pushRecords"]["counts"]
    return {r["recordType"]: {k: v for k, v in r.items() if k != "recordType"} for r in rows}


def error_code(body: dict[str, Any]) -> str:
    assert body.get("data") is None or body["data"].get("pushRecords") is None, body
    return body["errors"][0]["extensions"]["code"]


async def test_connector_pushes_its_platform_and_a_replay_writes_nothing(
    api: Api, engine: AsyncEngine, token: Callable[..., str], acme: None
) -> None:
    connector = token("connector", platform="acme")
    first = await push(api, connector, "acme", "batch-1", small_ledger())
    assert "errors" not in first, first
    result = first["data"]["pushRecords"]
    assert result["replayed"] is False
    assert result["syncRun"]["trigger"] == "push" and result["syncRun"]["status"] == "SUCCEEDED"
    assert result["syncRun"]["platform"]["code"] == "acme"
    assert counts(first)["session"] == {
        "received": 3,
        "inserted": 3,
        "updated": 0,
        "unchanged": 0,
        "quarantined": 0,
    }

    # The same request again (a client retry): the first answer, and nothing is written.
    second = await push(api, connector, "acme", "batch-1", small_ledger())
    assert second["data"]["pushRecords"]["replayed"] is True
    assert counts(second) == counts(first)
    assert second["data"]["pushRecords"]["syncRun"]["id"] == result["syncRun"]["id"]
    assert await count(engine, SyncRun, "acme") == 1
    assert await count(engine, Trainee, "acme") == 2

    # The same key for other records is refused rather than answered with the first outcome.
    other = [*small_ledger(), trainee("T9", id_number=resident_id(serial="909"))]
    assert error_code(await push(api, connector, "acme", "batch-1", other)) == "BAD_USER_INPUT"
    assert await count(engine, Trainee, "acme") == 2

    # A new key is a new push: the same records are now unchanged.
    third = await push(api, connector, "acme", "batch-2", small_ledger())
    assert counts(third)["trainee"]["unchanged"] == 2
    assert await count(engine, SyncRun, "acme") == 2


async def test_a_key_for_one_platform_never_writes_another(
    api: Api, engine: AsyncEngine, token: Callable[..., str], two_cities: None, acme: None
) -> None:
    before = await count(engine, Trainee, "hh")
    records = [trainee("X1", region_code="150102")]
    for caller in (
        token("connector", platform="wh"),
        token("org", org=ORG),  # operates acme, not hh
        token("region"),
        token("city", region="150100"),
        token("auditor"),
    ):
        body = await push(api, caller, "hh", "k", records)
        assert error_code(body) == "FORBIDDEN", body
    assert error_code(await push(api, None, "hh", "k", records)) == "UNAUTHENTICATED"
    # An unknown platform is refused like another's, so nothing is learnt about it.
    unknown = await push(api, token("connector", platform="wh"), "nowhere", "k", records)
    assert error_code(unknown) == "FORBIDDEN"
    assert await count(engine, Trainee, "hh") == before
    assert await count(engine, SyncRun, "hh") == 0
    async with transaction(engine) as db:
        assert (await db.execute(select(func.count()).select_from(PushReceipt))).scalar_one() == 0


async def test_an_operator_pushes_only_the_platforms_it_operates(
    api: Api, engine: AsyncEngine, token: Callable[..., str], two_cities: None, acme: None
) -> None:
    org = token("org", org=ORG)
    body = await push(api, org, "acme", "org-1", [trainee("O1")])
    assert counts(body)["trainee"]["inserted"] == 1
    assert error_code(await push(api, org, "wh", "org-1", [trainee("O1")])) == "FORBIDDEN"
    missing = await push(api, token("connector", platform="ghost"), "ghost", "k", [])
    assert error_code(missing) == "NOT_FOUND"


async def test_more_than_a_thousand_records_is_bad_user_input(
    api: Api, engine: AsyncEngine, token: Callable[..., str], acme: None
) -> None:
    records = [trainee(f"T{i}") for i in range(1001)]
    body = await push(api, token("connector", platform="acme"), "acme", "big", records)
    assert error_code(body) == "BAD_USER_INPUT"
    assert await count(engine, SyncRun, "acme") == 0


async def test_concurrent_pushes_under_one_key_write_once(
    api: Api, engine: AsyncEngine, token: Callable[..., str], acme: None
) -> None:
    connector = token("connector", platform="acme")
    bodies = await asyncio.gather(
        *(push(api, connector, "acme", "same", small_ledger()) for _ in range(3))
    )
    results = [b["data"]["pushRecords"] for b in bodies]
    assert sorted(r["replayed"] for r in results) == [False, True, True], bodies
    assert len({r["syncRun"]["id"] for r in results}) == 1
    assert await count(engine, SyncRun, "acme") == 1


def ndjson(records: list[Any], extra_lines: list[str] = ()) -> bytes:  # type: ignore[assignment]
    lines = [json.dumps(r, ensure_ascii=False) for r in records] + list(extra_lines)
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def live_hub(engine: AsyncEngine, settings: Settings) -> Any:
    """The hub's app on a real loopback server, with its own engine on the test database."""
    url = engine.url.render_as_string(hide_password=False)
    app = create_app(settings.model_copy(update={"database_url": url}))
    with serve(app) as base_url:
        yield base_url


async def test_bulk_ndjson_is_streamed_in_batches_and_scoped(
    engine: AsyncEngine, token: Callable[..., str], two_cities: None, acme: None, live_hub: str
) -> None:
    many = [trainee(f"B{i}", id_number=resident_id(serial=f"{i % 1000:03d}")) for i in range(2300)]
    body = ndjson(many, ["{not json", ""])

    async def chunks() -> Any:  # a streamed upload, in pieces that split lines
        for start in range(0, len(body), 7001):
            yield body[start : start + 7001]

    connector = {"Authorization": f"Bearer {token('connector', platform='acme')}"}
    async with httpx.AsyncClient(base_url=live_hub, timeout=60) as client:
        response = await client.post(
            "/push/acme/records",
            content=chunks(),
            headers={**connector, "Content-Type": "application/x-ndjson", "Idempotency-Key": "u1"},
        )
        assert response.status_code == 200, response.text
        result = response.json()
        assert result["replayed"] is False
        assert result["counts"]["trainee"]["received"] == 2300
        assert result["counts"]["trainee"]["inserted"] == 2300
        assert result["total"]["quarantined"] == 1  # the line that is not JSON

        replay = await client.post(
            "/push/acme/records", content=body, headers={**connector, "Idempotency-Key": "u1"}
        )
        assert replay.status_code == 200 and replay.json()["replayed"] is True
        assert replay.json()["counts"] == result["counts"]

        # Another platform's connector, and an unauthenticated caller, write nothing to acme.
        intruder = {"Authorization": f"Bearer {token('connector', platform='wh')}"}
        refused = await client.post("/push/acme/records", content=body, headers=intruder)
        assert refused.status_code == 403
        assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert (await client.post("/push/hh/records", content=body)).status_code == 401

    assert await count(engine, Trainee, "acme") == 2300
    assert await count(engine, SyncRun, "acme", trigger="push") == 1
    assert await count(engine, Trainee, "hh") == 1


async def test_a_key_held_by_a_running_upload_conflicts_until_its_claim_expires(
    api: Api, engine: AsyncEngine, token: Callable[..., str], acme: None
) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from hub.push import receipts

    async with transaction(engine) as db:
        platform_id = (
            await db.execute(select(Platform.id).where(Platform.code == "acme"))
        ).scalar_one()
        await receipts.claim(db, platform_id, "busy", pending=True)
    headers = {
        "Authorization": f"Bearer {token('connector', platform='acme')}",
        "Idempotency-Key": "busy",
    }
    body = ndjson(small_ledger())
    busy = await api.client.post("/push/acme/records", content=body, headers=headers)
    assert busy.status_code == 409 and busy.json()["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert await count(engine, Trainee, "acme") == 0

    # The uploader died: once its claim has expired, a retry takes the key over.
    async with transaction(engine) as db:
        await db.execute(update(PushReceipt).values(claimed_until=utcnow() - timedelta(seconds=1)))
    retried = await api.client.post("/push/acme/records", content=body, headers=headers)
    assert retried.status_code == 200 and retried.json()["total"]["inserted"] == 9
    replay = await api.client.post("/push/acme/records", content=body, headers=headers)
    assert replay.json()["replayed"] is True
