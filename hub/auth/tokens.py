"""Bearer JWTs: HS256 for development, RS256/ES256 from a JWKS in production.

Every token is verified strictly: the algorithm must be one we accept for the kind of key it
claims (so `alg: none` and HS256-signed-with-the-public-key confusion fail), `exp`, `sub` and
`role` are required, and JWKS tokens must carry the configured issuer and audience. `exp` must
be a number no further ahead than the maximum lifetime (HUB_MAX_TOKEN_LIFETIME_SECONDS), and
the claims must describe a coherent caller (hub/auth/principal.py: a city role with a city code).
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

import jwt

from hub.auth.principal import InvalidPrincipal, Principal, Role

HMAC_ALGORITHM = "HS256"
ASYMMETRIC_ALGORITHMS = frozenset({"RS256", "ES256"})
REQUIRED_CLAIMS = ["exp", "sub", "role"]
DEFAULT_MAX_LIFETIME = 24 * 3600
# Clocks of the issuer and the hub may differ a little.
_LEEWAY_SECONDS = 60
VERIFIED_CACHE_SIZE = 4096  # distinct HS256 tokens remembered as verified


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
    max_lifetime_seconds: int = DEFAULT_MAX_LIFETIME,
    industry: str | None = None,
    name: str | None = None,
) -> str:
    """A signed token for a principal; its claims are validated as a request would."""
    if not 0 < ttl_seconds <= max_lifetime_seconds:
        raise ValueError(
            f"a token may be valid for at most {max_lifetime_seconds} seconds"
            " (HUB_MAX_TOKEN_LIFETIME_SECONDS)"
        )
    principal = Principal(
        subject or f"{role}:{region or org or platform or 'all'}",
        role,
        region,
        org,
        platform,
        pii,
        industry_code=industry,
        name=name,
    )
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": principal.subject,
        "role": role.value,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    optional = {"region": region, "org": org, "platform": platform, "industry": industry}
    for claim, value in (*optional.items(), ("name", name)):
        if value:
            claims[claim] = value
    if pii:
        claims["pii"] = True
    return jwt.encode(claims, secret, algorithm="HS256")


def _check_expiry(claims: dict[str, Any], max_lifetime_seconds: int) -> None:
    """`exp` is a finite number of seconds, at most the maximum lifetime from now (PyJWT
    accepts numeric strings, and any date however far ahead)."""
    exp = claims.get("exp")
    if isinstance(exp, bool) or not isinstance(exp, int | float) or not math.isfinite(exp):
        raise AuthenticationFailed("invalid token: exp must be a number (seconds since 1970)")
    if exp > time.time() + max_lifetime_seconds + _LEEWAY_SECONDS:
        raise AuthenticationFailed(
            f"invalid token: it may be valid for at most {max_lifetime_seconds} seconds"
        )


def _principal(claims: dict[str, Any], max_lifetime_seconds: int) -> Principal:
    _check_expiry(claims, max_lifetime_seconds)
    try:
        return Principal(
            subject=str(claims["sub"]),
            role=Role(claims["role"]),
            region_code=claims.get("region"),
            org_credit_code=claims.get("org"),
            platform_code=claims.get("platform"),
            pii=claims.get("pii") is True,
            industry_code=claims.get("industry"),
            name=str(claims["name"])[:100] if claims.get("name") else None,
        )
    except (ValueError, TypeError, InvalidPrincipal) as error:
        raise AuthenticationFailed(f"invalid token: {error}") from error


def principal_from_token(
    secret: str, token: str, max_lifetime_seconds: int = DEFAULT_MAX_LIFETIME
) -> Principal:
    """Verify an HS256 token with `secret` and return its principal; raises AuthenticationFailed."""
    return _hs256(secret, token, max_lifetime_seconds)[0]


def _hs256(secret: str, token: str, max_lifetime_seconds: int) -> tuple[Principal, float]:
    """The principal of a valid HS256 token and the time it expires."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=[HMAC_ALGORITHM], options={"require": REQUIRED_CLAIMS}
        )
    except jwt.ExpiredSignatureError as error:
        raise AuthenticationFailed("token expired") from error
    except jwt.InvalidTokenError as error:
        raise AuthenticationFailed(f"invalid token: {error}") from error
    return _principal(claims, max_lifetime_seconds), float(claims["exp"])


class TokenVerifier:
    """Verifies bearer tokens against the HS256 secret and/or a JWKS (file or URL)."""

    def __init__(
        self,
        *,
        secret: str | None = None,
        jwks_file: Path | None = None,
        jwks_url: str | None = None,
        issuer: str | None = None,
        audience: str | None = None,
        max_lifetime_seconds: int = DEFAULT_MAX_LIFETIME,
    ) -> None:
        self.secret = secret
        self.max_lifetime_seconds = max_lifetime_seconds
        self.issuer = issuer
        self.audience = audience
        # A file is read once here; a URL is fetched lazily and its keys cached by PyJWKClient.
        self._key_set = jwt.PyJWKSet.from_json(jwks_file.read_text()) if jwks_file else None
        self._client = jwt.PyJWKClient(jwks_url, lifespan=300) if jwks_url else None
        # HS256 tokens verified by this process's secret, until they expire: a front end sends
        # the same token with every request, and decoding it again cost ~0.4 ms of each.
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    async def verify(self, token: str) -> Principal:
        """The principal of a valid token; raises AuthenticationFailed otherwise."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as error:
            raise AuthenticationFailed(f"invalid token: {error}") from error
        algorithm = header.get("alg")
        if algorithm == HMAC_ALGORITHM:
            if self.secret is None:
                raise AuthenticationFailed("HS256 tokens are not accepted here")
            return self._hs256(token)
        if algorithm not in ASYMMETRIC_ALGORITHMS:
            raise AuthenticationFailed(f"token algorithm {algorithm!r} is not accepted")
        key = await self._signing_key(header.get("kid"))
        if key.algorithm_name != algorithm:  # e.g. an RS256 header over an EC key
            raise AuthenticationFailed("token algorithm does not match its key")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                issuer=self.issuer,
                audience=self.audience,
                options={
                    "require": REQUIRED_CLAIMS
                    + (["iss"] if self.issuer else [])
                    + (["aud"] if self.audience else [])
                },
            )
        except jwt.ExpiredSignatureError as error:
            raise AuthenticationFailed("token expired") from error
        except jwt.InvalidTokenError as error:
            raise AuthenticationFailed(f"invalid token: {error}") from error
        return _principal(claims, self.max_lifetime_seconds)

    def _hs256(self, token: str) -> Principal:
        remembered = self._verified.get(token)
        if remembered is not None and time.time() < remembered[1]:
            self._verified.move_to_end(token)
            return remembered[0]
        principal, expires = _hs256(self.secret or "", token, self.max_lifetime_seconds)
        self._verified[token] = (principal, expires)
        while len(self._verified) > VERIFIED_CACHE_SIZE:
            self._verified.popitem(last=False)
        return principal

    async def _signing_key(self, kid: str | None) -> jwt.PyJWK:
        try:
            if self._key_set is not None:
                keys = list(self._key_set.keys)
                if kid is not None:
                    return self._key_set[kid]
                if len(keys) == 1:
                    return keys[0]
                raise AuthenticationFailed("token has no kid and the key set holds several keys")
            if self._client is not None:
                # PyJWKClient fetches with blocking urllib: keep it off the event loop.
                if kid is None:
                    keys = await asyncio.to_thread(self._client.get_signing_keys)
                    if len(keys) != 1:
                        raise AuthenticationFailed("token has no kid")
                    return keys[0]
                return await asyncio.to_thread(self._client.get_signing_key, kid)
        except (KeyError, jwt.PyJWKClientError, jwt.PyJWKSetError, json.JSONDecodeError) as error:
            raise AuthenticationFailed(f"no key to verify this token: {error}") from error
        raise AuthenticationFailed("RS256/ES256 tokens are not accepted here (no JWKS configured)")
