"""Supervision: alerts raised by the fraud rules, and the hash chain over what the hub stored."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from schema.tables import base as _base  # noqa: F401  (naming convention first)
from schema.tables.operations import RecordVersion
from schema.tables.training import LearningSession
from schema.types import BigId, UTCDateTime, utcnow


class Alert(SQLModel, table=True):
    """One finding of one rule, kept across re-runs by its dedup key.

    Status: `open` → `confirmed` or `dismissed` by a reviewer (with a reason); an open alert
    whose pattern is no longer in the data becomes `resolved` and re-opens if it comes back.
    """

    __tablename__ = "alert"

    id: int | None = Field(default=None, primary_key=True)
    rule: str = Field(max_length=40, index=True)
    dedup_key: str = Field(max_length=200, unique=True)
    severity: str = Field(max_length=16)
    status: str = Field(default="open", max_length=16, index=True)
    evidence: dict = Field(default_factory=dict, sa_type=sa.JSON)
    region_code: str | None = Field(
        default=None, max_length=6, foreign_key="region.code", index=True
    )
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    class_id: int | None = Field(default=None, foreign_key="training_class.id", index=True)
    reviewer: str | None = Field(default=None, max_length=200)
    review_reason: str | None = Field(default=None, sa_type=sa.Text)
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AlertRecord(SQLModel, table=True):
    """A platform record an alert is about: (platform, type, source_id) and the hub's row id."""

    __tablename__ = "alert_record"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    alert_id: int = Field(foreign_key="alert.id", index=True)
    platform_id: int = Field(foreign_key="platform.id", index=True)
    record_type: str = Field(max_length=16)
    source_id: str = Field(max_length=128)
    row_id: int = Field(sa_type=sa.BigInteger)
    # where the record belongs (its class's or trainee's region): an alert spanning two cities
    # is visible to both
    region_code: str | None = Field(default=None, max_length=6, index=True)


class LedgerEntry(SQLModel, table=True):
    """One link of the hash chain: `entry_hash` covers the entry and the previous entry's hash."""

    __tablename__ = "ledger_entry"

    seq: int = Field(primary_key=True, sa_type=BigId, sa_column_kwargs={"autoincrement": False})
    kind: str = Field(max_length=32)
    ref: str = Field(max_length=200)
    payload_hash: str = Field(max_length=64)
    prev_hash: str = Field(max_length=64)
    entry_hash: str = Field(max_length=64)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LedgerHead(SQLModel, table=True):
    """The chain's last entry: a single row writers lock so appends are strictly serial."""

    __tablename__ = "ledger_head"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    seq: int = Field(sa_type=sa.BigInteger)
    entry_hash: str = Field(max_length=64)


# Incremental checks find what one sync run touched through its record versions, and
# BULK_FABRICATION finds sessions sharing a touched session's platform and start.
sa.Index("ix_record_version_sync_run_id", RecordVersion.sync_run_id)
sa.Index(
    "ix_learning_session_platform_started", LearningSession.platform_id, LearningSession.started_at
)
