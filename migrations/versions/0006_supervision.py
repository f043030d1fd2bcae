"""Supervision: alerts with their records, and the ledger hash chain with its head row.

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-27 21:09:44.231829
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import schema.types

revision: str = "0006"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ledger_entry",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("payload_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("entry_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_ledger_entry")),
    )
    op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("entry_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_head")),
    )
    op.create_table(
        "alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("dedup_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("severity", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("region_code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("class_id", sa.Integer(), nullable=True),
        sa.Column("reviewer", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("review_reason", sa.Text(), nullable=True),
        sa.Column("reviewed_at", schema.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("first_seen_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", schema.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["class_id"], ["training_class.id"], name=op.f("fk_alert_class_id_training_class")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_alert_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_alert_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_alert_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_alert_dedup_key")),
    )
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_class_id"), ["class_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_alert_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_alert_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alert_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_alert_rule"), ["rule"], unique=False)
        batch_op.create_index(batch_op.f("ix_alert_status"), ["status"], unique=False)

    op.create_table(
        "alert_record",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("record_type", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("source_id", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("row_id", sa.BigInteger(), nullable=False),
        sa.Column("region_code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert.id"], name=op.f("fk_alert_record_alert_id_alert")
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platform.id"], name=op.f("fk_alert_record_platform_id_platform")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_record")),
    )
    with op.batch_alter_table("alert_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_record_alert_id"), ["alert_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_alert_record_platform_id"), ["platform_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_alert_record_region_code"), ["region_code"], unique=False
        )

    with op.batch_alter_table("record_version", schema=None) as batch_op:
        batch_op.create_index("ix_record_version_sync_run_id", ["sync_run_id"], unique=False)
    with op.batch_alter_table("learning_session", schema=None) as batch_op:
        batch_op.create_index(
            "ix_learning_session_platform_started", ["platform_id", "started_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("learning_session", schema=None) as batch_op:
        batch_op.drop_index("ix_learning_session_platform_started")
    with op.batch_alter_table("record_version", schema=None) as batch_op:
        batch_op.drop_index("ix_record_version_sync_run_id")
    with op.batch_alter_table("alert_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_record_region_code"))
        batch_op.drop_index(batch_op.f("ix_alert_record_platform_id"))
        batch_op.drop_index(batch_op.f("ix_alert_record_alert_id"))

    op.drop_table("alert_record")
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_status"))
        batch_op.drop_index(batch_op.f("ix_alert_rule"))
        batch_op.drop_index(batch_op.f("ix_alert_region_code"))
        batch_op.drop_index(batch_op.f("ix_alert_person_id"))
        batch_op.drop_index(batch_op.f("ix_alert_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_alert_class_id"))

    op.drop_table("alert")
    op.drop_table("ledger_head")
    op.drop_table("ledger_entry")
