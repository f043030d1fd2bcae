"""GraphQL types of subsidy claims."""

from __future__ import annotations

from datetime import datetime

import strawberry

from hub.api.classes.types import TrainingClassNode, load_class
from hub.api.context import HubContext
from hub.api.platforms.types import OrganisationNode
from hub.api.relay import Node, to_global_id
from schema.tables import Organisation, SubsidyClaim

Info = strawberry.Info[HubContext, None]


@strawberry.type(name="SubsidyClaim")
class SubsidyClaimNode(Node):
    """A training subsidy claim (培训补贴申领) for one class; amounts are computed by the hub."""

    class_id: strawberry.Private[int]
    organisation_id: strawberry.Private[int]
    region_code: str
    status: str
    year: int
    eligible_trainees: int
    subsidy_amount: float
    pre_disbursed_amount: float
    settled_amount: float
    platform_fee: float
    submitted_at: datetime | None
    created_at: datetime

    @strawberry.field
    async def training_class(self, info: Info) -> TrainingClassNode | None:
        return await load_class(info, self.class_id)

    @strawberry.field
    async def organisation(self, info: Info) -> OrganisationNode | None:
        row = await info.context.rows_by_id(Organisation).load(self.organisation_id)
        return OrganisationNode.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: SubsidyClaim) -> SubsidyClaimNode:
        return cls(
            id=to_global_id("SubsidyClaim", row.id),
            class_id=row.class_id,
            organisation_id=row.organisation_id,
            region_code=row.region_code,
            status=row.status,
            year=row.year,
            eligible_trainees=row.eligible_trainees,
            subsidy_amount=row.subsidy_amount,
            pre_disbursed_amount=row.pre_disbursed_amount,
            settled_amount=row.settled_amount,
            platform_fee=row.platform_fee,
            submitted_at=row.submitted_at,
            created_at=row.created_at,
        )
