"""Validation of GraphQL documents off the event loop, with the hub's depth and alias limits.

graphql-core's own rules are not all linear (comparing fields that might merge is quadratic in
their number: a 5000-token document can take seconds), so every document is validated in a
small thread pool of its own while the event loop keeps serving `/healthz` and other requests;
the request timeout bounds the wait. Depth and aliases are measured first, linearly
(hub/api/shape.py), and a document over either limit is refused without the costlier rules.
Results are cached by query text: front ends repeat the same few documents.
"""

from __future__ import annotations

import asyncio
import re
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

from graphql import (
    BREAK,
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    StringValueNode,
    Visitor,
    validate,
    visit,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from hub.api.request_body import BadBody, check_text
from hub.api.shape import ShapeMeter
from hub.settings import Settings

CACHE_SIZE = 256
# Two threads: validation is CPU work under the GIL, more threads would not finish it sooner.
_POOL: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="hub-validate")
    return _POOL


class DocumentValidator:
    """The settings' limits and graphql-core's rules, applied to one parsed document."""

    def __init__(self, settings: Settings) -> None:
        self.max_depth = settings.max_query_depth
        self.max_aliases = settings.max_query_aliases
        self.max_selections = settings.max_query_selections
        self.hide_suggestions = not settings.introspection
        self.extra_rules: tuple[type[ASTValidationRule], ...] = (
            MaybeNullValidationRule,
            OneOfInputValidationRule,
        )
        if not settings.introspection:
            self.extra_rules += (NoSchemaIntrospectionCustomRule,)
        self.last_visits = 0  # selections the last shape check looked at (tests check it)

    def limit_errors(self, document: DocumentNode) -> list[GraphQLError]:
        """Depth, alias and size violations of every operation, found in one linear pass."""
        meter = ShapeMeter(document)
        errors: list[GraphQLError] = []
        aliases = selections = 0
        for operation in meter.operations:
            shape = meter.operation(operation)
            aliases, selections = aliases + shape.aliases, selections + shape.selections
            if shape.depth > self.max_depth:
                name = operation.name.value if operation.name else "anonymous"
                errors.append(
                    GraphQLError(
                        f"'{name}' exceeds maximum operation depth of {self.max_depth}",
                        [operation],
                    )
                )
        if aliases > self.max_aliases:
            errors.append(GraphQLError(f"{aliases} aliases found. Allowed: {self.max_aliases}"))
        if selections > self.max_selections:
            errors.append(
                GraphQLError(
                    f"the document selects {selections} fields once its fragments are expanded;"
                    f" at most {self.max_selections} are allowed"
                )
            )
        self.last_visits = meter.visits
        return errors or _text_errors(document)

    def __call__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        rules: tuple[type[ASTValidationRule], ...],
    ) -> list[GraphQLError]:
        """Every error of `document`: the hub's limits first, then the specification's rules."""
        return self.limit_errors(document) or validate(
            schema,
            document,
            (*rules, *self.extra_rules),
            hide_suggestions=self.hide_suggestions,
        )


def _text_errors(document: DocumentNode) -> list[GraphQLError]:
    """String literals no database can store (`"\\u0000"` parses to a NUL character)."""
    errors: list[GraphQLError] = []

    class Strings(Visitor):
        def enter_string_value(self, node: StringValueNode, *_: object) -> object:
            try:
                check_text(node.value)
            except BadBody as refused:
                errors.append(GraphQLError(str(refused), [node]))
                return BREAK
            return None

    visit(document, Strings())
    return errors


def validation_extension(settings: Settings) -> Callable[[], SchemaExtension]:
    """A per-request factory of the extension; the validator and its cache live per schema."""
    validator = DocumentValidator(settings)
    cache: OrderedDict[str, list[GraphQLError]] = OrderedDict()

    class ValidateOffLoop(SchemaExtension):
        """Validates in the thread pool and leaves the errors where strawberry expects them."""

        async def on_validate(self) -> AsyncIterator[None]:
            context = self.execution_context
            document = context.graphql_document
            key = context.query
            if document is not None:
                # The cache is only touched on the event loop, the thread only validates.
                errors = cache.get(key) if key is not None else None
                if errors is None:
                    errors = await asyncio.get_running_loop().run_in_executor(
                        _pool(),
                        validator,
                        context.schema._schema,
                        document,
                        tuple(context.validation_rules),
                    )
                    if key is not None:
                        cache[key] = errors
                        if len(cache) > CACHE_SIZE:
                            cache.popitem(last=False)
                else:
                    cache.move_to_end(key)  # type: ignore[arg-type]
                context.pre_execution_errors = list(errors)
            yield

    ValidateOffLoop.validator = validator  # type: ignore[attr-defined]
    return ValidateOffLoop


_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


class HideSuggestions(SchemaExtension):
    """With introspection off, errors must not spell the schema out either: graphql-core's
    "Did you mean …?" hints are dropped from every message (validation is told not to make
    them; variable coercion during execution makes them regardless)."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in getattr(result, "errors", None) or ():
            if "Did you mean" in error.message:
                error.message = _SUGGESTION.sub("", error.message)
