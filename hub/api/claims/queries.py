"""Queries over subsidy claims."""

from __future__ import annotations

import strawberry

from hub.api.claims.types import SubsidyClaimNode
from hub.api.context import HubContext
from hub.api.filters import in_region, organisation_is
from hub.api.relay import Connection, paginate
from schema.tables import SubsidyClaim

Info = strawberry.Info[HubContext, None]


@strawberry.input
class SubsidyClaimFilter:
    region: str | None = None
    organisation: str | None = None
    status: str | None = None
    year: int | None = None


@strawberry.type
class ClaimsQuery:
    @strawberry.field
    async def subsidy_claims(
        self,
        info: Info,
        filter: SubsidyClaimFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[SubsidyClaimNode]:
        where = [info.context.scope.subsidy_claims()]
        if filter:
            if filter.region:
                where.append(in_region(SubsidyClaim.region_code, filter.region))
            if filter.organisation:
                where.append(organisation_is(SubsidyClaim.organisation_id, filter.organisation))
            if filter.status:
                where.append(SubsidyClaim.status == filter.status)
            if filter.year is not None:
                where.append(SubsidyClaim.year == filter.year)
        return await paginate(info, SubsidyClaim, where, SubsidyClaimNode.from_row, first, after)
