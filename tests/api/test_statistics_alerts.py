"""openAlerts in the statistics: counted by the alert's class area, scoped like every figure."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.simulated.dataset import generate_by_platform
from connectors.simulated.fraud import plant_fraud
from hub.db import transaction
from hub.security.pii import PiiVault
from hub.supervision.rules import check
from schema.tables import Alert
from tests.api.conftest import Api
from tests.simulated.test_fraud import load

BY_CITY = "{ statistics(groupBy: [CITY]) { city { code } openAlerts sessions } }"


async def test_open_alerts_per_city(
    api: Api, token: Callable[..., str], engine: AsyncEngine, vault: PiiVault
) -> None:
    await load(engine, vault, plant_fraud(generate_by_platform(120, seed=2020)))
    await check(engine)
    async with transaction(engine) as db:
        total = (
            await db.execute(select(func.count()).select_from(Alert).where(Alert.status == "open"))
        ).scalar_one()
    rows = (await api.data(token("region"), BY_CITY))["statistics"]
    per_city = {row["city"]["code"]: row["openAlerts"] for row in rows}
    assert total > 0 and sum(per_city.values()) == total
    wuhai = (await api.data(token("city", region="150300"), BY_CITY))["statistics"]
    assert [row["city"]["code"] for row in wuhai] == ["150300"]
    assert wuhai[0]["openAlerts"] == per_city["150300"] > 0  # the fraud is planted in Wuhai


async def test_open_alerts_of_cells_without_activity_still_count(
    api: Api, token: Callable[..., str], engine: AsyncEngine, vault: PiiVault
) -> None:
    """Alerts count in the month they were raised, which has no sessions of 2020: they must
    still appear, not be dropped for want of an activity row."""
    await load(engine, vault, plant_fraud(generate_by_platform(120, seed=2020)))
    await check(engine)
    async with transaction(engine) as db:
        total = (
            await db.execute(select(func.count()).select_from(Alert).where(Alert.status == "open"))
        ).scalar_one()
    rows = (
        await api.data(token("region"), "{ statistics(groupBy: [MONTH]) { month openAlerts } }")
    )["statistics"]
    assert total > 0 and sum(row["openAlerts"] for row in rows) == total
