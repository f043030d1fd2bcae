"""`statistics(groupBy:, filter:)`: figures per group, from the roll-up, within the caller's scope."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from hub.api.context import HubContext
from hub.api.statistics.types import StatDimensionEnum, StatFilter, StatRow
from hub.stats.alerts import open_alerts
from hub.stats.query import StatFilterValues, StatValues, statistics

Info = strawberry.Info[HubContext, None]


def _filter_values(given: StatFilter | None) -> StatFilterValues | None:
    if given is None:
        return None
    category = given.identity_category
    return StatFilterValues(
        region=given.region,
        platform=given.platform,
        organisation=given.organisation,
        identity_category=category.value if category is not None else None,
        occupation=given.occupation,
        month_from=given.month_from,
        month_to=given.month_to,
    )


@strawberry.type
class StatisticsQuery:
    @strawberry.field(
        description="Figures grouped by any combination of dimensions (none: one total row)."
    )
    async def statistics(
        self,
        info: Info,
        group_by: list[StatDimensionEnum],  # type: ignore[valid-type]
        filter: StatFilter | None = None,
    ) -> list[StatRow]:
        context = info.context
        scope = context.scope.statistics
        dimensions = list(dict.fromkeys(group_by))
        given = _filter_values(filter)

        async def read(session: AsyncSession) -> tuple[list[StatValues], dict[Any, int]]:
            groups = await statistics(session, dimensions, scope, given)
            return groups, await open_alerts(session, dimensions, scope, given)

        groups, alerts = await context.run(read)
        for group in groups:
            group.open_alerts = alerts.pop(group.key, 0)
        # Cells with open alerts but no activity or claims still count them.
        groups += [StatValues(key, open_alerts=count) for key, count in alerts.items()]
        return [StatRow.from_values(dimensions, group) for group in groups]
