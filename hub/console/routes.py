"""All of the console's routes, for the hub's application to mount."""

from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.responses import RedirectResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from hub.api.documents.routes import document_routes
from hub.auth.principal import Principal
from hub.auth.tokens import TokenVerifier
from hub.console.pages.accounts import account_routes
from hub.console.pages.alerts import alert_routes
from hub.console.pages.approvals import approval_routes
from hub.console.pages.ledger import ledger_routes
from hub.console.pages.overview import overview_routes
from hub.console.pages.platforms import platform_routes
from hub.console.sessions import COOKIE
from hub.console.signin import signin_routes
from hub.console.web import HERE, PREFIX, Console
from hub.settings import Settings


def console_routes(
    settings: Settings, engine: AsyncEngine, schema: strawberry.Schema, verifier: TokenVerifier
) -> list[BaseRoute]:
    """The console's pages, its static files, and the documents and exports it links to."""
    console = Console(settings, engine, schema, verifier)

    async def signed_in_user(
        headers: Headers, session: AsyncSession
    ) -> tuple[Principal | None, str | None]:
        """Documents and exports for the console: the session cookie instead of a bearer token."""
        raw = cookie_parser(headers.get("cookie", "")).get(COOKIE)
        state = console.cookies.read_value(raw)
        if state is None:
            return None, "not signed in"
        from starlette.requests import Request

        request = Request({"type": "http", "headers": [(b"cookie", f"{COOKIE}={raw}".encode())]})
        user = await console.user(request)
        return (user.principal, None) if user else (None, "not signed in")

    async def root(_request: object) -> RedirectResponse:
        return RedirectResponse(f"{PREFIX}/", 307)

    return [
        Route("/", root),
        Mount(f"{PREFIX}/static", StaticFiles(directory=HERE / "static"), name="console-static"),
        *signin_routes(console),
        *overview_routes(console),
        *ledger_routes(console),
        *alert_routes(console),
        *approval_routes(console),
        *platform_routes(console),
        *account_routes(console),
        # The same document and export handlers as the API's, authenticated by the session.
        Mount(f"{PREFIX}/files", routes=document_routes(engine, signed_in_user)),
    ]
