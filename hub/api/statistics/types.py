"""GraphQL types of the statistics query: dimensions, filter and one row per group."""

from __future__ import annotations

import strawberry

from hub.api.context import HubContext
from hub.api.enums import IdentityCategoryEnum
from hub.api.platforms.types import (
    OrganisationNode,
    PlatformNode,
    RegionNode,
    load_platform,
    load_region,
)
from hub.stats.query import StatDimension, StatValues
from schema.enums import IdentityCategory
from schema.tables import Organisation

Info = strawberry.Info[HubContext, None]

StatDimensionEnum = strawberry.enum(StatDimension, name="StatDimension")


@strawberry.input
class StatFilter:
    region: str | None = strawberry.field(default=None, description="City or district code.")
    platform: str | None = strawberry.field(default=None, description="Platform code.")
    organisation: str | None = strawberry.field(
        default=None, description="Credit code of the class organiser."
    )
    identity_category: IdentityCategoryEnum | None = None  # type: ignore[valid-type]
    occupation: str | None = None
    month_from: str | None = strawberry.field(default=None, description="First month, YYYY-MM.")
    month_to: str | None = strawberry.field(default=None, description="Last month, YYYY-MM.")


def _category(value: str | None) -> IdentityCategory | None:
    return IdentityCategory(value) if value is not None else None


@strawberry.type(name="StatRow")
class StatRow:
    """Figures of one group; key fields not grouped by are null."""

    city_code: strawberry.Private[str | None]
    district_code: strawberry.Private[str | None]
    platform_id: strawberry.Private[int | None]
    organisation_id: strawberry.Private[int | None]
    identity_category: IdentityCategoryEnum | None = strawberry.field(  # type: ignore[valid-type]
        description="Identity category (补贴对象); null on claim amounts, which cover a class."
    )
    occupation: str | None
    month: str | None = strawberry.field(description="YYYY-MM in the region's time (UTC+8).")
    trainees: int = strawberry.field(description="Platform trainee records with activity.")
    persons: int = strawberry.field(description="Distinct natural persons with activity.")
    sessions: int
    online_hours: float
    offline_hours: float
    certificates: int
    qualified: int = strawberry.field(description="Passed assessments.")
    pre_disbursed: float = strawberry.field(description="Pre-disbursed subsidy (预拨) amount.")
    settled: float = strawberry.field(description="Settled subsidy (清算) amount.")
    recovered: float = strawberry.field(description="Over-paid subsidy recovered (追回到账).")
    to_recover: float = strawberry.field(description="Over-paid subsidy still to recover.")
    open_alerts: int

    @strawberry.field
    async def city(self, info: Info) -> RegionNode | None:
        return await load_region(info, self.city_code)

    @strawberry.field
    async def district(self, info: Info) -> RegionNode | None:
        return await load_region(info, self.district_code)

    @strawberry.field
    async def platform(self, info: Info) -> PlatformNode | None:
        return None if self.platform_id is None else await load_platform(info, self.platform_id)

    @strawberry.field
    async def organisation(self, info: Info) -> OrganisationNode | None:
        if self.organisation_id is None:
            return None
        row = await info.context.rows_by_id(Organisation).load(self.organisation_id)
        return OrganisationNode.from_row(row) if row else None

    @classmethod
    def from_values(cls, dimensions: list[StatDimension], values: StatValues) -> StatRow:
        key = {d: v for d, v in zip(dimensions, values.key, strict=True)}
        return cls(
            city_code=key.get(StatDimension.CITY),
            district_code=key.get(StatDimension.DISTRICT),
            platform_id=key.get(StatDimension.PLATFORM),
            organisation_id=key.get(StatDimension.ORGANISATION),
            identity_category=_category(key.get(StatDimension.IDENTITY_CATEGORY)),
            occupation=key.get(StatDimension.OCCUPATION),
            month=key.get(StatDimension.MONTH),
            trainees=values.trainees,
            persons=values.persons,
            sessions=values.sessions,
            online_hours=round(values.online_seconds / 3600, 4),
            offline_hours=round(values.offline_seconds / 3600, 4),
            certificates=values.certificates,
            qualified=values.qualified,
            pre_disbursed=values.pre_disbursed,
            settled=values.settled,
            recovered=values.recovered,
            to_recover=values.to_recover,
            open_alerts=values.open_alerts,
        )
