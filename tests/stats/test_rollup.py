"""The statistics roll-up equals a plain GROUP BY over the raw tables, on both engines,
after a load in batches and after every kind of incremental change the ingest path makes."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.simulated.dataset import generate_by_platform
from hub.auth.principal import Principal, Role
from hub.auth.scopes import Scope
from hub.db import transaction
from hub.ingest import Ingestor
from hub.ingest.rollup import rebuild_rollup
from hub.platforms.service import ensure_platform
from hub.security.pii import PiiVault
from hub.stats.query import StatDimension, StatFilterValues, rollup_for, statistics
from schema.tables import (
    LearningSession,
    StatAreaCell,
    StatTraineeCell,
    SubsidyClaim,
    Trainee,
    TrainingClass,
)

D = StatDimension
GROUPINGS: list[list[StatDimension]] = [
    [],
    *([d] for d in D),
    [D.CITY, D.IDENTITY_CATEGORY],
    [D.DISTRICT, D.MONTH],
    [D.PLATFORM, D.ORGANISATION, D.OCCUPATION],
    list(D),
]
REGION = Scope(Principal(subject="t", role=Role.REGION))
WUHAI = Scope(Principal(subject="t", role=Role.CITY, region_code="150300"))


async def _load(engine: AsyncEngine, vault: PiiVault, data: dict[str, list[dict]]) -> None:
    # Small batches, so one trainee's sessions are spread over several transactions.
    for code, records in data.items():
        for start in range(0, len(records), 250):
            await _ingest(engine, vault, code, records[start : start + 250])


async def _ingest(engine: AsyncEngine, vault: PiiVault, code: str, records: list[dict]) -> None:
    async with transaction(engine) as db:
        platform = await ensure_platform(db, code)
        stats = await Ingestor(db, platform.id, vault).ingest(records)
    assert stats.total.quarantined == 0, stats


def _as_comparable(groups: list[Any]) -> list[tuple]:
    return [
        (
            g.key,
            g.trainees,
            g.persons,
            g.sessions,
            g.online_seconds,
            g.offline_seconds,
            g.qualified,
            g.certificates,
            round(g.pre_disbursed, 2),
            round(g.settled, 2),
        )
        for g in groups
    ]


async def _assert_rollup_matches_raw(engine: AsyncEngine, thorough: bool = True) -> None:
    """Every grouping, scope and some filters; or (not thorough) the finest and a common one."""
    filters = [None, StatFilterValues(region="150302"), StatFilterValues(month_from="2020-04")]
    grid = (
        itertools.product((REGION, WUHAI), GROUPINGS, filters)
        if thorough
        else itertools.product((REGION,), ([D.CITY, D.IDENTITY_CATEGORY], list(D)), [None])
    )
    async with transaction(engine) as db:
        for scope, dims, given in grid:
            rolled = await statistics(db, dims, scope.statistics, given)
            raw = await statistics(db, dims, scope.statistics, given, from_raw=True)
            assert _as_comparable(rolled) == _as_comparable(raw), (scope.principal.role, dims)


@pytest.fixture(scope="module")
def dataset() -> dict[str, list[dict]]:
    return generate_by_platform(60, seed=11, weeks=7)


async def test_rollup_equals_group_by_after_batched_load(
    engine: AsyncEngine, vault: PiiVault, dataset: dict[str, list[dict]]
) -> None:
    await _load(engine, vault, dataset)
    await _assert_rollup_matches_raw(engine)
    async with transaction(engine) as db:
        (total,) = await statistics(db, [], REGION.statistics)
        sessions = (await db.execute(select(func.count()).select_from(LearningSession))).scalar()
        people = select(func.count(func.distinct(LearningSession.person_id)))
        assert total.sessions == sessions > 1000
        assert total.persons == (await db.execute(people)).scalar()
        # Some people train on two platforms: persons must be distinct, not summed trainees.
        assert total.persons < total.trainees
        months = await statistics(db, [D.MONTH], REGION.statistics)
        assert len(months) >= 2 and sum(m.persons for m in months) > total.persons
        wuhai = await statistics(db, [D.CITY], WUHAI.statistics)
        assert [g.key for g in wuhai] == [("150300",)]


async def test_rollup_stays_equal_after_incremental_changes(
    engine: AsyncEngine, vault: PiiVault, dataset: dict[str, list[dict]]
) -> None:
    await _load(engine, vault, dataset)
    records = dataset["wuhai-skills"]
    by_type: dict[str, list[dict]] = {}
    for record in records:
        by_type.setdefault(record["type"], []).append(record)
    sessions, trainees = by_type["session"], by_type["trainee"]
    other = next(t for t in trainees if t["source_id"] != sessions[0]["trainee_source_id"])
    other_enrolment = next(
        e for e in by_type["enrolment"] if e["trainee_source_id"] == other["source_id"]
    )
    changes = [
        # a session moved to another trainee (and that trainee's class); one made offline
        [
            {
                **sessions[0],
                "trainee_source_id": other["source_id"],
                "class_source_id": other_enrolment["class_source_id"],
            }
        ],
        [{**sessions[1], "mode": "offline"}],
        # a session moved into another month, and the whole stream re-sent unchanged
        [
            {
                **sessions[2],
                "started_at": "2020-04-20T19:00:00+08:00",
                "ended_at": "2020-04-20T20:00:00+08:00",
            }
        ],
        sessions[3:200],
        # a trainee's identity category changed: every cell of theirs moves
        [{**trainees[1], "identity_category": "veteran"}],
        # a class moved to another district; a course's occupation renamed
        [{**by_type["class"][0], "region_code": "150304"}],
        [{**by_type["course"][0], "occupation_name": "电子商务师"}],
        # an assessment flipped, a new certificate
        [{**by_type["assessment"][0], "passed": not by_type["assessment"][0]["passed"]}],
        [{**by_type["certificate"][0], "source_id": "extra-cert", "number": "X-1"}],
    ]
    for batch in changes:
        await _ingest(engine, vault, "wuhai-skills", batch)
        await _assert_rollup_matches_raw(engine, thorough=False)
    await _assert_rollup_matches_raw(engine)

    async with transaction(engine) as db:
        moved = (
            await db.execute(
                select(Trainee.source_id)
                .join(LearningSession, LearningSession.trainee_id == Trainee.id)
                .where(LearningSession.source_id == sessions[0]["source_id"])
            )
        ).scalar_one()
        assert moved == other["source_id"]
        incremental = await _cells(db)
        await rebuild_rollup(db)
        assert await _cells(db) == incremental


async def test_claim_amounts_join_the_activity_rows(
    engine: AsyncEngine, vault: PiiVault, dataset: dict[str, list[dict]]
) -> None:
    await _load(engine, vault, {"wuhai-skills": dataset["wuhai-skills"]})
    async with transaction(engine) as db:
        classes = (await db.execute(select(TrainingClass))).scalars().all()
        submitted = datetime(2020, 4, 30, 20, tzinfo=UTC)  # 2020-05-01 04:00 in the region
        await db.execute(
            insert(SubsidyClaim),
            [
                {
                    "class_id": c.id,
                    "organisation_id": c.organiser_id,
                    "region_code": c.region_code,
                    "year": 2020,
                    # Computed at submission, paid only from pre-disbursement on.
                    "status": ("submitted", "pre_disbursed", "settled")[i % 3],
                    "pre_disbursed_amount": 100.0 * (i + 1),
                    "settled_amount": 50.5,
                    "submitted_at": submitted,
                }
                for i, c in enumerate(classes)
            ],
        )
    await _assert_rollup_matches_raw(engine)
    async with transaction(engine) as db:
        (total,) = await statistics(db, [], REGION.statistics)
        paid = sum(100.0 * (i + 1) for i in range(len(classes)) if i % 3)
        assert paid and total.pre_disbursed == paid
        months = {g.key: g for g in await statistics(db, [D.MONTH], REGION.statistics)}
        assert months[("2020-05",)].settled == 50.5 * len(classes)
        assert months[("2020-05",)].sessions == 0
        categories = await statistics(db, [D.IDENTITY_CATEGORY], REGION.statistics)
        assert categories[-1].key == (None,) and categories[-1].trainees == 0


async def _cells(db: Any) -> list[tuple]:
    table = StatTraineeCell.__table__
    columns = [c for c in table.c if c.name != "id"]
    rows = (await db.execute(select(*columns))).all()
    return sorted(tuple(row) for row in rows)


def test_overview_groupings_read_the_area_rollup() -> None:
    """Area and category groupings in an area scope use stat_area_cell; the rest the full one."""
    area, full = StatAreaCell.__table__, StatTraineeCell.__table__
    org = Scope(Principal(subject="t", role=Role.ORG, org_credit_code="X")).statistics
    assert rollup_for(["city_code", "identity_category"], REGION.statistics, None) is area
    assert (
        rollup_for(["district_code"], WUHAI.statistics, StatFilterValues(region="150302")) is area
    )
    assert rollup_for(["city_code", "month"], REGION.statistics, None) is full
    assert rollup_for(["city_code"], REGION.statistics, StatFilterValues(platform="p")) is full
    assert rollup_for(["city_code"], org, None) is full
