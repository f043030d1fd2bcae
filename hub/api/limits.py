"""What one request may ask for: depth, tokens, aliases, worst-case rows, introspection.

Everything here runs before any resolver, so an abusive query costs a parse, never a scan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from graphql import NamedTypeNode, get_operation_ast
from strawberry.extensions import MaxTokensLimiter, SchemaExtension

from hub.api.cost import CostEstimator
from hub.api.errors import BadUserInput
from hub.api.ledger.types import CHILD_LIMIT
from hub.api.relay import DEFAULT_PAGE_SIZE
from hub.api.request_body import BadBody, check_value
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


class StorableVariables(SchemaExtension):
    """Refuses variables nested too deep or with text no database can store (lone surrogates,
    NUL), except those declared JSON: a record payload is checked record by record in the
    ingest path, and a bad record is quarantined with its reason while the others are stored."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        operation = get_operation_ast(document, context.operation_name) if document else None
        declared_json = set()
        for definition in (operation.variable_definitions or ()) if operation else ():
            type_node = definition.type
            while not isinstance(type_node, NamedTypeNode):
                type_node = type_node.type
            if type_node.name.value == "JSON":
                declared_json.add(definition.variable.name.value)
        for name, value in (context.variables or {}).items():
            if name not in declared_json:
                try:
                    check_value(value)
                except BadBody as error:
                    raise BadUserInput(f"${name}: {error}") from error
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
        StorableVariables,
    ]
