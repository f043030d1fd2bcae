"""Bearer JWTs: issued for development with HS256, verified strictly on every request."""

from __future__ import annotations

import time
from typing import Any

import jwt

from hub.auth.principal import InvalidPrincipal, Principal, Role

ALGORITHMS = ["HS256"]  # fixed list: `alg: none` and algorithm confusion are rejected


class AuthenticationFailed(Exception):
    """The request's credentials are missing, malformed, expired or not ours."""


def issue_token(
    secret: str,
    role: Role,
    *,
    subject: str | None = None,
    region: str | None = None,
    org: str | None = None,
    platform: str | None = None,
    pii: bool = False,
    ttl_seconds: int = 12 * 3600,
) -> str:
    """A signed token for a principal; its claims are validated as a request would."""
    principal = Principal(
        subject or f"{role}:{region or org or platform or 'all'}", role, region, org, platform, pii
    )
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": principal.subject,
        "role": role.value,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    for name, value in (("region", region), ("org", org), ("platform", platform)):
        if value:
            claims[name] = value
    if pii:
        claims["pii"] = True
    return jwt.encode(claims, secret, algorithm="HS256")


def principal_from_token(secret: str, token: str) -> Principal:
    """Verify a token and return its principal; raises AuthenticationFailed."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=ALGORITHMS, options={"require": ["exp", "sub", "role"]}
        )
        return Principal(
            subject=str(claims["sub"]),
            role=Role(claims["role"]),
            region_code=claims.get("region"),
            org_credit_code=claims.get("org"),
            platform_code=claims.get("platform"),
            pii=bool(claims.get("pii", False)),
        )
    except jwt.ExpiredSignatureError as error:
        raise AuthenticationFailed("token expired") from error
    except (jwt.InvalidTokenError, ValueError, InvalidPrincipal) as error:
        raise AuthenticationFailed(f"invalid token: {error}") from error
