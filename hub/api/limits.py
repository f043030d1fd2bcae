"""What one request may ask for: depth, tokens, aliases, worst-case rows, introspection.

Everything here runs before any resolver, so an abusive query costs a parse, never a scan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from strawberry.extensions import MaxTokensLimiter, SchemaExtension

from hub.api.cost import CostEstimator
from hub.api.errors import BadUserInput
from hub.api.ledger.types import CHILD_LIMIT
from hub.api.relay import DEFAULT_PAGE_SIZE
from hub.api.validation import HideSuggestions, validation_extension
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

    Tokens are counted while parsing; depth, aliases, introspection and the specification's
    rules are checked off the event loop (hub/api/validation.py); rows are estimated before
    execution. Each check is linear in the document's size (fragments are measured once).
    """
    hide = [HideSuggestions] if not settings.introspection else []
    return [
        *hide,  # first in, last out: sees the messages every other extension leaves
        lambda: MaxTokensLimiter(max_token_count=settings.max_query_tokens),
        validation_extension(settings),
        lambda: QueryCostLimiter(max_rows=settings.max_query_rows),
    ]
