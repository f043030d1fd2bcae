"""Sync runs: `incomplete` and `abandoned` statuses, the running process and its last sign of life.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import schema.types

revision: str = "0010"
down_revision: str | tuple[str, ...] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = ("running", "succeeded", "failed")
NEW = (*OLD, "incomplete", "abandoned")


def _status(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name="syncstatus", native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    # The status CHECK constraint lists the values: batch mode rebuilds it on SQLite, and on
    # PostgreSQL drops and re-creates it.
    with op.batch_alter_table("sync_run", schema=None, recreate="auto") as batch_op:
        batch_op.add_column(
            sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
        batch_op.add_column(
            sa.Column("last_alive_at", schema.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.alter_column(
            "status", existing_type=_status(OLD), type_=_status(NEW), existing_nullable=False
        )


def downgrade() -> None:
    op.execute("UPDATE sync_run SET status = 'failed' WHERE status IN ('incomplete', 'abandoned')")
    with op.batch_alter_table("sync_run", schema=None, recreate="auto") as batch_op:
        batch_op.alter_column(
            "status", existing_type=_status(NEW), type_=_status(OLD), existing_nullable=False
        )
        batch_op.drop_column("last_alive_at")
        batch_op.drop_column("owner")
