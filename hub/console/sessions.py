"""The console's session: a signed, expiring cookie (HttpOnly, SameSite=Strict) and CSRF tokens.

The cookie holds who signed in (an account id, or the claims of a verified identity-provider
token), when the session ends, and a random CSRF secret. Forms carry a token derived from that
secret; a POST without the matching token is refused before anything else happens.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from hashlib import sha256
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from hub.auth.principal import InvalidPrincipal, Principal, Role

COOKIE = "hub_console"
SESSION_SECONDS = 8 * 3600  # one working day


@dataclass(frozen=True)
class ConsoleSession:
    """A signed-in user: an account id, or the principal of an IdP token, and the CSRF secret."""

    csrf_secret: str
    expires_at: float
    account_id: int | None = None
    token_claims: dict[str, Any] | None = None

    def token_principal(self) -> Principal | None:
        """The principal of a token sign-in (None for an account session or bad claims)."""
        if not self.token_claims:
            return None
        c = self.token_claims
        try:
            return Principal(
                subject=str(c["subject"]),
                role=Role(c["role"]),
                region_code=c.get("region"),
                org_credit_code=c.get("org"),
                platform_code=c.get("platform"),
                pii=bool(c.get("pii")),
            )
        except (KeyError, ValueError, InvalidPrincipal):
            return None


def principal_claims(principal: Principal) -> dict[str, Any]:
    """What a token sign-in keeps of its principal in the cookie."""
    return {
        "subject": principal.subject,
        "role": principal.role.value,
        "region": principal.region_code,
        "org": principal.org_credit_code,
        "platform": principal.platform_code,
        "pii": principal.pii,
    }


class SessionCookies:
    """Issues and reads the signed session cookie; the key is derived from the hub's secret."""

    def __init__(self, secret: str, secure: bool = False) -> None:
        self.serializer = URLSafeTimedSerializer(secret, salt="hub-console-session")
        self.secure = secure

    def start(
        self,
        response: Response,
        *,
        account_id: int | None = None,
        token_claims: dict[str, Any] | None = None,
        expires_at: float | None = None,
    ) -> None:
        """Set a fresh session (new CSRF secret: no fixation across sign-ins)."""
        ends = min(expires_at or float("inf"), time.time() + SESSION_SECONDS)
        payload = {
            "a": account_id,
            "t": token_claims,
            "x": secrets.token_urlsafe(24),
            "e": ends,
        }
        response.set_cookie(
            COOKIE,
            self.serializer.dumps(payload),
            max_age=max(1, int(ends - time.time())),
            httponly=True,
            samesite="strict",
            secure=self.secure,
            path="/",
        )

    def end(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")

    def read(self, request: Request) -> ConsoleSession | None:
        """The request's session, or None when absent, forged, or expired."""
        return self.read_value(request.cookies.get(COOKIE))

    def read_value(self, raw: str | None) -> ConsoleSession | None:
        """The session a cookie value holds, or None when absent, forged, or expired."""
        if not raw:
            return None
        try:
            payload = self.serializer.loads(raw, max_age=SESSION_SECONDS)
        except BadSignature:
            return None
        if not isinstance(payload, dict) or float(payload.get("e", 0)) < time.time():
            return None
        return ConsoleSession(
            csrf_secret=str(payload["x"]),
            expires_at=float(payload["e"]),
            account_id=payload.get("a"),
            token_claims=payload.get("t"),
        )


def csrf_token(secret: str, purpose: str = "form") -> str:
    """The token forms carry, bound to the session's secret."""
    return hmac.new(secret.encode(), purpose.encode(), sha256).hexdigest()


def csrf_valid(secret: str, supplied: str | None, purpose: str = "form") -> bool:
    """Whether `supplied` is this session's token (constant-time comparison)."""
    return bool(supplied) and hmac.compare_digest(csrf_token(secret, purpose), supplied or "")
