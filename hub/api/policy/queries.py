"""Queries over filings, class openings and policy parameters, each under the caller's scope."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from hub.api.filters import in_region
from hub.api.policy.steps import Info
from hub.api.policy.types import ClassOpeningNode, PlatformFilingNode, PolicyParameterNode
from hub.api.relay import Connection, paginate
from hub.policy.parameters import in_force
from schema.tables import ClassOpening, PlatformFiling, PolicyParameter
from schema.types import utcnow


@strawberry.input
class WorkflowFilter:
    status: str | None = None
    region: str | None = None


@strawberry.type
class PolicyQuery:
    @strawberry.field
    async def platform_filings(
        self,
        info: Info,
        filter: WorkflowFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PlatformFilingNode]:
        where = [info.context.scope.platform_filings()]
        if filter and filter.status:
            where.append(PlatformFiling.status == filter.status)
        if filter and filter.region:
            where.append(in_region(PlatformFiling.region_code, filter.region))
        return await paginate(
            info, PlatformFiling, where, PlatformFilingNode.from_row, first, after
        )

    @strawberry.field
    async def class_openings(
        self,
        info: Info,
        filter: WorkflowFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ClassOpeningNode]:
        where = [info.context.scope.class_openings()]
        if filter and filter.status:
            where.append(ClassOpening.status == filter.status)
        if filter and filter.region:
            where.append(in_region(ClassOpening.region_code, filter.region))
        return await paginate(info, ClassOpening, where, ClassOpeningNode.from_row, first, after)

    @strawberry.field(description="Every stored version, newest first within a key.")
    async def policy_parameters(
        self,
        info: Info,
        jurisdiction: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PolicyParameterNode]:
        where = [info.context.scope.for_table(PolicyParameter)]
        if jurisdiction:
            where.append(PolicyParameter.region_code == jurisdiction)
        return await paginate(
            info, PolicyParameter, where, PolicyParameterNode.from_row, first, after
        )

    @strawberry.field(description="The parameters in force for an area at a moment (default now).")
    async def policy_in_force(self, info: Info, region: str, at: datetime | None = None) -> JSON:
        info.context.require()
        params = await info.context.run(lambda s: in_force(s, region, at or utcnow()))
        return params.snapshot()
