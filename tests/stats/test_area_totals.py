"""The region-wide area totals (stat_area_total) equal the plain GROUP BY over the raw tables after
generated loads and generated changes through the ingest path, on both engines; and equal a
rebuild from scratch."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.simulated.dataset import generate_by_platform
from hub.auth.principal import Principal, Role
from hub.auth.scopes import Scope
from hub.db import transaction
from hub.ingest import Ingestor
from hub.platforms.service import ensure_platform
from hub.security.pii import PiiVault
from hub.stats.area_totals import rebuild_totals
from hub.stats.query import StatDimension, StatFilterValues, statistics, totals_for
from schema.enums import IdentityCategory
from schema.tables import StatAreaTotal

D = StatDimension
AREA = (D.CITY, D.DISTRICT, D.IDENTITY_CATEGORY)
GROUPINGS = [list(c) for n in range(4) for c in itertools.combinations(AREA, n)]
REGION = Scope(Principal(subject="t", role=Role.REGION)).statistics
WUHAI = Scope(Principal(subject="t", role=Role.CITY, region_code="150300")).statistics
DISTRICTS = ["150302", "150303", "150304", "150102", "150203", "150300"]
CATEGORIES = [c.value for c in IdentityCategory]
RUNS = itertools.count()

# One change of the data, by index into the dataset's records of a kind (modulo their count).
changes = st.one_of(
    st.tuples(st.just("category"), st.integers(0, 999), st.sampled_from(CATEGORIES)),
    st.tuples(st.just("person"), st.integers(0, 999), st.integers(0, 999)),
    st.tuples(st.just("class_region"), st.integers(0, 999), st.sampled_from(DISTRICTS)),
    st.tuples(st.just("move_session"), st.integers(0, 999), st.integers(0, 999)),
)


def _of(records: list[dict], kind: str) -> list[dict]:
    return [r for r in records if r["type"] == kind]


def _change(data: dict[str, list[dict]], change: tuple[Any, ...]) -> tuple[str, list[dict]]:
    """The platform and record(s) that make one change (persons may cross platforms)."""
    kind, a, b = change
    codes = sorted(c for c, records in data.items() if _of(records, "session"))
    code = codes[a % len(codes)]
    records = data[code]
    trainees = _of(records, "trainee")
    if kind == "category":
        return code, [{**trainees[a % len(trainees)], "identity_category": b}]
    if kind == "person":  # a trainee becomes the same person as one of another platform
        others = _of(data[codes[(a + 1) % len(codes)]], "trainee")
        person = others[a % len(others)]["id_number"]
        return code, [{**trainees[b % len(trainees)], "id_number": person}]
    if kind == "class_region":
        classes = _of(records, "class")
        return code, [{**classes[a % len(classes)], "region_code": b}]
    sessions = _of(records, "session")
    return code, [
        {
            **sessions[a % len(sessions)],
            "trainee_source_id": trainees[b % len(trainees)]["source_id"],
        }
    ]


async def _ingest(engine: AsyncEngine, vault: PiiVault, code: str, records: list[dict]) -> None:
    async with transaction(engine) as db:
        platform = await ensure_platform(db, code)
        stats = await Ingestor(db, platform.id, vault).ingest(records)
    assert stats.total.quarantined == 0, stats


async def _assert_equal_to_raw(engine: AsyncEngine) -> None:
    filters = [None, *(StatFilterValues(identity_category=c) for c in CATEGORIES[:3])]
    async with transaction(engine) as db:
        for dims, given_ in itertools.product(GROUPINGS, filters):
            names = [d.value for d in dims]
            assert totals_for(names, REGION, given_) is not None  # the totals answer these
            totals = await statistics(db, dims, REGION, given_)
            raw = await statistics(db, dims, REGION, given_, from_raw=True)
            assert [vars(r) for r in totals] == [vars(r) for r in raw], (dims, given_)


async def _totals(engine: AsyncEngine) -> list[tuple]:
    table = StatAreaTotal.__table__
    columns = [c for c in table.c if c.name != "id"]
    async with transaction(engine) as db:
        rows = (await db.execute(select(*columns).where(table.c.trainees > 0))).all()
    return sorted(tuple(r) for r in rows)


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seed=st.integers(0, 10_000),
    batch=st.sampled_from([40, 250]),
    edits=st.lists(changes, min_size=1, max_size=6),
)
async def test_area_totals_equal_group_by_after_loads_and_changes(
    engine: AsyncEngine, vault: PiiVault, seed: int, batch: int, edits: list[tuple]
) -> None:
    # Each example adds platforms of its own to what the earlier examples left in the database.
    run = next(RUNS)
    data = {
        f"{code}-{run}": records
        for code, records in generate_by_platform(12, seed=seed, weeks=2).items()
    }
    for code, records in data.items():
        for start in range(0, len(records), batch):
            await _ingest(engine, vault, code, records[start : start + batch])
    await _assert_equal_to_raw(engine)
    for edit in edits:
        await _ingest(engine, vault, *_change(data, edit))
    await _assert_equal_to_raw(engine)
    kept = await _totals(engine)
    async with transaction(engine) as db:
        await rebuild_totals(db)
    assert await _totals(engine) == kept


def test_only_region_wide_area_groupings_read_the_totals() -> None:
    assert totals_for(["city_code", "identity_category"], REGION, None) is not None
    assert totals_for([], REGION, StatFilterValues(identity_category="veteran")) is not None
    assert totals_for(["city_code"], WUHAI, None) is None  # an area scope
    assert totals_for(["city_code"], REGION, StatFilterValues(region="150302")) is None
    assert totals_for(["month"], REGION, None) is None
