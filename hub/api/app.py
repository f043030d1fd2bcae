"""The ASGI application: /graphql (with GraphiQL), /healthz and /readyz."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL

from hub.api.access_log import write_access_log
from hub.api.context import HubContext
from hub.api.documents.routes import document_routes
from hub.api.schema import build_schema
from hub.auth.principal import Principal
from hub.auth.tokens import AuthenticationFailed, principal_from_token
from hub.db import create_engine, session_factory
from hub.migrate import is_at_head
from hub.security.pii import PiiVault
from hub.settings import Settings

log = logging.getLogger("hub.api")


def authenticate(
    authorization: str | None, settings: Settings
) -> tuple[Principal | None, str | None]:
    """The principal of a `Bearer` header, or why there is none."""
    if not authorization:
        return None, None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None, "the Authorization header must be 'Bearer <token>'"
    try:
        return principal_from_token(settings.effective_jwt_secret, token.strip()), None
    except AuthenticationFailed as error:
        return None, str(error)


class _HubGraphQL(GraphQL):
    async def get_context(self, request: Any, response: Any) -> HubContext:
        return request.state.hub_context


class GraphQLEndpoint:
    """Wraps the GraphQL app with one database session and caller per request."""

    def __init__(self, settings: Settings, engine: AsyncEngine) -> None:
        self.settings = settings
        self.sessions = session_factory(engine)
        self.vault = PiiVault(settings.effective_data_key)
        self.graphql = _HubGraphQL(build_schema(), graphql_ide="graphiql")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.graphql(scope, receive, send)
            return
        request = Request(scope)
        principal, auth_error = authenticate(request.headers.get("authorization"), self.settings)
        async with self.sessions() as session:
            context = HubContext(self.settings, session, self.vault, principal, auth_error)
            scope.setdefault("state", {})["hub_context"] = context
            await self.graphql(scope, receive, send)
            await write_access_log(context)


def create_app(settings: Settings, engine: AsyncEngine | None = None) -> Starlette:
    """The hub's web application on `engine` (or one made from the settings)."""
    engine = engine or create_engine(settings.resolved_database_url)
    graphql = GraphQLEndpoint(settings, engine)

    async def authenticate_headers(
        headers: Headers, session: AsyncSession
    ) -> tuple[Principal | None, str | None]:
        return authenticate(headers.get("authorization"), settings)

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            at_head = await is_at_head(engine)
        except Exception as error:  # readiness reports, it does not crash
            log.warning("readiness check failed: %s", error)
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
        if not at_head:
            return JSONResponse({"status": "unavailable", "migrations": "behind"}, 503)
        return JSONResponse({"status": "ready"})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await engine.dispose()

    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *document_routes(engine, authenticate_headers),
        ],
        lifespan=lifespan,
    )
