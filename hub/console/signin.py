"""Signing in and out: staff accounts (password) or an identity-provider token (single sign-on).

Every sign-in, refused sign-in and sign-out is written to the access log.
"""

from __future__ import annotations

import hmac
import secrets
from hashlib import sha256

import jwt
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from hub.auth.principal import Role
from hub.auth.tokens import AuthenticationFailed
from hub.console.accounts import SignInRefused, log_sign_event, sign_in
from hub.console.sessions import principal_claims
from hub.console.web import PREFIX, SECURITY_HEADERS, Console, User, signed_in

LOGIN_NONCE = "hub_console_login"


def _safe_next(target: str | None) -> str:
    """Only a path inside the console: never an absolute or protocol-relative URL."""
    if target and target.startswith(PREFIX) and not target.startswith("//"):
        return target
    return f"{PREFIX}/"


def signin_routes(console: Console) -> list[Route]:
    """The sign-in form, password and token sign-in, and sign-out."""
    key = hmac.new(console.cookies.serializer.secret_key, b"login-csrf", sha256).digest()

    def login_token(nonce: str) -> str:
        return hmac.new(key, nonce.encode(), sha256).hexdigest()

    def login_form(
        request: Request, message: str | None = None, username: str | None = None, status: int = 200
    ) -> Response:
        nonce = request.cookies.get(LOGIN_NONCE) or secrets.token_urlsafe(24)
        response = console.render(
            request,
            "login.html",
            None,
            status,
            csrf=login_token(nonce),
            next=_safe_next(request.query_params.get("next")),
            message=message,
            username=username,
        )
        response.set_cookie(
            LOGIN_NONCE, nonce, max_age=3600, httponly=True, samesite="strict", path=PREFIX
        )
        return response

    async def checked_form(request: Request) -> dict[str, str] | None:
        """The posted form if its CSRF token matches this browser's nonce, else None."""
        form = {k: str(v) for k, v in (await request.form()).items()}
        nonce = request.cookies.get(LOGIN_NONCE)
        if not nonce or not hmac.compare_digest(login_token(nonce), form.get("csrf", "")):
            return None
        return form

    async def show(request: Request) -> Response:
        if await console.user(request) is not None:
            return RedirectResponse(_safe_next(request.query_params.get("next")), 303)
        return login_form(request)

    async def password(request: Request) -> Response:
        form = await checked_form(request)
        if form is None:
            return Response("CSRF 校验失败，请刷新页面后重试", 403, headers=SECURITY_HEADERS)
        username = form.get("username", "").strip()
        async with console.db() as db:
            try:
                account = await sign_in(db, username, form.get("password", ""))
            except SignInRefused as refused:
                await log_sign_event(
                    db, f"user:{username}", "-", f"sign-in refused: {refused.reason}"
                )
                await db.commit()
                return login_form(request, str(refused), username, status=401)
            await log_sign_event(db, f"user:{username}", account.role, "sign-in", account.id)
            await db.commit()
        response = RedirectResponse(_safe_next(form.get("next")), 303)
        console.cookies.start(response, account_id=account.id)
        return response

    async def token(request: Request) -> Response:
        form = await checked_form(request)
        if form is None:
            return Response("CSRF 校验失败，请刷新页面后重试", 403, headers=SECURITY_HEADERS)
        raw = form.get("token", "").strip()
        if raw.lower().startswith("bearer "):
            raw = raw[7:].strip()
        async with console.db() as db:
            try:
                principal = await console.verifier.verify(raw)
                if principal.role is Role.CONNECTOR:
                    raise AuthenticationFailed(
                        "platform service accounts use the API, not the console"
                    )
            except AuthenticationFailed as error:
                await log_sign_event(db, "token", "-", "sign-in refused: invalid token")
                await db.commit()
                return login_form(request, f"令牌无效：{error}", status=401)
            await log_sign_event(db, principal.subject, principal.role.value, "sign-in (token)")
            await db.commit()
        expires = jwt.decode(raw, options={"verify_signature": False}).get("exp")
        response = RedirectResponse(_safe_next(form.get("next")), 303)
        console.cookies.start(
            response, token_claims=principal_claims(principal), expires_at=float(expires)
        )
        return response

    async def logout(request: Request, user: User) -> Response:
        async with console.db() as db:
            await log_sign_event(db, user.principal.subject, user.role, "sign-out")
            await db.commit()
        response = RedirectResponse(f"{PREFIX}/login", 303)
        console.cookies.end(response)
        return response

    return [
        Route(f"{PREFIX}/login", show, methods=["GET"]),
        Route(f"{PREFIX}/login", password, methods=["POST"]),
        Route(f"{PREFIX}/login/token", token, methods=["POST"]),
        Route(f"{PREFIX}/logout", signed_in(console, logout), methods=["POST"]),
    ]
