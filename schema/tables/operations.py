"""What the hub itself records: sync runs and cursors, record history, quarantine, access."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from schema.enums import SyncStatus
from schema.tables import base as _base  # noqa: F401  (naming convention first)
from schema.types import BigId, UTCDateTime, enum_column, utcnow


class SyncRun(SQLModel, table=True):
    """One pull of one platform (or one push or import batch), with per-stream counts."""

    __tablename__ = "sync_run"

    id: int | None = Field(default=None, primary_key=True)
    platform_id: int = Field(foreign_key="platform.id", index=True)
    trigger: str = Field(max_length=32)  # sync, import, push, worker
    status: SyncStatus = Field(sa_type=enum_column(SyncStatus))
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    stats: dict = Field(default_factory=dict, sa_type=sa.JSON)
    error: str | None = Field(default=None, sa_type=sa.Text)
    # who runs it ("host:pid") and when it last committed: what tells a dead run from a slow one
    owner: str | None = Field(default=None, max_length=200)
    last_alive_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SyncCursor(SQLModel, table=True):
    """A stream's checkpoint, committed in the same transaction as the batch it covers."""

    __tablename__ = "sync_cursor"

    platform_id: int = Field(foreign_key="platform.id", primary_key=True)
    stream: str = Field(max_length=32, primary_key=True)
    cursor: dict = Field(default_factory=dict, sa_type=sa.JSON)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SyncReadId(SQLModel, table=True):
    """A source id one sync run met for one stream: read in a batch, or listed by its census.

    The run compares these with what the hub holds in the database, so its memory does not grow
    with the platform (hub/sync/reconcile.py). Rows live only as long as their run: they are
    deleted when it finishes or is marked abandoned (hub/ingest/runs.py). No foreign key onto
    `sync_run`: a key check per id would slow every batch for rows that never outlive the run.
    """

    __tablename__ = "sync_read_id"

    run_id: int = Field(primary_key=True)
    stream: str = Field(max_length=32, primary_key=True)
    # True: listed by the census taken before the read; False: met by the read itself
    listed: bool = Field(primary_key=True)
    source_id: str = Field(max_length=128, primary_key=True)


class RecordVersion(SQLModel, table=True):
    """Every accepted version of every reported record (可追溯): the basis of tamper evidence.

    Payloads hold keyed hashes in place of ID and phone numbers, never the plain values.
    """

    __tablename__ = "record_version"
    __table_args__ = (sa.UniqueConstraint("platform_id", "record_type", "source_id", "version"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    platform_id: int = Field(foreign_key="platform.id")
    record_type: str = Field(max_length=16)
    source_id: str = Field(max_length=128)
    version: int
    content_hash: str = Field(max_length=64)
    payload: dict = Field(sa_type=sa.JSON)
    changed_fields: list[str] | None = Field(default=None, sa_type=sa.JSON)
    sync_run_id: int | None = Field(default=None, foreign_key="sync_run.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class QuarantinedRecord(SQLModel, table=True):
    """A record that failed validation, kept with its raw payload and the reason.

    The raw payload is encrypted like every other place personal data rests.

    When the reason is a missing reference, `waiting_for_*` names it so the record is retried
    as soon as the platform sends what it refers to.
    """

    __tablename__ = "quarantined_record"
    __table_args__ = (
        sa.Index("ix_quarantine_waiting", "platform_id", "waiting_for_type", "waiting_for_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # None for rows of the hub's own registers (e.g. an organisation import), not of a platform
    platform_id: int | None = Field(default=None, foreign_key="platform.id", index=True)
    record_type: str | None = Field(default=None, max_length=16)
    source_id: str | None = Field(default=None, max_length=128)
    raw_cipher: str = Field(sa_type=sa.Text)
    reason: str = Field(sa_type=sa.Text)
    waiting_for_type: str | None = Field(default=None, max_length=16)
    waiting_for_id: str | None = Field(default=None, max_length=128)
    sync_run_id: int | None = Field(default=None, foreign_key="sync_run.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AccessLogEntry(SQLModel, table=True):
    """An unmasked read of personal data: who, when, which records, through which query."""

    __tablename__ = "access_log"

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=200)
    role: str = Field(max_length=16)
    operation: str | None = Field(default=None, max_length=200)
    entity: str = Field(max_length=32)
    record_ids: list[int] = Field(default_factory=list, sa_type=sa.JSON)
    fields: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    read_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The reader's area (its token's region claim; NULL for region-wide callers): an auditor
    # limited to an area reads the entries of readers in that area.
    region_code: str | None = Field(default=None, max_length=6, index=True)
