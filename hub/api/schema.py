"""The one GraphQL schema, composed of the domains' query types."""

from __future__ import annotations

import strawberry
from strawberry.tools import merge_types

from hub.api.access_log import RecordOperationName
from hub.api.caching import cache_extensions
from hub.api.claims.queries import ClaimsQuery
from hub.api.classes.queries import ClassesQuery
from hub.api.compiled.extension import compiled_extensions
from hub.api.errors import MaskUnexpectedErrors
from hub.api.learning.queries import LearningQuery
from hub.api.ledger.queries import LedgerQuery
from hub.api.limits import limit_extensions
from hub.api.metrics import RecordMetrics
from hub.api.nodes import NODE_TYPES, NodeQuery
from hub.api.oversight.queries import OversightQuery
from hub.api.platforms.queries import PlatformQuery
from hub.api.policy.claim_mutations import ClaimMutation
from hub.api.policy.mutations import PolicyMutation
from hub.api.policy.queries import PolicyQuery
from hub.api.push.mutations import PushMutation
from hub.api.statistics.queries import StatisticsQuery
from hub.api.supervision.mutations import SupervisionMutation
from hub.api.supervision.queries import SupervisionQuery
from hub.api.viewer import ViewerQuery
from hub.settings import Settings

# Each domain contributes its query (and mutation) type here.
QUERY_TYPES: tuple[type, ...] = (
    ViewerQuery,
    NodeQuery,
    LedgerQuery,
    ClassesQuery,
    LearningQuery,
    ClaimsQuery,
    PlatformQuery,
    OversightQuery,
    PolicyQuery,
    SupervisionQuery,
    StatisticsQuery,
)
MUTATION_TYPES: tuple[type, ...] = (
    PushMutation,
    PolicyMutation,
    ClaimMutation,
    SupervisionMutation,
)

Query = merge_types("Query", QUERY_TYPES)
Mutation = merge_types("Mutation", MUTATION_TYPES) if MUTATION_TYPES else None


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    """The schema with its safety extensions; every node type is registered for `node(id:)`.

    Without settings (schema export), the default limits apply.
    """
    settings = settings or Settings()
    node_types = [to_node.__self__ for _, to_node in NODE_TYPES.values()]  # type: ignore[attr-defined]
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=node_types,
        extensions=[
            *limit_extensions(settings),
            *cache_extensions(),
            RecordMetrics,  # before the masking: it exits last and counts the final codes
            MaskUnexpectedErrors,
            RecordOperationName,
            *compiled_extensions(),  # last: after the limits, which apply before compilation
        ],
    )
