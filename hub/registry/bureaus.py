"""Who reviews: the bureau of an organisation's registered district, named as on paper."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.enums import RegionLevel
from schema.tables import Organisation, Region

# GB/T 4754 sections an industry authority (行业主管部门) may stand for, with their names.
INDUSTRY_SECTIONS = {
    "A": "农、林、牧、渔业",
    "B": "采矿业",
    "C": "制造业",
    "D": "电力、热力、燃气及水生产和供应业",
    "E": "建筑业",
    "F": "批发和零售业",
    "G": "交通运输、仓储和邮政业",
    "H": "住宿和餐饮业",
    "I": "信息传输、软件和信息技术服务业",
    "J": "金融业",
    "K": "房地产业",
    "L": "租赁和商务服务业",
    "M": "科学研究和技术服务业",
    "N": "水利、环境和公共设施管理业",
    "O": "居民服务、修理和其他服务业",
    "P": "教育",
    "Q": "卫生和社会工作",
    "R": "文化、体育和娱乐业",
    "S": "公共管理、社会保障和社会组织",
    "T": "国际组织",
}


def bureau_name(region_name: str) -> str:
    """The HR & social-security bureau of a region as printed on forms: 海勃湾区人力资源和社会保障局."""
    return f"{region_name}人力资源和社会保障局"


def industry_authority_name(section: str) -> str:
    """An industry authority (行业主管部门) by its GB/T 4754 section."""
    return f"{INDUSTRY_SECTIONS.get(section, section)}行业主管部门"


async def region_names(session: AsyncSession, *codes: str | None) -> dict[str, str]:
    """Names of the given region codes (unknown codes are left out)."""
    wanted = [c for c in codes if c]
    if not wanted:
        return {}
    rows = await session.execute(select(Region.code, Region.name).where(Region.code.in_(wanted)))
    return dict(rows.all())  # type: ignore[arg-type]


async def city_of(session: AsyncSession, region_code: str) -> str | None:
    """The city (盟市) a district belongs to, or the code itself when it is a city."""
    row = (
        await session.execute(
            select(Region.level, Region.parent_code).where(Region.code == region_code)
        )
    ).one_or_none()
    if row is None:
        return None
    if row.level is RegionLevel.DISTRICT:
        return row.parent_code
    return region_code if row.level is RegionLevel.CITY else None


async def registered_district(session: AsyncSession, organisation: Organisation) -> str | None:
    """The organisation's registered district when the registry holds one."""
    if organisation.region_code is None:
        return None
    level = (
        await session.execute(select(Region.level).where(Region.code == organisation.region_code))
    ).scalar_one_or_none()
    return organisation.region_code if level is RegionLevel.DISTRICT else None


async def reviewing_district(session: AsyncSession, organisation_id: int, fallback: str) -> str:
    """The district whose bureau reviews the organisation's claims: its registered district, or
    `fallback` (the class's district) while the registry does not know it."""
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None:
        return fallback
    return await registered_district(session, organisation) or fallback
