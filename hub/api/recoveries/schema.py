"""Queries and finance's mutations over recoveries."""

from __future__ import annotations

import strawberry

from hub.api.filters import in_region
from hub.api.policy.steps import Info, reload, run_step
from hub.api.recoveries.types import SubsidyRecoveryNode
from hub.api.relay import Connection, expect_id, paginate
from hub.policy.recovery import close_recovery
from schema.tables import SubsidyRecovery


@strawberry.input
class SubsidyRecoveryFilter:
    status: str | None = None
    region: str | None = None


@strawberry.type
class RecoveryQuery:
    @strawberry.field(description="Recoveries of over-paid subsidies, with their claims' scope.")
    async def subsidy_recoveries(
        self,
        info: Info,
        filter: SubsidyRecoveryFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[SubsidyRecoveryNode]:
        where = [info.context.scope.subsidy_recoveries()]
        if filter and filter.status:
            where.append(SubsidyRecovery.status == filter.status)
        if filter and filter.region:
            where.append(in_region(SubsidyRecovery.region_code, filter.region))
        return await paginate(
            info, SubsidyRecovery, where, SubsidyRecoveryNode.from_row, first, after
        )


async def _close(
    info: Info, id: strawberry.ID, status: str, reason: str | None
) -> SubsidyRecoveryNode:
    recovery_id = expect_id(id, "SubsidyRecovery")
    await run_step(info, lambda s, p: close_recovery(s, p, recovery_id, status, reason))
    return SubsidyRecoveryNode.from_row(await reload(info, SubsidyRecovery, recovery_id))


@strawberry.type
class RecoveryMutation:
    @strawberry.mutation(description="Finance records that the over-paid amount was returned.")
    async def record_recovery(
        self, info: Info, id: strawberry.ID, reason: str | None = None
    ) -> SubsidyRecoveryNode:
        return await _close(info, id, "recovered", reason)

    @strawberry.mutation(description="Finance writes a recovery off; the reason is required.")
    async def write_off_recovery(
        self, info: Info, id: strawberry.ID, reason: str
    ) -> SubsidyRecoveryNode:
        return await _close(info, id, "written_off", reason)
