"""XLSX exports with Chinese headers, built row by row from streamed query results.

Rows are streamed into write-only sheets (hub/documents/xlsx.py). Every query carries the
caller's scope predicate. ID and phone numbers are exported masked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth.principal import Principal
from hub.auth.scopes import Scope
from hub.documents import ledger_export
from hub.documents.xlsx import Sheet, stream_rows, write_workbook
from hub.policy.calendar import CHINA
from hub.policy.checklist import claim_checklist
from hub.policy.claim_amounts import pre_disbursed_paid
from hub.policy.errors import NotInScope
from schema.labels import IDENTITY_CATEGORY_NAMES
from schema.tables import (
    ClaimLine,
    Enrolment,
    LearningSession,
    Person,
    Platform,
    Region,
    SubsidyClaim,
    Trainee,
    TrainingClass,
)

CATEGORY_NAMES = IDENTITY_CATEGORY_NAMES


@dataclass(frozen=True)
class ExportFilter:
    class_id: int | None = None
    claim_id: int | None = None
    region: str | None = None


def _hours(mode: str) -> Any:
    return func.coalesce(
        func.sum(case((LearningSession.mode == mode, LearningSession.duration_seconds), else_=0)),
        0,
    ) / literal(3600.0)


def _region_filter(column: Any, code: str | None) -> list[ColumnElement[bool]]:
    if not code:
        return []
    area = select(Region.code).where((Region.code == code) | (Region.parent_code == code))
    return [column.in_(area)]


def ledger(session: AsyncSession, principal: Principal, flt: ExportFilter) -> Sheet:
    """The real-name training ledger (台账); see hub/documents/ledger_export.py."""
    return ledger_export.ledger(
        session,
        principal,
        flt,
        CATEGORY_NAMES,
        lambda column: _region_filter(column, flt.region),
    )


def learning_records(session: AsyncSession, principal: Principal, flt: ExportFilter) -> Sheet:
    """Learning records (学习记录): one row per session, the hub's duration beside the platform's."""
    scope = Scope(principal)
    where = [
        scope.class_linked(LearningSession),
        scope.trainees(),
        *_region_filter(TrainingClass.region_code, flt.region),
    ]
    if flt.class_id is not None:
        where.append(LearningSession.class_id == flt.class_id)
    query = (
        select(
            Trainee.name,
            Trainee.id_masked,
            TrainingClass.name,
            Platform.code,
            LearningSession.mode,
            LearningSession.started_at,
            LearningSession.ended_at,
            LearningSession.duration_seconds,
            LearningSession.reported_seconds,
        )
        .select_from(LearningSession)
        .join(Trainee, Trainee.id == LearningSession.trainee_id)
        .join(TrainingClass, TrainingClass.id == LearningSession.class_id)
        .join(Platform, Platform.id == LearningSession.platform_id)
        .where(*where)
        .order_by(LearningSession.id)
    )

    async def rows() -> AsyncIterator[Sequence[Any]]:
        async for r in stream_rows(session, query):
            mode = "线上" if str(r[4]) == "online" else "线下"
            yield [
                r[0],
                r[1],
                r[2],
                r[3],
                mode,
                r[5].astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S"),
                r[6].astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S"),
                round(r[7] / 60, 1),
                None if r[8] is None else round(r[8] / 60, 1),
            ]

    headers = [
        "姓名",
        "身份证号",
        "培训班级",
        "培训平台",
        "培训方式",
        "开始时间",
        "结束时间",
        "时长（分钟）",
        "平台上报时长（分钟）",
    ]
    return Sheet("学习记录", headers, rows())


async def claim_materials(
    session: AsyncSession, principal: Principal, flt: ExportFilter
) -> list[Sheet]:
    """A claim's material list (Annex 2 checklist) and its persons with hours and amounts."""
    claim = (
        await session.execute(
            select(SubsidyClaim).where(
                SubsidyClaim.id == flt.claim_id, Scope(principal).subsidy_claims()
            )
        )
    ).scalar_one_or_none()
    if claim is None:
        raise NotInScope(f"subsidy claim {flt.claim_id} not found")
    items = await claim_checklist(session, claim)
    sources = {"hub": "系统生成", "attachment": "上传附件", "commitment": "在线承诺"}

    async def checklist_rows() -> AsyncIterator[Sequence[Any]]:
        for number, item in enumerate(items, start=1):
            yield [
                number,
                item.title,
                sources[item.source],
                "齐全" if item.complete else "缺",
                item.detail,
            ]

    query = (
        select(
            Person.name,
            Person.id_masked,
            ClaimLine.online_hours,
            ClaimLine.counted_online_hours,
            ClaimLine.offline_hours,
            ClaimLine.credited_hours,
            ClaimLine.qualified,
            ClaimLine.certified,
            ClaimLine.settled_amount,
        )
        .join(Person, Person.id == ClaimLine.person_id)
        .where(ClaimLine.claim_id == claim.id, Scope(principal).claim_lines())
        .order_by(ClaimLine.id)
    )

    async def person_rows() -> AsyncIterator[Sequence[Any]]:
        async for r in stream_rows(session, query):
            yield [
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                "是" if r[6] else "否",
                "是" if r[7] else "否",
                r[8],
            ]

    return [
        Sheet("申领材料清单", ["序号", "材料", "来源", "状态", "说明"], checklist_rows()),
        Sheet(
            "申领人员",
            [
                "姓名",
                "身份证号",
                "线上学时",
                "计入线上学时",
                "线下学时",
                "认定学时",
                "考核合格",
                "取得证书",
                "结算金额（元）",
            ],
            person_rows(),
        ),
    ]


async def statistics(session: AsyncSession, principal: Principal, flt: ExportFilter) -> Sheet:
    """Per region in scope: classes, enrolments, hours and claim amounts."""
    scope = Scope(principal)
    regions = _region_filter(TrainingClass.region_code, flt.region)
    classes = dict(
        (
            await session.execute(
                select(TrainingClass.region_code, func.count())
                .where(scope.training_classes(), *regions)
                .group_by(TrainingClass.region_code)
            )
        ).all()
    )
    enrolled = dict(
        (
            await session.execute(
                select(TrainingClass.region_code, func.count())
                .select_from(Enrolment)
                .join(TrainingClass, TrainingClass.id == Enrolment.class_id)
                .where(scope.class_linked(Enrolment), *regions)
                .group_by(TrainingClass.region_code)
            )
        ).all()
    )
    hours = {
        code: (online, offline)
        for code, online, offline in (
            await session.execute(
                select(TrainingClass.region_code, _hours("online"), _hours("offline"))
                .select_from(LearningSession)
                .join(TrainingClass, TrainingClass.id == LearningSession.class_id)
                .where(scope.class_linked(LearningSession), *regions)
                .group_by(TrainingClass.region_code)
            )
        ).all()
    }
    claims = {
        code: rest
        for code, *rest in (
            await session.execute(
                select(
                    SubsidyClaim.region_code,
                    func.count(),
                    func.sum(SubsidyClaim.subsidy_amount),
                    func.sum(pre_disbursed_paid()),
                    func.sum(SubsidyClaim.settled_amount),
                )
                .where(
                    scope.subsidy_claims(), *_region_filter(SubsidyClaim.region_code, flt.region)
                )
                .group_by(SubsidyClaim.region_code)
            )
        ).all()
    }
    codes = sorted(set(classes) | set(enrolled) | set(hours) | set(claims))
    names = dict(
        (
            await session.execute(select(Region.code, Region.name).where(Region.code.in_(codes)))
        ).all()
    )

    async def rows() -> AsyncIterator[Sequence[Any]]:
        for code in codes:
            online, offline = hours.get(code, (0, 0))
            count, subsidy, pre, settled = claims.get(code, (0, 0, 0, 0))
            yield [
                code,
                names.get(code, ""),
                classes.get(code, 0),
                enrolled.get(code, 0),
                round(float(online or 0), 2),
                round(float(offline or 0), 2),
                count,
                round(float(subsidy or 0), 2),
                round(float(pre or 0), 2),
                round(float(settled or 0), 2),
            ]

    headers = [
        "地区代码",
        "地区",
        "培训班数",
        "参训人次",
        "线上学时",
        "线下学时",
        "申领笔数",
        "培训补贴资金（元）",
        "预拨金额（元）",
        "结算金额（元）",
    ]
    return Sheet("统计", headers, rows())


async def build_export(
    session: AsyncSession, principal: Principal, kind: str, flt: ExportFilter
) -> Path:
    """The XLSX file of one export kind; raises KeyError for an unknown kind."""
    if kind == "ledger":
        sheets = [ledger(session, principal, flt)]
    elif kind == "learning-records":
        sheets = [learning_records(session, principal, flt)]
    elif kind == "claim-materials":
        sheets = await claim_materials(session, principal, flt)
    elif kind == "statistics":
        sheets = [await statistics(session, principal, flt)]
    else:
        raise KeyError(kind)
    return await write_workbook(sheets)


EXPORT_KINDS = ("ledger", "learning-records", "claim-materials", "statistics")
