"""The console's request plumbing: who is signed in, CSRF on every POST, rendering, headers."""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from hub.auth.principal import Principal, Role
from hub.auth.tokens import TokenVerifier
from hub.console import labels
from hub.console.accounts import Acting, acting_as
from hub.console.graphql import ConsoleGraphQL, GraphQLFailure
from hub.console.sessions import ConsoleSession, SessionCookies, csrf_token, csrf_valid
from hub.db import session_factory
from hub.settings import Settings
from schema.regions import REGIONS

HERE = Path(__file__).parent
PREFIX = "/console"
# Everything the console loads comes from the hub itself; nothing may be fetched elsewhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class User:
    """The signed-in user of a request."""

    principal: Principal
    display_name: str
    session: ConsoleSession
    username: str | None = None  # None when signed in with an identity-provider token

    @classmethod
    def acting(cls, acting: Acting, session: ConsoleSession) -> User:
        """The user of an account session, as the account acts."""
        return cls(acting.principal, acting.name, session, acting.username)

    @property
    def csrf(self) -> str:
        return csrf_token(self.session.csrf_secret)

    @property
    def role(self) -> str:
        return self.principal.role.value

    @property
    def manages_accounts(self) -> bool:
        """Region administrators manage the console's staff accounts."""
        return self.principal.role is Role.REGION


class _Environment(jinja2.Environment):
    """Jinja's environment for pages made of GraphQL answers (dicts): `a.name` reads the key
    first. The default tries the attribute first and pays for an AttributeError on every lookup
    of every row, which made long lists render slower than the query behind them."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)  # methods (`.get`), absent keys


def _templates() -> Jinja2Templates:
    env = _Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(),
        auto_reload=False,  # the templates ship with the package: no stat per `include`
    )
    templates = Jinja2Templates(env=env)
    env.globals.update(labels=labels, PREFIX=PREFIX)
    env.filters.update(
        beijing=labels.beijing,
        day=lambda v: labels.beijing(v, with_time=False),
        money=labels.money,
        org=labels.organisation,
        hours=labels.hours,
        status=lambda v: labels.label(labels.STATUSES, v),
        rule=lambda v: labels.label(labels.RULES, v),
        category=lambda v: labels.label(labels.IDENTITY_CATEGORIES, v),
        role=lambda v: labels.label(labels.ROLES, v),
        mode=lambda v: labels.label(labels.MODES, v),
        severity=lambda v: labels.label(labels.SEVERITIES, v),
        quote=quote,
    )
    return templates


class Console:
    """Shared state of the console's routes."""

    def __init__(
        self,
        settings: Settings,
        engine: AsyncEngine,
        schema: strawberry.Schema,
        verifier: TokenVerifier,
    ) -> None:
        self.settings = settings
        self.gql = ConsoleGraphQL(settings, engine, schema)
        self.db = session_factory(engine)
        # Reads outside a transaction: the per-request account check is one round trip, not
        # BEGIN, SELECT and ROLLBACK (it runs before every page).
        self.reads = engine.execution_options(isolation_level="AUTOCOMMIT")
        self.verifier = verifier
        key = hmac.new(settings.effective_data_key, b"hub-console-session", sha256).hexdigest()
        self.cookies = SessionCookies(key)
        self.templates = _templates()
        # What each account was at its last check, so that a page can start its documents while
        # the account is checked again (`signed_in`).
        self._checked: dict[int, Acting] = {}

    async def user(self, request: Request) -> User | None:
        """The signed-in user, or None (no, forged or expired cookie; disabled account)."""
        return await self.user_of(self.cookies.read(request))

    async def user_of(self, session: ConsoleSession | None) -> User | None:
        """The user of a session read from its cookie, or None (none; disabled account)."""
        if session is None:
            return None
        if session.account_id is not None:
            async with self.reads.connect() as db:
                known = await acting_as(db, session.account_id)
            if known is None:
                self._checked.pop(session.account_id, None)
                return None
            self._checked[session.account_id] = known
            return User.acting(known, session)
        principal = session.token_principal()
        if principal is None:
            return None
        return User(principal, principal.subject, session)

    def presumed_user(self, session: ConsoleSession | None) -> User | None:
        """The user an account session was at its last check in this process, without asking
        the database; None for a token sign-in (no check to wait for) or an unknown account."""
        if session is None or session.account_id is None:
            return None
        known = self._checked.get(session.account_id)
        return None if known is None else User.acting(known, session)

    def render(
        self, request: Request, template: str, user: User | None, status: int = 200, **context: Any
    ) -> HTMLResponse:
        """A page (or, for htmx requests, a fragment template) with the security headers."""
        context.update(user=user, request=request)
        response = self.templates.TemplateResponse(request, template, context, status_code=status)
        response.headers.update(SECURITY_HEADERS)
        return response


Handler = Callable[[Request, User], Awaitable[Response]]


def signed_in(console: Console, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a page: sign-in required (else to the sign-in form); POSTs need the CSRF token."""

    async def endpoint(request: Request) -> Response:
        session = console.cookies.read(request)
        if request.method == "GET":
            presumed = console.presumed_user(session)
            if presumed is not None:
                return await _checked_meanwhile(console, handler, request, presumed)
        user = await console.user_of(session)
        if user is None:
            if request.method != "GET":
                return Response("未登录或会话已过期", 401, headers=SECURITY_HEADERS)
            return _to_sign_in(request)
        if request.method == "POST":
            form = await request.form()
            supplied = form.get("csrf") or request.headers.get("x-csrf-token")
            if not csrf_valid(user.session.csrf_secret, str(supplied) if supplied else None):
                return Response("CSRF 校验失败，请刷新页面后重试", 403, headers=SECURITY_HEADERS)
        return await handler(request, user)

    return endpoint


async def _checked_meanwhile(
    console: Console, handler: Handler, request: Request, presumed: User
) -> Response:
    """A GET page whose documents start at once, as the user the account was at its last check,
    while the account is checked again: a page waits for its slowest part, not for the check
    plus the page. The page is answered only if the check finds the same user; an account
    disabled, moved to another role or area meanwhile gets the page made anew for what it is
    now (or the sign-in form), and nothing of the first leaves. Pages only read; an unmasked
    read of a discarded page is still in the read log (logged more, never less)."""
    page = asyncio.ensure_future(handler(request, presumed))
    try:
        user = await console.user_of(presumed.session)
    except BaseException:
        page.cancel()
        await asyncio.gather(page, return_exceptions=True)
        raise
    if user == presumed:
        return await page
    page.cancel()
    await asyncio.gather(page, return_exceptions=True)
    if user is None:
        return _to_sign_in(request)
    return await handler(request, user)


def _to_sign_in(request: Request) -> RedirectResponse:
    target = quote(request.url.path + ("?" + request.url.query if request.url.query else ""))
    return RedirectResponse(f"{PREFIX}/login?next={target}", 303)


BAD_CURSOR = "翻页位置无效（链接已过期或被改动），请从第一页重新开始"


def page_links(
    path: str, params: dict[str, str], key: str, page_info: dict[str, Any] | None
) -> tuple[str | None, str | None]:
    """The links to a list's first page (once past it) and to its next page, keeping `params`
    (the search, the other lists' pages); `key` is the parameter holding this list's cursor."""

    def link(cursor: str | None) -> str:
        moved = {k: v for k, v in params.items() if k != key}
        if cursor:
            moved[key] = cursor
        return f"{PREFIX}{path}?{urlencode(moved)}"

    more = page_info or {}
    first = link(None) if params.get(key) else None
    return first, link(more["endCursor"]) if more.get("hasNextPage") else None


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def back(url: str, message: str | None = None, error: bool = False) -> RedirectResponse:
    """Redirect after a POST, with a flash message in the query string."""
    if message:
        url += ("&" if "?" in url else "?") + ("error=" if error else "notice=") + quote(message)
    return RedirectResponse(url, 303)


# The sections each role sees: (key, title, path). Finance has no ledger; org users no alerts.
SECTIONS = {
    "overview": ("概览", "/"),
    "ledger": ("台账", "/ledger"),
    "alerts": ("预警", "/alerts"),
    "approvals": ("审批", "/approvals"),
    "platforms": ("平台", "/platforms"),
    "exports": ("导出", "/exports"),
    "accounts": ("账户", "/accounts"),
}
ROLE_SECTIONS = {
    Role.REGION: ("overview", "ledger", "alerts", "approvals", "platforms", "exports", "accounts"),
    Role.CITY: ("overview", "ledger", "alerts", "approvals", "platforms", "exports"),
    Role.DISTRICT: ("overview", "ledger", "alerts", "approvals", "platforms", "exports"),
    Role.AUDITOR: ("overview", "ledger", "alerts", "approvals", "platforms", "exports"),
    Role.FINANCE: ("overview", "approvals", "exports"),
    Role.ORG: ("overview", "ledger", "approvals", "platforms", "exports"),
}


def nav_for(user: User) -> list[tuple[str, str, str]]:
    """The navigation entries of the user's role."""
    keys = ROLE_SECTIONS.get(user.principal.role, ("overview",))
    if "accounts" in keys and user.username is None:
        keys = tuple(k for k in keys if k != "accounts")  # account admin needs an account
    return [(key, *SECTIONS[key]) for key in keys]


_REGION_NAMES = {code: name for code, name, *_ in REGIONS}


def area_name(user: User) -> str | None:
    """The name of the user's area (reference data), or its organisation's code."""
    if user.principal.region_code:
        return _REGION_NAMES.get(user.principal.region_code, user.principal.region_code)
    return user.principal.org_credit_code


def page(
    console: Console,
    request: Request,
    user: User,
    template: str,
    section: str,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A signed-in page with the role's navigation."""
    return console.render(
        request,
        template,
        user,
        status,
        nav=nav_for(user),
        section=section,
        area_name=area_name(user),
        **context,
    )


async def one_object(
    console: Console,
    request: Request,
    user: User,
    document: str,
    section: str,
    title: str,
    missing: str,
) -> tuple[dict[str, Any], HTMLResponse | None]:
    """The data of a page about one object (`node(id:)` of the path's id), or the problem page
    to answer with instead: 400 with the API's message, 404 when the object is not visible."""
    try:
        data = await console.gql.run(user.principal, document, {"id": request.path_params["id"]})
    except GraphQLFailure as failure:
        problem = page(
            console,
            request,
            user,
            "problem.html",
            section,
            400,
            title=title,
            message=failure.message,
        )
        return {}, problem
    if not data.get("node"):
        problem = page(
            console, request, user, "problem.html", section, 404, title=title, message=missing
        )
        return data, problem
    return data, None
