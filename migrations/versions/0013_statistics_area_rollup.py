"""Statistics: the narrow area roll-up stat_area_cell, filled from stat_trainee_cell.

Revision ID: 0013
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | tuple[str, ...] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stat_area_cell",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trainee_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("city_code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
        sa.Column("district_code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
        sa.Column("identity_category", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("online_seconds", sa.BigInteger(), nullable=False),
        sa.Column("offline_seconds", sa.BigInteger(), nullable=False),
        sa.Column("qualified", sa.Integer(), nullable=False),
        sa.Column("certificates", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_stat_area_cell_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["trainee_id"], ["trainee.id"], name=op.f("fk_stat_area_cell_trainee_id_trainee")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stat_area_cell")),
    )
    with op.batch_alter_table("stat_area_cell", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stat_area_cell_city_code", ["city_code", "district_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_stat_area_cell_trainee_id"), ["trainee_id"], unique=False
        )

    # Databases that already hold data get their area roll-up now.
    from hub.stats.facts import area_rebuild_statement

    op.get_bind().execute(area_rebuild_statement())


def downgrade() -> None:
    with op.batch_alter_table("stat_area_cell", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stat_area_cell_trainee_id"))
        batch_op.drop_index("ix_stat_area_cell_city_code")
    op.drop_table("stat_area_cell")
