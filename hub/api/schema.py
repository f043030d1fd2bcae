"""The one GraphQL schema, composed of the domains' query types."""

from __future__ import annotations

import strawberry
from strawberry.extensions import AddValidationRules, ParserCache, ValidationCache
from strawberry.extensions.query_depth_limiter import create_validator
from strawberry.tools import merge_types

from hub.api.access_log import RecordOperationName
from hub.api.claims.queries import ClaimsQuery
from hub.api.classes.queries import ClassesQuery
from hub.api.errors import MaskUnexpectedErrors
from hub.api.learning.queries import LearningQuery
from hub.api.ledger.queries import LedgerQuery
from hub.api.nodes import NODE_TYPES, NodeQuery
from hub.api.platforms.queries import PlatformQuery
from hub.api.statistics.queries import StatisticsQuery
from hub.api.viewer import ViewerQuery

MAX_QUERY_DEPTH = 10

# Each domain contributes its query (and mutation) type here.
QUERY_TYPES: tuple[type, ...] = (
    ViewerQuery,
    NodeQuery,
    LedgerQuery,
    ClassesQuery,
    LearningQuery,
    ClaimsQuery,
    PlatformQuery,
    StatisticsQuery,
)
MUTATION_TYPES: tuple[type, ...] = ()

Query = merge_types("Query", QUERY_TYPES)
Mutation = merge_types("Mutation", MUTATION_TYPES) if MUTATION_TYPES else None


# One depth rule for every request: the validation cache is keyed by the rules, so a rule class
# made per request (as QueryDepthLimiter does) would make every request miss it.
_DEPTH_RULE = create_validator(MAX_QUERY_DEPTH, None, None)


def build_schema() -> strawberry.Schema:
    """The schema with its safety extensions; every node type is registered for `node(id:)`."""
    node_types = [to_node.__self__ for _, to_node in NODE_TYPES.values()]  # type: ignore[attr-defined]
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=node_types,
        extensions=[
            lambda: AddValidationRules([_DEPTH_RULE]),
            # Front ends repeat the same few documents: parse and validate each once.
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            MaskUnexpectedErrors,
            RecordOperationName,
        ],
    )
