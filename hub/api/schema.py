"""The one GraphQL schema, composed of the domains' query types."""

from __future__ import annotations

import logging

import strawberry
from strawberry.tools import merge_types

from hub.api.access_log import RecordOperationName
from hub.api.caching import cache_extensions
from hub.api.claims.queries import ClaimsQuery
from hub.api.classes.queries import ClassesQuery
from hub.api.compiled.extension import compiled_extensions
from hub.api.compiled.plans import PlanCache
from hub.api.enum_labels import describe_enums
from hub.api.errors import ErrorCode, MaskUnexpectedErrors, is_unexpected
from hub.api.learning.queries import LearningQuery
from hub.api.ledger.queries import LedgerQuery
from hub.api.limits import limit_extensions
from hub.api.metrics import metrics_extension
from hub.api.nodes import NODE_TYPES, NodeQuery
from hub.api.oversight.queries import OversightQuery
from hub.api.platforms.queries import PlatformQuery
from hub.api.policy.claim_mutations import ClaimMutation
from hub.api.policy.mutations import PolicyMutation
from hub.api.policy.queries import PolicyQuery
from hub.api.push.mutations import PushMutation
from hub.api.recoveries.schema import RecoveryMutation, RecoveryQuery
from hub.api.registry.mutations import RegistryMutation
from hub.api.registry.queries import RegistryQuery
from hub.api.scalars import SCALAR_OVERRIDES
from hub.api.statistics.queries import StatisticsQuery
from hub.api.supervision.mutations import SupervisionMutation
from hub.api.supervision.queries import SupervisionQuery
from hub.api.viewer import ViewerQuery
from hub.settings import Settings

client_errors = logging.getLogger("hub.api.client_errors")

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
    RecoveryQuery,
    RegistryQuery,
)
MUTATION_TYPES: tuple[type, ...] = (
    PushMutation,
    PolicyMutation,
    ClaimMutation,
    SupervisionMutation,
    RecoveryMutation,
    RegistryMutation,
)

Query = merge_types("Query", QUERY_TYPES)
Mutation = merge_types("Mutation", MUTATION_TYPES) if MUTATION_TYPES else None


class HubSchema(strawberry.Schema):
    """The schema, logging the client's own errors as one INFO line each.

    Unexpected errors are logged in full (with the stack trace) where they are masked
    (MaskUnexpectedErrors); what remains are errors the client made — a bad token, a refused
    scope, invalid input — which are no fault of the server.
    """

    def process_errors(self, errors, execution_context=None) -> None:  # type: ignore[no-untyped-def, override]
        for error in errors:
            if is_unexpected(error):
                continue
            code = (error.extensions or {}).get("code", "BAD_USER_INPUT")
            client_errors.info("%s: %s", code, error.message)


def build_schema(settings: Settings | None = None) -> HubSchema:
    """The schema with its safety extensions; every node type is registered for `node(id:)`.

    Without settings (schema export), the default limits apply.
    """
    settings = settings or Settings()
    plans = PlanCache()
    node_types = [to_node.__self__ for _, to_node in NODE_TYPES.values()]  # type: ignore[attr-defined]
    schema = HubSchema(
        query=Query,
        mutation=Mutation,
        types=[*node_types, ErrorCode],
        scalar_overrides=SCALAR_OVERRIDES,  # type: ignore[arg-type]
        extensions=[
            *limit_extensions(settings),
            *cache_extensions(),
            metrics_extension(
                settings.metrics_operations
            ),  # before the masking: it exits last and counts the final codes
            MaskUnexpectedErrors,
            RecordOperationName,
            *compiled_extensions(plans),  # last: after the limits, which apply before compilation
        ],
    )
    schema.compiled_plans = plans  # repeats are answered from them before the pipeline
    describe_enums(schema._schema)  # the graphql-core schema strawberry prints and introspects
    return schema
