"""Who may push to which platform: decided by the scope predicate, in SQL."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth.principal import Principal, Role
from hub.auth.scopes import Scope
from hub.push.errors import PlatformNotRegistered, PushDenied
from schema.tables import Platform

PUSH_ROLES = (Role.CONNECTOR, Role.ORG)


async def writable_platform_id(session: AsyncSession, principal: Principal, code: str) -> int:
    """The id of platform `code` if `principal` may write its records, else PushDenied.

    A connector writes only its own platform, an organisation only the platforms it operates;
    an unknown code and another's platform are refused alike, so a caller learns nothing
    about platforms outside its scope.
    """
    if principal.role not in PUSH_ROLES:
        raise PushDenied(f"role {principal.role} may not push records")
    query = select(Platform.id).where(Platform.code == code, Scope(principal).pushable_platforms())
    platform_id = (await session.execute(query)).scalar_one_or_none()
    if platform_id is not None:
        return platform_id
    if principal.role is Role.CONNECTOR and principal.platform_code == code:
        raise PlatformNotRegistered(f"platform {code} is not registered with the hub")
    raise PushDenied(f"this caller may not push records for platform {code}")
