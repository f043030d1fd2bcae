"""The kolibri connector against a REAL Kolibri (pip `kolibri`), started offline by the test.

Marked `kolibri`; HUB_TEST_KOLIBRI=0 skips it. The first run installs Kolibri into a cached
venv (about a minute); later runs reuse it and a cached provisioned home.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.base import PlatformConfig
from connectors.http import HttpClient
from hub.db import transaction
from hub.security.pii import PiiVault
from hub.sync.engine import sync_platform
from schema.tables import (
    Assessment,
    Enrolment,
    LearningSession,
    QuarantinedRecord,
    SyncCursor,
    Trainee,
    TrainingClass,
)
from tests.kolibri.live_kolibri import ADMIN, ADMIN_PASSWORD, LiveKolibri, running_kolibri
from tests.records import ORG, resident_id

pytestmark = [
    pytest.mark.kolibri,
    pytest.mark.skipif(os.environ.get("HUB_TEST_KOLIBRI") == "0", reason="HUB_TEST_KOLIBRI=0"),
]

CHANNEL = "c0ffee00c0ffee00c0ffee00c0ffee00"
NAMES = ["张伟", "李娜", "王芳", "刘洋", "陈静", "杨磊"]


def content_id(n: int) -> str:
    return f"{n:032x}"


def session_log(username: str, day: int, n: int, time_spent: float) -> dict[str, Any]:
    return {
        "username": username,
        "content_id": content_id(n),
        "channel_id": CHANNEL,
        "start_timestamp": f"2020-03-{day:02d}T19:00:00+08:00",
        "end_timestamp": f"2020-03-{day:02d}T19:45:00+08:00",
        "time_spent": time_spent,
        "progress": 1.0,
        "kind": "video",
    }


def seed_spec() -> dict[str, Any]:
    """Six learners in two classrooms (the last has no ID number), their logs and exercises."""
    users = [
        {"username": f"learner{i}", "full_name": name, "password": "learner-pass-1"}
        | ({"id_number": resident_id("150302", serial=f"{700 + i:03d}")} if i < 6 else {})
        for i, name in enumerate(NAMES, start=1)
    ]
    sessions = [
        session_log(f"learner{i}", day, 10 * i + day, 2700 - 37 * i)  # the client's own claim
        for i in range(1, 7)
        for day in (3, 4)
    ]
    summary = {
        "channel_id": CHANNEL,
        "start_timestamp": "2020-03-05T19:00:00+08:00",
        "end_timestamp": "2020-03-05T19:20:00+08:00",
        "time_spent": 1200,
    }
    summaries = [
        summary
        | {
            "username": "learner1",
            "content_id": content_id(900),
            "kind": "exercise",
            "progress": 1.0,
            "completion_timestamp": "2020-03-05T19:20:00+08:00",
        },
        summary
        | {
            "username": "learner2",
            "content_id": content_id(900),
            "kind": "exercise",
            "progress": 0.5,
        },
        summary
        | {"username": "learner1", "content_id": content_id(31), "kind": "video", "progress": 1.0},
    ]
    classes = [
        {"name": "电工（五级）2020年第1期", "members": ["learner1", "learner2", "learner3"]},
        {"name": "电工（五级）2020年第2期", "members": ["learner4", "learner5", "learner6"]},
    ]
    return {"users": users, "classes": classes, "sessions": sessions, "summaries": summaries}


@pytest.fixture(scope="module")
def kolibri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveKolibri]:
    """One Kolibri for the module (each engine's run adds its own late log to it)."""
    with running_kolibri(seed_spec(), tmp_path_factory.mktemp("kolibri")) as live:
        yield live


def config(live: LiveKolibri, password: str = ADMIN_PASSWORD) -> PlatformConfig:
    return PlatformConfig(
        code="wuhai-kolibri",
        name="乌海 Kolibri",
        kind="kolibri",
        base_url=live.base_url,
        token=password,
        region="150302",
        operator=ORG,
        page_size=4,  # several pages of users and several batches of logs
        username=ADMIN,
        class_starts_on="2020-03-02",
        class_ends_on="2020-04-30",
        identity_category="rural_migrant_labourer",
        course={
            "title": "电工（五级）线上课程",
            "occupation_name": "电工",
            "occupation_code": "6-31-01-03",
            "skill_level": 5,
            "total_hours": 80,
            "online_hours": 32,
        },
    )


async def count(engine: AsyncEngine, table: Any, *where: Any) -> int:
    async with transaction(engine) as db:
        query = select(func.count()).select_from(table).where(*where)
        return (await db.execute(query)).scalar_one()


async def test_a_real_kolibri_syncs_users_classes_and_logs(
    engine: AsyncEngine, vault: PiiVault, kolibri: LiveKolibri
) -> None:
    async with HttpClient(timeout=30) as client:
        refused = await sync_platform(engine, vault, config(kolibri, "wrong"), client)
        assert refused.error and "AuthError" in refused.error and "rejected" in refused.error

        first = await sync_platform(engine, vault, config(kolibri), client)
        assert first.ok, first.error
        assert await count(engine, Trainee) == 5
        assert await count(engine, TrainingClass) == 2
        assert await count(engine, Enrolment) == 5
        earlier_runs = len(kolibri.added_sessions)  # late logs added for the other engine
        assert await count(engine, LearningSession) == 10 + earlier_runs
        assert await count(engine, Assessment) == 2
        # learner6 has no ID number: quarantined, and its enrolment and sessions wait for it.
        open_entries = QuarantinedRecord.resolved_at.is_(None)
        assert await count(engine, QuarantinedRecord, open_entries) == 4
        assert first.stats.by_type["trainee"].quarantined == 1

        async with transaction(engine) as db:
            rows = (await db.execute(select(LearningSession))).scalars().all()
            trainees = (await db.execute(select(Trainee))).scalars().all()
            passed = (await db.execute(select(Assessment.passed, Assessment.score))).all()
        # The hub's duration from start and end, beside the seconds Kolibri's client claimed.
        assert {r.duration_seconds for r in rows} == {2700}
        claimed = {r.reported_seconds for r in rows} - {1800}  # 1800: the other run's late log
        assert sorted(claimed) == [2700 - 37 * i for i in range(5, 0, -1)]
        assert sorted(t.name for t in trainees) == sorted(NAMES[:5])
        assert {str(t.identity_category) for t in trainees} == {"rural_migrant_labourer"}
        assert sorted(passed) == [(False, 50.0), (True, 100.0)]

        # A new log on Kolibri: the next run adds it; every run reads every log, the rest unchanged.
        kolibri.add_session(session_log("learner1", 6 + earlier_runs, 99 + earlier_runs, 1800))
        second = await sync_platform(engine, vault, config(kolibri), client)
        assert second.ok, second.error
        sessions = second.stats.by_type["session"]
        assert (sessions.inserted, sessions.updated, sessions.unchanged) == (
            1,
            0,
            10 + earlier_runs,
        )
        assert second.stats.by_type["trainee"].inserted == 0
        assert await count(engine, LearningSession) == 11 + earlier_runs
        async with transaction(engine) as db:
            cursor = (
                await db.execute(select(SyncCursor.cursor).where(SyncCursor.stream == "session"))
            ).scalar_one()
        assert cursor == {"rows": 12 + 1 + earlier_runs}  # learner6's two logs are read too
