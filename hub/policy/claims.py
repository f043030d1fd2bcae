"""Subsidy claims (培训补贴申领): draft → submitted → district_reviewed → city_approved →
pre_disbursed → settled, or returned / rejected at a review step.

| step | who | from |
|---|---|---|
| create, attach, accept commitment, submit | org (organiser) | draft / returned |
| review | district | submitted |
| approve | city | district_reviewed |
| return / reject | district at review, city at approval | submitted / district_reviewed |
| pre-disburse, settle | finance | city_approved, pre_disbursed |

The money steps (approve, pre-disburse, settle) are refused while an open alert of a blocking
severity involves the claim (hub/policy/blocking.py); when they may happen follows the notices'
timing rules, which are policy parameters (hub/policy/parameters.py).
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import delete, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth.principal import Principal, Role
from hub.auth.scopes import Scope
from hub.policy.blocking import require_unblocked
from hub.policy.calendar import CHINA, china_day
from hub.policy.checklist import ATTACHABLE, claim_checklist
from hub.policy.claim_amounts import compute_at_settlement, compute_at_submission
from hub.policy.errors import NotInScope, PolicyViolation
from hub.policy.parameters import ParametersInForce, in_force
from hub.policy.transitions import advance, record, require_reason, require_role
from schema.enums import PlatformType
from schema.tables import (
    ClaimLine,
    ClassOpening,
    Platform,
    SubsidyClaim,
    SubsidyRecovery,
    TrainingClass,
)
from schema.types import utcnow

ENTITY = "subsidy_claim"
EDITABLE = ("draft", "returned")
# The review step each role takes, and the status it takes the claim from.
REVIEW_STEP = {Role.DISTRICT: "submitted", Role.CITY: "district_reviewed"}


async def load_claim(session: AsyncSession, principal: Principal, claim_id: int) -> SubsidyClaim:
    """The claim under the caller's scope; NotInScope when it cannot be seen."""
    claim = (
        await session.execute(
            select(SubsidyClaim).where(
                SubsidyClaim.id == claim_id, Scope(principal).subsidy_claims()
            )
        )
    ).scalar_one_or_none()
    if claim is None:
        raise NotInScope(f"{ENTITY} {claim_id} not found")
    return claim


async def create_claim(session: AsyncSession, principal: Principal, class_id: int) -> SubsidyClaim:
    """A draft claim for one of the organisation's classes whose opening was approved."""
    require_role(principal, Role.ORG)
    training_class = (
        await session.execute(
            select(TrainingClass).where(
                TrainingClass.id == class_id, Scope(principal).training_classes()
            )
        )
    ).scalar_one_or_none()
    if training_class is None:
        raise NotInScope(f"training class {class_id} not found")
    approved = (
        await session.execute(
            select(ClassOpening.id).where(
                ClassOpening.class_id == class_id, ClassOpening.status == "approved"
            )
        )
    ).first()
    if approved is None:
        raise PolicyViolation("the class opening has not been approved: no claim can be made")
    existing = (
        await session.execute(
            select(SubsidyClaim.id).where(
                SubsidyClaim.class_id == class_id, SubsidyClaim.status != "rejected"
            )
        )
    ).first()
    if existing is not None:
        raise PolicyViolation("this class already has a claim")
    await _require_policy_window(session, training_class)
    claim = SubsidyClaim(
        class_id=class_id,
        organisation_id=training_class.organiser_id,
        region_code=training_class.region_code,
        status="draft",
        year=training_class.starts_on.year,
    )
    session.add(claim)
    await session.flush()
    await record(session, principal, ENTITY, claim.id, None, "draft")  # type: ignore[arg-type]
    return claim


async def _edit(
    session: AsyncSession, principal: Principal, claim_id: int, values: dict[str, Any]
) -> None:
    """Change an editable claim's columns in one scoped UPDATE."""
    require_role(principal, Role.ORG)
    claim = await load_claim(session, principal, claim_id)
    if claim.status not in EDITABLE:
        raise PolicyViolation(f"a {claim.status} claim cannot be changed")
    statement = (
        update(SubsidyClaim)
        .where(
            SubsidyClaim.id == claim_id,
            SubsidyClaim.status.in_(EDITABLE),
            Scope(principal).subsidy_claims(),
        )
        .values(**values, updated_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    if (await session.execute(statement)).rowcount != 1:
        raise PolicyViolation(f"{ENTITY} {claim_id} was changed meanwhile; try again")


async def attach_material(
    session: AsyncSession, principal: Principal, claim_id: int, item: str, attachment: dict
) -> None:
    """Attach a file's metadata (name, type, size, sha256) to a checklist item."""
    if item not in ATTACHABLE:
        raise PolicyViolation(
            f"{item!r} is produced by the hub or not a material; attach {ATTACHABLE}"
        )
    claim = await load_claim(session, principal, claim_id)
    attachments = {key: list(value) for key, value in claim.attachments.items()}
    attachments.setdefault(item, []).append(attachment)
    await _edit(session, principal, claim_id, {"attachments": attachments})


async def accept_commitment(session: AsyncSession, principal: Principal, claim_id: int) -> None:
    """The organisation accepts the Annex 3 authenticity commitment (真实性承诺书)."""
    await _edit(
        session,
        principal,
        claim_id,
        {"commitment_accepted_at": utcnow(), "commitment_accepted_by": principal.subject},
    )
    claim = await load_claim(session, principal, claim_id)
    await record(
        session,
        principal,
        ENTITY,
        claim_id,
        claim.status,
        claim.status,
        "附件3 真实性承诺 accepted",
    )


async def submit_claim(
    session: AsyncSession, principal: Principal, claim_id: int, reason: str | None = None
) -> SubsidyClaim:
    """Submit: the checklist must be complete; lines and amounts are computed now."""
    require_role(principal, Role.ORG)
    claim = await load_claim(session, principal, claim_id)
    if claim.status not in EDITABLE:
        raise PolicyViolation(f"a {claim.status} claim cannot be submitted")
    missing = [item.title for item in await claim_checklist(session, claim) if not item.complete]
    if missing:
        raise PolicyViolation("the material checklist is incomplete: " + "；".join(missing))
    now = utcnow()
    params = await in_force(session, claim.region_code, now)
    training_class = await _class_of(session, claim)
    await _require_no_open_recoveries(session, claim, params)
    if params.get("claim_submission") == "after_class_ended":
        _require_class_ended(
            training_class,
            "乌人社发〔2020〕26号 三：完成线上、线下全部培训课程后方可申领培训补贴",
            "submission",
        )
    await _require_agreements(session, claim)
    await compute_at_submission(session, claim, params)
    claim.submitted_at = now
    claim.updated_at = now
    await session.flush()
    await advance(
        session,
        principal,
        table=SubsidyClaim,
        entity=ENTITY,
        row_id=claim_id,
        scope=Scope(principal).subsidy_claims(),
        from_statuses=[claim.status],
        to_status="submitted",
        reason=reason,
    )
    return claim


async def review_claim(
    session: AsyncSession, principal: Principal, claim_id: int, reason: str | None
) -> None:
    """District first-level review (区人社部门审核)."""
    require_role(principal, Role.DISTRICT)
    await _step(session, principal, claim_id, "submitted", "district_reviewed", reason)


async def approve_claim(
    session: AsyncSession, principal: Principal, claim_id: int, reason: str | None
) -> None:
    """City approval (市人社部门审核)."""
    require_role(principal, Role.CITY)
    claim = await load_claim(session, principal, claim_id)
    await _require_unblocked(session, claim, "approve")
    await _step(session, principal, claim_id, "district_reviewed", "city_approved", reason)


async def return_claim(
    session: AsyncSession, principal: Principal, claim_id: int, reason: str | None
) -> None:
    """Send the claim back to the organisation to correct and resubmit."""
    require_role(principal, *REVIEW_STEP)
    await _step(
        session,
        principal,
        claim_id,
        REVIEW_STEP[principal.role],
        "returned",
        require_reason(reason),
    )


async def reject_claim(
    session: AsyncSession, principal: Principal, claim_id: int, reason: str | None
) -> None:
    """Reject for good; the persons it held may be claimed again elsewhere."""
    require_role(principal, *REVIEW_STEP)
    await _step(
        session,
        principal,
        claim_id,
        REVIEW_STEP[principal.role],
        "rejected",
        require_reason(reason),
    )
    await session.execute(delete(ClaimLine).where(ClaimLine.claim_id == claim_id))


async def pre_disburse_claim(
    session: AsyncSession, principal: Principal, claim_id: int, reason: str | None
) -> None:
    """Finance pays the pre-disbursement computed at submission (at most 20%)."""
    require_role(principal, Role.FINANCE)
    claim = await load_claim(session, principal, claim_id)
    params = await _require_unblocked(session, claim, "pre_disburse")
    if params.get("pre_disbursement_timing") == "after_online_training_ended":
        _require_class_ended(
            await _class_of(session, claim),
            "乌人社发〔2020〕26号 三：疫情防控期间线上培训结束后，根据合格人数可预拨培训补贴标准的 20%",
            "pre-disbursement",
        )
    await _step(
        session,
        principal,
        claim_id,
        "city_approved",
        "pre_disbursed",
        reason,
        {"paid_amount": claim.pre_disbursed_amount},
    )


async def settle_claim(
    session: AsyncSession, principal: Principal, claim_id: int, reason: str | None
) -> SubsidyClaim:
    """Finance settles by certificates obtained; the balance due is what remains to pay."""
    require_role(principal, Role.FINANCE)
    claim = await load_claim(session, principal, claim_id)
    if claim.status != "pre_disbursed":
        raise PolicyViolation(
            f"{ENTITY} {claim_id} is {claim.status}; settling needs pre_disbursed"
        )
    params = await _require_unblocked(session, claim, "settle")
    _require_epidemic_over(params)
    await compute_at_settlement(session, claim)
    claim.settled_at = claim.updated_at = utcnow()
    claim.paid_amount = claim.settled_amount
    await session.flush()
    await _step(session, principal, claim_id, "pre_disbursed", "settled", reason)
    return claim


async def _step(
    session: AsyncSession,
    principal: Principal,
    claim_id: int,
    from_status: str,
    to_status: str,
    reason: str | None,
    values: dict[str, Any] | None = None,
) -> None:
    await advance(
        session,
        principal,
        table=SubsidyClaim,
        entity=ENTITY,
        row_id=claim_id,
        scope=Scope(principal).subsidy_claims(),
        from_statuses=[from_status],
        to_status=to_status,
        reason=reason,
        values={"updated_at": utcnow(), **(values or {})},
    )


async def _class_of(session: AsyncSession, claim: SubsidyClaim) -> TrainingClass:
    training_class = await session.get(TrainingClass, claim.class_id)
    assert training_class is not None  # enforced by the foreign key
    return training_class


def _class_label(training_class: TrainingClass) -> str:
    return f"班级 {training_class.name or training_class.source_id}"


async def _require_unblocked(
    session: AsyncSession, claim: SubsidyClaim, step: str
) -> ParametersInForce:
    """Refuse a money step while blocking alerts are open; returns the parameters now."""
    params = await in_force(session, claim.region_code, utcnow())
    severities = params.get("blocking_alert_severities")
    await require_unblocked(session, claim.id, claim.class_id, severities, step)  # type: ignore[arg-type]
    return params


def _require_class_ended(training_class: TrainingClass, rule: str, step: str) -> None:
    today = china_day(utcnow())
    assert today is not None
    if today <= training_class.ends_on:
        raise PolicyViolation(
            f"{rule}。{_class_label(training_class)} {training_class.ends_on} 结束，"
            f"今天是 {today}：尚不能{'申领' if step == 'submission' else '预拨'}"
            f" (the class has not ended: no {step} yet)"
        )


def _require_epidemic_over(params: ParametersInForce) -> None:
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


async def _require_policy_window(session: AsyncSession, training_class: TrainingClass) -> None:
    """A class starting outside every window of the online-training policy gets no subsidy."""
    first = datetime.combine(training_class.starts_on, time(), CHINA)
    params = await in_force(session, training_class.region_code, first)
    if params.get("online_training_policy") is None:
        raise PolicyViolation(
            f"{_class_label(training_class)} 于 {training_class.starts_on} 开班，不在线上培训政策"
            "（online_training_policy）的任何有效期内：不享受线上培训补贴"
            " (the class starts outside every validity window of the online-training policy)"
        )


async def _require_no_open_recoveries(
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


async def _require_agreements(session: AsyncSession, claim: SubsidyClaim) -> None:
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
