"""Queries over subsidy claims."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy import select

from hub.api.claims.types import SubsidyClaimNode
from hub.api.context import HubContext
from hub.api.filters import in_region, organisation_is, platform_is, within
from hub.api.relay import Connection, SortOrder, paginate
from schema.tables import SubsidyClaim, TrainingClass

Info = strawberry.Info[HubContext, None]


@strawberry.input
class SubsidyClaimFilter:
    region: str | None = None
    organisation: str | None = None
    platform: str | None = strawberry.field(default=None, description="The class's platform.")
    status: str | None = None
    year: int | None = None
    submitted_from: datetime | None = None
    submitted_before: datetime | None = None


@strawberry.type
class ClaimsQuery:
    @strawberry.field
    async def subsidy_claims(
        self,
        info: Info,
        filter: SubsidyClaimFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        order: SortOrder = SortOrder.ASC,
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
            if filter.platform:
                classes = select(TrainingClass.id).where(
                    platform_is(TrainingClass.platform_id, filter.platform)
                )
                where.append(SubsidyClaim.class_id.in_(classes))
            where += within(
                SubsidyClaim.submitted_at, filter.submitted_from, filter.submitted_before
            )
        return await paginate(
            info, SubsidyClaim, where, SubsidyClaimNode.from_row, first, after, order
        )
