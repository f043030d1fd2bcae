"""Queries over learning sessions, assessments and certificates."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from sqlalchemy import ColumnElement, select

from hub.api.context import HubContext
from hub.api.enums import CertificateKindEnum, SessionModeEnum
from hub.api.filters import courses_matching, in_region, organisation_is, platform_is, within
from hub.api.learning.types import AssessmentNode, CertificateNode, LearningSessionNode
from hub.api.ordering import AssessmentOrderField, CertificateOrderField, LearningSessionOrderField
from hub.api.relay import Connection, SortOrder, expect_id, paginate
from schema.tables import (
    Assessment,
    Certificate,
    LearningSession,
    Trainee,
    TrainingClass,
)

Info = strawberry.Info[HubContext, None]


@strawberry.input
class LearningSessionFilter:
    region: str | None = strawberry.field(default=None, description="The class's city or district.")
    platform: str | None = None
    organisation: str | None = None
    training_class: strawberry.ID | None = None
    trainee: strawberry.ID | None = None
    person: strawberry.ID | None = None
    mode: SessionModeEnum | None = None  # type: ignore[valid-type]
    occupation: str | None = strawberry.field(default=None, description="Name or code.")
    skill_level: int | None = None
    started_from: datetime | None = None
    started_before: datetime | None = None


@strawberry.input
class AssessmentFilter:
    region: str | None = strawberry.field(default=None, description="The class's city or district.")
    organisation: str | None = None
    training_class: strawberry.ID | None = None
    trainee: strawberry.ID | None = None
    platform: str | None = None
    passed: bool | None = None
    assessed_from: datetime | None = None
    assessed_before: datetime | None = None


@strawberry.input
class CertificateFilter:
    region: str | None = strawberry.field(
        default=None, description="The trainee's city or district."
    )
    platform: str | None = None
    trainee: strawberry.ID | None = None
    kind: CertificateKindEnum | None = None  # type: ignore[valid-type]
    occupation: str | None = strawberry.field(default=None, description="Occupation code.")
    skill_level: int | None = None
    issued_from: date | None = None
    issued_before: date | None = None


def _classes_where(*conditions: object) -> object:
    return select(TrainingClass.id).where(*conditions)


def learning_session_where(
    context: HubContext, filter: LearningSessionFilter | None
) -> list[ColumnElement[bool]]:
    """The caller's scope and the filter's conditions on learning session rows."""
    where = [context.scope.class_linked(LearningSession)]
    if filter:
        if filter.region:
            classes = _classes_where(in_region(TrainingClass.region_code, filter.region))
            where.append(LearningSession.class_id.in_(classes))
        if filter.organisation:
            classes = _classes_where(
                organisation_is(TrainingClass.organiser_id, filter.organisation)
            )
            where.append(LearningSession.class_id.in_(classes))
        if filter.platform:
            where.append(platform_is(LearningSession.platform_id, filter.platform))
        if filter.training_class:
            class_id = expect_id(filter.training_class, "TrainingClass")
            where.append(LearningSession.class_id == class_id)
        if filter.trainee:
            where.append(LearningSession.trainee_id == expect_id(filter.trainee, "Trainee"))
        if filter.person:
            where.append(LearningSession.person_id == expect_id(filter.person, "Person"))
        if filter.mode:
            where.append(LearningSession.mode == filter.mode)
        courses = courses_matching(filter.occupation, filter.skill_level)
        if courses is not None:
            classes = _classes_where(TrainingClass.course_id.in_(courses))
            where.append(LearningSession.class_id.in_(classes))
        where += within(LearningSession.started_at, filter.started_from, filter.started_before)
    return where


def assessment_where(
    context: HubContext, filter: AssessmentFilter | None
) -> list[ColumnElement[bool]]:
    """The caller's scope and the filter's conditions on assessment rows."""
    where = [context.scope.class_linked(Assessment)]
    if filter:
        if filter.region:
            classes = _classes_where(in_region(TrainingClass.region_code, filter.region))
            where.append(Assessment.class_id.in_(classes))
        if filter.organisation:
            classes = _classes_where(
                organisation_is(TrainingClass.organiser_id, filter.organisation)
            )
            where.append(Assessment.class_id.in_(classes))
        if filter.training_class:
            class_id = expect_id(filter.training_class, "TrainingClass")
            where.append(Assessment.class_id == class_id)
        if filter.trainee:
            where.append(Assessment.trainee_id == expect_id(filter.trainee, "Trainee"))
        if filter.platform:
            where.append(platform_is(Assessment.platform_id, filter.platform))
        if filter.passed is not None:
            where.append(Assessment.passed == filter.passed)
        where += within(Assessment.assessed_at, filter.assessed_from, filter.assessed_before)
    return where


def certificate_where(
    context: HubContext, filter: CertificateFilter | None
) -> list[ColumnElement[bool]]:
    """The caller's scope and the filter's conditions on certificate rows."""
    where = [context.scope.trainee_linked(Certificate)]
    if filter:
        if filter.region:
            trainees = select(Trainee.id).where(in_region(Trainee.region_code, filter.region))
            where.append(Certificate.trainee_id.in_(trainees))
        if filter.platform:
            where.append(platform_is(Certificate.platform_id, filter.platform))
        if filter.trainee:
            where.append(Certificate.trainee_id == expect_id(filter.trainee, "Trainee"))
        if filter.kind:
            where.append(Certificate.kind == filter.kind)
        if filter.occupation:
            where.append(Certificate.occupation_code == filter.occupation)
        if filter.skill_level is not None:
            where.append(Certificate.skill_level == filter.skill_level)
        where += within(Certificate.issued_on, filter.issued_from, filter.issued_before)
    return where


@strawberry.type
class LearningQuery:
    @strawberry.field
    async def learning_sessions(
        self,
        info: Info,
        filter: LearningSessionFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        order: SortOrder = SortOrder.ASC,
        order_by: LearningSessionOrderField | None = None,
    ) -> Connection[LearningSessionNode]:
        where = learning_session_where(info.context, filter)
        return await paginate(
            info,
            LearningSession,
            where,
            LearningSessionNode.from_row,
            first,
            after,
            order,
            order_by,
        )

    @strawberry.field
    async def assessments(
        self,
        info: Info,
        filter: AssessmentFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        order: SortOrder = SortOrder.ASC,
        order_by: AssessmentOrderField | None = None,
    ) -> Connection[AssessmentNode]:
        where = assessment_where(info.context, filter)
        return await paginate(
            info, Assessment, where, AssessmentNode.from_row, first, after, order, order_by
        )

    @strawberry.field
    async def certificates(
        self,
        info: Info,
        filter: CertificateFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        order: SortOrder = SortOrder.ASC,
        order_by: CertificateOrderField | None = None,
    ) -> Connection[CertificateNode]:
        where = certificate_where(info.context, filter)
        return await paginate(
            info, Certificate, where, CertificateNode.from_row, first, after, order, order_by
        )
