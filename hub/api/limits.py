"""What one request may ask for: depth, tokens, aliases, worst-case rows, introspection.

Everything here runs before any resolver, so an abusive query costs a parse, never a scan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from graphql import ValidationRule
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, SchemaExtension
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

from hub.api.cost import CostEstimator
from hub.api.errors import BadUserInput
from hub.api.ledger.types import CHILD_LIMIT
from hub.api.relay import DEFAULT_PAGE_SIZE
from hub.settings import Settings


class QueryTooExpensive(BadUserInput):
    """The query's worst case would read more rows than the configured maximum."""


class QueryCostLimiter(SchemaExtension):
    """Rejects an operation whose estimated worst-case row count exceeds `max_rows`."""

    def __init__(self, max_rows: int) -> None:
        self.max_rows = max_rows

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            estimator = CostEstimator(context.schema._schema, DEFAULT_PAGE_SIZE, CHILD_LIMIT)
            rows = estimator.estimate(document, context.operation_name, context.variables)
            if rows > self.max_rows:
                raise QueryTooExpensive(
                    f"query could read up to {rows} rows, more than the limit of {self.max_rows}; "
                    "ask for smaller pages (`first`) or fewer nested lists"
                )
        yield


def limit_extensions(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    """Per-request factories of the limiting extensions the settings ask for.

    The validation rules are built once per schema: the validation cache is keyed by the rule
    classes, so rules made per request (as the stock limiters do) would make every request miss.
    """
    rules: list[type[ValidationRule]] = [
        depth_rule(settings.max_query_depth, None, None),
        aliases_rule(settings.max_query_aliases),
    ]
    if not settings.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return [
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=settings.max_query_tokens),
        lambda: QueryCostLimiter(max_rows=settings.max_query_rows),
    ]
