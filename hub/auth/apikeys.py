"""Connector API keys: created once for a platform, stored hashed, revocable.

A key authenticates as role `connector` for its platform, exactly like a connector JWT.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth.principal import Principal, Role
from schema.tables import ApiKey, Platform
from schema.types import utcnow

KEY_PREFIX = "hub_"
_VISIBLE = len(KEY_PREFIX) + 8  # the part of a key shown in listings


class UnknownPlatform(LookupError):
    """No platform has the given code."""


def hash_key(key: str) -> str:
    """The stored form of a key (SHA-256 hex; keys carry 256 random bits)."""
    return hashlib.sha256(key.encode()).hexdigest()


async def create_api_key(
    session: AsyncSession, platform_code: str, label: str | None = None
) -> tuple[ApiKey, str]:
    """A new key for the platform: the row (hash only) and the key itself, shown once."""
    platform = (
        await session.execute(select(Platform).where(Platform.code == platform_code))
    ).scalar_one_or_none()
    if platform is None:
        raise UnknownPlatform(platform_code)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        platform_id=platform.id, prefix=key[:_VISIBLE], key_hash=hash_key(key), label=label
    )
    session.add(row)
    await session.flush()
    return row, key


async def revoke_api_key(session: AsyncSession, prefix: str) -> int:
    """Revoke every live key starting with `prefix` (the listed prefix or the whole key)."""
    prefix = prefix[:_VISIBLE]
    result = await session.execute(
        update(ApiKey)
        .where(ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return result.rowcount or 0


async def principal_for_key(session: AsyncSession, key: str) -> Principal | None:
    """The connector principal of a live key, or None when unknown or revoked."""
    query = (
        select(ApiKey.prefix, Platform.code)
        .join(Platform, Platform.id == ApiKey.platform_id)
        .where(ApiKey.key_hash == hash_key(key), ApiKey.revoked_at.is_(None))
    )
    found = (await session.execute(query)).first()
    if found is None:
        return None
    prefix, platform_code = found
    return Principal(subject=f"apikey:{prefix}", role=Role.CONNECTOR, platform_code=platform_code)
