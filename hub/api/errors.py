"""Typed GraphQL errors (`extensions.code`) and the masking of everything unexpected."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from enum import Enum

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors

log = logging.getLogger("hub.api")


class HubError(GraphQLError):
    """An error the client may see, with a stable machine-readable code."""

    code = "INTERNAL"

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": self.code})


class Unauthenticated(HubError):
    code = "UNAUTHENTICATED"


class ScopeDenied(HubError):
    """The caller's role or scope does not allow this operation."""

    code = "FORBIDDEN"


class BadUserInput(HubError):
    code = "BAD_USER_INPUT"


class NotFound(HubError):
    code = "NOT_FOUND"


class RequestTimedOut(HubError):
    """The request ran longer than HUB_REQUEST_TIMEOUT_SECONDS and was abandoned."""

    code = "TIMEOUT"


class Conflict(HubError):
    """The request collides with one still in progress (e.g. the same idempotency key)."""

    code = "CONFLICT"


@strawberry.enum(description="What `errors[].extensions.code` can be.")
class ErrorCode(Enum):
    """Every code a client can meet in `extensions.code` (the schema documents each)."""

    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    TIMEOUT = "TIMEOUT"
    INTERNAL = "INTERNAL"


def is_unexpected(error: GraphQLError) -> bool:
    """True for errors our code did not raise on purpose (masked as INTERNAL)."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


class MaskUnexpectedErrors(MaskErrors):
    """Replaces unexpected exceptions with a bare INTERNAL error after logging them in full."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected, error_message="Internal server error")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        log.error("unexpected error in resolver", exc_info=error.original_error)
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL"}
        return masked

    def on_operation(self) -> Iterator[None]:
        yield from super().on_operation()
        # Parse, validation and limit errors come from graphql-core without a code: they are
        # the client's to fix, so they read BAD_USER_INPUT like our own input errors.
        result = self.execution_context.result
        for error in getattr(result, "errors", None) or ():
            if not (error.extensions or {}).get("code"):
                error.extensions = {**(error.extensions or {}), "code": BadUserInput.code}
