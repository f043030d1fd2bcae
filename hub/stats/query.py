"""Statistics grouped by any combination of dimensions, from the roll-up or from the raw facts.

Both sources expose the same columns, so one aggregation serves the API (roll-up) and the plain
GROUP BY over the raw tables that tests compare it with and benchmarks time it against. Claim
amounts are summed live from `subsidy_claim`: one row per class, small beside the sessions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, distinct, func, null, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import True_

from hub.policy.claim_amounts import pre_disbursed_paid
from hub.stats.area_totals import FIGURES, grouping_of
from hub.stats.facts import area_columns, facts, local_month
from schema.tables import (
    Course,
    Organisation,
    Platform,
    Region,
    StatAreaCell,
    StatAreaTotal,
    StatTraineeCell,
    SubsidyClaim,
    SubsidyRecovery,
    TrainingClass,
)


class StatDimension(Enum):
    """What statistics can be grouped by; the value is the key column in every source."""

    CITY = "city_code"
    DISTRICT = "district_code"
    PLATFORM = "platform_id"
    ORGANISATION = "organisation_id"
    IDENTITY_CATEGORY = "identity_category"
    OCCUPATION = "occupation"
    MONTH = "month"


@dataclass(frozen=True)
class StatFilterValues:
    """Conditions on the cells counted; codes as users know them, months as YYYY-MM."""

    region: str | None = None
    platform: str | None = None
    organisation: str | None = None
    identity_category: str | None = None
    occupation: str | None = None
    month_from: str | None = None
    month_to: str | None = None


@dataclass
class StatValues:
    """One group's key (column values in dimension order) and its figures."""

    key: tuple[Any, ...]
    trainees: int = 0
    persons: int = 0
    sessions: int = 0
    online_seconds: int = 0
    offline_seconds: int = 0
    qualified: int = 0
    certificates: int = 0
    pre_disbursed: float = 0.0
    settled: float = 0.0
    recovered: float = 0.0
    to_recover: float = 0.0
    open_alerts: int = 0


WORK_MEM = "64MB"
# Groupings and filters the narrow area roll-up answers (the overview front ends ask most).
AREA_DIMENSIONS = frozenset({"city_code", "district_code", "identity_category"})
AREA_FILTERS = frozenset({"region", "identity_category"})
# Order of the figures after trainees and persons in StatValues.
ACTIVITY_ORDER = ("sessions", "online_seconds", "offline_seconds", "qualified", "certificates")
ScopeFor = Callable[[Any], ColumnElement[bool]]


def _conditions(source: Any, given: StatFilterValues | None) -> list[ColumnElement[bool]]:
    if given is None:
        return []
    c = source.c
    where: list[ColumnElement[bool]] = []
    if given.region:
        where.append(or_(c.city_code == given.region, c.district_code == given.region))
    if given.platform:
        where.append(c.platform_id.in_(select(Platform.id).where(Platform.code == given.platform)))
    if given.organisation:
        organisation = select(Organisation.id).where(Organisation.credit_code == given.organisation)
        where.append(c.organisation_id.in_(organisation))
    if given.identity_category:
        where.append(c.identity_category == given.identity_category)
    if given.occupation:
        where.append(c.occupation == given.occupation)
    if given.month_from:
        where.append(c.month >= given.month_from)
    if given.month_to:
        where.append(c.month <= given.month_to)
    return where


def _recoveries(status: str) -> Any:
    """Sum of one claim's recoveries in `status`, correlated to the enclosing claim row."""
    return (
        select(func.coalesce(func.sum(SubsidyRecovery.amount), 0))
        .where(SubsidyRecovery.claim_id == SubsidyClaim.id, SubsidyRecovery.status == status)
        .scalar_subquery()
    )


def _claims() -> Any:
    """Claim amounts with the same key columns (no identity category: a claim covers a class)."""
    return (
        select(
            *area_columns(Region),
            TrainingClass.platform_id.label("platform_id"),
            SubsidyClaim.organisation_id.label("organisation_id"),
            null().label("identity_category"),
            Course.occupation_name.label("occupation"),
            local_month(SubsidyClaim.submitted_at).label("month"),
            pre_disbursed_paid().label("pre_disbursed"),
            SubsidyClaim.settled_amount.label("settled"),
            _recoveries("recovered").label("recovered"),
            _recoveries("open").label("to_recover"),
        )
        .join(TrainingClass, TrainingClass.id == SubsidyClaim.class_id)
        .join(Course, Course.id == TrainingClass.course_id)
        .join(Region, Region.code == SubsidyClaim.region_code)
        .subquery("claims")
    )


def _activity(source: Any, names: list[str], where: list[ColumnElement[bool]]) -> Any:
    """Trainees, persons and sums per group of `names` over a source of fact or roll-up rows."""
    keys = [source.c[n] for n in names]
    return (
        select(
            *keys,
            func.count(distinct(source.c.trainee_id)),
            func.count(distinct(source.c.person_id)),
            *(func.coalesce(func.sum(source.c[m]), 0) for m in ACTIVITY_ORDER),
        )
        .where(*where)
        .group_by(*keys)
    )


def _filters_used(given: StatFilterValues | None) -> set[str]:
    return {k for k, v in vars(given).items() if v} if given else set()


def _scope_on(scope: ScopeFor, table: Any) -> ColumnElement[bool] | None:
    """The scope's predicate on a narrow roll-up, or None when the scope needs columns it lacks
    (area roles scope by city/district; organisation, platform… scopes name other columns)."""
    try:
        return scope(table)
    except (AttributeError, KeyError):
        return None


def rollup_for(names: list[str], scope: ScopeFor, given: StatFilterValues | None) -> Any:
    """The narrow area roll-up when it holds every column asked for, else the full roll-up."""
    area = StatAreaCell.__table__
    if not set(names) <= AREA_DIMENSIONS or not _filters_used(given) <= AREA_FILTERS:
        return StatTraineeCell.__table__
    return area if _scope_on(scope, area) is not None else StatTraineeCell.__table__


def totals_for(names: list[str], scope: ScopeFor, given: StatFilterValues | None) -> Any:
    """The region-wide area totals' rows answering this grouping, or None when they cannot.

    They hold every group of area dimensions and identity category over all cells, so they
    answer a caller who sees everything (the scope is TRUE), grouped by area dimensions, with no
    filter but an identity category (the row of that category in the grouping that adds it).
    """
    if not set(names) <= AREA_DIMENSIONS or not _filters_used(given) <= {"identity_category"}:
        return None
    table = StatAreaTotal.__table__
    if not isinstance(_scope_on(scope, table), True_):
        return None  # an area scope cuts groups the totals have already merged
    keys = [table.c[n] for n in names]
    where = [table.c.trainees > 0]
    category = given.identity_category if given is not None else None
    if category:
        where.append(table.c.identity_category == category)
    grouping = grouping_of([*names, *(["identity_category"] if category else [])])
    figures = [table.c[f] for f in FIGURES]
    return select(*keys, *figures).where(table.c.grouped_by == grouping, *where)


async def statistics(
    session: AsyncSession,
    dimensions: Sequence[StatDimension],
    scope: ScopeFor,
    given: StatFilterValues | None = None,
    from_raw: bool = False,
) -> list[StatValues]:
    """Figures per group of `dimensions` in `scope` (a predicate on a source's key columns).

    `from_raw` computes from the raw tables with a plain GROUP BY instead of the roll-up (what the
    roll-up is tested and benchmarked against).
    """
    names = [d.value for d in dict.fromkeys(dimensions)]
    rows: dict[tuple[Any, ...], StatValues] = {}
    totals = None if from_raw else totals_for(names, scope, given)
    if totals is not None:
        for row in (await session.execute(totals)).all():
            key = tuple(v if v != "" else None for v in row[: len(names)])  # '' stores NULL
            rows[key] = StatValues(key, *(int(v) for v in row[len(names) :]))
    else:
        source = facts() if from_raw else rollup_for(names, scope, given)
        if session.bind.dialect.name == "postgresql":
            # The distinct counts sort the rows of each group: keep that sort in memory.
            await session.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
        where = [scope(source), *_conditions(source, given)]
        activity = _activity(source, names, where)
        for row in (await session.execute(activity)).all():
            key = tuple(row[: len(names)])
            values = [int(v) for v in row[len(names) :]]
            rows[key] = StatValues(key, *values)

    claims = _claims()
    claim_keys = [claims.c[n] for n in names]
    money = (
        select(
            *claim_keys,
            func.coalesce(func.sum(claims.c.pre_disbursed), 0),
            func.coalesce(func.sum(claims.c.settled), 0),
            func.coalesce(func.sum(claims.c.recovered), 0),
            func.coalesce(func.sum(claims.c.to_recover), 0),
        )
        .where(scope(claims), *_conditions(claims, given))
        .group_by(*claim_keys)
    )
    for row in (await session.execute(money)).all():
        key = tuple(row[: len(names)])
        entry = rows.setdefault(key, StatValues(key))
        entry.pre_disbursed, entry.settled = float(row[-4]), float(row[-3])
        entry.recovered, entry.to_recover = float(row[-2]), float(row[-1])

    return sorted(rows.values(), key=lambda r: tuple((v is None, str(v)) for v in r.key))
