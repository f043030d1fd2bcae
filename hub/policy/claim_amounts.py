"""A claim's persons and amounts, computed from the ledger with the parameters it was submitted under.

At submission: one line per person on the roster (a person already in another claim for the same
occupation, level and year is excluded, and so is a person whose identity a confirmed alert
disproves), the standard amount, the subsidy and the pre-disbursement. At settlement: hours
again (offline training may have followed) and the certificates obtained (none a confirmed alert
disproves), giving the settled amount by the claim's settlement rule, the platform fees and the
balance due. Both run again when an alert on the claim is confirmed (hub/policy/recovery.py).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ColumnElement, case, delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hub.policy import amounts
from hub.policy.disproved import disproved_certificates, disproved_persons
from hub.policy.errors import PolicyViolation
from hub.policy.hours import hours_by_trainee
from hub.policy.parameters import ParametersInForce
from schema.tables import (
    Assessment,
    Certificate,
    ClaimLine,
    ClassOpening,
    Course,
    Enrolment,
    SubsidyClaim,
    Trainee,
    TrainingClass,
)

# A claim's pre-disbursement is computed at submission but paid only when finance pre-disburses.
PAID_IN_ADVANCE = ("pre_disbursed", "settled")


def pre_disbursed_paid() -> ColumnElement[float]:
    """The pre-disbursement a claim row has actually been paid (0 before finance paid it), for
    the money figures of statistics and exports: a computed amount is not money paid."""
    return case(
        (SubsidyClaim.status.in_(PAID_IN_ADVANCE), SubsidyClaim.pre_disbursed_amount), else_=0.0
    )


async def _class_and_course(
    session: AsyncSession, claim: SubsidyClaim
) -> tuple[TrainingClass, Course]:
    training_class = await session.get(TrainingClass, claim.class_id)
    assert training_class is not None
    course = await session.get(Course, training_class.course_id)
    assert course is not None
    return training_class, course


async def compute_at_submission(
    session: AsyncSession, claim: SubsidyClaim, params: ParametersInForce
) -> None:
    """Fill the claim's lines and amounts; persons held by another claim are excluded."""
    training_class, course = await _class_and_course(session, claim)
    standard = params.standard_amount(course.skill_level, course.occupation_code)
    cap = float(params.get("online_hours_cap"))
    occupation = course.occupation_code or course.occupation_name
    roster = (
        await session.execute(
            select(Trainee.id, Trainee.person_id)
            .join(Enrolment, Enrolment.trainee_id == Trainee.id)
            .where(Enrolment.class_id == claim.class_id)
            .order_by(Trainee.id)
        )
    ).all()
    await session.execute(delete(ClaimLine).where(ClaimLine.claim_id == claim.id))
    held = set(
        (
            await session.execute(
                select(ClaimLine.person_id).where(
                    ClaimLine.person_id.in_([r.person_id for r in roster]),
                    ClaimLine.occupation == occupation,
                    ClaimLine.skill_level == course.skill_level,
                    ClaimLine.year == claim.year,
                )
            )
        ).scalars()
    )
    passed = await _passed(session, claim.class_id)
    hours = await hours_by_trainee(session, training_class, subsidised=True)
    disproved = await _disproved_persons(session, [r.person_id for r in roster])
    lines: dict[int, ClaimLine] = {}
    excluded = set()
    for trainee_id, person_id in roster:
        if person_id in held or person_id in disproved:
            excluded.add(person_id)
            continue
        if person_id in lines:  # the same person enrolled twice in the class counts once
            continue
        recorded = hours.get(trainee_id)
        credited = amounts.credit_hours(
            recorded.online if recorded else 0.0,
            recorded.offline if recorded else 0.0,
            course.total_hours,
            cap,
        )
        lines[person_id] = ClaimLine(
            claim_id=claim.id,  # type: ignore[arg-type]
            person_id=person_id,
            trainee_id=trainee_id,
            occupation=occupation,
            skill_level=course.skill_level,
            year=claim.year,
            online_hours=credited.online,
            counted_online_hours=credited.counted_online,
            offline_hours=credited.offline,
            credited_hours=credited.credited,
            qualified=trainee_id in passed,
        )
    session.add_all(lines.values())
    try:
        await session.flush()
    except IntegrityError as error:  # a concurrent claim took one of these persons
        raise PolicyViolation("a person on the roster was claimed concurrently; retry") from error
    eligible = len(lines)
    qualified = sum(1 for line in lines.values() if line.qualified)
    basis = params.get("pre_disbursement_basis")
    basis_count = qualified if basis == "qualified" else eligible
    fees = await _agreed_fees(session, claim.class_id)
    claim.occupation = occupation
    claim.skill_level = course.skill_level
    claim.standard_amount = standard
    claim.eligible_trainees = claim.registered_trainees = eligible
    claim.qualified_trainees = qualified
    claim.excluded_trainees = len(excluded)
    claim.subsidy_amount = float(amounts.money(Decimal(str(standard)) * eligible))
    claim.pre_disbursed_amount = float(
        amounts.pre_disbursement(standard, basis_count, float(params.get("pre_disbursement_rate")))
    )
    claim.platform_fee = float(amounts.money(sum(Decimal(str(f)) for f in fees)))
    claim.parameters = params.snapshot()


async def compute_at_settlement(session: AsyncSession, claim: SubsidyClaim) -> None:
    """Settle by certificates obtained, on hours recomputed with the submission's parameters."""
    training_class, course = await _class_and_course(session, claim)
    values = claim.parameters["values"]
    cap = float(values["online_hours_cap"])
    rule = values.get("settlement_rule", amounts.PER_CERTIFICATE)
    minimum = float(values.get("offline_training_min_hours", 0))
    hours = await hours_by_trainee(session, training_class, subsidised=True)
    lines = list(
        (await session.execute(select(ClaimLine).where(ClaimLine.claim_id == claim.id))).scalars()
    )
    persons = [line.person_id for line in lines]
    certified_persons = await _certified(session, claim, course, persons)
    disproved = await _disproved_persons(session, persons)
    settled = Decimal("0.00")
    for line in lines:
        recorded = None if line.person_id in disproved else hours.get(line.trainee_id)
        credited = amounts.credit_hours(
            recorded.online if recorded else 0.0,
            recorded.offline if recorded else 0.0,
            course.total_hours,
            cap,
        )
        line.online_hours, line.counted_online_hours = credited.online, credited.counted_online
        line.offline_hours, line.credited_hours = credited.offline, credited.credited
        line.certified = line.person_id in certified_persons and line.person_id not in disproved
        share = amounts.settlement_share(
            rule,
            claim.standard_amount,
            credited.credited,
            course.total_hours,
            certified=line.certified,
            offline_done=amounts.offline_trained(credited.offline, minimum),
        )
        line.settled_amount = float(share)
        settled += share
    fee = amounts.platform_fee(await _agreed_fees(session, claim.class_id), settled)
    claim.certified_trainees = sum(1 for line in lines if line.certified)
    claim.settled_amount = float(settled)
    claim.platform_fee = float(fee)
    claim.balance_due = float(settled - amounts.money(claim.pre_disbursed_amount))


def amounts_of(claim: SubsidyClaim) -> dict[str, float | int]:
    """The claim's figures, as a recomputation shows them before and after."""
    return {
        "eligibleTrainees": claim.eligible_trainees,
        "qualifiedTrainees": claim.qualified_trainees,
        "certifiedTrainees": claim.certified_trainees,
        "subsidyAmount": claim.subsidy_amount,
        "preDisbursedAmount": claim.pre_disbursed_amount,
        "settledAmount": claim.settled_amount,
        "platformFee": claim.platform_fee,
        "balanceDue": claim.balance_due,
    }


async def _disproved_persons(session: AsyncSession, person_ids: list[int]) -> set[int]:
    person = list(disproved_persons().subquery().c)[0]
    rows = await session.execute(select(person).where(person.in_(person_ids)))
    return set(rows.scalars())


async def _passed(session: AsyncSession, class_id: int) -> set[int]:
    """Trainees with a passed assessment in the class (合格)."""
    rows = await session.execute(
        select(Assessment.trainee_id).where(
            Assessment.class_id == class_id, Assessment.passed.is_(True)
        )
    )
    return set(rows.scalars())


async def _certified(
    session: AsyncSession, claim: SubsidyClaim, course: Course, person_ids: list[int]
) -> set[int]:
    """Persons holding a certificate from this class or for this occupation and level."""
    matches_course = (Certificate.occupation_code == course.occupation_code) & (
        Certificate.skill_level == course.skill_level
    )
    rows = await session.execute(
        select(Certificate.person_id).where(
            Certificate.person_id.in_(person_ids),
            or_(Certificate.class_id == claim.class_id, matches_course),
            Certificate.id.not_in(disproved_certificates()),
        )
    )
    return set(rows.scalars())


async def _agreed_fees(session: AsyncSession, class_id: int) -> list[float]:
    agreements = (
        await session.execute(
            select(ClassOpening.agreements).where(
                ClassOpening.class_id == class_id, ClassOpening.status == "approved"
            )
        )
    ).scalar_one_or_none()
    return [float(a["fee"]) for a in agreements or []]
