"""GraphQL type of an access-log entry."""

from __future__ import annotations

from datetime import datetime

import strawberry

from hub.api.relay import Node, node_from_row
from schema.tables import AccessLogEntry


@strawberry.type(name="AccessLogEntry")
class AccessLogEntryNode(Node):
    """Who read which records' personal data unmasked, when, and through which query."""

    subject: str
    role: str
    operation: str | None
    entity: str
    record_ids: list[int]
    fields: list[str]
    read_at: datetime

    @classmethod
    def from_row(cls, row: AccessLogEntry) -> AccessLogEntryNode:
        return node_from_row(cls, row, record_ids=list(row.record_ids), fields=list(row.fields))
