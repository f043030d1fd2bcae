"""Why a push is refused; each carries the code the API reports (GraphQL `extensions.code`)."""

from __future__ import annotations


class PushError(Exception):
    """A push the hub refuses; `code` is stable and machine-readable."""

    code = "BAD_USER_INPUT"


class PushDenied(PushError):
    """The caller may not write this platform's records."""

    code = "FORBIDDEN"


class PlatformNotRegistered(PushError):
    """The caller's own platform is not known to the hub yet."""

    code = "NOT_FOUND"


class InvalidPush(PushError):
    """Too many records, a malformed idempotency key, or a key reused for other records."""


class PushInProgress(PushError):
    """Another request holding the same idempotency key has not finished."""

    code = "CONFLICT"
