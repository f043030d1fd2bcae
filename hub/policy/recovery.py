"""Confirmed alerts change the money: recomputation, and recovery of what was over-paid.

When a reviewer confirms an alert, every active claim it involves (hub/policy/blocking.py) is
recomputed without what the alert proves false (hub/policy/disproved.py); the claim keeps each
recomputation (when, which alert, why, the amounts before and after). If the claim was already
pre-disbursed or settled and is now due less than was paid, a recovery (追回 / 退还不当所得 — the
Annex 3 commitment "愿意承担违反承诺的一切法律责任及退还不当所得") is opened for the difference,
which finance closes as `recovered` or `written_off`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth.principal import Principal, Role
from hub.auth.scopes import Scope
from hub.policy.amounts import money
from hub.policy.blocking import involving_class
from hub.policy.claim_amounts import amounts_of, compute_at_settlement, compute_at_submission
from hub.policy.errors import PolicyViolation
from hub.policy.parameters import ParametersInForce
from hub.policy.transitions import advance, record, require_reason, require_role
from schema.tables import Alert, ClaimLine, SubsidyClaim, SubsidyRecovery
from schema.types import utcnow

ENTITY = "subsidy_recovery"
# Claims whose amounts still matter: submitted and on, not rejected or returned.
ACTIVE = ("submitted", "district_reviewed", "city_approved", "pre_disbursed", "settled")
PAID = ("pre_disbursed", "settled")
CLOSED = {"recovered": "追回到账", "written_off": "核销"}


def _submission_parameters(claim: SubsidyClaim) -> ParametersInForce:
    stored = claim.parameters
    return ParametersInForce(
        at=datetime.fromisoformat(stored["at"]),
        values=dict(stored["values"]),
        versions=dict(stored.get("versions", {})),
    )


async def recompute_after_confirmation(
    session: AsyncSession, principal: Principal, alert: Alert
) -> list[SubsidyRecovery]:
    """Recompute every active claim the confirmed `alert` involves; open recoveries as due."""
    claims = (
        await session.execute(
            select(SubsidyClaim)
            .where(
                SubsidyClaim.status.in_(ACTIVE),
                exists(
                    select(Alert.id).where(
                        Alert.id == alert.id, involving_class(SubsidyClaim.class_id)
                    )
                ),
            )
            .order_by(SubsidyClaim.id)
        )
    ).scalars()
    opened = []
    for claim in list(claims):
        recovery = await _recompute(session, principal, claim, alert)
        if recovery is not None:
            opened.append(recovery)
    return opened


async def _recompute(
    session: AsyncSession, principal: Principal, claim: SubsidyClaim, alert: Alert
) -> SubsidyRecovery | None:
    before = {**amounts_of(claim), "creditedHours": await _credited_hours(session, claim)}
    if claim.status == "settled":
        await compute_at_settlement(session, claim)
        due = money(claim.settled_amount)
    else:
        await compute_at_submission(session, claim, _submission_parameters(claim))
        due = money(claim.pre_disbursed_amount)
    after = {**amounts_of(claim), "creditedHours": await _credited_hours(session, claim)}
    why = (
        f"预警 {alert.id} {alert.rule} 经 {principal.subject} 确认：所涉学习记录不计学时，"
        "所涉证书与身份不予认定，金额重新计算"
    )
    claim.recomputations = [
        *claim.recomputations,
        {
            "at": utcnow().isoformat(),
            "by": principal.subject,
            "alerts": [alert.id],
            "rule": alert.rule,
            "why": why,
            "before": before,
            "after": after,
        },
    ]
    claim.updated_at = utcnow()
    await session.flush()
    await record(session, principal, "subsidy_claim", claim.id, claim.status, claim.status, why)  # type: ignore[arg-type]
    if claim.status not in PAID:
        return None
    pending = (
        await session.execute(
            select(func.coalesce(func.sum(SubsidyRecovery.amount), 0)).where(
                SubsidyRecovery.claim_id == claim.id, SubsidyRecovery.status != "written_off"
            )
        )
    ).scalar_one()
    over = money(claim.paid_amount) - due - money(pending)
    if over <= Decimal("0.00"):
        return None
    recovery = SubsidyRecovery(
        claim_id=claim.id,  # type: ignore[arg-type]
        organisation_id=claim.organisation_id,
        region_code=claim.region_code,
        amount=float(over),
        reason=(
            f"已拨付 {money(claim.paid_amount)} 元，重新计算后应拨 {due} 元：追回 {over} 元"
            f"（{why}）"
        ),
        alert_ids=[alert.id],
        status="open",
        opened_by=principal.subject,
    )
    session.add(recovery)
    await session.flush()
    await record(session, principal, ENTITY, recovery.id, None, "open", recovery.reason)  # type: ignore[arg-type]
    return recovery


async def _credited_hours(session: AsyncSession, claim: SubsidyClaim) -> float:
    """The claim's credited hours over all its persons."""
    await session.flush()
    total = (
        await session.execute(
            select(func.coalesce(func.sum(ClaimLine.credited_hours), 0)).where(
                ClaimLine.claim_id == claim.id
            )
        )
    ).scalar_one()
    return round(float(total), 2)


async def close_recovery(
    session: AsyncSession, principal: Principal, recovery_id: int, status: str, reason: str | None
) -> None:
    """Finance records the money as returned (`recovered`) or writes it off (`written_off`)."""
    require_role(principal, Role.FINANCE)
    if status not in CLOSED:
        raise PolicyViolation(f"a recovery closes as {' or '.join(CLOSED)}")
    if status == "written_off":
        reason = require_reason(reason)
    await advance(
        session,
        principal,
        table=SubsidyRecovery,
        entity=ENTITY,
        row_id=recovery_id,
        scope=Scope(principal).subsidy_recoveries(),
        from_statuses=["open"],
        to_status=status,
        reason=reason,
        values={"closed_by": principal.subject, "closed_at": utcnow(), "close_reason": reason},
    )
