"""GraphQL types of fraud alerts (监管预警) and of the ledger's verification."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from hub.api.classes.types import TrainingClassNode, load_class
from hub.api.context import HubContext
from hub.api.personal_text import shown_json, shown_text
from hub.api.platforms.types import (
    OrganisationNode,
    PlatformNode,
    RegionNode,
    load_platform,
    load_region,
)
from hub.api.relay import Node, node_from_row
from schema.tables import Alert, AlertRecord, Organisation

Info = strawberry.Info[HubContext, None]
RECORD_LIMIT = 200


@strawberry.type(name="AlertRecord")
class AlertRecordNode:
    """A platform record an alert is about, by its platform's own key."""

    db_id: strawberry.Private[int]
    platform_id: strawberry.Private[int]
    type: str
    source_id: strawberry.Private[str]

    @strawberry.field(
        name="sourceId", description="The platform's key; personal numbers masked without pii."
    )
    def shown_source_id(self, info: Info) -> str:
        return (
            shown_text(info.context, "alert_record", self.db_id, "sourceId", self.source_id) or ""
        )

    @strawberry.field(description="The platform; null when outside the caller's scope.")
    async def platform(self, info: Info) -> PlatformNode | None:
        return await load_platform(info, self.platform_id)

    @classmethod
    def from_row(cls, row: AlertRecord) -> AlertRecordNode:
        return cls(
            db_id=row.id,
            platform_id=row.platform_id,
            type=row.record_type,
            source_id=row.source_id,
        )


@strawberry.type(name="Alert")
class AlertNode(Node):
    """One finding of one fraud rule: what triggered it, the records, and its review."""

    db_id: strawberry.Private[int]
    region_code: strawberry.Private[str | None]
    organisation_id: strawberry.Private[int | None]
    class_id: strawberry.Private[int | None]
    rule: str
    severity: str
    status: str
    evidence: strawberry.Private[dict]
    reviewer: str | None
    review_reason: str | None
    reviewed_at: datetime | None
    first_seen_at: datetime
    last_seen_at: datetime
    resolved_at: datetime | None

    @strawberry.field(
        name="evidence", description="What triggered it; personal numbers masked without pii."
    )
    def shown_evidence(self, info: Info) -> JSON:
        return shown_json(info.context, "alert", self.db_id, "evidence", self.evidence)

    @strawberry.field(description=f"The records involved (at most {RECORD_LIMIT}).")
    async def records(self, info: Info) -> list[AlertRecordNode]:
        loader = info.context.rows_by_parent(AlertRecord, "alert_id", RECORD_LIMIT)
        return [AlertRecordNode.from_row(r) for r in await loader.load(self.db_id)]

    @strawberry.field
    async def region(self, info: Info) -> RegionNode | None:
        return await load_region(info, self.region_code)

    @strawberry.field
    async def organisation(self, info: Info) -> OrganisationNode | None:
        if self.organisation_id is None:
            return None
        row = await info.context.rows_by_id(Organisation).load(self.organisation_id)
        return OrganisationNode.from_row(row) if row else None

    @strawberry.field
    async def training_class(self, info: Info) -> TrainingClassNode | None:
        return await load_class(info, self.class_id)

    @classmethod
    def from_row(cls, row: Alert) -> AlertNode:
        return node_from_row(cls, row)


@strawberry.type
class AlertCount:
    rule: str
    status: str
    count: int


@strawberry.type
class LedgerStatus:
    """Whether the hash chain over the stored history is intact, and where it first breaks."""

    intact: bool
    entries: int
    first_broken_seq: int | None
    reason: str | None
