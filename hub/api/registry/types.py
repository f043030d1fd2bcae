"""GraphQL types of the published platform catalogue."""

from __future__ import annotations

from datetime import date

import strawberry

from hub.registry.catalogue import CatalogueEntry


@strawberry.type(name="CatalogueEntry")
class CatalogueEntryNode:
    """One platform of a published catalogue (平台目录), as the public reads it."""

    platform_code: str
    name: str
    url: str | None
    platform_type: str | None
    type_name: str
    operator: str | None
    operator_credit_code: str | None
    region_code: str | None
    region_name: str | None
    jurisdiction_code: str = strawberry.field(description="Whose catalogue: a city or the region.")
    jurisdiction_name: str
    listed_on: date
    reason: str
    unlisted_on: date | None
    unlist_reason: str | None

    @classmethod
    def from_entry(cls, entry: CatalogueEntry) -> CatalogueEntryNode:
        return cls(
            platform_code=entry.platform_code,
            name=entry.platform_name,
            url=entry.url,
            platform_type=entry.platform_type,
            type_name=entry.type_name,
            operator=entry.operator_name,
            operator_credit_code=entry.operator_credit_code,
            region_code=entry.region_code,
            region_name=entry.region_name,
            jurisdiction_code=entry.jurisdiction_code,
            jurisdiction_name=entry.jurisdiction_name,
            listed_on=entry.listed_on,
            reason=entry.reason,
            unlisted_on=entry.unlisted_on,
            unlist_reason=entry.unlist_reason,
        )
