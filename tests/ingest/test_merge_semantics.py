"""The set-based merge agrees with the record-at-a-time semantics on generated mixed batches.

Batches mix new, changed, unchanged, repeated, invalid and waiting records (a session whose trainee
comes later, or never). After every batch the counts must equal the row model's
(tests/ingest/row_model.py); at the end so must every version's payload, the current rows'
content hashes and the open quarantine entries, the roll-up must equal the plain GROUP BY and the
ledger must verify.
"""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.auth.principal import Principal, Role
from hub.auth.scopes import Scope
from hub.db import transaction
from hub.ingest import Ingestor
from hub.ingest.rows import SPECS, content_hash
from hub.platforms.service import ensure_platform
from hub.security.pii import PiiVault
from hub.stats.query import StatDimension, StatFilterValues, statistics
from hub.supervision.ledger import verify
from schema.tables import QuarantinedRecord, RecordVersion
from tests.ingest.row_model import RowModel
from tests.records import course, enrolment, resident_id, session, trainee, training_class

PLATFORMS = itertools.count(1)
REGION = Scope(Principal(subject="t", role=Role.REGION)).statistics
DIMENSIONS = [StatDimension.DISTRICT, StatDimension.IDENTITY_CATEGORY, StatDimension.MONTH]

trainees = st.builds(
    lambda sid, name, category, serial, region: trainee(
        sid,
        name=name,
        identity_category=category,
        id_number=resident_id(serial=serial),
        region_code=region,
    ),
    st.sampled_from(["T1", "T2", "T3"]),
    st.sampled_from(["张伟", "李娜"]),
    st.sampled_from(["enterprise_employee", "unemployed"]),
    st.sampled_from(["101", "102", "103"]),
    st.sampled_from(["150302", "150303"]),
)
courses = st.builds(lambda title: course("C1", title=title), st.sampled_from(["电工", "焊工"]))
classes = st.builds(
    lambda sid, region: training_class(sid, region_code=region),
    st.sampled_from(["K1", "K2"]),
    st.sampled_from(["150302", "150304"]),
)
enrolments = st.builds(
    lambda sid, who, where: enrolment(sid, who, where),
    st.sampled_from(["E1", "E2"]),
    st.sampled_from(["T1", "T2", "T9"]),
    st.sampled_from(["K1", "K2"]),
)


def _session(sid: str, who: str, where: str, day: int, minutes: int, mode: str) -> dict:
    start = datetime(2020, 3, day, 19, tzinfo=timezone(timedelta(hours=8)))
    # Negative minutes: ended before started, which validation rejects.
    end = start + timedelta(minutes=minutes)
    return session(sid, who, start.isoformat(), end.isoformat(), class_source_id=where, mode=mode)


sessions = st.builds(
    _session,
    st.sampled_from(["S1", "S2", "S3", "S4"]),
    st.sampled_from(["T1", "T2", "T3", "T9"]),  # T9 is never sent: waits for good
    st.sampled_from(["K1", "K2"]),
    st.sampled_from([3, 4, 31]),
    st.sampled_from([-30, 30, 90]),
    st.sampled_from(["online", "offline"]),
)
garbage = st.sampled_from([42, {"type": "session", "source_id": "S1"}, {"type": "nonsense"}])
records = st.one_of(trainees, courses, classes, enrolments, sessions, sessions, garbage)
batches = st.lists(st.lists(records, max_size=10), min_size=1, max_size=4)


async def _ingest(engine: AsyncEngine, vault: PiiVault, code: str, raws: list[Any]) -> Any:
    async with transaction(engine) as db:
        platform = await ensure_platform(db, code)
        return await Ingestor(db, platform.id, vault).ingest(raws), platform.id


async def _stored(engine: AsyncEngine, platform_id: int) -> tuple[dict, dict, Counter]:
    async with transaction(engine) as db:
        versions: dict[tuple[str, str], list[dict]] = {}
        rows = await db.execute(
            select(RecordVersion.record_type, RecordVersion.source_id, RecordVersion.payload)
            .where(RecordVersion.platform_id == platform_id)
            .order_by(RecordVersion.record_type, RecordVersion.source_id, RecordVersion.version)
        )
        for record_type, source_id, payload in rows.all():
            versions.setdefault((record_type, source_id), []).append(payload)
        hashes = {}
        for record_type, spec in SPECS.items():
            table = spec.table
            found = await db.execute(
                select(table.source_id, table.content_hash).where(  # type: ignore[attr-defined]
                    table.platform_id == platform_id  # type: ignore[attr-defined]
                )
            )
            hashes.update({(record_type, sid): h for sid, h in found.all()})
        open_entries = await db.execute(
            select(
                QuarantinedRecord.record_type,
                QuarantinedRecord.source_id,
                QuarantinedRecord.waiting_for_type,
                QuarantinedRecord.waiting_for_id,
            ).where(
                QuarantinedRecord.platform_id == platform_id,
                QuarantinedRecord.resolved_at.is_(None),
            )
        )
        return versions, hashes, Counter(tuple(row) for row in open_entries.all())


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batches=batches)
async def test_merge_agrees_with_row_semantics(
    engine: AsyncEngine, vault: PiiVault, batches: list[list[Any]]
) -> None:
    code = f"prop-{next(PLATFORMS)}"
    model = RowModel(vault)
    platform_id = None
    for raws in batches:
        stats, platform_id = await _ingest(engine, vault, code, raws)
        assert stats.as_dict() == model.ingest(raws).as_dict()

    versions, hashes, open_entries = await _stored(engine, platform_id)
    assert versions == model.versions
    assert hashes == {key: content_hash(history[-1]) for key, history in model.versions.items()}
    expected_open = Counter(
        (*(w.key or (None, None)), *(w.waiting_for or (None, None))) for w in model.open
    )
    assert open_entries == expected_open

    given_platform = StatFilterValues(platform=code)
    async with transaction(engine) as db:
        rolled = await statistics(db, DIMENSIONS, REGION, given_platform)
        raw = await statistics(db, DIMENSIONS, REGION, given_platform, from_raw=True)
        assert [vars(r) for r in rolled] == [vars(r) for r in raw]
        overview = [StatDimension.CITY, StatDimension.IDENTITY_CATEGORY]  # the area roll-up
        rolled = await statistics(db, overview, REGION)
        raw = await statistics(db, overview, REGION, from_raw=True)
        assert [vars(r) for r in rolled] == [vars(r) for r in raw]
        assert (await verify(db)).intact
