"""The sync workers' per-platform schedule and lease rows."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from schema.tables import base as _base  # noqa: F401  (naming convention first)
from schema.types import UTCDateTime, utcnow


class SyncLease(SQLModel, table=True):
    """When a platform is next due to be pulled, and which worker holds it while it runs.

    Workers claim a due, unleased row with `SELECT ... FOR UPDATE SKIP LOCKED` in a short
    transaction; a lease whose `leased_until` has passed belongs to a crashed worker and is free.
    """

    __tablename__ = "sync_lease"

    platform_id: int = Field(foreign_key="platform.id", primary_key=True)
    next_due_at: datetime = Field(sa_type=UTCDateTime, index=True)
    leased_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    leased_by: str | None = Field(default=None, max_length=200)
    last_run_id: int | None = Field(default=None, foreign_key="sync_run.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
