"""Online training proof (线上培训证明): issued per trainee and class from the recorded hours.

Each proof gets a random verification code; anyone holding the paper can check it at
`/verify/{code}`, which shows the name masked, the hours, the class and the issuer.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth.principal import Principal, Role
from hub.auth.scopes import Scope
from hub.documents import pdf
from hub.policy.amounts import credit_hours
from hub.policy.calendar import CHINA
from hub.policy.errors import NotInScope, PolicyViolation
from hub.policy.hours import RecordedHours, hours_by_trainee
from hub.policy.parameters import in_force
from hub.policy.transitions import require_role
from hub.registry.bureaus import bureau_name, region_names
from schema.regions import REGION_CODE
from schema.tables import (
    Course,
    Enrolment,
    Organisation,
    Platform,
    Trainee,
    TrainingClass,
    TrainingProof,
)
from schema.types import utcnow

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are typed from paper


def new_code() -> str:
    """A 16-character verification code in four groups (80 bits of randomness)."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def normalise_code(code: str) -> str:
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def mask_name(name: str) -> str:
    """Keep the surname's first character: 张伟 → 张*, 欧阳娜娜 → 欧***."""
    return name[:1] + "*" * max(len(name) - 1, 1)


async def issue_proof(
    session: AsyncSession, principal: Principal, class_id: int, trainee_id: int
) -> TrainingProof:
    """Issue a proof for a trainee enrolled in a class the caller may see."""
    require_role(principal, Role.ORG, Role.DISTRICT, Role.CITY, Role.REGION)
    scope = Scope(principal)
    found = (
        await session.execute(
            select(TrainingClass, Organisation.name, Course)
            .join(Organisation, Organisation.id == TrainingClass.organiser_id)
            .join(Course, Course.id == TrainingClass.course_id)
            .where(TrainingClass.id == class_id, scope.training_classes())
        )
    ).one_or_none()
    if found is None:
        raise NotInScope(f"training class {class_id} not found")
    training_class, issuer, course = found
    issuing_bureau = await _issuing_bureau(session, principal, training_class.region_code)
    enrolled = (
        await session.execute(
            select(Enrolment.id).where(
                Enrolment.class_id == class_id, Enrolment.trainee_id == trainee_id
            )
        )
    ).first()
    if enrolled is None:
        raise PolicyViolation(f"trainee {trainee_id} is not enrolled in class {class_id}")
    recorded = (await hours_by_trainee(session, training_class, subsidised=False)).get(trainee_id)
    if recorded is None or recorded.online <= 0:
        raise PolicyViolation("no online hours are recorded for this trainee in this class")
    countable = (await hours_by_trainee(session, training_class, subsidised=True)).get(
        trainee_id, RecordedHours()
    )
    cap = float(
        (await in_force(session, training_class.region_code, utcnow())).get("online_hours_cap")
    )
    credited = credit_hours(countable.online, 0.0, course.total_hours, cap)
    proof = TrainingProof(
        code=new_code(),
        class_id=class_id,
        trainee_id=trainee_id,
        online_hours=round(recorded.online, 2),
        counted_online_hours=credited.counted_online,
        offline_hours=round(recorded.offline, 2),
        first_session_on=recorded.first_on,
        last_session_on=recorded.last_on,
        issuer=issuer,
        issuing_bureau=issuing_bureau,
        issued_by=principal.name or principal.subject,
    )
    session.add(proof)
    await session.flush()
    return proof


async def _issuing_bureau(session: AsyncSession, principal: Principal, class_region: str) -> str:
    """The bureau named on the proof: the issuing bureau itself, or for a proof an organisation
    issues, the bureau of the class's district that supervises it."""
    code = REGION_CODE if principal.role is Role.REGION else principal.region_code
    if principal.role is Role.ORG or code is None:
        code = class_region
    names = await region_names(session, code)
    return bureau_name(names.get(code, code))


@dataclass(frozen=True)
class ProofView:
    """What a proof shows: read under a scope for the PDF, or by code for public verification."""

    code: str
    name: str
    id_masked: str
    class_name: str
    course_title: str
    occupation: str
    skill_level: int
    platform: str
    online_hours: float
    counted_online_hours: float
    offline_hours: float
    first_session_on: str
    last_session_on: str
    issuer: str
    issuing_bureau: str
    issued_at: datetime

    def public(self) -> dict:
        """The public verification answer: name masked, no ID number."""
        return {
            "valid": True,
            "code": self.code,
            "name": mask_name(self.name),
            "trainingClass": self.class_name,
            "course": self.course_title,
            "occupation": self.occupation,
            "skillLevel": self.skill_level,
            "onlineHours": self.online_hours,
            "countedOnlineHours": self.counted_online_hours,
            "offlineHours": self.offline_hours,
            "period": [self.first_session_on, self.last_session_on],
            "issuer": self.issuer,
            "issuingBureau": self.issuing_bureau,
            "issuedAt": self.issued_at.isoformat(),
        }


async def find_proof(
    session: AsyncSession, code: str, principal: Principal | None = None
) -> ProofView | None:
    """The proof with this code (limited to the caller's scope when a principal is given)."""
    query = (
        select(TrainingProof, Trainee, TrainingClass, Course, Platform.name)
        .join(Trainee, Trainee.id == TrainingProof.trainee_id)
        .join(TrainingClass, TrainingClass.id == TrainingProof.class_id)
        .join(Course, Course.id == TrainingClass.course_id)
        .join(Platform, Platform.id == TrainingClass.platform_id)
        .where(TrainingProof.code == normalise_code(code))
    )
    if principal is not None:
        query = query.where(Scope(principal).training_proofs())
    row = (await session.execute(query)).one_or_none()
    if row is None:
        return None
    proof, trainee, training_class, course, platform = row
    return ProofView(
        code=proof.code,
        name=trainee.name,
        id_masked=trainee.id_masked,
        class_name=training_class.name or training_class.source_id,
        course_title=course.title,
        occupation=course.occupation_name,
        skill_level=course.skill_level,
        platform=platform,
        online_hours=proof.online_hours,
        counted_online_hours=proof.counted_online_hours,
        offline_hours=proof.offline_hours,
        first_session_on=str(proof.first_session_on or ""),
        last_session_on=str(proof.last_session_on or ""),
        issuer=proof.issuer,
        issuing_bureau=proof.issuing_bureau or "",
        issued_at=proof.issued_at,
    )


def proof_pdf(view: ProofView, verify_url: str) -> bytes:
    """The proof as a one-page PDF with the embedded CJK font and a QR code of `verify_url`."""
    issued = view.issued_at.astimezone(CHINA)
    body = (
        f"兹证明 {view.name}（身份证号 {view.id_masked}）于 {view.first_session_on} 至 "
        f"{view.last_session_on} 期间，在“{view.platform}”平台参加 {view.issuer} 组织的"
        f"“{view.course_title}”线上职业技能培训，经平台实名制培训台账记录，线上学习"
        f" {view.online_hours:.2f} 学时。"
    )
    return pdf.render(
        [
            pdf.title("线上培训证明"),
            pdf.spacer(6),
            pdf.paragraph(body, 11),
            pdf.spacer(4),
            pdf.table(
                [
                    ["姓名", view.name],
                    ["身份证号", view.id_masked],
                    ["培训班级", view.class_name],
                    ["职业（工种）/等级", f"{view.occupation} / {view.skill_level}级"],
                    ["线上学时（记录）", f"{view.online_hours:.2f}"],
                    ["计入补贴的线上学时", f"{view.counted_online_hours:.2f}"],
                    ["线下学时", f"{view.offline_hours:.2f}"],
                    ["培训组织单位", view.issuer],
                    ["出具部门", view.issuing_bureau],
                    ["出具日期", issued.date().isoformat()],
                    ["验证码", view.code],
                    ["验证地址", verify_url],
                ],
                [45, 129],
            ),
            pdf.spacer(6),
            pdf.qr_code(verify_url, size_mm=36),
            pdf.paragraph(
                "扫描二维码或凭验证码在线核验。本证明依据平台实际记录的学习时长出具。", 9
            ),
        ],
        f"线上培训证明 {view.code}",
    )
