"""Idempotency receipts of pushed record batches."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from schema.tables import base as _base  # noqa: F401  (naming convention first)
from schema.types import UTCDateTime, utcnow


class PushReceipt(SQLModel, table=True):
    """The first outcome of a push under an idempotency key, returned to every replay.

    A receipt whose `result` is still NULL belongs to a push in progress (a streamed bulk push
    claims its key before the first batch); it is taken over once `claimed_until` has passed, so
    a crashed request does not block its key forever.
    """

    __tablename__ = "push_receipt"
    __table_args__ = (sa.UniqueConstraint("platform_id", "idempotency_key"),)

    id: int | None = Field(default=None, primary_key=True)
    platform_id: int = Field(foreign_key="platform.id")
    idempotency_key: str = Field(max_length=128)
    request_hash: str | None = Field(default=None, max_length=64)
    sync_run_id: int | None = Field(default=None, foreign_key="sync_run.id")
    result: dict | None = Field(default=None, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
