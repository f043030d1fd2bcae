"""The published platform catalogue (《职业技能线上培训平台目录》, 乌人社发〔2020〕26号 一;
内人社办发〔2020〕16号 三(二): 名单…向社会公布).

A city lists platforms in its catalogue and the region in the region's; each listing has a date
and a reason, unlisting closes it with a date and a reason, and listing again starts a new row,
so the table is the catalogue's history. Reading it needs no login.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from hub.auth.principal import Principal, Role
from hub.policy.calendar import china_day
from hub.policy.errors import NotInScope, PolicyViolation, StepForbidden
from hub.policy.transitions import require_role
from hub.registry.platforms import require_trustworthy_operator
from schema.enums import PlatformType, RegionLevel
from schema.regions import REGION_CODE
from schema.tables import CatalogueListing, Organisation, Platform, Region
from schema.types import utcnow

PLATFORM_TYPE_NAMES = {
    PlatformType.CATALOGUE: "目录内免费平台",
    PlatformType.OWN_WEBSITE: "企业自有网站",
    PlatformType.OWN_PLATFORM: "自有线上培训平台",
    PlatformType.THIRD_PARTY: "委托第三方线上培训平台",
}


def listed_now() -> ColumnElement[bool]:
    """Platforms with an open listing in any catalogue of the region."""
    return exists().where(
        CatalogueListing.platform_id == Platform.id, CatalogueListing.unlisted_on.is_(None)
    )


def _jurisdiction(principal: Principal, requested: str | None) -> str:
    """A city bureau keeps its own catalogue, the regional department the region's."""
    require_role(principal, Role.CITY, Role.REGION)
    own = REGION_CODE if principal.role is Role.REGION else principal.region_code
    assert own is not None
    if requested not in (None, own):
        raise StepForbidden(f"role {principal.role.value} keeps the catalogue of {own} only")
    return own


def _today(on: date | None) -> date:
    today = china_day(utcnow())
    assert today is not None
    return on or today


async def list_platform(
    session: AsyncSession,
    principal: Principal,
    platform_code: str,
    reason: str,
    *,
    jurisdiction: str | None = None,
    listed_on: date | None = None,
) -> CatalogueListing:
    """Add a platform to the caller's catalogue from `listed_on` (today by default)."""
    code = _jurisdiction(principal, jurisdiction)
    if not reason.strip():
        raise PolicyViolation("a reason is required to list a platform")
    platform = (
        await session.execute(select(Platform).where(Platform.code == platform_code))
    ).scalar_one_or_none()
    if platform is None:
        raise NotInScope(f"platform {platform_code} not found")
    if not platform.url:
        raise PolicyViolation("a platform is published with its address: set its URL first")
    await require_trustworthy_operator(session, platform)
    open_listing = (
        await session.execute(
            select(CatalogueListing.id).where(
                CatalogueListing.platform_id == platform.id,
                CatalogueListing.jurisdiction_code == code,
                CatalogueListing.unlisted_on.is_(None),
            )
        )
    ).first()
    if open_listing is not None:
        raise PolicyViolation(f"platform {platform_code} is already in the catalogue of {code}")
    listing = CatalogueListing(
        platform_id=platform.id,
        jurisdiction_code=code,
        listed_on=_today(listed_on),
        reason=reason.strip(),
        listed_by=principal.name or principal.subject,
    )
    session.add(listing)
    platform.catalogue_listed = True
    await session.flush()
    return listing


async def unlist_platform(
    session: AsyncSession,
    principal: Principal,
    platform_code: str,
    reason: str,
    *,
    jurisdiction: str | None = None,
    unlisted_on: date | None = None,
) -> CatalogueListing:
    """Close the platform's open listing in the caller's catalogue, with the reason."""
    code = _jurisdiction(principal, jurisdiction)
    if not reason.strip():
        raise PolicyViolation("a reason is required to unlist a platform")
    listing = (
        await session.execute(
            select(CatalogueListing)
            .join(Platform, Platform.id == CatalogueListing.platform_id)
            .where(
                Platform.code == platform_code,
                CatalogueListing.jurisdiction_code == code,
                CatalogueListing.unlisted_on.is_(None),
            )
        )
    ).scalar_one_or_none()
    if listing is None:
        raise NotInScope(f"platform {platform_code} is not in the catalogue of {code}")
    day = _today(unlisted_on)
    if day < listing.listed_on:
        raise PolicyViolation("a platform cannot be unlisted before it was listed")
    listing.unlisted_on = day
    listing.unlist_reason = reason.strip()
    listing.unlisted_by = principal.name or principal.subject
    await session.flush()
    still_listed = (
        await session.execute(
            select(CatalogueListing.id).where(
                CatalogueListing.platform_id == listing.platform_id,
                CatalogueListing.unlisted_on.is_(None),
            )
        )
    ).first()
    await session.execute(
        update(Platform)
        .where(Platform.id == listing.platform_id)
        .values(catalogue_listed=still_listed is not None)
        .execution_options(synchronize_session=False)
    )
    return listing


@dataclass(frozen=True)
class CatalogueEntry:
    """One published line of the catalogue."""

    platform_code: str
    platform_name: str
    url: str | None
    platform_type: str | None
    operator_name: str | None
    operator_credit_code: str | None
    region_code: str | None
    region_name: str | None
    jurisdiction_code: str
    jurisdiction_name: str
    listed_on: date
    reason: str
    unlisted_on: date | None
    unlist_reason: str | None

    @property
    def type_name(self) -> str:
        return (
            PLATFORM_TYPE_NAMES.get(PlatformType(self.platform_type), "")
            if self.platform_type
            else ""
        )

    def as_json(self) -> dict:
        return {
            "platform": self.platform_code,
            "name": self.platform_name,
            "url": self.url,
            "type": self.platform_type,
            "typeName": self.type_name,
            "operator": self.operator_name,
            "operatorCreditCode": self.operator_credit_code,
            "region": self.region_code,
            "regionName": self.region_name,
            "jurisdiction": self.jurisdiction_code,
            "jurisdictionName": self.jurisdiction_name,
            "listedOn": self.listed_on.isoformat(),
            "reason": self.reason,
            "unlistedOn": self.unlisted_on.isoformat() if self.unlisted_on else None,
            "unlistReason": self.unlist_reason,
        }


async def catalogue_jurisdictions(session: AsyncSession, region: str) -> list[str]:
    """Catalogues that apply in `region`: its city's and the region's (a district reads its city's)."""
    row = (
        await session.execute(select(Region.level, Region.parent_code).where(Region.code == region))
    ).one_or_none()
    if row is None:
        raise PolicyViolation(f"unknown region {region}")
    if row.level is RegionLevel.REGION:
        return [region]
    city = row.parent_code if row.level is RegionLevel.DISTRICT else region
    return [city, REGION_CODE] if city else [REGION_CODE]


async def read_catalogue(
    session: AsyncSession, region: str, *, include_history: bool = False
) -> list[CatalogueEntry]:
    """The catalogue in force for `region` (public), with closed listings when asked."""
    codes = await catalogue_jurisdictions(session, region)
    platform_region = aliased(Region)
    jurisdiction = aliased(Region)
    query = (
        select(
            CatalogueListing,
            Platform,
            Organisation.name,
            Organisation.credit_code,
            platform_region.name,
            jurisdiction.name,
        )
        .join(Platform, Platform.id == CatalogueListing.platform_id)
        .join(jurisdiction, jurisdiction.code == CatalogueListing.jurisdiction_code)
        .outerjoin(Organisation, Organisation.id == Platform.operator_id)
        .outerjoin(platform_region, platform_region.code == Platform.region_code)
        .where(CatalogueListing.jurisdiction_code.in_(codes))
        .order_by(
            CatalogueListing.jurisdiction_code.desc(),
            CatalogueListing.listed_on,
            CatalogueListing.id,
        )
    )
    if not include_history:
        query = query.where(CatalogueListing.unlisted_on.is_(None))
    return [
        CatalogueEntry(
            platform_code=platform.code,
            platform_name=platform.name,
            url=platform.url,
            platform_type=platform.platform_type.value if platform.platform_type else None,
            operator_name=operator_name,
            operator_credit_code=operator_code,
            region_code=platform.region_code,
            region_name=region_name,
            jurisdiction_code=listing.jurisdiction_code,
            jurisdiction_name=jurisdiction_name,
            listed_on=listing.listed_on,
            reason=listing.reason,
            unlisted_on=listing.unlisted_on,
            unlist_reason=listing.unlist_reason,
        )
        for listing, platform, operator_name, operator_code, region_name, jurisdiction_name in (
            await session.execute(query)
        ).all()
    ]
