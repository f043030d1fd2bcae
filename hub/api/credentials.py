"""Who is calling: a bearer JWT or a connector API key from the request headers."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import Headers

from hub.auth.apikeys import principal_for_key
from hub.auth.principal import Principal
from hub.auth.tokens import AuthenticationFailed, TokenVerifier
from hub.settings import Settings


def token_verifier(settings: Settings) -> TokenVerifier:
    """The verifier the settings describe (HS256 secret, JWKS file or URL, issuer, audience)."""
    return TokenVerifier(
        secret=settings.hmac_jwt_secret,
        jwks_file=settings.jwks_file,
        jwks_url=settings.jwks_url,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        max_lifetime_seconds=settings.max_token_lifetime_seconds,
    )


async def authenticate(
    headers: Headers, verifier: TokenVerifier, session: AsyncSession
) -> tuple[Principal | None, str | None]:
    """The caller named by `Authorization: Bearer <jwt>`, `Authorization: ApiKey <key>` or
    `X-Api-Key: <key>`; or (None, why) when credentials are given but not valid."""
    authorization = headers.get("authorization")
    api_key = headers.get("x-api-key")
    if authorization:
        scheme, _, credential = authorization.strip().partition(" ")
        credential = credential.strip()
        if scheme.lower() == "bearer" and credential:
            try:
                return await verifier.verify(credential), None
            except AuthenticationFailed as error:
                return None, str(error)
        if scheme.lower() == "apikey" and credential:
            api_key = credential
        else:
            return None, "the Authorization header must be 'Bearer <token>' or 'ApiKey <key>'"
    if api_key:
        principal = await principal_for_key(session, api_key.strip())
        return (principal, None) if principal else (None, "unknown or revoked API key")
    return None, None
