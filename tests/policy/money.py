"""Helpers of the money-path lifecycle tests: records by day, alerts, and the claim as the API shows it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from hub.db import transaction
from hub.ingest import Ingestor, IngestStats
from hub.platforms.service import ensure_platform
from hub.supervision.rules import check
from schema.tables import QuarantinedRecord
from tests.api.conftest import Api
from tests.policy.flow import CLAIM_FIELDS, PLATFORM, WuhaiClass
from tests.records import session

CLAIM = (
    "query($id: ID!) { node(id: $id) { ... on SubsidyClaim { "
    + CLAIM_FIELDS
    + """ paidAmount recomputations recoveredAmount toRecoverAmount netPaidAmount
      blockingAlerts { id rule severity records { type sourceId } } blockingAlertCount
      recoveries { id amount status reason alerts } } } }"""
)
ALERTS = """query($rule: String!) { alerts(filter: {rule: $rule, status: "open"}, first: 50) {
  edges { node { id rule severity evidence records { type sourceId } } } } }"""
CONFIRM = "mutation($id: ID!, $r: String) { confirmAlert(id: $id, reason: $r) { id status } }"


def at(day: date, hour: int, minute: int = 0) -> str:
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}:00+08:00"


def online(source_id: str, letter: str, day: date, start: int, end: int, klass: str = "K1") -> dict:
    return session(source_id, f"T{letter}", at(day, start), at(day, end), class_source_id=klass)


def offline(source_id: str, letter: str, day: date, start: int, end: int) -> dict:
    return session(
        source_id, f"T{letter}", at(day, start), at(day, end), class_source_id="K1", mode="offline"
    )


def assessment(letter: str, day: date, passed: bool) -> dict[str, Any]:
    return {
        "type": "assessment",
        "source_id": f"Q{letter}",
        "trainee_source_id": f"T{letter}",
        "class_source_id": "K1",
        "assessed_at": at(day, 9),
        "passed": passed,
    }


def certificate(letter: str, issued_on: date) -> dict[str, Any]:
    return {
        "type": "certificate",
        "source_id": f"Z{letter}",
        "trainee_source_id": f"T{letter}",
        "class_source_id": "K1",
        "kind": "skill_level",
        "number": f"NM-2020-{letter}",
        "issued_on": issued_on.isoformat(),
        "occupation_code": "6-31-01-03",
        "skill_level": 5,
    }


async def report(w: WuhaiClass, records: list[dict[str, Any]]) -> IngestStats:
    """The platform reports records now (the hub's clock); the fraud rules re-check, as after
    every sync or import."""
    async with transaction(w.engine) as db:
        platform = await ensure_platform(db, PLATFORM)
        stats = await Ingestor(db, platform.id, w.vault).ingest(records)
    await check(w.engine)
    return stats


async def quarantine_reason(w: WuhaiClass, source_id: str) -> str:
    async with transaction(w.engine) as db:
        return (
            await db.execute(
                select(QuarantinedRecord.reason).where(QuarantinedRecord.source_id == source_id)
            )
        ).scalar_one()


async def open_alert(api: Api, tok: str, rule: str, source_id: str) -> dict[str, Any]:
    """The open alert of `rule` naming the record `source_id`."""
    edges = (await api.data(tok, ALERTS, {"rule": rule}))["alerts"]["edges"]
    found = [
        e["node"] for e in edges if any(r["sourceId"] == source_id for r in e["node"]["records"])
    ]
    assert len(found) == 1, edges
    return found[0]


async def claim_now(api: Api, tok: str, claim_id: str) -> dict[str, Any]:
    return (await api.data(tok, CLAIM, {"id": claim_id}))["node"]


async def refusal(api: Api, tok: str, mutation: str, claim_id: str) -> str:
    """The message of a BAD_USER_INPUT refusal of a claim step."""
    body = await api.query(
        tok, "mutation($id: ID!) { " + mutation + "(id: $id) { id status } }", {"id": claim_id}
    )
    assert body.get("data") is None or body["data"].get(mutation) is None, body
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    return error["message"]


def credited(claim: dict[str, Any], trainees: dict[str, str]) -> dict[str, float]:
    """Credited hours per trainee letter."""
    by_id = {line["trainee"]: line["creditedHours"] for line in claim["lines"]}
    return {letter: by_id[gid] for letter, gid in trainees.items() if gid in by_id}


def days(start: date, *offsets: int) -> list[date]:
    return [start + timedelta(days=n) for n in offsets]
