"""Mutations of platform filing, class opening, policy parameters and training proofs."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.scalars import JSON

from hub.api.policy.steps import Info, reload, run_step
from hub.api.policy.types import (
    ClassOpeningNode,
    PlatformFilingNode,
    PolicyParameterNode,
    TrainingProofNode,
)
from hub.api.relay import expect_id
from hub.documents.proofs import issue_proof
from hub.policy import classes, filing
from hub.policy.parameters import set_parameter
from schema.tables import ClassOpening, PlatformFiling, PolicyParameter


@strawberry.input
class AttachmentInput:
    name: str
    media_type: str | None = None
    size: int | None = None
    sha256: str | None = None

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "media_type": self.media_type,
            "size": self.size,
            "sha256": self.sha256,
        }


@strawberry.input
class CapabilitiesInput:
    """The five capability questions of Annex 1, answered yes or no."""

    stable_technical_conditions: bool
    standard_digital_resources: bool
    real_name_ledger: bool
    recordable_process: bool
    issues_training_proofs: bool


@strawberry.input
class PlatformFilingInput:
    platform: str = strawberry.field(description="Platform code.")
    platform_type: str = strawberry.field(description="own_website, own_platform or third_party.")
    district: str | None = strawberry.field(
        default=None,
        description="The reviewing district: the organisation's registered district (default);"
        " any other is refused.",
    )
    legal_representative: str | None = strawberry.field(
        default=None, description="Defaults to the organisation's register entry."
    )
    contact_person: str | None = strawberry.field(
        default=None, description="经办人员; defaults to the register's contact person."
    )
    contact_phone: str | None = strawberry.field(
        default=None, description="Defaults to the register's contact phone."
    )
    capabilities: CapabilitiesInput
    attachments: list[AttachmentInput] = strawberry.field(default_factory=list)
    platform_name: str | None = strawberry.field(
        default=None, description="线上培训平台（网站）名称; becomes the platform's name."
    )
    platform_url: str | None = strawberry.field(
        default=None, description="The platform's address (网址); becomes the platform's URL."
    )


@strawberry.input
class OpeningMaterialInput:
    """A file attached to a class opening: metadata and its SHA-256."""

    item: str = strawberry.field(description="application_report (开班申请报告) or id_copies.")
    name: str
    sha256: str
    media_type: str | None = None
    size: int | None = None


@strawberry.input
class TeachingPlanItemInput:
    topic: str
    hours: float
    mode: str = strawberry.field(description="online or offline")


@strawberry.input(
    description="A commissioning agreement (委托培训协议), 内人社办发〔2020〕16号 (三)1."
)
class AgreementInput:
    platform: str
    method: str = strawberry.field(description="方式: how the training is delivered.")
    content: str = strawberry.field(description="内容: what is taught.")
    period_from: date = strawberry.field(description="期限: from.")
    period_to: date = strawberry.field(description="期限: to.")
    fee: float = strawberry.field(description="费用: the most the platform may be paid.")
    responsibilities: str = strawberry.field(description="双方责任: both parties' duties.")
    commissioning_party: str = strawberry.field(description="委托方: the organisation.")
    commissioned_party: str = strawberry.field(description="受托方: the platform's operator.")


@strawberry.input
class ClassOpeningInput:
    training_class: strawberry.ID
    teaching_plan: list[TeachingPlanItemInput]
    platforms: list[str] = strawberry.field(default_factory=list)
    agreements: list[AgreementInput] = strawberry.field(default_factory=list)
    materials: list[OpeningMaterialInput] = strawberry.field(default_factory=list)


@strawberry.input
class PolicyParameterInput:
    jurisdiction: str = strawberry.field(description="150000 for the region, a city's code.")
    key: str
    value: JSON
    effective_from: datetime | None = None
    effective_until: datetime | None = strawberry.field(
        default=None, description="The version stops applying after this moment."
    )
    note: str | None = None


@strawberry.type
class PolicyMutation:
    @strawberry.mutation(description="An organisation files a platform (Annex 1).")
    async def file_platform(self, info: Info, input: PlatformFilingInput) -> PlatformFilingNode:
        data = filing.FilingInput(
            platform_code=input.platform,
            platform_type=input.platform_type,
            district=input.district,
            legal_representative=input.legal_representative,
            contact_person=input.contact_person,
            contact_phone=input.contact_phone,
            capabilities=vars(input.capabilities),
            attachments=[a.to_dict() for a in input.attachments],
            platform_name=input.platform_name,
            platform_url=input.platform_url,
        )
        row = await run_step(info, lambda s, p: filing.file_platform(s, p, data))
        return PlatformFilingNode.from_row(await reload(info, PlatformFiling, row.id))

    @strawberry.mutation(description="District review of a filing.")
    async def review_platform_filing(
        self, info: Info, id: strawberry.ID, reason: str | None = None
    ) -> PlatformFilingNode:
        return await _filing_step(info, filing.review_filing, id, reason)

    @strawberry.mutation(description="City approval of a filing.")
    async def approve_platform_filing(
        self, info: Info, id: strawberry.ID, reason: str | None = None
    ) -> PlatformFilingNode:
        return await _filing_step(info, filing.approve_filing, id, reason)

    @strawberry.mutation(description="District or city returns a filing, with the reason.")
    async def return_platform_filing(
        self, info: Info, id: strawberry.ID, reason: str
    ) -> PlatformFilingNode:
        return await _filing_step(info, filing.return_filing, id, reason)

    @strawberry.mutation(description="An organiser applies to open a class (开班申请).")
    async def open_class(self, info: Info, input: ClassOpeningInput) -> ClassOpeningNode:
        class_id = expect_id(input.training_class, "TrainingClass")
        plan = [classes.PlanItem(i.topic, i.hours, i.mode) for i in input.teaching_plan]
        agreements = [
            classes.Agreement(
                a.platform,
                a.method,
                a.content,
                a.period_from,
                a.period_to,
                a.fee,
                a.responsibilities,
                a.commissioning_party,
                a.commissioned_party,
            )
            for a in input.agreements
        ]
        materials = [
            {
                "item": m.item,
                "name": m.name,
                "sha256": m.sha256,
                "media_type": m.media_type,
                "size": m.size,
            }
            for m in input.materials
        ]
        row = await run_step(
            info,
            lambda s, p: classes.open_class(
                s, p, class_id, plan, input.platforms, agreements, materials
            ),
        )
        return ClassOpeningNode.from_row(await reload(info, ClassOpening, row.id))

    @strawberry.mutation(description="District or city approves a class opening before it starts.")
    async def approve_class_opening(
        self, info: Info, id: strawberry.ID, reason: str | None = None
    ) -> ClassOpeningNode:
        return await _opening_step(info, classes.approve_class_opening, id, reason)

    @strawberry.mutation(description="District or city returns a class opening, with the reason.")
    async def return_class_opening(
        self, info: Info, id: strawberry.ID, reason: str
    ) -> ClassOpeningNode:
        return await _opening_step(info, classes.return_class_opening, id, reason)

    @strawberry.mutation(description="A new version of a policy parameter (region or city).")
    async def set_policy_parameter(
        self, info: Info, input: PolicyParameterInput
    ) -> PolicyParameterNode:
        row = await run_step(
            info,
            lambda s, p: set_parameter(
                s,
                p,
                jurisdiction=input.jurisdiction,
                key=input.key,
                value=input.value,
                effective_from=input.effective_from,
                effective_until=input.effective_until,
                note=input.note,
            ),
        )
        return PolicyParameterNode.from_row(await reload(info, PolicyParameter, row.id))

    @strawberry.mutation(description="Issue an online training proof for a trainee in a class.")
    async def issue_training_proof(
        self, info: Info, training_class: strawberry.ID, trainee: strawberry.ID
    ) -> TrainingProofNode:
        class_id = expect_id(training_class, "TrainingClass")
        trainee_id = expect_id(trainee, "Trainee")
        row = await run_step(info, lambda s, p: issue_proof(s, p, class_id, trainee_id))
        return TrainingProofNode.from_row(row)


async def _filing_step(
    info: Info, step, id: strawberry.ID, reason: str | None
) -> PlatformFilingNode:  # type: ignore[no-untyped-def]
    row_id = expect_id(id, "PlatformFiling")
    await run_step(info, lambda s, p: step(s, p, row_id, reason))
    return PlatformFilingNode.from_row(await reload(info, PlatformFiling, row_id))


async def _opening_step(
    info: Info, step, id: strawberry.ID, reason: str | None
) -> ClassOpeningNode:  # type: ignore[no-untyped-def]
    row_id = expect_id(id, "ClassOpening")
    await run_step(info, lambda s, p: step(s, p, row_id, reason))
    return ClassOpeningNode.from_row(await reload(info, ClassOpening, row_id))
