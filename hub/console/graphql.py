"""Running GraphQL documents in-process as the signed-in user: the console's only data path.

The same schema, extensions (limits, masking, error codes) and access log as `POST /graphql`;
nothing here reads a table directly.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.api.access_log import write_access_log
from hub.api.compiled.repeat import repeat_plan, repeat_text
from hub.api.context import HubContext
from hub.api.metrics import listed_operations
from hub.api.request_session import request_session, within_deadline
from hub.auth.principal import Principal
from hub.db import session_factory
from hub.security.pii import PiiVault
from hub.settings import Settings


@dataclass
class GraphQLFailure(Exception):
    """The API refused or failed the document; `code` is its `extensions.code`."""

    message: str
    code: str

    def __str__(self) -> str:
        return self.message


class ConsoleGraphQL:
    """Executes documents against the hub's schema with a given principal."""

    def __init__(self, settings: Settings, engine: AsyncEngine, schema: strawberry.Schema) -> None:
        self.settings = settings
        self.schema = schema
        self.sessions = session_factory(engine)
        self.vault = PiiVault(settings.effective_data_key)
        self.known_operations = listed_operations(settings.metrics_operations)

    async def run(
        self,
        principal: Principal,
        document: str,
        variables: dict[str, Any] | None = None,
        operation_name: str | None = None,
    ) -> dict[str, Any]:
        """The document's `data`; raises GraphQLFailure with the first error's message and code.

        Bounded by the API's request timeout, the same way (statement timeout, SQLite interrupt).
        """
        timeout = self.settings.request_timeout_seconds
        body = {"query": document, "variables": variables, "operationName": operation_name}
        async with request_session(self.sessions, timeout) as session:
            context = HubContext(self.settings, session, self.vault, principal)
            # a repeat of a compiled document is answered from its plan, as POST /graphql does
            plan = repeat_plan(self.schema.compiled_plans, body, context)  # type: ignore[attr-defined]
            try:
                async with within_deadline(session, timeout):
                    text = plan and await repeat_text(plan, context, self.known_operations)
                    if text:
                        return orjson.loads(text)  # type: ignore[no-any-return]
                    result = await self.schema.execute(
                        document,
                        variable_values=variables or {},
                        context_value=context,
                        operation_name=operation_name,
                    )
                    await write_access_log(context)
            except TimeoutError:
                raise GraphQLFailure(
                    "查询时间过长，已中止，请缩小查询范围后重试", "TIMEOUT"
                ) from None
        if result.errors:
            error = result.errors[0]
            code = (error.extensions or {}).get("code", "INTERNAL")
            raise GraphQLFailure(error.message, code)
        return result.data or {}

    async def run_all(
        self,
        principal: Principal,
        documents: Sequence[tuple[str, dict[str, Any] | None]],
    ) -> list[dict[str, Any] | GraphQLFailure]:
        """Several independent documents at once, each in its own session, in the given order.

        A page that needs several documents waits for the slowest, not for their sum; a failed
        document is returned as its GraphQLFailure so the page can show what it did get.
        """
        results = await asyncio.gather(
            *(self.run(principal, document, variables) for document, variables in documents),
            return_exceptions=True,
        )
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, GraphQLFailure):
                raise result
        return list(results)  # type: ignore[arg-type]
