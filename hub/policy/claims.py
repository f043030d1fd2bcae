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

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth.principal import Principal, Role
from hub.auth.scopes import Scope
from hub.policy import claim_checks as checks
from hub.policy.checklist import ATTACHABLE, claim_checklist
from hub.policy.claim_amounts import compute_at_settlement, compute_at_submission
from hub.policy.errors import NotInScope, PolicyViolation
from hub.policy.parameters import in_force
from hub.policy.transitions import advance, record, require_reason, require_role
from hub.registry.bureaus import reviewing_district
from schema.tables import ClaimLine, ClassOpening, SubsidyClaim, TrainingClass
from schema.types import utcnow

ENTITY = "subsidy_claim"
EDITABLE = ("draft", "returned")
# The review step each role takes, and the status it takes the claim from.
# The industry authority (行业主管部门) reviews in the district's place for its organisations.
REVIEW_STEP = {
    Role.DISTRICT: "submitted",
    Role.INDUSTRY: "submitted",
    Role.CITY: "district_reviewed",
}


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
    await checks.require_policy_window(session, training_class)
    claim = SubsidyClaim(
        class_id=class_id,
        organisation_id=training_class.organiser_id,
        region_code=await reviewing_district(
            session, training_class.organiser_id, training_class.region_code
        ),
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
    training_class = await checks.class_of(session, claim)
    await checks.require_no_open_recoveries(session, claim, params)
    if params.get("claim_submission") == "after_class_ended":
        checks.require_class_ended(
            training_class,
            "乌人社发〔2020〕26号 三：完成线上、线下全部培训课程后方可申领培训补贴",
            "submission",
        )
    await checks.require_agreements(session, claim)
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
    """District first-level review (区人社部门审核), or the industry authority's."""
    require_role(principal, Role.DISTRICT, Role.INDUSTRY)
    await _step(session, principal, claim_id, "submitted", "district_reviewed", reason)


async def approve_claim(
    session: AsyncSession, principal: Principal, claim_id: int, reason: str | None
) -> None:
    """City approval (市人社部门审核)."""
    require_role(principal, Role.CITY)
    claim = await load_claim(session, principal, claim_id)
    await checks.require_unblocked(session, claim, "approve")
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
    params = await checks.require_unblocked(session, claim, "pre_disburse")
    if params.get("pre_disbursement_timing") == "after_online_training_ended":
        checks.require_class_ended(
            await checks.class_of(session, claim),
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
    params = await checks.require_unblocked(session, claim, "settle")
    checks.require_epidemic_over(params)
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
