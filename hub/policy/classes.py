"""Class opening (开班申请): the organiser applies for a reported class, a bureau approves it.

The application carries the teaching plan (whose online share may not exceed the cap, 40%),
the platforms used with the commissioning agreement for each third-party platform and the
roster as enrolled; approval must come before the class starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth.principal import Principal, Role
from hub.auth.scopes import Scope
from hub.policy.calendar import china_day
from hub.policy.errors import NotInScope, PolicyViolation
from hub.policy.opening_rules import check_designated_organiser, check_materials
from hub.policy.parameters import in_force
from hub.policy.transitions import advance, record, require_reason, require_role
from schema.enums import PlatformType, SessionMode
from schema.tables import ClassOpening, Course, Enrolment, Platform, TrainingClass
from schema.types import utcnow

ENTITY = "class_opening"


@dataclass(frozen=True)
class PlanItem:
    topic: str
    hours: float
    mode: str  # online / offline


@dataclass(frozen=True)
class Agreement:
    """A commissioning agreement with a third-party platform (委托培训协议).

    内人社办发〔2020〕16号 (三)1: "协议应明确培训的方式、内容、期限、费用、双方责任等具体内容" —
    method (方式), content (内容), period (期限), fee (费用), both parties' responsibilities
    (双方责任), and the parties: the commissioning organisation and the platform's operator.
    """

    platform_code: str
    method: str
    content: str
    period_from: date
    period_to: date
    fee: float
    responsibilities: str
    commissioning_party: str
    commissioned_party: str


async def open_class(
    session: AsyncSession,
    principal: Principal,
    class_id: int,
    plan: list[PlanItem],
    platform_codes: list[str],
    agreements: list[Agreement],
    materials: list[dict] | None = None,
) -> ClassOpening:
    """File the opening of one of the organisation's classes; the plan is checked here."""
    require_role(principal, Role.ORG)
    scope = Scope(principal)
    training_class = (
        await session.execute(
            select(TrainingClass).where(TrainingClass.id == class_id, scope.training_classes())
        )
    ).scalar_one_or_none()
    if training_class is None:
        raise NotInScope(f"training class {class_id} not found")
    pending = (
        await session.execute(
            select(ClassOpening.id).where(
                ClassOpening.class_id == class_id, ClassOpening.status != "returned"
            )
        )
    ).first()
    if pending is not None:
        raise PolicyViolation("this class already has an opening application")

    course = await session.get(Course, training_class.course_id)
    assert course is not None  # enforced by the foreign key
    total, online = _plan_hours(plan)
    params = await in_force(session, training_class.region_code, utcnow())
    cap = float(params.get("online_hours_cap"))
    if online > cap * total + 1e-9:
        raise PolicyViolation(
            f"online hours ({online:g}) exceed {cap:.0%} of the course's {total:g} hours"
            f" (at most {cap * total:g} may be online)"
        )
    if abs(total - course.total_hours) > 1e-9:
        raise PolicyViolation(
            f"the teaching plan has {total:g} hours but the course has {course.total_hours:g}"
        )

    platforms = await _platforms_used(session, training_class, platform_codes)
    agreement_rows = _check_agreements(training_class, platforms, agreements)
    roster = list(
        (
            await session.execute(
                select(Enrolment.trainee_id)
                .where(Enrolment.class_id == class_id)
                .order_by(Enrolment.id)
            )
        ).scalars()
    )
    if not roster:
        raise PolicyViolation("the roster is empty: the platform has reported no enrolments")
    await check_designated_organiser(session, training_class, roster, params)
    material_rows = check_materials(materials or [], params)
    opening = ClassOpening(
        class_id=class_id,
        organisation_id=training_class.organiser_id,
        region_code=training_class.region_code,
        total_hours=total,
        online_hours=online,
        teaching_plan=[{"topic": i.topic, "hours": i.hours, "mode": i.mode} for i in plan],
        platform_ids=[p.id for p in platforms],
        agreements=agreement_rows,
        roster=roster,
        materials=material_rows,
    )
    session.add(opening)
    await session.flush()
    await record(session, principal, ENTITY, opening.id, None, opening.status)  # type: ignore[arg-type]
    return opening


def _plan_hours(plan: list[PlanItem]) -> tuple[float, float]:
    if not plan:
        raise PolicyViolation("the teaching plan is empty")
    for item in plan:
        if item.hours <= 0 or item.mode not in (SessionMode.ONLINE, SessionMode.OFFLINE):
            raise PolicyViolation(f"plan item {item.topic!r}: hours > 0 and mode online/offline")
    total = sum(item.hours for item in plan)
    online = sum(item.hours for item in plan if item.mode == SessionMode.ONLINE)
    return total, online


async def _platforms_used(
    session: AsyncSession, training_class: TrainingClass, codes: list[str]
) -> list[Platform]:
    """The class's own platform and the others named; unknown codes are an error."""
    found = list(
        (
            await session.execute(
                select(Platform).where(
                    (Platform.code.in_(codes)) | (Platform.id == training_class.platform_id)
                )
            )
        ).scalars()
    )
    unknown = set(codes) - {p.code for p in found}
    if unknown:
        raise PolicyViolation(f"unknown platforms: {', '.join(sorted(unknown))}")
    return sorted(found, key=lambda p: p.id)  # type: ignore[arg-type,return-value]


def _check_agreements(
    training_class: TrainingClass, platforms: list[Platform], agreements: list[Agreement]
) -> list[dict]:
    """Every third-party platform needs an agreement covering the class's dates."""
    by_code = {a.platform_code: a for a in agreements}
    used = {p.code for p in platforms}
    stray = set(by_code) - used
    if stray:
        raise PolicyViolation(f"agreements for platforms not used: {', '.join(sorted(stray))}")
    rows = []
    for platform in platforms:
        agreement = by_code.get(platform.code)
        if agreement is None:
            if platform.platform_type is PlatformType.THIRD_PARTY:
                raise PolicyViolation(
                    "内人社办发〔2020〕16号 (三)1：委托第三方平台须签订委托培训协议；"
                    f"平台 {platform.code} 是委托第三方平台，缺少协议"
                    " (the commissioning agreement is required: 方式、内容、期限、费用、双方责任)"
                )
            continue
        blank = [
            label
            for label, value in (
                ("方式 method", agreement.method),
                ("内容 content", agreement.content),
                ("双方责任 responsibilities", agreement.responsibilities),
                ("委托方 commissioning party", agreement.commissioning_party),
                ("受托方 commissioned party", agreement.commissioned_party),
            )
            if not value.strip()
        ]
        if blank or agreement.fee < 0:
            raise PolicyViolation(
                f"与平台 {platform.code} 的委托培训协议不完整（内人社办发〔2020〕16号 (三)1）："
                + "、".join(blank + (["费用 fee ≥ 0"] if agreement.fee < 0 else []))
            )
        if (
            agreement.period_from > training_class.starts_on
            or agreement.period_to < training_class.ends_on
        ):
            raise PolicyViolation(
                f"agreement with {platform.code} ({agreement.period_from} – {agreement.period_to})"
                f" does not cover the class ({training_class.starts_on} – {training_class.ends_on})"
            )
        rows.append(
            {
                "platform_id": platform.id,
                "platform_code": platform.code,
                "method": agreement.method.strip(),
                "content": agreement.content.strip(),
                "period_from": agreement.period_from.isoformat(),
                "period_to": agreement.period_to.isoformat(),
                "fee": float(agreement.fee),
                "responsibilities": agreement.responsibilities.strip(),
                "commissioning_party": agreement.commissioning_party.strip(),
                "commissioned_party": agreement.commissioned_party.strip(),
            }
        )
    return rows


async def approve_class_opening(
    session: AsyncSession, principal: Principal, opening_id: int, reason: str | None
) -> None:
    """A district or city bureau (or the industry authority) approves — only before the start."""
    require_role(principal, Role.DISTRICT, Role.INDUSTRY, Role.CITY)
    scope = Scope(principal).class_openings()
    row = (
        await session.execute(
            select(ClassOpening.class_id, TrainingClass.starts_on)
            .join(TrainingClass, TrainingClass.id == ClassOpening.class_id)
            .where(ClassOpening.id == opening_id, scope)
        )
    ).one_or_none()
    if row is None:
        raise NotInScope(f"{ENTITY} {opening_id} not found")
    now = utcnow()
    today = china_day(now)
    assert today is not None
    if today >= row.starts_on:
        raise PolicyViolation(
            f"the class starts on {row.starts_on}: an opening must be approved before training starts"
        )
    await advance(
        session,
        principal,
        table=ClassOpening,
        entity=ENTITY,
        row_id=opening_id,
        scope=scope,
        from_statuses=["submitted"],
        to_status="approved",
        reason=reason,
        values={"approved_at": now},
    )
    await session.execute(
        update(TrainingClass)
        .where(TrainingClass.id == row.class_id)
        .values(approved_at=now)
        .execution_options(synchronize_session=False)
    )


async def return_class_opening(
    session: AsyncSession, principal: Principal, opening_id: int, reason: str | None
) -> None:
    """Send an opening application back to the organiser, with the reason."""
    require_role(principal, Role.DISTRICT, Role.INDUSTRY, Role.CITY)
    await advance(
        session,
        principal,
        table=ClassOpening,
        entity=ENTITY,
        row_id=opening_id,
        scope=Scope(principal).class_openings(),
        from_statuses=["submitted"],
        to_status="returned",
        reason=require_reason(reason),
    )
