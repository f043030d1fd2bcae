"""The demo's planted fraud raises one alert of each planted kind; the clean data raises none."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.simulated.dataset import generate_by_platform
from connectors.simulated.fraud import plant_fraud
from hub.db import transaction
from hub.ingest import Ingestor
from hub.platforms.service import ensure_platform
from hub.security.pii import PiiVault
from hub.supervision.rules import check
from schema.tables import Alert

PLANTED = {
    "BULK_FABRICATION",
    "DAILY_HOURS_EXCEEDED",
    "DURATION_MISMATCH",
    "NOT_ON_ROSTER",
    "OVERLAPPING_SESSIONS",
}


async def load(engine: AsyncEngine, vault: PiiVault, data: dict[str, list[dict]]) -> None:
    for code, records in data.items():
        async with transaction(engine) as db:
            platform = await ensure_platform(db, code)
            stats = await Ingestor(db, platform.id, vault).ingest(records)
            assert stats.total.quarantined == 0, stats


async def rules_raised(engine: AsyncEngine) -> set[str]:
    await check(engine)
    async with transaction(engine) as db:
        return set((await db.execute(select(Alert.rule))).scalars())


async def test_planted_fraud_is_found(engine: AsyncEngine, vault: PiiVault) -> None:
    await load(engine, vault, plant_fraud(generate_by_platform(120, seed=2020)))
    raised = await rules_raised(engine)
    assert raised >= PLANTED, PLANTED - raised


async def test_clean_data_raises_nothing(engine: AsyncEngine, vault: PiiVault) -> None:
    await load(engine, vault, generate_by_platform(120, seed=2020))
    assert await rules_raised(engine) == set()
