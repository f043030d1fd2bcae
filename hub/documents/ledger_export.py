"""The real-name training ledger (实名制培训台账) as 乌人社发〔2020〕26号 二 lists it: trainee
registration data, identity category, course, hours (online, offline, credited), assessment
result, certificate — with the names of the regions, organiser and platform.

One row per enrolment, streamed; the caller's scope is in the query.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from hub.auth.principal import Principal
from hub.auth.scopes import Scope
from hub.documents.xlsx import Sheet, stream_rows
from hub.policy.amounts import credit_hours
from hub.policy.calendar import CHINA
from hub.policy.parameters import in_force
from schema.tables import (
    Assessment,
    Certificate,
    Course,
    Enrolment,
    LearningSession,
    Organisation,
    Platform,
    Region,
    Trainee,
    TrainingClass,
)
from schema.types import utcnow

if TYPE_CHECKING:
    from hub.documents.exports import ExportFilter

HEADERS = (
    "序号",
    "姓名",
    "身份证号",
    "手机号",
    "身份类别",
    "户籍/所在地区",
    "注册时间",
    "报名日期",
    "培训机构",
    "培训班级",
    "培训地区",
    "培训课程",
    "职业（工种）",
    "等级",
    "培训平台",
    "线上学时",
    "线下学时",
    "认定学时",
    "考核结果",
    "考核成绩",
    "证书编号",
)


def _hours(mode: str) -> Any:
    seconds = case((LearningSession.mode == mode, LearningSession.duration_seconds), else_=0)
    return func.coalesce(func.sum(seconds), 0) / 3600.0


def ledger(
    session: AsyncSession,
    principal: Principal,
    flt: ExportFilter,
    categories: dict[str, str],
    region_filter: Any,
) -> Sheet:
    """The 台账 sheet: one row per enrolment the caller may see."""
    hours = select(
        LearningSession.class_id,
        LearningSession.trainee_id,
        _hours("online").label("online"),
        _hours("offline").label("offline"),
    ).group_by(LearningSession.class_id, LearningSession.trainee_id)
    assessed = select(
        Assessment.class_id,
        Assessment.trainee_id,
        func.max(case((Assessment.passed, 1), else_=0)).label("passed"),
        func.max(Assessment.score).label("score"),
    ).group_by(Assessment.class_id, Assessment.trainee_id)
    certified = (
        select(
            Certificate.class_id,
            Certificate.trainee_id,
            func.max(Certificate.number).label("number"),
        )
        .where(Certificate.class_id.is_not(None))
        .group_by(Certificate.class_id, Certificate.trainee_id)
    )
    scope = Scope(principal)
    # The relation rule of hub/auth/scopes.py, as GraphQL applies it to a roster's trainees.
    where = [
        scope.class_linked(Enrolment),
        scope.trainees(),
        *region_filter(TrainingClass.region_code),
    ]
    if flt.class_id is not None:
        where.append(Enrolment.class_id == flt.class_id)
        hours = hours.where(LearningSession.class_id == flt.class_id)
        assessed = assessed.where(Assessment.class_id == flt.class_id)
        certified = certified.where(Certificate.class_id == flt.class_id)
    h, a, c = hours.subquery(), assessed.subquery(), certified.subquery()
    home, taught = aliased(Region), aliased(Region)

    def joined(table: Any) -> Any:
        return (table.c.class_id == Enrolment.class_id) & (
            table.c.trainee_id == Enrolment.trainee_id
        )

    query = (
        select(
            Trainee.name,
            Trainee.id_masked,
            Trainee.phone_masked,
            Trainee.identity_category,
            home.name,
            Trainee.first_seen_at,
            Enrolment.enrolled_on,
            Organisation.name,
            TrainingClass.name,
            taught.name,
            TrainingClass.region_code,
            Course.title,
            Course.occupation_name,
            Course.skill_level,
            Course.total_hours,
            Platform.name,
            func.coalesce(h.c.online, 0),
            func.coalesce(h.c.offline, 0),
            a.c.passed,
            a.c.score,
            c.c.number,
        )
        .select_from(Enrolment)
        .join(Trainee, Trainee.id == Enrolment.trainee_id)
        .join(TrainingClass, TrainingClass.id == Enrolment.class_id)
        .join(Course, Course.id == TrainingClass.course_id)
        .join(Organisation, Organisation.id == TrainingClass.organiser_id)
        .join(Platform, Platform.id == Enrolment.platform_id)
        .outerjoin(home, home.code == Trainee.region_code)
        .outerjoin(taught, taught.code == TrainingClass.region_code)
        .outerjoin(h, joined(h))
        .outerjoin(a, joined(a))
        .outerjoin(c, joined(c))
        .where(*where)
        .order_by(Enrolment.id)
    )

    async def rows() -> AsyncIterator[Sequence[Any]]:
        # The online cap in force per class region, read before the rows stream.
        scope = Scope(principal).training_classes()
        regions = select(TrainingClass.region_code).where(scope).distinct()
        caps = {}
        for code in (await session.execute(regions)).scalars():
            caps[code] = float((await in_force(session, code, utcnow())).get("online_hours_cap"))
        number = 0
        async for r in stream_rows(session, query):
            number += 1
            online, offline = float(r[16]), float(r[17])
            credited = credit_hours(online, offline, r[14], caps.get(r[10], 0.4))
            result = "未考核" if r[18] is None else ("合格" if r[18] else "不合格")
            yield [
                number,
                r[0],
                r[1],
                r[2],
                categories.get(str(r[3]), str(r[3])),
                r[4] or "",
                r[5].astimezone(CHINA).strftime("%Y-%m-%d %H:%M"),
                r[6].isoformat() if r[6] else "",
                r[7],
                r[8],
                r[9] or "",
                r[11],
                r[12],
                r[13],
                r[15],
                round(online, 2),
                round(offline, 2),
                credited.credited,
                result,
                r[19],
                r[20] or "",
            ]

    return Sheet("培训台账", list(HEADERS), rows())
