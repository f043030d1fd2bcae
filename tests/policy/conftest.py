"""Fixtures of the policy tests: the API client and tokens, and the Wuhai class (see flow.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.api.relay import to_global_id
from hub.db import transaction
from hub.platforms.service import ensure_platform
from hub.policy.calendar import china_day
from hub.security.pii import PiiVault
from schema.enums import PlatformType
from schema.tables import Trainee, TrainingClass
from schema.types import utcnow
from tests.api.conftest import api, settings, token  # noqa: F401  (shared fixtures)
from tests.policy.flow import PLATFORM, WuhaiClass, ledger


@pytest_asyncio.fixture(loop_scope="session")
async def wuhai(engine: AsyncEngine, vault: PiiVault) -> AsyncIterator[WuhaiClass]:
    today = china_day(utcnow())
    assert today is not None
    start = today + timedelta(days=3)
    async with transaction(engine) as db:
        await ensure_platform(
            db,
            PLATFORM,
            name="乌海职业技能云课堂",
            url="https://wh-3p.example",
            region_code="150300",
            platform_type=PlatformType.THIRD_PARTY,
        )
    fixture = WuhaiClass("", {}, start, start + timedelta(days=40), engine, vault)
    await fixture.ingest(ledger(start))
    async with engine.connect() as conn:
        class_id = (
            await conn.execute(select(TrainingClass.id).where(TrainingClass.source_id == "K1"))
        ).scalar_one()
        trainees = dict((await conn.execute(select(Trainee.source_id, Trainee.id))).all())
    fixture.class_id = to_global_id("TrainingClass", class_id)
    fixture.trainees = {sid[1:]: to_global_id("Trainee", tid) for sid, tid in trainees.items()}
    with fixture.clock:
        yield fixture
