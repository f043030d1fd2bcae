"""Queries over trainees and persons."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy import ColumnElement, select

from hub.api.context import HubContext
from hub.api.enums import IdentityCategoryEnum
from hub.api.filters import in_region, organisation_is, platform_is, within
from hub.api.ledger.types import PersonNode, TraineeNode
from hub.api.ordering import PersonOrderField, TraineeOrderField
from hub.api.relay import Connection, SortOrder, paginate
from schema.tables import Enrolment, Person, Trainee, TrainingClass

Info = strawberry.Info[HubContext, None]


@strawberry.input
class TraineeFilter:
    region: str | None = strawberry.field(default=None, description="City or district code.")
    platform: str | None = None
    identity_category: IdentityCategoryEnum | None = None  # type: ignore[valid-type]
    organisation: str | None = strawberry.field(
        default=None, description="Credit code of an organiser whose classes they are enrolled in."
    )
    employer: str | None = None
    name: str | None = None
    id_number: str | None = strawberry.field(default=None, description="Exact resident ID number.")
    first_seen_from: datetime | None = None
    first_seen_before: datetime | None = None


@strawberry.input
class PersonFilter:
    name: str | None = None
    id_number: str | None = strawberry.field(default=None, description="Exact resident ID number.")


def trainee_where(context: HubContext, filter: TraineeFilter | None) -> list[ColumnElement[bool]]:
    """The caller's scope and the filter's conditions on trainees."""
    where = [context.scope.trainees()]
    if filter:
        if filter.region:
            where.append(in_region(Trainee.region_code, filter.region))
        if filter.platform:
            where.append(platform_is(Trainee.platform_id, filter.platform))
        if filter.identity_category:
            where.append(Trainee.identity_category == filter.identity_category)
        if filter.organisation:
            classes = select(TrainingClass.id).where(
                organisation_is(TrainingClass.organiser_id, filter.organisation)
            )
            enrolled = select(Enrolment.trainee_id).where(Enrolment.class_id.in_(classes))
            where.append(Trainee.id.in_(enrolled))
        if filter.employer:
            where.append(Trainee.employer_credit_code == filter.employer)
        if filter.name:
            where.append(Trainee.name == filter.name)
        if filter.id_number:
            where.append(Trainee.id_hash == context.vault.lookup_hash(filter.id_number))
        where += within(Trainee.first_seen_at, filter.first_seen_from, filter.first_seen_before)
    return where


def person_where(context: HubContext, filter: PersonFilter | None) -> list[ColumnElement[bool]]:
    """The caller's scope and the filter's conditions on persons."""
    where = [context.scope.persons(Person.id)]
    if filter:
        if filter.name:
            where.append(Person.name == filter.name)
        if filter.id_number:
            where.append(Person.id_hash == context.vault.lookup_hash(filter.id_number))
    return where


@strawberry.type
class LedgerQuery:
    @strawberry.field(description="Trainee records (one per person per platform) in scope.")
    async def trainees(
        self,
        info: Info,
        filter: TraineeFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        order: SortOrder = SortOrder.ASC,
        order_by: TraineeOrderField | None = None,
    ) -> Connection[TraineeNode]:
        where = trainee_where(info.context, filter)
        return await paginate(
            info, Trainee, where, TraineeNode.from_row, first, after, order, order_by
        )

    @strawberry.field(description="Natural persons with at least one trainee record in scope.")
    async def persons(
        self,
        info: Info,
        filter: PersonFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        order: SortOrder = SortOrder.ASC,
        order_by: PersonOrderField | None = None,
    ) -> Connection[PersonNode]:
        where = person_where(info.context, filter)
        return await paginate(
            info, Person, where, PersonNode.from_row, first, after, order, order_by
        )
