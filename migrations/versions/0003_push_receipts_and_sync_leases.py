"""Push idempotency receipts and the sync workers' schedule leases.

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-27 21:07:56.302056
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import schema.types

revision: str = "0003"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "push_receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("request_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("sync_run_id", sa.Integer(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("created_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", schema.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platform.id"], name=op.f("fk_push_receipt_platform_id_platform")
        ),
        sa.ForeignKeyConstraint(
            ["sync_run_id"], ["sync_run.id"], name=op.f("fk_push_receipt_sync_run_id_sync_run")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_receipt")),
        sa.UniqueConstraint(
            "platform_id",
            "idempotency_key",
            name=op.f("uq_push_receipt_platform_id_idempotency_key"),
        ),
    )
    op.create_table(
        "sync_lease",
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("next_due_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("leased_until", schema.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("leased_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("last_run_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["last_run_id"], ["sync_run.id"], name=op.f("fk_sync_lease_last_run_id_sync_run")
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platform.id"], name=op.f("fk_sync_lease_platform_id_platform")
        ),
        sa.PrimaryKeyConstraint("platform_id", name=op.f("pk_sync_lease")),
    )
    with op.batch_alter_table("sync_lease", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sync_lease_next_due_at"), ["next_due_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("sync_lease", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_lease_next_due_at"))

    op.drop_table("sync_lease")
    op.drop_table("push_receipt")
