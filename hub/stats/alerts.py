"""Open alerts per statistics group, keyed like the activity figures.

An alert belongs where its class does (area, platform, organiser, course occupation) and to the
month it was first raised; like a claim it has no identity category, so grouped by category its
count sits in the row whose category is null. An alert without a class counts by its region.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, null, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.stats.facts import area_columns, local_month
from hub.stats.query import ScopeFor, StatDimension, StatFilterValues, _conditions
from schema.tables import Alert, Course, Region, TrainingClass


def _alerts() -> Any:
    return (
        select(
            *area_columns(Region),
            TrainingClass.platform_id.label("platform_id"),
            Alert.organisation_id.label("organisation_id"),
            null().label("identity_category"),
            Course.occupation_name.label("occupation"),
            local_month(Alert.first_seen_at).label("month"),
        )
        .select_from(Alert)
        .outerjoin(TrainingClass, TrainingClass.id == Alert.class_id)
        .outerjoin(Course, Course.id == TrainingClass.course_id)
        .join(Region, Region.code == func.coalesce(TrainingClass.region_code, Alert.region_code))
        .where(Alert.status == "open")
        .subquery("open_alerts")
    )


async def open_alerts(
    session: AsyncSession,
    dimensions: Sequence[StatDimension],
    scope: ScopeFor,
    given: StatFilterValues | None = None,
) -> dict[tuple[Any, ...], int]:
    """Open alerts per group key, under the same scope predicate and filters as the figures."""
    alerts = _alerts()
    keys = [alerts.c[d.value] for d in dict.fromkeys(dimensions)]
    query = select(*keys, func.count()).where(scope(alerts), *_conditions(alerts, given))
    rows = (await session.execute(query.group_by(*keys))).all()
    return {tuple(row[:-1]): int(row[-1]) for row in rows}
