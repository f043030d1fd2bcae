"""Rules over identities, claims and certificates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import (
    Select,
    and_,
    func,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Subquery

from hub.supervision.policy import Thresholds
from hub.supervision.rulebase import Rule, RuleContext, records_of
from hub.supervision.timeexpr import age_at, day_iso, day_number, local_day
from schema.tables import (
    Certificate,
    Course,
    Enrolment,
    LearningSession,
    Person,
    RecordVersion,
    SubsidyClaim,
    Trainee,
    TrainingClass,
)

S, T, K, E, RV, SC = LearningSession, Trainee, TrainingClass, Enrolment, RecordVersion, SubsidyClaim


# IDENTITY_MISMATCH: one ID number, several names ----------------------------------------------
def _names_findings(ctx: RuleContext) -> Select:
    return (
        select(
            T.person_id,
            null().label("class_id"),
            func.min(T.region_code).label("region_code"),
            func.count(func.distinct(T.name)).label("names"),
            func.min(T.name).label("a_name"),
            func.max(T.name).label("another_name"),
            func.count().label("records"),
        )
        .where(ctx.person(T.person_id))
        .group_by(T.person_id)
        .having(func.count(func.distinct(T.name)) > 1)
    )


def _names_records(ctx: RuleContext, found: Subquery) -> Select:
    return select(*records_of(T, "trainee", found, ("person_id",))).join(
        found, T.person_id == found.c.person_id
    )


def _names_judge(row: Mapping[str, Any], t: Thresholds) -> tuple[str, dict[str, Any]]:
    return "high", {
        "distinct_names": int(row["names"]),
        "names": sorted({row["a_name"], row["another_name"]}),
        "trainee_records": int(row["records"]),
    }


# IDENTITY_MISMATCH: category against age and sex ---------------------------------------------
def _category_findings(ctx: RuleContext) -> Select:
    t = ctx.t
    enrolled = (
        select(
            T.id.label("trainee_id"),
            func.min(K.starts_on).label("on"),
            func.min(K.id).label("class_id"),
        )
        .join(E, E.trainee_id == T.id)
        .join(K, K.id == E.class_id)
        .where(ctx.person(T.person_id))
        .group_by(T.id)
        .subquery()
    )
    age = age_at(Person.birth_date, enrolled.c.on)
    working = T.identity_category.in_(t.working_age_categories)
    wrong = or_(
        age < t.min_age,
        and_(working, Person.is_male, age > t.max_working_age_male),
        and_(working, ~Person.is_male, age > t.max_working_age_female),
        *(and_(T.identity_category == c, age > limit) for c, limit in t.category_max_age),
    )
    return (
        select(
            T.id.label("trainee_id"),
            T.person_id,
            enrolled.c.class_id,
            T.region_code,
            T.identity_category,
            Person.is_male,
            enrolled.c.on,
            age.label("age"),
        )
        .join(enrolled, enrolled.c.trainee_id == T.id)
        .join(Person, Person.id == T.person_id)
        .where(wrong)
    )


def _category_records(ctx: RuleContext, found: Subquery) -> Select:
    return select(*records_of(T, "trainee", found, ("trainee_id",))).join(
        found, T.id == found.c.trainee_id
    )


def _category_judge(row: Mapping[str, Any], t: Thresholds) -> tuple[str, dict[str, Any]]:
    age, category, male = int(row["age"]), str(row["identity_category"]), bool(row["is_male"])
    reasons = []
    if age < t.min_age:
        reasons.append(f"younger than {t.min_age}")
    oldest = t.max_working_age_male if male else t.max_working_age_female
    if category in t.working_age_categories and age > oldest:
        reasons.append(f"older than {oldest}, past working age for a {'man' if male else 'woman'}")
    limit = dict(t.category_max_age).get(category)
    if limit is not None and age > limit:
        reasons.append(f"older than {limit} for {category}")
    return "medium", {
        "identity_category": category,
        "age": age,
        "sex": "male" if male else "female",
        "age_on": row["on"].isoformat(),
        "reasons": reasons,
    }


# DOUBLE_CLAIM ---------------------------------------------------------------------------------
def _claimed_persons(ctx: RuleContext) -> Subquery:
    return (
        select(
            SC.id.label("claim_id"),
            SC.class_id,
            SC.organisation_id,
            SC.year,
            func.coalesce(Course.occupation_code, Course.occupation_name).label("occupation"),
            Course.skill_level,
            T.person_id,
        )
        .join(K, K.id == SC.class_id)
        .join(Course, Course.id == K.course_id)
        .join(E, E.class_id == SC.class_id)
        .join(T, T.id == E.trainee_id)
        .where(SC.status.not_in(ctx.t.inactive_claim_statuses), ctx.person(T.person_id))
        .distinct()
        .subquery()
    )


def _double_findings(ctx: RuleContext) -> Select:
    a = _claimed_persons(ctx)
    b = aliased(a)
    return select(
        a.c.person_id,
        a.c.claim_id.label("first_claim"),
        b.c.claim_id.label("second_claim"),
        a.c.class_id,
        b.c.class_id.label("second_class"),
        null().label("region_code"),
        a.c.organisation_id.label("first_organisation"),
        b.c.organisation_id.label("second_organisation"),
        a.c.year,
        a.c.occupation,
        a.c.skill_level,
    ).join(
        b,
        and_(
            b.c.person_id == a.c.person_id,
            b.c.year == a.c.year,
            b.c.occupation == a.c.occupation,
            b.c.skill_level == a.c.skill_level,
            b.c.organisation_id != a.c.organisation_id,
            b.c.claim_id > a.c.claim_id,
        ),
    )


def _double_records(ctx: RuleContext, found: Subquery) -> Select:
    key = ("person_id", "first_claim", "second_claim")
    return (
        select(*records_of(E, "enrolment", found, key))
        .join(T, T.id == E.trainee_id)
        .join(
            found,
            and_(
                T.person_id == found.c.person_id,
                or_(E.class_id == found.c.class_id, E.class_id == found.c.second_class),
            ),
        )
    )


def _double_judge(row: Mapping[str, Any], t: Thresholds) -> tuple[str, dict[str, Any]]:
    return "high", {
        "claims": [int(row["first_claim"]), int(row["second_claim"])],
        "organisations": [int(row["first_organisation"]), int(row["second_organisation"])],
        "year": int(row["year"]),
        "occupation": row["occupation"],
        "skill_level": int(row["skill_level"]),
    }


# CERTIFICATE_BEFORE_TRAINING ------------------------------------------------------------------
Z = Certificate


def _certificate_findings(ctx: RuleContext) -> Select:
    offset = ctx.t.utc_offset_hours
    last = (
        select(
            S.person_id,
            S.class_id,
            func.max(local_day(S.ended_at, offset)).label("last_day"),
            func.count().label("sessions"),
        )
        .where(ctx.person_or_class(S.person_id, S.class_id))
        .group_by(S.person_id, S.class_id)
        .subquery()
    )
    issued = day_number(Z.issued_on)
    return (
        select(
            Z.id.label("certificate_id"),
            Z.person_id,
            Z.class_id,
            null().label("region_code"),
            Z.issued_on,
            last.c.last_day,
            func.coalesce(last.c.sessions, 0).label("sessions"),
        )
        .outerjoin(last, and_(last.c.person_id == Z.person_id, last.c.class_id == Z.class_id))
        .where(
            Z.class_id.is_not(None),
            ctx.person_or_class(Z.person_id, Z.class_id),
            or_(last.c.last_day.is_(None), issued < last.c.last_day),
        )
    )


def _certificate_records(ctx: RuleContext, found: Subquery) -> Select:
    key = ("certificate_id",)
    later = (
        select(*records_of(S, "session", found, key))
        .join(Z, Z.id == found.c.certificate_id)
        .where(
            S.person_id == Z.person_id,
            S.class_id == Z.class_id,
            local_day(S.ended_at, ctx.t.utc_offset_hours) > day_number(Z.issued_on),
        )
    )
    own = select(*records_of(Z, "certificate", found, key)).join(
        found, Z.id == found.c.certificate_id
    )
    return union_all(own, later)  # type: ignore[return-value]


def _certificate_judge(row: Mapping[str, Any], t: Thresholds) -> tuple[str, dict[str, Any]]:
    last = row["last_day"]
    return "high", {
        "issued_on": row["issued_on"].isoformat(),
        "last_session_day": day_iso(last) if last is not None else None,
        "sessions": int(row["sessions"]),
    }


RECORD_RULES: tuple[Rule, ...] = (
    Rule(
        "IDENTITY_MISMATCH",
        "IDENTITY_MISMATCH/names",
        ("person_id",),
        _names_findings,
        _names_records,
        _names_judge,
    ),
    Rule(
        "IDENTITY_MISMATCH",
        "IDENTITY_MISMATCH/category",
        ("trainee_id",),
        _category_findings,
        _category_records,
        _category_judge,
    ),
    Rule(
        "DOUBLE_CLAIM",
        "DOUBLE_CLAIM",
        ("person_id", "first_claim", "second_claim"),
        _double_findings,
        _double_records,
        _double_judge,
    ),
    Rule(
        "CERTIFICATE_BEFORE_TRAINING",
        "CERTIFICATE_BEFORE_TRAINING",
        ("certificate_id",),
        _certificate_findings,
        _certificate_records,
        _certificate_judge,
        scope="person_or_class",
    ),
)
