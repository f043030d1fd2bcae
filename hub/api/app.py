"""The ASGI application: /graphql (with GraphiQL), bulk pushes, /healthz, /readyz, the console."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from hub.api.compiled.repeat import answer_repeat, repeat_plan
from hub.api.context import HubContext
from hub.api.credentials import authenticate, token_verifier
from hub.api.documents.routes import document_routes
from hub.api.errors import BadUserInput, RequestTimedOut, Unauthenticated
from hub.api.http import HubGraphQL
from hub.api.metrics import ERRORS, listed_operations, metrics_endpoint
from hub.api.push.bulk import BulkPushEndpoint
from hub.api.registry.routes import catalogue_routes
from hub.api.request_body import BadBody, checked_receive
from hub.api.request_log import RequestIdMiddleware
from hub.api.request_session import api_engine, request_session, within_deadline
from hub.api.schema import build_schema
from hub.api.time_zone import HEADER as TIME_ZONE_HEADER
from hub.api.time_zone import UnknownTimeZone, answer_in, parse_time_zone
from hub.auth.principal import Principal
from hub.console.public import verify_page
from hub.console.routes import console_routes
from hub.db import session_factory
from hub.migrate import is_at_head
from hub.security.pii import PiiVault
from hub.settings import Settings

log = logging.getLogger("hub.api")


class GraphQLEndpoint:
    """Wraps the GraphQL app with one database session and caller per request."""

    def __init__(self, settings: Settings, engine: AsyncEngine) -> None:
        self.settings = settings
        self.sessions = session_factory(engine)
        self.vault = PiiVault(settings.effective_data_key)
        self.verifier = token_verifier(settings)
        schema = build_schema(settings)
        self.graphql = HubGraphQL(schema, graphql_ide="graphiql")
        self.plans = schema.compiled_plans
        self.known_operations = listed_operations(settings.metrics_operations)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.graphql(scope, receive, send)
            return
        try:  # before authentication: a body no request can be is refused at once
            checked = await checked_receive(scope, receive, self.settings.max_request_bytes)
        except BadBody as refused:
            ERRORS.labels("BAD_USER_INPUT").inc()
            await refused.response()(scope, receive, send)
            return
        receive = checked.receive
        request = Request(scope)
        timeout = self.settings.request_timeout_seconds
        async with request_session(self.sessions, timeout) as session:
            principal, auth_error = await authenticate(request.headers, self.verifier, session)
            if auth_error is not None:
                await self.refuse_credentials(auth_error, scope, receive, send)
                return
            try:
                answer_in(parse_time_zone(request.headers.get(TIME_ZONE_HEADER)))
            except UnknownTimeZone as error:
                body = {"data": None, "errors": [BadUserInput(str(error)).formatted]}
                await JSONResponse(body, status_code=400)(scope, receive, send)
                return
            context = HubContext(self.settings, session, self.vault, principal, auth_error)
            scope.setdefault("state", {})["hub_context"] = context
            plan = repeat_plan(self.plans, checked.payload, context)
            started = False

            async def tracked_send(message: Message) -> None:
                nonlocal started
                started = started or message["type"] == "http.response.start"
                await send(message)

            try:
                async with within_deadline(session, timeout):
                    repeated = plan and await answer_repeat(
                        plan, context, request.headers, self.known_operations
                    )
                    if repeated:
                        await repeated(scope, receive, tracked_send)
                    else:
                        await self.graphql(scope, receive, tracked_send)
            except TimeoutError:
                if started:  # too late to answer with an error: the body is on its way
                    raise
                error = RequestTimedOut("the request took too long and was abandoned")
                ERRORS.labels(error.code).inc()
                body = {"data": None, "errors": [error.formatted]}
                await JSONResponse(body, status_code=503)(scope, receive, send)

    @staticmethod
    async def refuse_credentials(why: str, scope: Scope, receive: Receive, send: Send) -> None:
        """401 for credentials that were sent but are not valid (expired, revoked, forged).

        A client error, not a server fault: one INFO line, no stack trace. Requests that send
        no credentials at all still run, for the fields anyone may read.
        """
        log.info("refused credentials: %s", why)
        error = Unauthenticated(why)
        ERRORS.labels(error.code).inc()
        body = {"data": None, "errors": [error.formatted]}
        headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        await JSONResponse(body, status_code=401, headers=headers)(scope, receive, send)


def create_app(settings: Settings, engine: AsyncEngine | None = None) -> Starlette:
    """The hub's web application on `engine` (or one made from the settings)."""
    engine = engine or api_engine(
        settings.resolved_database_url,
        settings.request_timeout_seconds,
        settings.api_pool_per_process(),
    )
    graphql = GraphQLEndpoint(settings, engine)

    async def authenticate_headers(
        headers: Headers, session: AsyncSession
    ) -> tuple[Principal | None, str | None]:
        return await authenticate(headers, graphql.verifier, session)

    async def authenticate_request(request: Request) -> tuple[Principal | None, str | None]:
        async with graphql.sessions() as session:
            return await authenticate_headers(request.headers, session)

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
            Route(
                "/push/{platform_code}/records",
                BulkPushEndpoint(settings, engine, authenticate_request).handle,
                methods=["POST"],
            ),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics_endpoint(engine)),
            *document_routes(engine, authenticate_headers, verify_page),
            *catalogue_routes(engine),
            *console_routes(settings, engine, graphql.graphql.schema, graphql.verifier),
        ],
        middleware=[Middleware(RequestIdMiddleware)],
        lifespan=lifespan,
    )
