"""POST /push/{platform_code}/records: a bulk NDJSON push, streamed line by line.

Authenticated like /graphql (the caller's Principal, whichever credential produced it). The
optional `Idempotency-Key` header makes a retried upload answer its first result.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse

from hub.auth.principal import Principal
from hub.db import transaction
from hub.push.access import writable_platform_id
from hub.push.errors import PushError
from hub.push.service import push_stream
from hub.security.pii import PiiVault
from hub.settings import Settings

Authenticate = Callable[[Request], Awaitable[tuple[Principal | None, str | None]]]
_STATUS = {"FORBIDDEN": 403, "NOT_FOUND": 404, "CONFLICT": 409, "BAD_USER_INPUT": 400}


def _error(status: int, code: str, message: str) -> JSONResponse:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status)


class BulkPushEndpoint:
    """The Starlette endpoint; holds the engine, since each batch commits on its own."""

    def __init__(self, settings: Settings, engine: AsyncEngine, authenticate: Authenticate) -> None:
        self.authenticate = authenticate  # the app's, so every credential kind works here too
        self.settings = settings
        self.engine = engine
        self.vault = PiiVault(settings.effective_data_key)

    async def handle(self, request: Request) -> JSONResponse:
        principal, auth_error = await self.authenticate(request)
        if principal is None:
            return _error(401, "UNAUTHENTICATED", auth_error or "a bearer token is required")
        try:
            async with transaction(self.engine) as session:
                platform_id = await writable_platform_id(
                    session, principal, request.path_params["platform_code"]
                )
            outcome = await push_stream(
                self.engine,
                self.vault,
                platform_id,
                request.stream(),
                request.headers.get("idempotency-key"),
                timedelta(seconds=self.settings.push_claim_seconds),
            )
        except PushError as error:
            return _error(_STATUS.get(error.code, 400), error.code, str(error))
        return JSONResponse(outcome.as_json())
