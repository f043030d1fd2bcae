"""GraphQL types of platforms, organisations, regions, sync runs and quarantined records."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.scalars import JSON

from hub.api.context import HubContext
from hub.api.enums import (
    FilingStatusEnum,
    OrganisationKindEnum,
    PlatformTypeEnum,
    RegionLevelEnum,
    SyncStatusEnum,
)
from hub.api.relay import Node, node_from_row
from schema.ids import mask_id_number, mask_phone
from schema.tables import Organisation, Platform, QuarantinedRecord, Region, SyncRun

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
    db_id: strawberry.Private[int]
    credit_code: str
    name: str
    kind: OrganisationKindEnum  # type: ignore[valid-type]
    registered: bool
    region_code: strawberry.Private[str | None]

    @strawberry.field
    async def region(self, info: Info) -> RegionNode | None:
        return await load_region(info, self.region_code)

    @classmethod
    def from_row(cls, row: Organisation) -> OrganisationNode:
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


def _masked_payload(raw: Any) -> Any:
    if isinstance(raw, dict):
        masked = dict(raw)
        if isinstance(masked.get("id_number"), str):
            masked["id_number"] = mask_id_number(masked["id_number"])
        if isinstance(masked.get("phone"), str):
            masked["phone"] = mask_phone(masked["phone"])
        return masked
    return raw


@strawberry.type(name="QuarantinedRecord")
class QuarantinedRecordNode(Node):
    db_id: strawberry.Private[int]
    platform_id: strawberry.Private[int]
    raw_cipher: strawberry.Private[str]
    record_type: str | None
    source_id: str | None
    reason: str
    waiting_for_type: str | None
    waiting_for_id: str | None
    created_at: datetime
    resolved_at: datetime | None

    @strawberry.field(description="The payload as received; personal numbers masked without pii.")
    def raw(self, info: Info) -> JSON:
        context = info.context
        if context.require().can_read_pii:
            return json.loads(
                context.reveal("quarantine", self.db_id, "raw", self.raw_cipher) or "null"
            )
        return _masked_payload(json.loads(context.vault.decrypt(self.raw_cipher)))

    @strawberry.field
    async def platform(self, info: Info) -> PlatformNode | None:
        return await load_platform(info, self.platform_id)

    @classmethod
    def from_row(cls, row: QuarantinedRecord) -> QuarantinedRecordNode:
        return node_from_row(cls, row)
