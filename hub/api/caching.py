"""The parse cache: front ends repeat the same few documents, so parse each once.

Validation has its own cache, beside the limits it checks (hub/api/validation.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from graphql import GraphQLError
from strawberry.extensions import ParserCache, SchemaExtension

CACHE_SIZE = 256


class CachedParse(ParserCache):
    """strawberry's parser cache, except that a document that does not parse is left to the
    normal parse step, so its syntax error is reported (with its code) like any other."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        try:
            context.graphql_document = self.cached_parse_document(
                context.query, **context.parse_options
            )
        except GraphQLError:
            context.graphql_document = None
        yield


def cache_extensions() -> list[Callable[[], SchemaExtension]]:
    """Per-request factories of the caches (the caches themselves live for the process)."""
    return [lambda: CachedParse(maxsize=CACHE_SIZE)]
