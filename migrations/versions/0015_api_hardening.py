"""API hardening: the reader's area on access log entries.

Revision ID: 0015
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | tuple[str, ...] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("access_log") as batch:
        batch.add_column(
            sa.Column("region_code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True)
        )
        batch.create_index(batch.f("ix_access_log_region_code"), ["region_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("access_log") as batch:
        batch.drop_index(batch.f("ix_access_log_region_code"))
        batch.drop_column("region_code")
