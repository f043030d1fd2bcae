"""GraphQL types of the policy workflows."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from sqlalchemy import select
from strawberry.scalars import JSON

from hub.api.classes.types import TrainingClassNode, load_class
from hub.api.context import HubContext
from hub.api.platforms.types import OrganisationNode, PlatformNode, load_platform
from hub.api.relay import Node, node_from_row, to_global_id
from hub.policy.checklist import ChecklistItem
from hub.policy.filing import CAPABILITIES
from schema.tables import (
    ClaimLine,
    ClassOpening,
    Organisation,
    PlatformFiling,
    PolicyParameter,
    TrainingProof,
    WorkflowTransition,
)

Info = strawberry.Info[HubContext, None]


@strawberry.type(name="WorkflowTransition")
class WorkflowTransitionNode:
    """One recorded status change: who (subject and role), when, why."""

    entity: str
    from_status: str | None
    to_status: str
    actor_subject: str
    actor_role: str
    actor_name: str | None = strawberry.field(description="The handler's display name.")
    reason: str | None
    at: datetime

    @classmethod
    def from_row(cls, row: WorkflowTransition) -> WorkflowTransitionNode:
        return node_from_row(cls, row)


async def load_history(info: Info, entity: str, entity_id: int) -> list[WorkflowTransitionNode]:
    """The transitions of one entity, under the caller's scope."""
    query = (
        select(WorkflowTransition)
        .where(
            WorkflowTransition.entity == entity,
            WorkflowTransition.entity_id == entity_id,
            info.context.scope.workflow_transitions(),
        )
        .order_by(WorkflowTransition.id)
    )
    rows = (await info.context.execute(query)).scalars()
    return [WorkflowTransitionNode.from_row(row) for row in rows]


@strawberry.type
class Attachment:
    """Metadata of an uploaded file (the file itself is kept by the document store)."""

    name: str
    media_type: str | None
    size: int | None
    sha256: str | None

    @classmethod
    def from_dict(cls, data: dict) -> Attachment:
        return cls(
            name=data.get("name", ""),
            media_type=data.get("media_type"),
            size=data.get("size"),
            sha256=data.get("sha256"),
        )


@strawberry.type
class CapabilityAnswer:
    key: str
    question: str
    answer: bool


@strawberry.type(name="PlatformFiling")
class PlatformFilingNode(Node):
    """A platform filing (Annex 1, 审核备案表)."""

    db_id: strawberry.Private[int]
    platform_id: strawberry.Private[int]
    organisation_id: strawberry.Private[int]
    region_code: str
    status: str
    platform_type: str
    legal_representative: str
    contact_person: str
    capabilities: list[CapabilityAnswer]
    attachments: list[Attachment]
    created_at: datetime
    approved_at: datetime | None

    @strawberry.field
    async def platform(self, info: Info) -> PlatformNode | None:
        return await load_platform(info, self.platform_id)

    @strawberry.field
    async def organisation(self, info: Info) -> OrganisationNode | None:
        row = await info.context.rows_by_id(Organisation).load(self.organisation_id)
        return OrganisationNode.from_row(row) if row else None

    @strawberry.field
    async def history(self, info: Info) -> list[WorkflowTransitionNode]:
        return await load_history(info, "platform_filing", self.db_id)

    @classmethod
    def from_row(cls, row: PlatformFiling) -> PlatformFilingNode:
        return cls(
            id=to_global_id("PlatformFiling", row.id),
            db_id=row.id,
            platform_id=row.platform_id,
            organisation_id=row.organisation_id,
            region_code=row.region_code,
            status=row.status,
            platform_type=row.platform_type,
            legal_representative=row.legal_representative,
            contact_person=row.contact_person,
            capabilities=[
                CapabilityAnswer(key=key, question=question, answer=bool(row.capabilities.get(key)))
                for key, question in CAPABILITIES
            ],
            attachments=[Attachment.from_dict(a) for a in row.attachments],
            created_at=row.created_at,
            approved_at=row.approved_at,
        )


@strawberry.type
class TeachingPlanItem:
    topic: str
    hours: float
    mode: str


@strawberry.type
class CommissioningAgreement:
    """The agreement with a commissioned third-party platform (委托培训协议)."""

    platform_code: str
    method: str | None
    content: str
    period_from: date
    period_to: date
    fee: float
    responsibilities: str | None
    commissioning_party: str | None
    commissioned_party: str | None


@strawberry.type
class OpeningMaterial:
    """A file attached to a class opening (开班申请报告, ID-document copies)."""

    item: str
    title: str
    name: str
    sha256: str
    media_type: str | None
    size: int | None


@strawberry.type(name="ClassOpening")
class ClassOpeningNode(Node):
    """A class opening application (开班申请)."""

    db_id: strawberry.Private[int]
    class_id: strawberry.Private[int]
    region_code: str
    status: str
    total_hours: float
    online_hours: float
    teaching_plan: list[TeachingPlanItem]
    agreements: list[CommissioningAgreement]
    roster_size: int
    materials: list[OpeningMaterial]
    created_at: datetime
    approved_at: datetime | None

    @strawberry.field
    async def training_class(self, info: Info) -> TrainingClassNode | None:
        return await load_class(info, self.class_id)

    @strawberry.field
    async def history(self, info: Info) -> list[WorkflowTransitionNode]:
        return await load_history(info, "class_opening", self.db_id)

    @classmethod
    def from_row(cls, row: ClassOpening) -> ClassOpeningNode:
        return cls(
            id=to_global_id("ClassOpening", row.id),
            db_id=row.id,
            class_id=row.class_id,
            region_code=row.region_code,
            status=row.status,
            total_hours=row.total_hours,
            online_hours=row.online_hours,
            teaching_plan=[TeachingPlanItem(**item) for item in row.teaching_plan],
            agreements=[
                CommissioningAgreement(
                    platform_code=a["platform_code"],
                    method=a.get("method"),
                    content=a.get("content") or a.get("scope", ""),  # `scope` before 0009
                    period_from=date.fromisoformat(a["period_from"]),
                    period_to=date.fromisoformat(a["period_to"]),
                    fee=a["fee"],
                    responsibilities=a.get("responsibilities"),
                    commissioning_party=a.get("commissioning_party"),
                    commissioned_party=a.get("commissioned_party"),
                )
                for a in row.agreements
            ],
            roster_size=len(row.roster),
            materials=[
                OpeningMaterial(
                    item=m["item"],
                    title=m.get("title", ""),
                    name=m["name"],
                    sha256=m["sha256"],
                    media_type=m.get("media_type"),
                    size=m.get("size"),
                )
                for m in row.materials
            ],
            created_at=row.created_at,
            approved_at=row.approved_at,
        )


@strawberry.type(name="PolicyParameter")
class PolicyParameterNode(Node):
    """One version of a policy parameter for a jurisdiction."""

    jurisdiction: str
    key: str
    value: JSON
    effective_from: datetime
    effective_until: datetime | None
    set_by: str
    note: str | None

    @classmethod
    def from_row(cls, row: PolicyParameter) -> PolicyParameterNode:
        return node_from_row(cls, row, jurisdiction=row.region_code, value=row.value["value"])


@strawberry.type(name="ClaimLine")
class ClaimLineNode:
    """A person in a claim with the hours and outcome the amounts come from."""

    trainee_id: strawberry.Private[int]
    online_hours: float
    counted_online_hours: float
    offline_hours: float
    credited_hours: float
    qualified: bool
    certified: bool
    settled_amount: float

    @strawberry.field
    def trainee(self) -> strawberry.ID:
        return to_global_id("Trainee", self.trainee_id)

    @classmethod
    def from_row(cls, row: ClaimLine) -> ClaimLineNode:
        return node_from_row(cls, row)


@strawberry.type(name="ChecklistItem")
class ChecklistItemNode:
    """One Annex 2 material: produced by the hub, attached, or the commitment."""

    key: str
    title: str
    source: str
    complete: bool
    detail: str

    @classmethod
    def from_item(cls, item: ChecklistItem) -> ChecklistItemNode:
        return cls(
            key=item.key,
            title=item.title,
            source=item.source,
            complete=item.complete,
            detail=item.detail,
        )


@strawberry.type(name="TrainingProof")
class TrainingProofNode(Node):
    """An issued online training proof (线上培训证明) with its verification code."""

    code: str
    class_id: strawberry.Private[int]
    trainee_id: strawberry.Private[int]
    online_hours: float
    counted_online_hours: float
    offline_hours: float
    issuer: str
    issuing_bureau: str | None
    issued_at: datetime

    @strawberry.field(description="Public verification, no login needed.")
    def verify_path(self) -> str:
        return f"/verify/{self.code}"

    @strawberry.field(description="The PDF, with the same bearer token.")
    def document_path(self) -> str:
        return f"/documents/proofs/{self.code}.pdf"

    @strawberry.field
    async def training_class(self, info: Info) -> TrainingClassNode | None:
        return await load_class(info, self.class_id)

    @classmethod
    def from_row(cls, row: TrainingProof) -> TrainingProofNode:
        return node_from_row(cls, row)
