"""The platform register: name, URL, type, operator and region, set by filings and bureaus."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth.principal import Principal, Role
from hub.auth.scopes import Scope
from hub.policy.errors import NotInScope, PolicyViolation
from hub.policy.transitions import require_role
from schema.enums import CreditStanding, PlatformType
from schema.ids import InvalidIdentifier, validate_credit_code
from schema.tables import Organisation, Platform, Region

BUREAU_ROLES = (Role.REGION, Role.CITY, Role.DISTRICT)


def check_url(raw: str) -> str:
    """An http(s) URL with a host, as printed on the forms; PolicyViolation otherwise."""
    url = raw.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
        raise PolicyViolation(f"{raw!r} is not an http(s) address (网址)")
    return url


async def require_trustworthy_operator(session: AsyncSession, platform: Platform) -> None:
    """A commissioned or published platform's operator must be in good social credit (社会信用良好,
    内人社办发〔2020〕16号 二(三)3): one the register lists as untrustworthy is refused."""
    if platform.operator_id is None:
        return
    operator = await session.get(Organisation, platform.operator_id)
    if operator is not None and operator.credit_standing is CreditStanding.UNTRUSTWORTHY:
        raise PolicyViolation(
            f"the platform's operator {operator.name} is listed as untrustworthy"
            f" ({operator.credit_source or '-'}, {operator.credit_checked_on or '-'})"
        )


@dataclass(frozen=True)
class PlatformDetails:
    """What a bureau may set; None leaves a field as it is."""

    name: str | None = None
    url: str | None = None
    platform_type: str | None = None
    operator_credit_code: str | None = None
    region_code: str | None = None


async def update_platform(
    session: AsyncSession, principal: Principal, code: str, details: PlatformDetails
) -> Platform:
    """A region, city or district bureau corrects a platform it can see."""
    require_role(principal, *BUREAU_ROLES)
    platform = (
        await session.execute(
            select(Platform).where(Platform.code == code, Scope(principal).platforms())
        )
    ).scalar_one_or_none()
    if platform is None:
        raise NotInScope(f"platform {code} not found")
    if details.name is not None:
        if not details.name.strip():
            raise PolicyViolation("the platform name may not be blank")
        platform.name = details.name.strip()[:200]
    if details.url is not None:
        platform.url = check_url(details.url)
    if details.platform_type is not None:
        try:
            platform.platform_type = PlatformType(details.platform_type)
        except ValueError as error:
            raise PolicyViolation(f"unknown platform type {details.platform_type!r}") from error
    if details.operator_credit_code is not None:
        try:
            credit_code = validate_credit_code(details.operator_credit_code)
        except InvalidIdentifier as error:
            raise PolicyViolation(str(error)) from error
        operator = (
            await session.execute(
                select(Organisation.id).where(Organisation.credit_code == credit_code)
            )
        ).scalar_one_or_none()
        if operator is None:
            raise PolicyViolation(f"organisation {credit_code} is not registered")
        platform.operator_id = operator
    if details.region_code is not None:
        known = (
            await session.execute(select(Region.code).where(Region.code == details.region_code))
        ).scalar_one_or_none()
        if known is None:
            raise PolicyViolation(f"unknown region {details.region_code}")
        platform.region_code = known
    await session.flush()
    return platform
