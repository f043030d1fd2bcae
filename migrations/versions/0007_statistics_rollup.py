"""Statistics roll-up: stat_trainee_cell, filled from the data already stored.

Revision ID: 0007
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stat_trainee_cell",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trainee_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("city_code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
        sa.Column("district_code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("identity_category", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("occupation", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=True),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("online_seconds", sa.BigInteger(), nullable=False),
        sa.Column("offline_seconds", sa.BigInteger(), nullable=False),
        sa.Column("qualified", sa.Integer(), nullable=False),
        sa.Column("certificates", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_stat_trainee_cell_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_stat_trainee_cell_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platform.id"], name=op.f("fk_stat_trainee_cell_platform_id_platform")
        ),
        sa.ForeignKeyConstraint(
            ["trainee_id"], ["trainee.id"], name=op.f("fk_stat_trainee_cell_trainee_id_trainee")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stat_trainee_cell")),
    )
    with op.batch_alter_table("stat_trainee_cell", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stat_trainee_cell_city_code", ["city_code", "district_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_stat_trainee_cell_trainee_id"), ["trainee_id"], unique=False
        )

    # Databases that already hold data get their roll-up now, so statistics are right at once.
    from hub.stats.facts import rebuild_statement

    op.get_bind().execute(rebuild_statement())


def downgrade() -> None:
    with op.batch_alter_table("stat_trainee_cell", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stat_trainee_cell_trainee_id"))
        batch_op.drop_index("ix_stat_trainee_cell_city_code")
    op.drop_table("stat_trainee_cell")
