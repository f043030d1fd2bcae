"""The notices' preconditions of a claim's steps, each refusing with the sentence it enforces.

| check | notice |
|---|---|
| no open alert of a blocking severity on the claim | 乌人社发〔2020〕26号 五 |
| the class ended (Wuhai: submission; pre-disbursement after the online training) | 26号 三 |
| the region declared the epidemic period over (settlement) | 内人社办发〔2020〕16号 (四)2 |
| the class starts inside a window of the online-training policy | 16号 (notice in force) |
| no open recovery of the organisation (submission) | Annex 3 (退还不当所得) |
| a commissioning agreement for each third-party platform | 16号 (三)1 |
"""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import select, true
from sqlalchemy.ext.asyncio import AsyncSession

from hub.policy import blocking
from hub.policy.calendar import CHINA, china_day
from hub.policy.errors import PolicyViolation
from hub.policy.parameters import ParametersInForce, in_force
from schema.enums import PlatformType
from schema.tables import ClassOpening, Platform, SubsidyClaim, SubsidyRecovery, TrainingClass
from schema.types import utcnow


async def class_of(session: AsyncSession, claim: SubsidyClaim) -> TrainingClass:
    """The claim's class."""
    training_class = await session.get(TrainingClass, claim.class_id)
    assert training_class is not None  # enforced by the foreign key
    return training_class


def class_label(training_class: TrainingClass) -> str:
    """How a refusal names the class: 班级 and its name (or the platform's id for it)."""
    return f"班级 {training_class.name or training_class.source_id}"


async def require_unblocked(
    session: AsyncSession, claim: SubsidyClaim, step: str
) -> ParametersInForce:
    """Refuse a money step while blocking alerts are open; returns the parameters now."""
    params = await in_force(session, claim.region_code, utcnow())
    severities = params.get("blocking_alert_severities")
    await blocking.require_unblocked(session, claim.id, claim.class_id, severities, step)  # type: ignore[arg-type]
    return params


def require_class_ended(training_class: TrainingClass, rule: str, step: str) -> None:
    """Refuse `step` (quoting `rule`) unless the class's last local day has passed."""
    today = china_day(utcnow())
    assert today is not None
    if today <= training_class.ends_on:
        raise PolicyViolation(
            f"{rule}。{class_label(training_class)} {training_class.ends_on} 结束，"
            f"今天是 {today}：尚不能{'申领' if step == 'submission' else '预拨'}"
            f" (the class has not ended: no {step} yet)"
        )


def require_epidemic_over(params: ParametersInForce) -> None:
    """内人社办发〔2020〕16号 (四)2: the rest is settled only after the epidemic period ends."""
    ends_on = params.get("epidemic_period_ends_on")
    today = china_day(utcnow())
    assert today is not None
    if ends_on is None or today <= datetime.fromisoformat(ends_on).date():
        declared = f"自治区宣布的疫情结束日期为 {ends_on}" if ends_on else "自治区尚未宣布疫情结束"
        raise PolicyViolation(
            "内人社办发〔2020〕16号 (四)2：其余补贴资金待疫情结束后予以结算；"
            f"{declared}，今天是 {today}：尚不能结算"
            " (settlement waits until the region declares the epidemic period over:"
            " policy parameter epidemic_period_ends_on)"
        )


async def require_policy_window(session: AsyncSession, training_class: TrainingClass) -> None:
    """A class starting outside every window of the online-training policy gets no subsidy."""
    first = datetime.combine(training_class.starts_on, time(), CHINA)
    params = await in_force(session, training_class.region_code, first)
    if params.get("online_training_policy") is None:
        raise PolicyViolation(
            f"{class_label(training_class)} 于 {training_class.starts_on} 开班，不在线上培训政策"
            "（online_training_policy）的任何有效期内：不享受线上培训补贴"
            " (the class starts outside every validity window of the online-training policy)"
        )


async def require_no_open_recoveries(
    session: AsyncSession, claim: SubsidyClaim, params: ParametersInForce
) -> None:
    """An organisation that has not returned what it was over-paid cannot claim again."""
    if not params.get("open_recoveries_block_claims"):
        return
    open_ones = (
        await session.execute(
            select(SubsidyRecovery.id, SubsidyRecovery.claim_id, SubsidyRecovery.amount)
            .where(
                SubsidyRecovery.organisation_id == claim.organisation_id,
                SubsidyRecovery.status == "open",
            )
            .order_by(SubsidyRecovery.id)
        )
    ).all()
    if open_ones:
        listed = "；".join(
            f"追回 {r.id}（申领 {r.claim_id}，{r.amount:.2f} 元）" for r in open_ones
        )
        raise PolicyViolation(
            "附件3 承诺退还不当所得：本单位尚有未完结的追回，不能提交新的申领——"
            f"{listed} (open recoveries block new claims: open_recoveries_block_claims)"
        )


async def require_agreements(session: AsyncSession, claim: SubsidyClaim) -> None:
    """内人社办发〔2020〕16号 (三)1: a third-party platform is used only under a commissioning
    agreement (方式、内容、期限、费用、双方责任)."""
    opening = (
        await session.execute(
            select(ClassOpening).where(
                ClassOpening.class_id == claim.class_id, ClassOpening.status == "approved"
            )
        )
    ).scalar_one_or_none()
    if opening is None:
        return
    agreed = {a["platform_id"] for a in opening.agreements}
    third_party = (
        await session.execute(
            select(Platform.code).where(
                Platform.id.in_(opening.platform_ids),
                Platform.platform_type == PlatformType.THIRD_PARTY,
                Platform.id.not_in(agreed) if agreed else true(),
            )
        )
    ).scalars()
    lacking = sorted(third_party)
    if lacking:
        raise PolicyViolation(
            "内人社办发〔2020〕16号 (三)1：委托第三方平台培训须签订委托培训协议（方式、内容、期限、"
            f"费用、双方责任）；平台 {', '.join(lacking)} 没有协议"
            " (a third-party platform without a commissioning agreement)"
        )
