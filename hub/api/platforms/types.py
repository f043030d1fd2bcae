"""GraphQL types of platforms, organisations, regions, sync runs and quarantined records."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.scalars import JSON

from hub.api.context import HubContext
from hub.api.enums import (
    CreditStandingEnum,
    FilingStatusEnum,
    OrganisationKindEnum,
    PlatformTypeEnum,
    RegionLevelEnum,
    SyncStatusEnum,
)
from hub.api.personal_text import shown_payload, shown_text
from hub.api.relay import Node, node_from_row
from schema.tables import (
    Organisation,
    OrganisationVersion,
    Platform,
    QuarantinedRecord,
    Region,
    SyncRun,
)

Info = strawberry.Info[HubContext, None]


@strawberry.type(name="Region")
class RegionNode:
    code: str
    name: str
    level: RegionLevelEnum  # type: ignore[valid-type]
    parent_code: str | None

    @classmethod
    def from_row(cls, row: Region) -> RegionNode:
        return cls(code=row.code, name=row.name, level=row.level, parent_code=row.parent_code)


async def load_region(info: Info, code: str | None) -> RegionNode | None:
    """A region by code; the whole table is small and public, so one query serves a request."""
    if code is None:
        return None

    async def load(codes: Any) -> list[Region | None]:
        rows = {r.code: r for r in (await info.context.execute(select(Region))).scalars()}
        return [rows.get(c) for c in codes]

    row = await info.context.loader("regions", load).load(code)
    return RegionNode.from_row(row) if row else None


@strawberry.type(name="Organisation")
class OrganisationNode(Node):
    """An organisation of the register; `registered` is false while it is known only from a
    platform's records. `region` is the registered district, whose bureau reviews it."""

    db_id: strawberry.Private[int]
    credit_code: str
    name: str
    kind: OrganisationKindEnum  # type: ignore[valid-type]
    registered: bool
    region_code: strawberry.Private[str | None]
    designated_city_code: strawberry.Private[str | None]
    legal_representative: str | None
    contact_person: str | None
    contact_phone: str | None
    address: str | None
    industry_code: str | None = strawberry.field(description="GB/T 4754 section, e.g. C.")
    credit_standing: CreditStandingEnum | None  # type: ignore[valid-type]
    credit_source: str | None
    credit_checked_on: date | None
    updated_at: datetime | None

    @strawberry.field
    async def region(self, info: Info) -> RegionNode | None:
        return await load_region(info, self.region_code)

    @strawberry.field(description="The city whose designated training institution this is.")
    async def designated_city(self, info: Info) -> RegionNode | None:
        return await load_region(info, self.designated_city_code)

    @strawberry.field(description="Every change of the register entry, oldest first.")
    async def history(self, info: Info) -> list[OrganisationVersionNode]:
        query = (
            select(OrganisationVersion)
            .where(OrganisationVersion.organisation_id == self.db_id)
            .order_by(OrganisationVersion.id)
        )
        rows = (await info.context.execute(query)).scalars()
        return [OrganisationVersionNode.from_row(row) for row in rows]

    @classmethod
    def from_row(cls, row: Organisation) -> OrganisationNode:
        return node_from_row(cls, row)


@strawberry.type(name="OrganisationVersion")
class OrganisationVersionNode:
    """One change of an organisation's register entry: the entry after it, who, when, how."""

    snapshot: JSON
    changed_fields: list[str]
    changed_by: str
    changed_role: str
    source: str
    changed_at: datetime

    @classmethod
    def from_row(cls, row: OrganisationVersion) -> OrganisationVersionNode:
        return node_from_row(cls, row)


@strawberry.type(name="Platform")
class PlatformNode(Node):
    db_id: strawberry.Private[int]
    code: str
    name: str
    kind: str
    platform_type: PlatformTypeEnum | None  # type: ignore[valid-type]
    url: str | None
    catalogue_listed: bool
    filing_status: FilingStatusEnum  # type: ignore[valid-type]
    schedule_minutes: int
    region_code: strawberry.Private[str | None]
    operator_id: strawberry.Private[int | None]

    @strawberry.field
    async def region(self, info: Info) -> RegionNode | None:
        return await load_region(info, self.region_code)

    @strawberry.field
    async def operator(self, info: Info) -> OrganisationNode | None:
        if self.operator_id is None:
            return None
        row = await info.context.rows_by_id(Organisation).load(self.operator_id)
        return OrganisationNode.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: Platform) -> PlatformNode:
        return node_from_row(cls, row)


async def load_platform(info: Info, platform_id: int) -> PlatformNode | None:
    row = await info.context.rows_by_id(Platform).load(platform_id)
    return PlatformNode.from_row(row) if row else None


@strawberry.type(name="SyncRun")
class SyncRunNode(Node):
    platform_id: strawberry.Private[int]
    trigger: str
    status: SyncStatusEnum  # type: ignore[valid-type]
    started_at: datetime
    finished_at: datetime | None
    stats: JSON
    error: str | None
    last_alive_at: datetime | None = strawberry.field(
        description="When the run last committed work; an abandoned run's last sign of life."
    )

    @strawberry.field
    async def platform(self, info: Info) -> PlatformNode | None:
        return await load_platform(info, self.platform_id)

    @classmethod
    def from_row(cls, row: SyncRun) -> SyncRunNode:
        return node_from_row(cls, row)


@strawberry.type(name="QuarantinedRecord")
class QuarantinedRecordNode(Node):
    db_id: strawberry.Private[int]
    platform_id: strawberry.Private[int | None]  # None: a row of the hub's own registers
    raw_cipher: strawberry.Private[str]
    source_id: strawberry.Private[str | None]
    reason: strawberry.Private[str]
    waiting_for_id: strawberry.Private[str | None]
    record_type: str | None
    waiting_for_type: str | None
    created_at: datetime
    resolved_at: datetime | None

    @strawberry.field(
        name="sourceId", description="The platform's key; personal numbers masked without pii."
    )
    def shown_source_id(self, info: Info) -> str | None:
        return shown_text(info.context, "quarantine", self.db_id, "sourceId", self.source_id)

    @strawberry.field(name="reason", description="Why it was not accepted.")
    def shown_reason(self, info: Info) -> str:
        return shown_text(info.context, "quarantine", self.db_id, "reason", self.reason) or ""

    @strawberry.field(name="waitingForId", description="The key of the record it waits for.")
    def shown_waiting_for_id(self, info: Info) -> str | None:
        return shown_text(
            info.context, "quarantine", self.db_id, "waitingForId", self.waiting_for_id
        )

    @strawberry.field(
        description=(
            "The payload as received; every ID or phone number in it (by value or by key, at "
            "any depth) masked without pii."
        )
    )
    def raw(self, info: Info) -> JSON:
        return shown_payload(info.context, "quarantine", self.db_id, "raw", self.raw_cipher)

    @strawberry.field
    async def platform(self, info: Info) -> PlatformNode | None:
        return None if self.platform_id is None else await load_platform(info, self.platform_id)

    @classmethod
    def from_row(cls, row: QuarantinedRecord) -> QuarantinedRecordNode:
        return node_from_row(cls, row)
