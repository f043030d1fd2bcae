"""Queries over platforms, organisations, regions, sync runs and quarantine."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy import ColumnElement, select

from hub.api.context import HubContext
from hub.api.enums import FilingStatusEnum, OrganisationKindEnum, SyncStatusEnum
from hub.api.filters import in_region, platform_is, within
from hub.api.ordering import NameOrderField
from hub.api.platforms.types import (
    OrganisationNode,
    PlatformNode,
    QuarantinedRecordNode,
    RegionNode,
    SyncRunNode,
)
from hub.api.relay import Connection, SortOrder, paginate
from schema.tables import Organisation, Platform, QuarantinedRecord, Region, SyncRun

Info = strawberry.Info[HubContext, None]


@strawberry.input
class PlatformFilter:
    region: str | None = None
    filing_status: FilingStatusEnum | None = None  # type: ignore[valid-type]
    kind: str | None = None
    code: str | None = None


@strawberry.input
class OrganisationFilter:
    region: str | None = None
    kind: OrganisationKindEnum | None = None  # type: ignore[valid-type]
    credit_code: str | None = None
    registered: bool | None = strawberry.field(
        default=None, description="false: known only from platform data, to be completed."
    )


@strawberry.input
class SyncRunFilter:
    platform: str | None = None
    status: SyncStatusEnum | None = None  # type: ignore[valid-type]
    started_from: datetime | None = None
    started_to: datetime | None = None


@strawberry.input
class QuarantineFilter:
    platform: str | None = None
    record_type: str | None = None
    open_only: bool = True
    created_from: datetime | None = None
    created_before: datetime | None = None


def platform_where(context: HubContext, filter: PlatformFilter | None) -> list[ColumnElement[bool]]:
    """The caller's scope and the filter's conditions on platform rows."""
    where = [context.scope.platforms()]
    if filter:
        if filter.region:
            where.append(in_region(Platform.region_code, filter.region))
        if filter.filing_status:
            where.append(Platform.filing_status == filter.filing_status)
        if filter.kind:
            where.append(Platform.kind == filter.kind)
        if filter.code:
            where.append(Platform.code == filter.code)
    return where


def organisation_where(
    context: HubContext, filter: OrganisationFilter | None
) -> list[ColumnElement[bool]]:
    """The caller's scope and the filter's conditions on organisation rows."""
    where = [context.scope.organisations()]
    if filter:
        if filter.region:
            where.append(in_region(Organisation.region_code, filter.region))
        if filter.kind:
            where.append(Organisation.kind == filter.kind)
        if filter.credit_code:
            where.append(Organisation.credit_code == filter.credit_code)
        if filter.registered is not None:
            where.append(Organisation.registered.is_(filter.registered))
    return where


@strawberry.type
class PlatformQuery:
    @strawberry.field(description="Administrative regions (public reference data).")
    async def regions(self, info: Info, parent: str | None = None) -> list[RegionNode]:
        info.context.require()
        query = select(Region).order_by(Region.code)
        if parent:
            query = query.where(Region.parent_code == parent)
        return [RegionNode.from_row(r) for r in (await info.context.execute(query)).scalars()]

    @strawberry.field
    async def platforms(
        self,
        info: Info,
        filter: PlatformFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        order: SortOrder = SortOrder.ASC,
        order_by: NameOrderField | None = None,
    ) -> Connection[PlatformNode]:
        where = platform_where(info.context, filter)
        return await paginate(
            info, Platform, where, PlatformNode.from_row, first, after, order, order_by
        )

    @strawberry.field
    async def organisations(
        self,
        info: Info,
        filter: OrganisationFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        order: SortOrder = SortOrder.ASC,
        order_by: NameOrderField | None = None,
    ) -> Connection[OrganisationNode]:
        where = organisation_where(info.context, filter)
        return await paginate(
            info, Organisation, where, OrganisationNode.from_row, first, after, order, order_by
        )

    @strawberry.field
    async def sync_runs(
        self,
        info: Info,
        filter: SyncRunFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        order: SortOrder = SortOrder.ASC,
    ) -> Connection[SyncRunNode]:
        where = [info.context.scope.platform_linked(SyncRun)]
        if filter:
            if filter.platform:
                where.append(platform_is(SyncRun.platform_id, filter.platform))
            if filter.status:
                where.append(SyncRun.status == filter.status)
            where += within(SyncRun.started_at, filter.started_from, filter.started_to)
        return await paginate(info, SyncRun, where, SyncRunNode.from_row, first, after, order)

    @strawberry.field
    async def quarantined_records(
        self,
        info: Info,
        filter: QuarantineFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        order: SortOrder = SortOrder.ASC,
    ) -> Connection[QuarantinedRecordNode]:
        where = [info.context.scope.platform_linked(QuarantinedRecord)]
        spec = filter or QuarantineFilter()
        if spec.platform:
            where.append(platform_is(QuarantinedRecord.platform_id, spec.platform))
        if spec.record_type:
            where.append(QuarantinedRecord.record_type == spec.record_type)
        if spec.open_only:
            where.append(QuarantinedRecord.resolved_at.is_(None))
        return await paginate(
            info, QuarantinedRecord, where, QuarantinedRecordNode.from_row, first, after, order
        )
