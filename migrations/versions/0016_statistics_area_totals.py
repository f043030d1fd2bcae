"""Statistics: region-wide totals per area grouping (stat_area_total), kept by deltas.

Also indexes stat_area_cell by person: a change re-counts the groups of the changed trainees'
persons. Databases that already hold data get their totals now.

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016"
down_revision: str | tuple[str, ...] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "stat_area_total",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grouped_by", sa.Integer(), nullable=False),
        sa.Column("city_code", text(length=6), nullable=False),
        sa.Column("district_code", text(length=6), nullable=False),
        sa.Column("identity_category", text(length=32), nullable=False),
        sa.Column("trainees", sa.Integer(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("sessions", sa.BigInteger(), nullable=False),
        sa.Column("online_seconds", sa.BigInteger(), nullable=False),
        sa.Column("offline_seconds", sa.BigInteger(), nullable=False),
        sa.Column("qualified", sa.BigInteger(), nullable=False),
        sa.Column("certificates", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stat_area_total")),
        sa.UniqueConstraint(
            "grouped_by",
            "city_code",
            "district_code",
            "identity_category",
            name="uq_stat_area_total_group",
        ),
    )
    with op.batch_alter_table("stat_area_cell", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stat_area_cell_person_id"), ["person_id"], unique=False
        )

    from hub.stats.area_totals import rebuild_statement

    op.get_bind().execute(rebuild_statement())


def downgrade() -> None:
    with op.batch_alter_table("stat_area_cell", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stat_area_cell_person_id"))
    op.drop_table("stat_area_total")
