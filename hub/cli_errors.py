"""What the `hub` command prints when something an operator can fix goes wrong: one line.

A traceback tells a developer where the code was; an operator needs to know what to change
(a file, a setting, a command to run first). Errors the command can explain are turned into one
line on standard error and a non-zero exit; anything else is reported as unexpected, with the
traceback only when HUB_DEBUG is set.
"""

from __future__ import annotations

import socket

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from connectors.errors import AuthError
from hub.ingest.file_format import UnreadableFile
from hub.sync.config import PlatformConfigError


class CommandError(Exception):
    """A mistake the person at the terminal can correct; the message says how."""


class DatabaseNotMigrated(CommandError):
    """The database exists but its schema is not at the newest revision."""

    def __init__(self, url: str) -> None:
        super().__init__(
            f"the database at {_where(url)} is not migrated to this version of the hub: "
            "run `hub db upgrade` first"
        )


def _where(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    return f"{parsed.host or 'localhost'}:{parsed.port or 5432}/{parsed.database or ''}"


def _causes(error: BaseException) -> list[BaseException]:
    """The error and everything it was raised from or while handling."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        if isinstance(current, DBAPIError) and current.orig is not None:
            chain.append(current.orig)
        current = current.__cause__ or current.__context__
    return chain


def _unreachable(url: str, cause: BaseException) -> str:
    if isinstance(cause, ConnectionRefusedError):
        reason = "connection refused"
    else:
        reason = getattr(cause, "strerror", None) or str(cause) or type(cause).__name__
    return (
        f"cannot reach the database at {_where(url)} ({reason}): start the server, "
        "or point HUB_DATABASE_URL at a running one"
    )


def describe(error: BaseException, database_url: str) -> str | None:
    """One line for an error an operator can act on, or None when it is unexpected."""
    for cause in _causes(error):
        if isinstance(cause, CommandError | AuthError | UnreadableFile | PlatformConfigError):
            return str(cause)
        if isinstance(cause, ConnectionRefusedError | socket.gaierror | TimeoutError):
            return _unreachable(database_url, cause)
        if isinstance(cause, OSError) and "Connect call failed" in str(cause):
            return _unreachable(database_url, cause)
        name = type(cause).__name__
        text = str(cause)
        if name == "InvalidCatalogNameError":  # asyncpg: the database does not exist
            return f"{text} at {_where(database_url)}: create it, or fix HUB_DATABASE_URL"
        if (
            name == "UndefinedTableError"
            or "no such table" in text
            or (isinstance(cause, ProgrammingError | OperationalError) and "does not exist" in text)
        ):
            return str(DatabaseNotMigrated(database_url))
    return None
