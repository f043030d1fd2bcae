"""The connector contract: a Connector checks its platform and exposes Streams of Batches."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict, Field

from connectors.errors import AuthError

if TYPE_CHECKING:
    from connectors.http import HttpClient


@dataclass(frozen=True)
class Batch:
    """One unit of work for the hub: store `records`, then persist `cursor` in the same txn.

    `records` are canonical v1 dicts that have NOT been validated: validation and quarantine
    belong to the hub. A record whose mapping failed outright carries `type`, `source_id` when
    known, `_raw` (the platform's original object) and `_error` (why the mapping failed).
    """

    stream: str
    records: list[dict]
    cursor: dict
    # old source id -> the id a record now has, for records once keyed otherwise: the hub moves
    # what it holds under an old key to the new one before storing the batch (hub/ingest/rekey.py)
    rekey: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Census:
    """What the platform says one stream holds: a count, and the source ids when it can list them.

    A stream may offer `async def census(self) -> Census | None`; the hub asks it before reading
    the stream and compares it with what it holds at the end of the run (hub/sync/reconcile.py):
    everything the platform held when the read began must be in the hub when it ends. Without one, only a read from no
    cursor (which reads everything) can be compared.
    """

    count: int
    ids: frozenset[str] | None = None


class Stream(Protocol):
    """One record type of one platform, readable incrementally from a cursor.

    Optional attributes the sync engine reads: `whole` (a read always yields everything),
    `snapshot` (and a read that completes is exactly what the platform holds — one response, one
    file, one export, not pages that may shift — so what it lacks was withdrawn on the platform),
    and `census()` (what the platform holds, asked before the read).
    """

    name: str  # a schema.enums.RecordType value

    def read(self, cursor: dict | None) -> AsyncIterator[Batch]:
        """Yield batches from `cursor` (None = everything); each carries the cursor to persist."""
        ...


class PlatformConfig(BaseModel):
    """How to reach one platform; kind-specific options ride along as extra fields."""

    model_config = ConfigDict(extra="allow")

    code: str = Field(min_length=1, max_length=64)
    name: str
    kind: str
    base_url: str
    token: str | None = None  # "env:NAME" is read from the environment when used, not before
    region: str
    operator: str | None = None  # the operator's unified social credit code
    page_size: int = Field(default=200, gt=0, le=10_000)
    schedule_minutes: int = Field(default=60, gt=0)

    def resolve_token(self) -> str | None:
        """The token to send: the literal value, or the environment variable "env:NAME" names."""
        if self.token is None or not self.token.startswith("env:"):
            return self.token
        var = self.token[4:]
        value = os.environ.get(var)
        if not value:
            raise AuthError(f"platform {self.code}: environment variable {var} is not set")
        return value

    def option(self, name: str, default: Any) -> Any:
        """A kind-specific option given as an extra field, or `default`."""
        return (self.model_extra or {}).get(name, default)

    def url(self, path: str) -> str:
        """`path` resolved against base_url (which may or may not end with a slash)."""
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")


class Connector(ABC):
    """Base of every platform connector; subclasses set `kind` and register in registry.py."""

    kind: ClassVar[str]

    def __init__(self, config: PlatformConfig, client: HttpClient) -> None:
        self.config = config
        self.client = client

    @abstractmethod
    async def check(self) -> None:
        """Reach the platform and prove the token works; AuthError / PlatformUnavailable if not."""

    @abstractmethod
    def streams(self) -> list[Stream]:
        """The platform's streams in dependency order (trainee, course, class, enrolment, ...)."""

    def stream(self, name: str) -> Stream:
        """The stream called `name`; KeyError if this platform has none."""
        for stream in self.streams():
            if stream.name == name:
                return stream
        raise KeyError(f"{self.kind} connector has no stream {name!r}")
