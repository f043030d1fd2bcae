"""The Annex 2 material checklist of a claim: what the hub holds itself, what must be attached.

The hub produces the roster, sign-in and learning records (from the platforms' ledgers), the
teaching plan (from the approved class opening), the filing (Annex 1) and the application form
(Annex 2); copies of ID documents must be attached; the Annex 3 commitment must be accepted.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.policy.hours import counting_platforms
from schema.tables import (
    ClassOpening,
    Enrolment,
    LearningSession,
    Platform,
    SubsidyClaim,
    TrainingClass,
)

# Items an organisation attaches (metadata of the uploaded files) rather than the hub producing.
ATTACHABLE = ("id_proofs",)


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    title: str
    source: str  # "hub" (produced from the hub's data) or "attachment" or "commitment"
    complete: bool
    detail: str


async def claim_checklist(session: AsyncSession, claim: SubsidyClaim) -> list[ChecklistItem]:
    """Each Annex 2 material with whether it is complete for this claim."""
    training_class = await session.get(TrainingClass, claim.class_id)
    assert training_class is not None
    enrolled = (
        await session.execute(
            select(func.count(func.distinct(Enrolment.trainee_id))).where(
                Enrolment.class_id == claim.class_id
            )
        )
    ).scalar_one()
    signed_in, sessions = (
        await session.execute(
            select(func.count(func.distinct(LearningSession.trainee_id)), func.count()).where(
                LearningSession.class_id == claim.class_id
            )
        )
    ).one()
    plan = (
        await session.execute(
            select(ClassOpening.teaching_plan).where(
                ClassOpening.class_id == claim.class_id, ClassOpening.status == "approved"
            )
        )
    ).scalar_one_or_none()
    platform_counts = (
        await session.execute(
            select(Platform.code).where(
                Platform.id == training_class.platform_id,
                counting_platforms(training_class.organiser_id),
            )
        )
    ).scalar_one_or_none()
    id_proofs = claim.attachments.get("id_proofs", [])
    return [
        ChecklistItem(
            "annex1",
            "线上培训平台（网站）审核备案表（附件1）",
            "hub",
            platform_counts is not None,
            "平台已备案通过或列入平台目录" if platform_counts else "平台未备案通过",
        ),
        ChecklistItem("annex2", "线上职业技能补贴性培训申请表（附件2）", "hub", True, "由系统生成"),
        ChecklistItem(
            "annex3",
            "提交材料真实性承诺书（附件3）",
            "commitment",
            claim.commitment_accepted_at is not None,
            "已承诺" if claim.commitment_accepted_at else "未承诺",
        ),
        ChecklistItem("roster", "培训人员名册", "hub", enrolled > 0, f"{enrolled} 人"),
        ChecklistItem(
            "id_proofs",
            "培训对象基本身份类证明复印件",
            "attachment",
            bool(id_proofs),
            f"{len(id_proofs)} 个附件",
        ),
        ChecklistItem(
            "sign_ins", "签到注册记录", "hub", signed_in > 0, f"{signed_in}/{enrolled} 人有签到"
        ),
        ChecklistItem("learning_records", "学习记录", "hub", sessions > 0, f"{sessions} 条"),
        ChecklistItem(
            "teaching_plan",
            "教学计划",
            "hub",
            bool(plan),
            f"{len(plan)} 项" if plan else "开班申请未批准",
        ),
    ]
