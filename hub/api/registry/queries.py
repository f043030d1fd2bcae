"""The public catalogue query: no token needed."""

from __future__ import annotations

import strawberry

from hub.api.policy.steps import Info, to_graphql_error
from hub.api.registry.types import CatalogueEntryNode
from hub.policy.errors import PolicyError
from hub.registry.catalogue import read_catalogue


@strawberry.type
class RegistryQuery:
    @strawberry.field(
        description="The platform catalogue in force for a city or district (its city's and the"
        " region's listings) or for the region; public, no login. includeHistory adds unlisted"
        " entries."
    )
    async def platform_catalogue(
        self, info: Info, region: str, include_history: bool = False
    ) -> list[CatalogueEntryNode]:
        context = info.context
        try:
            entries = await context.run(
                lambda s: read_catalogue(s, region, include_history=include_history)
            )
        except PolicyError as error:
            raise to_graphql_error(error) from error
        return [CatalogueEntryNode.from_entry(entry) for entry in entries]
