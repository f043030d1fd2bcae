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

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.http import HttpClient
from connectors.kolibri import KolibriConnector
from hub.db import transaction
from hub.security.pii import PiiVault
from hub.sync.engine import SyncResult, sync_platform
from schema.enums import SyncStatus
from schema.tables import Alert, Assessment, LearningSession, SyncRun, Trainee
from tests.kolibri.live_kolibri import LiveKolibri, running_kolibri
from tests.kolibri.test_kolibri_sync import config, content_id, count, seed_spec, session_log
from tests.records import resident_id
from tests.sync.kinds import hub_state
from tests.sync.test_completeness import assert_persons_follow_trainees
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
