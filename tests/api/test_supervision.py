"""Alerts over GraphQL: scoped per role, filtered, counted, reviewed; the ledger's status."""

from __future__ import annotations

from collections.abc import Callable

import pytest_asyncio
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.security.pii import PiiVault
from hub.supervision.rules import check
from schema.tables import RecordVersion
from tests.api.conftest import Api
from tests.supervision.build_fixtures import HH, ORG_B, WH
from tests.supervision.planted import EXPECTED, add_claims_and_approvals, import_round

ALERTS = """query($filter: AlertFilter) {
  alerts(filter: $filter, first: 100) {
    totalCount
    edges { node { id rule severity status evidence reviewer reviewReason
                   records { platform { code } type sourceId } } }
  }
}"""
COUNTS = "query($filter: AlertFilter) { alertCounts(filter: $filter) { rule status count } }"
DISMISS = """mutation($id: ID!, $reason: String!) {
  dismissAlert(id: $id, reason: $reason) { id status reviewer reviewReason }
}"""
CONFIRM = "mutation($id: ID!) { confirmAlert(id: $id) { id status reviewer } }"
LEDGER = "{ ledgerStatus { intact entries firstBrokenSeq reason } }"
ON_HOHHOT = {"OVERLAPPING_SESSIONS", "IDENTITY_MISMATCH", "DOUBLE_CLAIM"}  # one alert each


@pytest_asyncio.fixture(loop_scope="session")
async def planted(engine: AsyncEngine, vault: PiiVault) -> None:
    """The planted records (without the clean base), claims, approvals, and a full check."""
    await import_round(engine, vault, 1)
    await import_round(engine, vault, 2)
    await add_claims_and_approvals(engine)
    await check(engine)


async def _nodes(api: Api, token: str, **filter: str) -> list[dict]:
    data = await api.data(token, ALERTS, {"filter": filter or None})
    nodes = [e["node"] for e in data["alerts"]["edges"]]
    assert data["alerts"]["totalCount"] == len(nodes)
    return nodes


async def test_alerts_are_scoped_filtered_counted_and_reviewed(
    api: Api, token: Callable[..., str], planted: None
) -> None:
    everything = await _nodes(api, token("region"))
    assert len(everything) == len(EXPECTED["alerts"])
    double = next(n for n in everything if n["rule"] == "DOUBLE_CLAIM")
    assert double["severity"] == "high" and double["evidence"]["year"] == 2020
    assert {(r["platform"]["code"], r["type"]) for r in double["records"]} == {
        (WH, "enrolment"),
        (HH, "enrolment"),
    }
    evidence = {(n["rule"], n["severity"]): n["evidence"] for n in everything}
    assert evidence[("DAILY_HOURS_EXCEEDED", "medium")] == {
        "day": "2020-03-04",
        "total_seconds": 8.5 * 3600,
        "limit_seconds": 8 * 3600,
        "sessions": 2,
    }
    moved = next(
        n["evidence"]
        for n in everything
        if n["rule"] == "RETROACTIVE_CHANGE" and n["records"][0]["sourceId"] == "XR2"
    )
    assert moved["values"] == {
        "started_at": ["2020-03-24T19:00:00+08:00", "2020-03-24T18:20:00+08:00"]
    }
    assert [h["fields"] for h in moved["history"]] == [["started_at"]]
    assert len(await _nodes(api, token("city", region="150300"))) == len(everything)
    hohhot = await _nodes(api, token("city", region="150100"))
    assert sorted(n["rule"] for n in hohhot) == sorted(ON_HOHHOT)
    # a cross-platform alert's records show their platform (code and name), Wuhai's included
    assert {
        r["platform"]["code"] if r["platform"] else None for n in hohhot for r in n["records"]
    } == {HH, WH}
    assert await _nodes(api, token("district", region="150303")) == []
    org = await _nodes(api, token("org", org=ORG_B))
    assert [(n["rule"], n["severity"]) for n in org] == [("RETROACTIVE_CHANGE", "high")]
    connector = await _nodes(api, token("connector", platform=HH))
    assert sorted(n["rule"] for n in connector) == sorted(ON_HOHHOT)
    assert await _nodes(api, token("finance", region="150300")) == []

    # filters and counts
    region = token("region")
    on_hohhot = await _nodes(api, region, platform=HH)
    assert sorted(n["rule"] for n in on_hohhot) == sorted(ON_HOHHOT)
    assert [n["rule"] for n in await _nodes(api, region, region="150102")] == [
        n["rule"] for n in on_hohhot
    ]
    bulk = await _nodes(api, region, rule="BULK_FABRICATION", severity="high", status="open")
    assert len(bulk) == 2
    assert await _nodes(api, region, organisation=ORG_B) == await _nodes(
        api, region, rule="RETROACTIVE_CHANGE", severity="high"
    )
    counts = (await api.data(region, COUNTS))["alertCounts"]
    assert sum(c["count"] for c in counts) == len(EXPECTED["alerts"])
    by_rule = {c["rule"]: c["count"] for c in counts}
    assert by_rule["SESSION_OUTSIDE_CLASS"] == 3 and by_rule["IDENTITY_MISMATCH"] == 4
    hohhot = (await api.data(token("city", region="150100"), COUNTS))["alertCounts"]
    assert {c["rule"]: c["count"] for c in hohhot} == dict.fromkeys(ON_HOHHOT, 1)

    # review by the bureaus whose scope the alert is in
    district = token("district", region="150302")
    target = next(n for n in await _nodes(api, district) if n["rule"] == "NOT_ON_ROSTER")
    missing = await api.query(district, DISMISS, {"id": target["id"], "reason": "  "})
    assert missing["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    foreign = await api.query(token("city", region="150100"), CONFIRM, {"id": target["id"]})
    assert foreign["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    refused = await api.query(token("org", org=ORG_B), CONFIRM, {"id": target["id"]})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    reason = "trainee enrolled on paper; roster upload pending"
    done = (await api.data(district, DISMISS, {"id": target["id"], "reason": reason}))[
        "dismissAlert"
    ]
    assert done == {
        "id": target["id"],
        "status": "dismissed",
        "reviewer": "district:150302",
        "reviewReason": reason,
    }
    counts = (await api.data(district, COUNTS, {"filter": {"rule": "NOT_ON_ROSTER"}}))[
        "alertCounts"
    ]
    assert counts == [{"rule": "NOT_ON_ROSTER", "status": "dismissed", "count": 1}]
    confirmed = await api.data(token("city", region="150300"), CONFIRM, {"id": target["id"]})
    assert confirmed["confirmAlert"]["status"] == "confirmed"


async def test_ledger_status_for_region_and_auditors(
    api: Api, token: Callable[..., str], engine: AsyncEngine, two_cities: None
) -> None:
    status = (await api.data(token("region"), LEDGER))["ledgerStatus"]
    assert status["intact"] and status["entries"] > 0 and status["firstBrokenSeq"] is None
    denied = await api.query(token("city", region="150300"), LEDGER)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    async with engine.begin() as conn:
        first = (await conn.execute(select(RecordVersion.id).order_by(RecordVersion.id))).scalar()
        await conn.execute(
            update(RecordVersion).where(RecordVersion.id == first).values(content_hash="f" * 64)
        )
    broken = (await api.data(token("auditor"), LEDGER))["ledgerStatus"]
    assert broken["intact"] is False and broken["firstBrokenSeq"] == 1
