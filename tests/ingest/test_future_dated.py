"""Records dated after the moment the hub received them did not happen: quarantined with the reason.

A platform's clock may run a little ahead (CLOCK_SKEW, 10 minutes); beyond that a session,
assessment or certificate is future-dated.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import transaction
from hub.policy.calendar import CHINA
from hub.security.pii import PiiVault
from schema.records import CLOCK_SKEW
from schema.tables import LearningSession, QuarantinedRecord
from schema.types import utcnow
from tests.ingest.test_pipeline import ingest
from tests.records import session, small_ledger


def _iso(delta: timedelta) -> str:
    return (utcnow() + delta).astimezone(CHINA).isoformat(timespec="seconds")


async def test_future_dated_records_are_quarantined_and_skew_is_allowed(
    engine: AsyncEngine, vault: PiiVault
) -> None:
    await ingest(engine, vault, small_ledger())
    skewed = CLOCK_SKEW - timedelta(minutes=2)
    # two days ahead: in the last minutes of a Beijing day, tomorrow is within the clock skew
    later = (utcnow() + timedelta(days=2)).astimezone(CHINA).date()
    stats = await ingest(
        engine,
        vault,
        [
            # starts in two hours: not a learning record yet
            session("SF", "T1", _iso(timedelta(hours=2)), _iso(timedelta(hours=3))),
            # started an hour ago, "ends" in an hour: hours not yet studied
            session("SE", "T1", _iso(-timedelta(hours=1)), _iso(timedelta(hours=1))),
            # a platform clock a few minutes ahead of the hub's is tolerated
            session("SK", "T1", _iso(-timedelta(hours=1)), _iso(skewed)),
            {
                "type": "assessment",
                "source_id": "QF",
                "trainee_source_id": "T1",
                "class_source_id": "K1",
                "assessed_at": _iso(timedelta(days=2)),
                "passed": True,
            },
            {
                "type": "certificate",
                "source_id": "ZF",
                "trainee_source_id": "T1",
                "kind": "skill_level",
                "number": "NM-F-1",
                "issued_on": later.isoformat(),
            },
        ],
    )
    assert stats.of("session").inserted == 1 and stats.of("session").quarantined == 2
    assert stats.of("assessment").quarantined == 1
    assert stats.of("certificate").quarantined == 1
    async with transaction(engine) as db:
        reasons = dict(
            (await db.execute(select(QuarantinedRecord.source_id, QuarantinedRecord.reason))).all()
        )
        stored = set((await db.execute(select(LearningSession.source_id))).scalars())
    assert "SK" in stored and not {"SF", "SE"} & stored
    assert "started_at" in reasons["SF"] and "future-dated" in reasons["SF"]
    assert "ended_at" in reasons["SE"] and "future-dated" in reasons["SE"]
    assert "assessed_at" in reasons["QF"] and "future-dated" in reasons["QF"]
    assert "issued_on" in reasons["ZF"] and "future-dated" in reasons["ZF"]
