"""GraphQL types of subsidy claims."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.scalars import JSON

from hub.api.classes.types import TrainingClassNode, load_class
from hub.api.context import HubContext
from hub.api.platforms.types import OrganisationNode
from hub.api.policy.types import (
    ChecklistItemNode,
    ClaimLineNode,
    WorkflowTransitionNode,
    load_history,
)
from hub.api.recoveries.types import SubsidyRecoveryNode, load_recoveries
from hub.api.relay import Node, node_from_row
from hub.api.supervision.types import AlertNode
from hub.policy.blocking import BlockingAlert, blocking_alerts
from hub.policy.checklist import ChecklistItem, claim_checklist
from hub.policy.parameters import in_force
from schema.tables import Alert, ClaimLine, Organisation, SubsidyClaim
from schema.types import utcnow

Info = strawberry.Info[HubContext, None]


@strawberry.type(name="SubsidyClaim")
class SubsidyClaimNode(Node):
    """A training subsidy claim (培训补贴申领) for one class; amounts are computed by the hub."""

    db_id: strawberry.Private[int]
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
    # Computed by the policy workflow (hub/policy/claim_amounts.py).
    occupation: str | None
    skill_level: int | None
    standard_amount: float
    qualified_trainees: int
    certified_trainees: int
    excluded_trainees: int
    balance_due: float
    commitment_accepted_at: datetime | None
    settled_at: datetime | None
    parameters: JSON = strawberry.field(description="Parameters in force at submission.")
    paid_amount: float = strawberry.field(
        description="What finance has paid: the pre-disbursement, then the settled amount."
    )
    recomputations: JSON = strawberry.field(
        description="Each recomputation after a confirmed alert: at, by, alerts, why, before, after."
    )

    async def _blocking_ids(self, info: Info) -> list[int]:
        async def read(session: AsyncSession) -> list[BlockingAlert]:
            params = await in_force(session, self.region_code, utcnow())
            return await blocking_alerts(
                session, self.class_id, params.get("blocking_alert_severities")
            )

        return [a.id for a in await info.context.run(read)]

    @strawberry.field(
        description="Open alerts of a blocking severity on its class, persons or sessions: while"
        " any is open the claim cannot be approved, pre-disbursed or settled. Lists those the"
        " caller may read (see blockingAlertCount)."
    )
    async def blocking_alerts(self, info: Info) -> list[AlertNode]:
        found = await self._blocking_ids(info)
        if not found:
            return []
        query = (
            select(Alert).where(Alert.id.in_(found), info.context.scope.alerts()).order_by(Alert.id)
        )
        return [AlertNode.from_row(r) for r in (await info.context.execute(query)).scalars()]

    @strawberry.field(
        description="How many open alerts of a blocking severity hold the claim, whoever may read"
        " them: finance, which reads no alerts, still sees why it cannot pay."
    )
    async def blocking_alert_count(self, info: Info) -> int:
        return len(await self._blocking_ids(info))

    @strawberry.field(description="Recoveries of what was over-paid on this claim.")
    async def recoveries(self, info: Info) -> list[SubsidyRecoveryNode]:
        return await load_recoveries(info, self.db_id)

    @strawberry.field(description="Sum of recoveries recorded as returned.")
    async def recovered_amount(self, info: Info) -> float:
        found = await load_recoveries(info, self.db_id)
        return round(sum(r.amount for r in found if r.status == "recovered"), 2)

    @strawberry.field(description="Sum of recoveries still open.")
    async def to_recover_amount(self, info: Info) -> float:
        found = await load_recoveries(info, self.db_id)
        return round(sum(r.amount for r in found if r.status == "open"), 2)

    @strawberry.field(description="Paid, less what was recovered: what the organisation keeps.")
    async def net_paid_amount(self, info: Info) -> float:
        found = await load_recoveries(info, self.db_id)
        return round(self.paid_amount - sum(r.amount for r in found if r.status == "recovered"), 2)

    @strawberry.field(description="Persons in the claim with their hours and outcome.")
    async def lines(self, info: Info) -> list[ClaimLineNode]:
        query = (
            select(ClaimLine)
            .where(ClaimLine.claim_id == self.db_id, info.context.scope.claim_lines())
            .order_by(ClaimLine.id)
        )
        return [ClaimLineNode.from_row(r) for r in (await info.context.execute(query)).scalars()]

    @strawberry.field(description="The Annex 2 material checklist.")
    async def checklist(self, info: Info) -> list[ChecklistItemNode]:
        query = select(SubsidyClaim).where(
            SubsidyClaim.id == self.db_id, info.context.scope.subsidy_claims()
        )

        async def read(session: AsyncSession) -> list[ChecklistItem]:
            claim = (await session.execute(query)).scalar_one()
            return await claim_checklist(session, claim)

        items = await info.context.run(read)
        return [ChecklistItemNode.from_item(item) for item in items]

    @strawberry.field(description="Every status change: who, when, why.")
    async def history(self, info: Info) -> list[WorkflowTransitionNode]:
        return await load_history(info, "subsidy_claim", self.db_id)

    @strawberry.field
    async def training_class(self, info: Info) -> TrainingClassNode | None:
        return await load_class(info, self.class_id)

    @strawberry.field
    async def organisation(self, info: Info) -> OrganisationNode | None:
        row = await info.context.rows_by_id(Organisation).load(self.organisation_id)
        return OrganisationNode.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: SubsidyClaim) -> SubsidyClaimNode:
        return node_from_row(cls, row)
