"""Domain errors raised by connectors, so the sync scheduler can tell what to do next."""

from __future__ import annotations


class ConnectorError(Exception):
    """Base of every connector failure; a plain ConnectorError is not worth retrying as is."""


class RetriableError(ConnectorError):
    """A transient failure (network, 5xx, 429); `retry_after` is the server's hint in seconds."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AuthError(ConnectorError):
    """The platform rejected the credentials (401/403), or no usable token is configured."""


class SchemaDriftError(ConnectorError):
    """The platform's payload no longer has the shape the connector was written against."""


class PlatformUnavailable(ConnectorError):
    """Retries are exhausted; the whole sync should be tried again later (`retry_after` hint)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
