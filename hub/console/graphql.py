"""Running GraphQL documents in-process as the signed-in user: the console's only data path.

The same schema, extensions (limits, masking, error codes) and access log as `POST /graphql`;
nothing here reads a table directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.api.access_log import write_access_log
from hub.api.context import HubContext
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

    async def run(
        self,
        principal: Principal,
        document: str,
        variables: dict[str, Any] | None = None,
        operation_name: str | None = None,
    ) -> dict[str, Any]:
        """The document's `data`; raises GraphQLFailure with the first error's message and code."""
        async with self.sessions() as session:
            context = HubContext(self.settings, session, self.vault, principal)
            result = await self.schema.execute(
                document,
                variable_values=variables or {},
                context_value=context,
                operation_name=operation_name,
            )
            await write_access_log(context)
        if result.errors:
            error = result.errors[0]
            code = (error.extensions or {}).get("code", "INTERNAL")
            raise GraphQLFailure(error.message, code)
        return result.data or {}
