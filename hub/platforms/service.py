"""Registering platforms: the hub creates an unknown platform as unfiled when data first arrives."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.enums import FilingStatus, OrganisationKind, PlatformType
from schema.tables import Organisation, Platform


async def ensure_organisation(
    session: AsyncSession,
    credit_code: str,
    *,
    name: str | None = None,
    kind: OrganisationKind = OrganisationKind.PLATFORM_OPERATOR,
    region_code: str | None = None,
) -> Organisation:
    """The organisation with this credit code, created (registered) when it is not yet known."""
    found = (
        await session.execute(select(Organisation).where(Organisation.credit_code == credit_code))
    ).scalar_one_or_none()
    if found is not None:
        if name and not found.registered:
            found.name, found.registered = name, True
        return found
    organisation = Organisation(
        credit_code=credit_code,
        name=name or credit_code,
        kind=kind,
        region_code=region_code,
        registered=name is not None,
    )
    session.add(organisation)
    await session.flush()
    return organisation


async def ensure_platform(
    session: AsyncSession,
    code: str,
    *,
    name: str | None = None,
    kind: str = "file",
    url: str | None = None,
    region_code: str | None = None,
    operator_credit_code: str | None = None,
    platform_type: PlatformType | None = None,
    schedule_minutes: int | None = None,
    config: dict | None = None,
) -> Platform:
    """The platform with this code; created unfiled when unknown, its declared details kept current."""
    platform = (
        await session.execute(select(Platform).where(Platform.code == code))
    ).scalar_one_or_none()
    if platform is None:
        platform = Platform(
            code=code,
            name=name or code,
            kind=kind,
            filing_status=FilingStatus.UNFILED,
        )
        session.add(platform)
    elif name:
        platform.name = name
    if kind != "file":
        platform.kind = kind
    for attribute, value in (
        ("url", url),
        ("region_code", region_code),
        ("platform_type", platform_type),
        ("schedule_minutes", schedule_minutes),
        ("config", config),
    ):
        if value is not None:
            setattr(platform, attribute, value)
    if operator_credit_code:
        operator = await ensure_organisation(session, operator_credit_code, region_code=region_code)
        platform.operator_id = operator.id
    await session.flush()
    return platform
