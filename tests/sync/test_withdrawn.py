"""Records withdrawn on a platform are withdrawn in the hub: gone from the live tables (reads,
roll-up, rules), kept in their history with a withdrawal version chained into the ledger; a
record the platform sends again comes back with its history going on.

Only where a run proves what the platform holds: the workbook kinds list every id (a census), so
the spreadsheet platform and the xAPI platform's roster withdraw every run, and so do Moodle's
whole reads (its grades here); the rest_json platform's change feed proves nothing about absent
records, so there a full read (`hub reconcile`) withdraws them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from sqlalchemy import select

from hub.db import transaction
from hub.ingest.withdraw import WITHDRAWN
from hub.supervision.ledger import verify
from hub.sync.engine import SyncResult, reconcile_platform
from schema.enums import SyncStatus
from schema.tables import RecordVersion, SyncRun, Trainee
from tests.stats.test_rollup import _assert_rollup_matches_raw
from tests.sync.kinds import SimPlatform, fast_client, hub_key, small_platform, start
from tests.sync.test_completeness import (
    assert_alerts_are_the_rules_verdict,
    assert_hub_equals_platform,
    assert_persons_follow_trainees,
    open_alerts,
    sync,
)

KINDS = ["rest_json", "moodle", "xapi", "spreadsheet"]


async def reconcile(engine, vault, sim: SimPlatform) -> SyncResult:
    """`hub reconcile`: every stream read whole from no cursor."""
    async with fast_client() as client:
        result = await reconcile_platform(engine, vault, sim.config, client)
    assert result.ok, result.error
    return result


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return small_platform()


@pytest.fixture(params=KINDS)
def sim(request: pytest.FixtureRequest, records: list[dict]) -> Iterator[SimPlatform]:
    with ExitStack() as stack:
        yield start(stack, request.param, records)


def _enrolment_and_its_records(data: dict[tuple[str, str], dict]) -> list[tuple[str, str]]:
    """One enrolment and what its trainee did in that class: taken off the class together."""
    (_, sid), enrolment = min((k, r) for k, r in data.items() if k[0] == "enrolment")
    pair = (enrolment["trainee_source_id"], enrolment["class_source_id"])
    return [("enrolment", sid)] + sorted(
        (t, s)
        for (t, s), r in data.items()
        if t in ("session", "assessment", "certificate")
        and (r.get("trainee_source_id"), r.get("class_source_id")) == pair
    )


async def _history(engine, record_type: str, source_id: str) -> list[tuple[int, list | None]]:
    async with transaction(engine) as db:
        rows = await db.execute(
            select(RecordVersion.version, RecordVersion.changed_fields)
            .where(RecordVersion.record_type == record_type, RecordVersion.source_id == source_id)
            .order_by(RecordVersion.version)
        )
        return [(v, f) for v, f in rows.all()]


async def test_a_record_deleted_on_the_platform_is_withdrawn_and_can_come_back(engine, vault, sim):
    platform = sim.platform
    assert platform is not None
    first = await sync(engine, vault, sim)
    assert first.status == SyncStatus.SUCCEEDED, first.differences
    alerts_before = await open_alerts(engine)

    data = platform.canonical()
    kind = sim.config.kind
    # Moodle has no certificates and its session report withdraws nothing: a grade goes.
    last = "assessment" if kind == "moodle" else "certificate"
    keys = [(last, sorted(s for (t, s) in data if t == last)[-1])]
    if kind in ("spreadsheet", "rest_json"):  # an LRS's statements cannot be taken back
        keys += _enrolment_and_its_records(data)
    gone = {key: platform.withdraw(*key) for key in dict.fromkeys(keys)}
    assert len({k for k, _ in gone}) >= (1 if kind in ("xapi", "moodle") else 4)

    if kind == "rest_json":  # an incremental read proves nothing about absent records ...
        blind = await sync(engine, vault, sim)
        assert not blind.withdrawn.withdrawn
        second = await reconcile(engine, vault, sim)  # ... a full read does
    else:
        second = await sync(engine, vault, sim)
    assert second.status == SyncStatus.SUCCEEDED, second.differences
    in_hub = {hub_key(sim, kind, record): record for (kind, _), record in gone.items()}
    assert {(k, s) for k, ids in second.withdrawn.withdrawn.items() for s in ids} == set(in_hub)
    assert all(not c.extra for c in second.checks), "withdrawn records still only in the hub"
    await assert_hub_equals_platform(engine, vault, sim)
    await assert_persons_follow_trainees(engine)
    await _assert_rollup_matches_raw(engine, thorough=False)
    assert await open_alerts(engine) - alerts_before == set(), "false alerts"
    await assert_alerts_are_the_rules_verdict(engine)
    for record_type, sid in in_hub:
        assert (await _history(engine, record_type, sid)) == [(1, None), (2, [WITHDRAWN])]
    async with transaction(engine) as db:
        assert (await verify(db)).intact, "the ledger chain must hold the withdrawal versions"

    third = await sync(engine, vault, sim)  # nothing more to withdraw, nothing flaps
    assert third.status == SyncStatus.SUCCEEDED and not third.withdrawn.withdrawn

    for record in gone.values():  # the platform takes them back
        platform.upsert(record)
    fourth = await (reconcile if kind == "rest_json" else sync)(engine, vault, sim)
    assert fourth.status == SyncStatus.SUCCEEDED, fourth.differences
    await assert_hub_equals_platform(engine, vault, sim)
    await _assert_rollup_matches_raw(engine, thorough=False)
    for record_type, sid in in_hub:
        assert (await _history(engine, record_type, sid)) == [
            (1, None),
            (2, [WITHDRAWN]),
            (3, [WITHDRAWN]),
        ]
    async with transaction(engine) as db:
        assert (await verify(db)).intact


@pytest.mark.parametrize("sim", ["spreadsheet"], indirect=True)
async def test_a_withdrawn_record_something_still_needs_is_kept_and_listed(engine, vault, sim):
    platform = sim.platform
    assert platform is not None
    await sync(engine, vault, sim)
    data = platform.canonical()
    # A trainee taken off the roster sheet while the learning sheet still has its sessions.
    learner = sorted({r["trainee_source_id"] for (t, _), r in data.items() if t == "session"})[0]
    platform.withdraw("trainee", learner)

    second = await sync(engine, vault, sim)
    assert second.status == SyncStatus.SUCCEEDED, second.differences
    assert second.withdrawn.withdrawn == {}
    assert second.withdrawn.kept == {"trainee": [learner]}
    async with transaction(engine) as db:
        held = await db.execute(select(Trainee.id).where(Trainee.source_id == learner))
        assert held.first() is not None, "its sessions still point at it"
        stats = (
            await db.execute(select(SyncRun.stats).where(SyncRun.id == second.run_id))
        ).scalar_one()
    assert stats["withdrawn"] == {"trainee": {"kept_ids": [learner]}}
    assert stats["reconciliation"]["trainee"]["extra_ids"] == [learner]  # still listed
    assert await _history(engine, "trainee", learner) == [(1, None)]  # nothing written
