"""A real Kolibri changing under the hub: a late back-dated log, an exercise passed on retry,
a renamed username and a corrected ID number. After each sync the hub holds what a fresh sync of
the same Kolibri holds (every record, field by field), nothing twice, no false alert, and every
run says `succeeded` truthfully.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors import kolibri_mapping as mapping
from connectors.http import HttpClient
from connectors.kolibri import KolibriConnector
from hub.db import transaction
from hub.ingest.versions import REKEYED_FROM
from hub.ingest.withdraw import WITHDRAWN
from hub.security.pii import PiiVault
from hub.supervision.ledger import verify
from hub.sync.engine import SyncResult, sync_platform
from schema.enums import SyncStatus
from schema.tables import (
    Alert,
    Assessment,
    Enrolment,
    LearningSession,
    Platform,
    RecordVersion,
    SyncRun,
    Trainee,
    TrainingClass,
)
from tests.kolibri.live_kolibri import LiveKolibri, running_kolibri
from tests.kolibri.test_kolibri_sync import config, content_id, count, seed_spec, session_log
from tests.records import resident_id
from tests.sync.kinds import hub_state
from tests.sync.test_completeness import (
    alerted_records,
    assert_alerts_are_the_rules_verdict,
    assert_persons_follow_trainees,
)
from tests.sync.test_killed_sync import hub_sync, kill_after_a_batch

pytestmark = [
    pytest.mark.kolibri,
    pytest.mark.skipif(os.environ.get("HUB_TEST_KOLIBRI") == "0", reason="HUB_TEST_KOLIBRI=0"),
]
CODE = "wuhai-kolibri"


@pytest.fixture
def kolibri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveKolibri]:
    """A Kolibri of its own per test (the test changes it)."""
    with running_kolibri(seed_spec(), tmp_path_factory.mktemp("kolibri")) as live:
        yield live


async def run(engine: AsyncEngine, vault: PiiVault, live: LiveKolibri, code: str = CODE):
    cfg = config(live).model_copy(update={"code": code})
    async with HttpClient(timeout=30) as client:
        result: SyncResult = await sync_platform(engine, vault, cfg, client)
    assert result.ok, result.error
    assert result.status == SyncStatus.SUCCEEDED, result.differences
    return result


async def assert_like_a_fresh_sync(engine: AsyncEngine, vault: PiiVault, live: LiveKolibri):
    """The incrementally kept hub equals a first sync of the Kolibri as it is now."""
    fresh = f"fresh-{await count(engine, SyncRun)}"
    await run(engine, vault, live, fresh)
    kept, fresh_state = await hub_state(engine, CODE), await hub_state(engine, fresh)
    assert kept == fresh_state


async def test_late_logs_retries_renames_and_corrected_ids_on_a_real_kolibri(
    engine: AsyncEngine, vault: PiiVault, kolibri: LiveKolibri
) -> None:
    kolibri.change({"sessions": [session_log("learner5", 25, 500, 2400)]})
    first = await run(engine, vault, kolibri)
    assert await count(engine, LearningSession) == 11
    assert sorted((await _results(engine)).values()) == [(False, 50.0), (True, 100.0)]
    alerts_before = await _open_alerts(engine)

    kolibri.change(
        {
            # a tablet syncs in a log that started two weeks before the newest the hub has seen
            "sessions": [session_log("learner4", 10, 400, 2700)],
            # learner2 retried the exercise and passed
            "summary_updates": [
                {
                    "username": "learner2",
                    "content_id": content_id(900),
                    "progress": 1.0,
                    "completion_timestamp": "2020-03-20T20:00:00+08:00",
                }
            ],
            "rename": {"learner1": "zhangwei.1990"},
            "id_numbers": {"learner3": resident_id("150302", "19870707", "733")},
        }
    )
    second = await run(engine, vault, kolibri)
    assert second.run_id > first.run_id
    sessions = second.stats.by_type["session"]
    assert (sessions.inserted, sessions.updated) == (1, 0)  # the late log; the rename changes none
    assert await count(engine, LearningSession) == 12
    assert second.stats.by_type["assessment"].updated == 1
    assert sorted((await _results(engine)).values()) == [(True, 100.0), (True, 100.0)]
    async with transaction(engine) as db:
        stats = (
            await db.execute(select(SyncRun.stats).where(SyncRun.id == second.run_id))
        ).scalar_one()
    for stream in ("trainee", "enrolment", "session", "assessment"):
        check = stats["reconciliation"][stream]
        assert (check["missing"], check["extra"]) == (0, 0) and check["platform"] == check["hub"]
    await assert_persons_follow_trainees(engine)
    new_rules = {rule for rule, _ in await _open_alerts(engine) - alerts_before}
    assert new_rules <= {"RETROACTIVE_CHANGE"}  # learner3's identity changed after first report
    learner3 = (await _ids_by_username(kolibri))["learner3"]
    assert await alerted_records(engine, "RETROACTIVE_CHANGE") <= {("trainee", learner3)}
    await assert_alerts_are_the_rules_verdict(engine)
    await assert_like_a_fresh_sync(engine, vault, kolibri)


async def _results(engine: AsyncEngine) -> dict[str, tuple[bool, float]]:
    async with transaction(engine) as db:
        rows = await db.execute(
            select(Assessment.source_id, Assessment.passed, Assessment.score)
            .join(Trainee, Trainee.id == Assessment.trainee_id)
            .where(Trainee.platform_id == Assessment.platform_id)
        )
        return {sid: (passed, score) for sid, passed, score in rows.all()}


async def _open_alerts(engine: AsyncEngine) -> set[tuple[str, str]]:
    async with transaction(engine) as db:
        rows = await db.execute(select(Alert.rule, Alert.dedup_key).where(Alert.status == "open"))
        return set(rows.all())


async def test_a_rename_while_users_are_paged_and_a_kill_9_on_a_real_kolibri(
    engine: AsyncEngine,
    vault: PiiVault,
    kolibri: LiveKolibri,
    data_key_b64: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Users are paged by username, four a page: renaming learner5 to the front of the list
    # after the first page shifts the second page by one, past learner5.
    pages: list[int] = []
    real_get = KolibriConnector._get

    async def get(self: KolibriConnector, path: str, params: dict | None = None):
        body = await real_get(self, path, params)
        if path == "/api/auth/facilityuser/" and not pages:
            pages.append(1)
            await asyncio.to_thread(kolibri.change, {"rename": {"learner5": "aa.learner5"}})
        return body

    monkeypatch.setattr(KolibriConnector, "_get", get)
    await run(engine, vault, kolibri)
    monkeypatch.undo()
    assert await count(engine, Trainee) == 5  # learner6 still has no ID number
    await assert_like_a_fresh_sync(engine, vault, kolibri)

    process = hub_sync(config(kolibri), engine, data_key_b64, tmp_path)
    killed, _ = await kill_after_a_batch(engine, process)
    await run(engine, vault, kolibri)
    async with transaction(engine) as db:
        dead = await db.get(SyncRun, killed.id, populate_existing=True)
        assert dead is not None and dead.status == SyncStatus.ABANDONED
    await assert_like_a_fresh_sync(engine, vault, kolibri)


async def _platform_memberships(live: LiveKolibri) -> dict[str, tuple[str, str]]:
    """Kolibri's class memberships as they are now: id -> (classroom id, user id)."""
    async with HttpClient(timeout=30) as client:
        connector = KolibriConnector(config(live), client)
        found = await connector.memberships()
    return {m["id"]: (m["collection"], m["user"]) for m in found}


async def _hub_enrolments(engine: AsyncEngine, code: str = CODE) -> dict[str, tuple[str, str]]:
    """The hub's enrolments of one platform: source id -> (class source id, trainee source id)."""
    async with transaction(engine) as db:
        rows = await db.execute(
            select(Enrolment.source_id, TrainingClass.source_id, Trainee.source_id)
            .join(TrainingClass, TrainingClass.id == Enrolment.class_id)
            .join(Trainee, Trainee.id == Enrolment.trainee_id)
            .join(Platform, Platform.id == Enrolment.platform_id)
            .where(Platform.code == code)
        )
        return {sid: (klass, trainee) for sid, klass, trainee in rows.all()}


async def test_a_learner_moved_to_another_classroom_on_a_real_kolibri(
    engine: AsyncEngine, vault: PiiVault, kolibri: LiveKolibri
) -> None:
    await run(engine, vault, kolibri)
    alerts_before = await _open_alerts(engine)
    learners = await _platform_memberships(kolibri)
    assert await _hub_enrolments(engine) == await _held(engine, learners)
    ids = await _ids_by_username(kolibri)
    (left,) = [sid for sid, (_, user) in learners.items() if user == ids["learner3"]]
    sessions_before = await _session_classes(engine, ids["learner3"])

    kolibri.change({"move": {"learner3": "电工（五级）2020年第2期"}})
    moved = await run(engine, vault, kolibri)
    now = await _platform_memberships(kolibri)
    assert left not in now and len(now) == len(learners)
    # The hub equals Kolibri: the old membership withdrawn, the new one stored, nothing twice.
    assert moved.withdrawn.withdrawn == {"enrolment": [left]}
    assert moved.stats.by_type["enrolment"].inserted == 1
    assert await _hub_enrolments(engine) == await _held(engine, now)  # field by field
    (new_class,) = {klass for klass, user in now.values() if user == ids["learner3"]}
    # learner3's logs follow the learner's classroom (Kolibri's logs name no class).
    assert set((await _session_classes(engine, ids["learner3"])).values()) == {new_class}
    assert set(await _session_classes(engine, ids["learner3"])) == set(sessions_before)
    async with transaction(engine) as db:
        stats = (
            await db.execute(select(SyncRun.stats).where(SyncRun.id == moved.run_id))
        ).scalar_one()
        history = (
            await db.execute(
                select(RecordVersion.version, RecordVersion.changed_fields).where(
                    RecordVersion.source_id == left
                )
            )
        ).all()
        assert (await verify(db)).intact
    for stream in ("trainee", "class", "enrolment", "session", "assessment"):
        check = stats["reconciliation"][stream]
        assert (check["missing"], check["extra"]) == (0, 0), (stream, check)
    assert stats["withdrawn"] == {"enrolment": {"withdrawn": 1}}
    assert sorted(history) == [(1, None), (2, [WITHDRAWN])]  # kept in the ledger
    assert await _open_alerts(engine) - alerts_before == set(), "false alerts"
    await assert_alerts_are_the_rules_verdict(engine)
    await assert_persons_follow_trainees(engine)
    await assert_like_a_fresh_sync(engine, vault, kolibri)
    again = await run(engine, vault, kolibri)  # a settled hub: nothing withdrawn or changed
    assert not again.withdrawn.withdrawn and again.stats.total.updated == 0


async def _held(
    engine: AsyncEngine, memberships: dict[str, tuple[str, str]]
) -> dict[str, tuple[str, str]]:
    """The memberships the hub must hold: all but learner6's (no ID number: in quarantine)."""
    return {sid: pair for sid, pair in memberships.items() if await _has_id_number(engine, pair[1])}


async def _has_id_number(engine: AsyncEngine, user_id: str) -> bool:
    async with transaction(engine) as db:
        found = await db.execute(select(Trainee.id).where(Trainee.source_id == user_id))
        return found.first() is not None


async def _ids_by_username(live: LiveKolibri) -> dict[str, str]:
    async with HttpClient(timeout=30) as client:
        connector = KolibriConnector(config(live), client)
        await connector.check()
        return {u["username"]: u["id"] for u in await connector.facility_users()}


async def _session_classes(engine: AsyncEngine, user_id: str) -> dict[str, str]:
    """One Kolibri learner's sessions in the hub: source id -> class source id."""
    async with transaction(engine) as db:
        rows = await db.execute(
            select(LearningSession.source_id, TrainingClass.source_id)
            .join(TrainingClass, TrainingClass.id == LearningSession.class_id)
            .join(Trainee, Trainee.id == LearningSession.trainee_id)
            .where(Trainee.source_id == user_id)
        )
        return dict(rows.all())


async def test_logs_stored_under_username_keys_are_rekeyed_in_place_on_a_real_kolibri(
    engine: AsyncEngine,
    vault: PiiVault,
    kolibri: LiveKolibri,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The connector as it was before logs were keyed by user id: keyed by username.
    for kind in ("session", "assessment"):
        monkeypatch.setattr(mapping, kind, _keyed_by_username(kind, getattr(mapping, kind)))
    await run(engine, vault, kolibri)
    monkeypatch.undo()
    old = await _log_rows(engine)
    assert old and all(_legacy_shape(sid) for sid in old.values())

    upgraded = await run(engine, vault, kolibri)  # the connector of today, on the same hub
    assert not upgraded.withdrawn.withdrawn
    for kind in ("session", "assessment"):
        stats = upgraded.stats.by_type[kind]
        assert stats.inserted == 0 and stats.updated == 0, (kind, stats)
    new = await _log_rows(engine)
    assert set(new) == set(old), "the same rows (same ids), none added, none lost"
    async with transaction(engine) as db:
        for (kind, row_id), old_sid in old.items():
            new_sid = new[(kind, row_id)]
            assert new_sid != old_sid
            versions = (
                await db.execute(
                    select(
                        RecordVersion.source_id,
                        RecordVersion.version,
                        RecordVersion.changed_fields,
                        RecordVersion.payload,
                    )
                    .where(RecordVersion.source_id.in_([old_sid, new_sid]))
                    .order_by(RecordVersion.version)
                )
            ).all()
            assert [(s, v, f) for s, v, f, _ in versions] == [
                (old_sid, 1, None),
                (new_sid, 2, ["source_id"]),
            ]
            assert versions[1].payload[REKEYED_FROM] == old_sid
        assert (await verify(db)).intact
    await assert_like_a_fresh_sync(engine, vault, kolibri)
    again = await run(engine, vault, kolibri)
    assert again.stats.total.inserted == 0 and again.stats.total.updated == 0


def _keyed_by_username(kind: str, to_record: Any) -> Any:
    def mapped(row: dict[str, str], directory: mapping.Directory) -> dict | None:
        record = to_record(row, directory)
        if record is not None and record.get("source_id"):
            record["source_id"] = mapping.legacy_source_id(kind, row)
        return record

    return mapped


def _legacy_shape(source_id: str) -> bool:
    return len(source_id) == 21 and source_id[0] in "sa"


async def _log_rows(engine: AsyncEngine) -> dict[tuple[str, int], str]:
    """(kind, row id) -> source id of every session and assessment of the platform."""
    async with transaction(engine) as db:
        out: dict[tuple[str, int], str] = {}
        for kind, table in (("session", LearningSession), ("assessment", Assessment)):
            rows = await db.execute(select(table.id, table.source_id))
            out.update({(kind, row_id): sid for row_id, sid in rows.all()})
        return out
