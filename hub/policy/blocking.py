"""Supervision gates the money: alerts involving a claim's persons, class or sessions.

乌人社发〔2020〕26号 五: "严格监管线上培训过程，杜绝套取培训补贴资金情况的发生". A claim whose class,
persons on its roster, or sessions are named by an open alert of a blocking severity (high, or
what `blocking_alert_severities` names) cannot be approved, pre-disbursed or settled until a
reviewer confirms or dismisses each such alert.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.policy.errors import PolicyViolation
from hub.supervision.alerts import OPEN
from schema.tables import (
    Alert,
    AlertRecord,
    Certificate,
    Enrolment,
    LearningSession,
    Platform,
    Trainee,
)

# Record types as the bureaus name them.
RECORD_NAMES = {
    "session": "学习记录",
    "trainee": "学员",
    "certificate": "证书",
    "enrolment": "报名",
    "class": "班级",
    "course": "课程",
    "assessment": "考核",
}
STEP_NAMES = {
    "approve": "审批（市人社部门）",
    "pre_disburse": "预拨",
    "settle": "结算",
}


def involving_class(class_id: int | ColumnElement[int]) -> ColumnElement[bool]:
    """Alerts about the class, a person on its roster, or a session or certificate in it.

    `class_id` may be a column of an enclosing query (the subqueries then correlate to it).
    """
    persons = (
        select(Trainee.person_id)
        .join(Enrolment, Enrolment.trainee_id == Trainee.id)
        .where(Enrolment.class_id == class_id)
    )
    sessions = select(LearningSession.id).where(LearningSession.class_id == class_id)
    certificates = select(Certificate.id).where(Certificate.class_id == class_id)
    by_record = select(AlertRecord.alert_id).where(
        or_(
            (AlertRecord.record_type == "session") & AlertRecord.row_id.in_(sessions),
            (AlertRecord.record_type == "certificate") & AlertRecord.row_id.in_(certificates),
        )
    )
    return or_(
        Alert.class_id == class_id,
        Alert.person_id.in_(persons),
        Alert.id.in_(by_record),
    )


@dataclass(frozen=True)
class BlockingAlert:
    """An alert holding up a claim, with its records as (platform code, type, source id)."""

    id: int
    rule: str
    severity: str
    records: list[tuple[str, str, str]]

    def describe(self) -> str:
        named = "、".join(
            f"{code} {RECORD_NAMES.get(kind, kind)} {source_id}"
            for code, kind, source_id in self.records[:5]
        )
        more = f" 等 {len(self.records)} 条" if len(self.records) > 5 else ""
        return f"预警 {self.id} {self.rule}（{self.severity}）：{named or '—'}{more}"


async def blocking_alerts(
    session: AsyncSession, class_id: int, severities: Sequence[str]
) -> list[BlockingAlert]:
    """Open alerts of `severities` involving the class, oldest first, with their records."""
    alerts = (
        await session.execute(
            select(Alert.id, Alert.rule, Alert.severity)
            .where(Alert.status == OPEN, Alert.severity.in_(list(severities)))
            .where(involving_class(class_id))
            .order_by(Alert.id)
        )
    ).all()
    if not alerts:
        return []
    records: dict[int, list[tuple[str, str, str]]] = {a.id: [] for a in alerts}
    rows = await session.execute(
        select(AlertRecord.alert_id, Platform.code, AlertRecord.record_type, AlertRecord.source_id)
        .join(Platform, Platform.id == AlertRecord.platform_id)
        .where(AlertRecord.alert_id.in_(list(records)))
        .order_by(AlertRecord.id)
    )
    for alert_id, code, kind, source_id in rows.all():
        records[alert_id].append((code, kind, source_id))
    return [BlockingAlert(a.id, a.rule, a.severity, records[a.id]) for a in alerts]


async def require_unblocked(
    session: AsyncSession, claim_id: int, class_id: int, severities: Sequence[str], step: str
) -> None:
    """PolicyViolation naming every blocking alert, if there is any."""
    found = await blocking_alerts(session, class_id, severities)
    if found:
        raise PolicyViolation(
            f"申领 {claim_id} 不能{STEP_NAMES.get(step, step)}：涉及 {len(found)} 条未处理的监管预警"
            "（乌人社发〔2020〕26号 五：杜绝套取培训补贴资金）——"
            + "；".join(alert.describe() for alert in found)
            + "。请审核人员先逐条确认或排除（confirmAlert / dismissAlert）。"
        )
