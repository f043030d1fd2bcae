"""Sync runs: the source ids a run read or its census listed (sync_read_id), per stream.

The completeness check and the withdrawal compare them with what the hub holds in the database
instead of in memory. Rows last only as long as their run, so there is nothing to fill.

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0017"
down_revision: str | tuple[str, ...] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "sync_read_id",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("stream", text(length=32), nullable=False),
        sa.Column("listed", sa.Boolean(), nullable=False),
        sa.Column("source_id", text(length=128), nullable=False),
        sa.PrimaryKeyConstraint(
            "run_id", "stream", "listed", "source_id", name=op.f("pk_sync_read_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("sync_read_id")
