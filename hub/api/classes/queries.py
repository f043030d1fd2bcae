"""Queries over courses, training classes and enrolments."""

from __future__ import annotations

from datetime import date

import strawberry
from sqlalchemy import ColumnElement, select

from hub.api.classes.types import CourseNode, EnrolmentNode, TrainingClassNode
from hub.api.context import HubContext
from hub.api.enums import CourseStandardEnum
from hub.api.filters import (
    courses_matching,
    in_region,
    occupation_is,
    organisation_is,
    platform_is,
    within,
)
from hub.api.ordering import CourseOrderField, TrainingClassOrderField
from hub.api.relay import Connection, SortOrder, expect_id, paginate
from schema.tables import Course, Enrolment, TrainingClass

Info = strawberry.Info[HubContext, None]


@strawberry.input
class CourseFilter:
    platform: str | None = None
    occupation: str | None = strawberry.field(default=None, description="Name or code.")
    skill_level: int | None = None
    standard: CourseStandardEnum | None = None  # type: ignore[valid-type]


@strawberry.input
class TrainingClassFilter:
    region: str | None = None
    platform: str | None = None
    organisation: str | None = None
    occupation: str | None = None
    skill_level: int | None = None
    starts_from: date | None = None
    starts_before: date | None = None


@strawberry.input
class EnrolmentFilter:
    region: str | None = strawberry.field(default=None, description="The class's city or district.")
    organisation: str | None = None
    training_class: strawberry.ID | None = None
    trainee: strawberry.ID | None = None
    platform: str | None = None
    enrolled_from: date | None = None
    enrolled_before: date | None = None


def course_where(context: HubContext, filter: CourseFilter | None) -> list[ColumnElement[bool]]:
    """The caller's scope and the filter's conditions on course rows."""
    where = [context.scope.courses(Course)]
    if filter:
        if filter.platform:
            where.append(platform_is(Course.platform_id, filter.platform))
        if filter.occupation:
            where.append(occupation_is(filter.occupation))
        if filter.skill_level is not None:
            where.append(Course.skill_level == filter.skill_level)
        if filter.standard:
            where.append(Course.standard == filter.standard)
    return where


def training_class_where(
    context: HubContext, filter: TrainingClassFilter | None
) -> list[ColumnElement[bool]]:
    """The caller's scope and the filter's conditions on training class rows."""
    where = [context.scope.training_classes()]
    if filter:
        if filter.region:
            where.append(in_region(TrainingClass.region_code, filter.region))
        if filter.platform:
            where.append(platform_is(TrainingClass.platform_id, filter.platform))
        if filter.organisation:
            where.append(organisation_is(TrainingClass.organiser_id, filter.organisation))
        courses = courses_matching(filter.occupation, filter.skill_level)
        if courses is not None:
            where.append(TrainingClass.course_id.in_(courses))
        where += within(TrainingClass.starts_on, filter.starts_from, filter.starts_before)
    return where


def enrolment_where(
    context: HubContext, filter: EnrolmentFilter | None
) -> list[ColumnElement[bool]]:
    """The caller's scope and the filter's conditions on enrolment rows."""
    where = [context.scope.class_linked(Enrolment)]
    if filter:
        if filter.training_class:
            where.append(Enrolment.class_id == expect_id(filter.training_class, "TrainingClass"))
        if filter.trainee:
            where.append(Enrolment.trainee_id == expect_id(filter.trainee, "Trainee"))
        if filter.platform:
            where.append(platform_is(Enrolment.platform_id, filter.platform))
        class_conditions = []
        if filter.region:
            class_conditions.append(in_region(TrainingClass.region_code, filter.region))
        if filter.organisation:
            class_conditions.append(
                organisation_is(TrainingClass.organiser_id, filter.organisation)
            )
        if class_conditions:
            classes = select(TrainingClass.id).where(*class_conditions)
            where.append(Enrolment.class_id.in_(classes))
        where += within(Enrolment.enrolled_on, filter.enrolled_from, filter.enrolled_before)
    return where


@strawberry.type
class ClassesQuery:
    @strawberry.field
    async def courses(
        self,
        info: Info,
        filter: CourseFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        order: SortOrder = SortOrder.ASC,
        order_by: CourseOrderField | None = None,
    ) -> Connection[CourseNode]:
        where = course_where(info.context, filter)
        return await paginate(
            info, Course, where, CourseNode.from_row, first, after, order, order_by
        )

    @strawberry.field
    async def training_classes(
        self,
        info: Info,
        filter: TrainingClassFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        order: SortOrder = SortOrder.ASC,
        order_by: TrainingClassOrderField | None = None,
    ) -> Connection[TrainingClassNode]:
        where = training_class_where(info.context, filter)
        return await paginate(
            info, TrainingClass, where, TrainingClassNode.from_row, first, after, order, order_by
        )

    @strawberry.field
    async def enrolments(
        self,
        info: Info,
        filter: EnrolmentFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        order: SortOrder = SortOrder.ASC,
    ) -> Connection[EnrolmentNode]:
        where = enrolment_where(info.context, filter)
        return await paginate(info, Enrolment, where, EnrolmentNode.from_row, first, after, order)
