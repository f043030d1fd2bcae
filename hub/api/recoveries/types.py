"""GraphQL type of a recovery (追回 / 退还不当所得)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy import select

from hub.api.context import HubContext
from hub.api.policy.types import WorkflowTransitionNode, load_history
from hub.api.relay import Node, node_from_row, to_global_id
from schema.tables import SubsidyRecovery

Info = strawberry.Info[HubContext, None]


@strawberry.type(name="SubsidyRecovery")
class SubsidyRecoveryNode(Node):
    """An over-paid amount to take back from an organisation, managed by finance."""

    db_id: strawberry.Private[int]
    claim_id: strawberry.Private[int]
    region_code: str
    amount: float
    reason: str
    status: str = strawberry.field(description="open, recovered or written_off")
    opened_by: str
    opened_at: datetime
    closed_by: str | None
    closed_at: datetime | None
    close_reason: str | None
    alert_ids: strawberry.Private[list[int]]

    @strawberry.field(description="The claim it takes money back from.")
    def claim(self) -> strawberry.ID:
        return to_global_id("SubsidyClaim", self.claim_id)

    @strawberry.field(description="The confirmed alerts behind it.")
    def alerts(self) -> list[strawberry.ID]:
        return [to_global_id("Alert", alert_id) for alert_id in self.alert_ids]

    @strawberry.field(description="Every status change: who, when, why.")
    async def history(self, info: Info) -> list[WorkflowTransitionNode]:
        return await load_history(info, "subsidy_recovery", self.db_id)

    @classmethod
    def from_row(cls, row: SubsidyRecovery) -> SubsidyRecoveryNode:
        return node_from_row(cls, row, alert_ids=list(row.alert_ids))


async def load_recoveries(info: Info, claim_id: int) -> list[SubsidyRecoveryNode]:
    """A claim's recoveries under the caller's scope, oldest first."""
    query = (
        select(SubsidyRecovery)
        .where(SubsidyRecovery.claim_id == claim_id, info.context.scope.subsidy_recoveries())
        .order_by(SubsidyRecovery.id)
    )
    rows = (await info.context.execute(query)).scalars()
    return [SubsidyRecoveryNode.from_row(row) for row in rows]
