"""The planted dataset (fixtures/*.ndjson), loaded the way platforms deliver it: file imports."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import transaction
from hub.ingest.files import import_file
from hub.security.pii import PiiVault
from schema.tables import Alert, AlertRecord, Organisation, Platform, SubsidyClaim, TrainingClass

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED: dict[str, Any] = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))

Records = tuple[tuple[str, str, str], ...]


async def import_round(engine: AsyncEngine, vault: PiiVault, round_: int) -> None:
    """Import every platform's file of one reporting round (each import runs its own check)."""
    for path in sorted(FIXTURES.glob(f"*.{round_}.ndjson")):
        stats = await import_file(engine, vault, path, path.name.split(".")[0])
        assert stats.total.quarantined == 0, (path.name, stats)


async def _class_id(db: Any, platform: str, source_id: str) -> int:
    return (
        await db.execute(
            select(TrainingClass.id)
            .join(Platform, Platform.id == TrainingClass.platform_id)
            .where(Platform.code == platform, TrainingClass.source_id == source_id)
        )
    ).scalar_one()


async def add_claims_and_approvals(engine: AsyncEngine) -> None:
    """What the filing and claims workflow would record: claims and class approvals."""
    async with transaction(engine) as db:
        for claim in EXPECTED["claims"]:
            class_id = await _class_id(db, claim["platform"], claim["class"])
            org = (
                await db.execute(
                    select(Organisation.id).where(Organisation.credit_code == claim["organisation"])
                )
            ).scalar_one()
            region = (
                await db.execute(
                    select(TrainingClass.region_code).where(TrainingClass.id == class_id)
                )
            ).scalar_one()
            await db.execute(
                insert(SubsidyClaim).values(
                    class_id=class_id,
                    organisation_id=org,
                    region_code=region,
                    year=claim["year"],
                    status="submitted",
                )
            )
        for approval in EXPECTED["approvals"]:
            class_id = await _class_id(db, approval["platform"], approval["class"])
            await db.execute(
                update(TrainingClass)
                .where(TrainingClass.id == class_id)
                .values(approved_at=datetime.fromisoformat(approval["approved_at"]))
            )


async def stored_alerts(engine: AsyncEngine) -> dict[int, tuple[str, str, str, Records]]:
    """Alert id -> (rule, severity, status, sorted (platform, type, source_id) records)."""
    async with engine.connect() as conn:
        alerts = (
            await conn.execute(select(Alert.id, Alert.rule, Alert.severity, Alert.status))
        ).all()
        links = (
            await conn.execute(
                select(
                    AlertRecord.alert_id,
                    Platform.code,
                    AlertRecord.record_type,
                    AlertRecord.source_id,
                ).join(Platform, Platform.id == AlertRecord.platform_id)
            )
        ).all()
    records: dict[int, list[tuple[str, str, str]]] = {}
    for alert_id, code, record_type, source_id in links:
        records.setdefault(alert_id, []).append((code, record_type, source_id))
    return {
        aid: (rule, severity, status, tuple(sorted(records.get(aid, []))))
        for aid, rule, severity, status in alerts
    }


def expected_alerts() -> set[tuple[str, str, Records]]:
    return {
        (a["rule"], a["severity"], tuple(tuple(r) for r in a["records"]))  # type: ignore[misc]
        for a in EXPECTED["alerts"]
    }
