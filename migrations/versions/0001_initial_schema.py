"""Initial schema of the unified model, with the GB/T 2260 regions seeded.

Revision ID: 0001
Revises:
Create Date: 2026-11-27 20:52:35.631311
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import schema.types
from schema.regions import REGIONS

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("operation", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("record_ids", sa.JSON(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("read_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
    )
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("id_cipher", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("id_masked", sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("is_male", sa.Boolean(), nullable=False),
        sa.Column("area_code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("created_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("id_hash", name=op.f("uq_person_id_hash")),
    )
    op.create_table(
        "region",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "region",
                "city",
                "district",
                name="regionlevel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("parent_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_code"], ["region.code"], name=op.f("fk_region_parent_code_region")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_region")),
    )
    with op.batch_alter_table("region", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_region_parent_code"), ["parent_code"], unique=False)

    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credit_code", sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "enterprise",
                "training_institution",
                "platform_operator",
                name="organisationkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("region_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("registered", sa.Boolean(), nullable=False),
        sa.Column("created_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_organisation_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("credit_code", name=op.f("uq_organisation_credit_code")),
    )
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organisation_region_code"), ["region_code"], unique=False
        )

    op.create_table(
        "platform",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column(
            "platform_type",
            sa.Enum(
                "catalogue",
                "own_website",
                "own_platform",
                "third_party",
                name="platformtype",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("region_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("catalogue_listed", sa.Boolean(), nullable=False),
        sa.Column(
            "filing_status",
            sa.Enum(
                "unfiled",
                "filed",
                "district_reviewed",
                "approved",
                "returned",
                name="filingstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("schedule_minutes", sa.Integer(), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("created_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["organisation.id"], name=op.f("fk_platform_operator_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_platform_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform")),
        sa.UniqueConstraint("code", name=op.f("uq_platform_code")),
    )
    with op.batch_alter_table("platform", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_platform_operator_id"), ["operator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_platform_region_code"), ["region_code"], unique=False)

    op.create_table(
        "course",
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("first_seen_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("occupation_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("occupation_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("skill_level", sa.Integer(), nullable=False),
        sa.Column(
            "standard",
            sa.Enum(
                "national_skill_standard",
                "special_ability_spec",
                "national_curriculum",
                name="coursestandard",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("total_hours", sa.Float(), nullable=False),
        sa.Column("online_hours", sa.Float(), nullable=False),
        sa.CheckConstraint(
            "online_hours <= total_hours * 0.4 + 0.000001", name=op.f("ck_course_online_share")
        ),
        sa.CheckConstraint("skill_level BETWEEN 1 AND 5", name=op.f("ck_course_skill_level")),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platform.id"], name=op.f("fk_course_platform_id_platform")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course")),
        sa.UniqueConstraint(
            "platform_id", "source_id", name=op.f("uq_course_platform_id_source_id")
        ),
    )
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_course_occupation_name"), ["occupation_name"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_course_platform_id"), ["platform_id"], unique=False)

    op.create_table(
        "sync_cursor",
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("stream", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("cursor", sa.JSON(), nullable=False),
        sa.Column("updated_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platform.id"], name=op.f("fk_sync_cursor_platform_id_platform")
        ),
        sa.PrimaryKeyConstraint("platform_id", "stream", name=op.f("pk_sync_cursor")),
    )
    op.create_table(
        "sync_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("trigger", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "running",
                "succeeded",
                "failed",
                name="syncstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("started_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", schema.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("stats", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platform.id"], name=op.f("fk_sync_run_platform_id_platform")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_run")),
    )
    with op.batch_alter_table("sync_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_run_platform_id"), ["platform_id"], unique=False)

    op.create_table(
        "trainee",
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("first_seen_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("id_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("id_cipher", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("id_masked", sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
        sa.Column("phone_cipher", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("phone_masked", sqlmodel.sql.sqltypes.AutoString(length=11), nullable=True),
        sa.Column(
            "identity_category",
            sa.Enum(
                "enterprise_employee",
                "poor_family_child",
                "poor_labourer",
                "non_continuing_graduate",
                "rural_migrant_labourer",
                "unemployed",
                "job_transfer_employee",
                "veteran",
                "disabled",
                "college_graduate",
                "other_eligible",
                name="identitycategory",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("region_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column(
            "employer_credit_code", sqlmodel.sql.sqltypes.AutoString(length=18), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_trainee_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platform.id"], name=op.f("fk_trainee_platform_id_platform")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_trainee_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trainee")),
        sa.UniqueConstraint(
            "platform_id", "source_id", name=op.f("uq_trainee_platform_id_source_id")
        ),
    )
    with op.batch_alter_table("trainee", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_trainee_employer_credit_code"), ["employer_credit_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_trainee_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_trainee_platform_id"), ["platform_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_trainee_region_code"), ["region_code"], unique=False)

    op.create_table(
        "quarantined_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("record_type", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("source_id", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
        sa.Column("raw_cipher", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("waiting_for_type", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("waiting_for_id", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
        sa.Column("sync_run_id", sa.Integer(), nullable=True),
        sa.Column("created_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", schema.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["platform.id"],
            name=op.f("fk_quarantined_record_platform_id_platform"),
        ),
        sa.ForeignKeyConstraint(
            ["sync_run_id"],
            ["sync_run.id"],
            name=op.f("fk_quarantined_record_sync_run_id_sync_run"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantined_record")),
    )
    with op.batch_alter_table("quarantined_record", schema=None) as batch_op:
        batch_op.create_index(
            "ix_quarantine_waiting",
            ["platform_id", "waiting_for_type", "waiting_for_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_quarantined_record_platform_id"), ["platform_id"], unique=False
        )

    op.create_table(
        "record_version",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("record_type", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("source_id", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("changed_fields", sa.JSON(), nullable=True),
        sa.Column("sync_run_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platform.id"], name=op.f("fk_record_version_platform_id_platform")
        ),
        sa.ForeignKeyConstraint(
            ["sync_run_id"], ["sync_run.id"], name=op.f("fk_record_version_sync_run_id_sync_run")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_version")),
        sa.UniqueConstraint(
            "platform_id",
            "record_type",
            "source_id",
            "version",
            name=op.f("uq_record_version_platform_id_record_type_source_id_version"),
        ),
    )
    op.create_table(
        "training_class",
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("first_seen_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("organiser_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("approved_at", schema.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_training_class_dates")),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_training_class_course_id_course")
        ),
        sa.ForeignKeyConstraint(
            ["organiser_id"],
            ["organisation.id"],
            name=op.f("fk_training_class_organiser_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platform.id"], name=op.f("fk_training_class_platform_id_platform")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_training_class_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_class")),
        sa.UniqueConstraint(
            "platform_id", "source_id", name=op.f("uq_training_class_platform_id_source_id")
        ),
    )
    with op.batch_alter_table("training_class", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_class_course_id"), ["course_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_training_class_organiser_id"), ["organiser_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_training_class_platform_id"), ["platform_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_training_class_region_code"), ["region_code"], unique=False
        )

    op.create_table(
        "assessment",
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("first_seen_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trainee_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("assessed_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["class_id"], ["training_class.id"], name=op.f("fk_assessment_class_id_training_class")
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platform.id"], name=op.f("fk_assessment_platform_id_platform")
        ),
        sa.ForeignKeyConstraint(
            ["trainee_id"], ["trainee.id"], name=op.f("fk_assessment_trainee_id_trainee")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
        sa.UniqueConstraint(
            "platform_id", "source_id", name=op.f("uq_assessment_platform_id_source_id")
        ),
    )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessment_class_id"), ["class_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_assessment_platform_id"), ["platform_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_assessment_trainee_id"), ["trainee_id"], unique=False)

    op.create_table(
        "certificate",
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("first_seen_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trainee_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "vocational_qualification",
                "skill_level",
                "special_ability",
                "special_operation",
                "training_completion",
                name="certificatekind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("occupation_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("skill_level", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["class_id"], ["training_class.id"], name=op.f("fk_certificate_class_id_training_class")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_certificate_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platform.id"], name=op.f("fk_certificate_platform_id_platform")
        ),
        sa.ForeignKeyConstraint(
            ["trainee_id"], ["trainee.id"], name=op.f("fk_certificate_trainee_id_trainee")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate")),
        sa.UniqueConstraint(
            "platform_id", "source_id", name=op.f("uq_certificate_platform_id_source_id")
        ),
    )
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificate_class_id"), ["class_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificate_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_certificate_platform_id"), ["platform_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_certificate_trainee_id"), ["trainee_id"], unique=False)

    op.create_table(
        "enrolment",
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("first_seen_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("trainee_id", sa.Integer(), nullable=False),
        sa.Column("enrolled_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["class_id"], ["training_class.id"], name=op.f("fk_enrolment_class_id_training_class")
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platform.id"], name=op.f("fk_enrolment_platform_id_platform")
        ),
        sa.ForeignKeyConstraint(
            ["trainee_id"], ["trainee.id"], name=op.f("fk_enrolment_trainee_id_trainee")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolment")),
        sa.UniqueConstraint(
            "platform_id", "source_id", name=op.f("uq_enrolment_platform_id_source_id")
        ),
    )
    with op.batch_alter_table("enrolment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrolment_class_id"), ["class_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enrolment_platform_id"), ["platform_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enrolment_trainee_id"), ["trainee_id"], unique=False)

    op.create_table(
        "learning_session",
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("first_seen_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("trainee_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("started_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("duration_seconds", sa.Integer(), nullable=False),
        sa.Column("reported_seconds", sa.Integer(), nullable=True),
        sa.Column(
            "mode",
            sa.Enum(
                "online",
                "offline",
                name="sessionmode",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("activity", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.CheckConstraint("ended_at > started_at", name=op.f("ck_learning_session_times")),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["training_class.id"],
            name=op.f("fk_learning_session_class_id_training_class"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_learning_session_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platform.id"], name=op.f("fk_learning_session_platform_id_platform")
        ),
        sa.ForeignKeyConstraint(
            ["trainee_id"], ["trainee.id"], name=op.f("fk_learning_session_trainee_id_trainee")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_session")),
        sa.UniqueConstraint(
            "platform_id", "source_id", name=op.f("uq_learning_session_platform_id_source_id")
        ),
    )
    with op.batch_alter_table("learning_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_learning_session_class_id"), ["class_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_learning_session_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_learning_session_platform_id"), ["platform_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_learning_session_trainee_id"), ["trainee_id"], unique=False
        )

    op.create_table(
        "subsidy_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("eligible_trainees", sa.Integer(), nullable=False),
        sa.Column("subsidy_amount", sa.Float(), nullable=False),
        sa.Column("pre_disbursed_amount", sa.Float(), nullable=False),
        sa.Column("settled_amount", sa.Float(), nullable=False),
        sa.Column("platform_fee", sa.Float(), nullable=False),
        sa.Column("submitted_at", schema.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", schema.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["training_class.id"],
            name=op.f("fk_subsidy_claim_class_id_training_class"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_subsidy_claim_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_subsidy_claim_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subsidy_claim")),
    )
    with op.batch_alter_table("subsidy_claim", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subsidy_claim_class_id"), ["class_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_subsidy_claim_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_subsidy_claim_region_code"), ["region_code"], unique=False
        )

    region = sa.table(
        "region",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("level", sa.String),
        sa.column("parent_code", sa.String),
    )
    op.bulk_insert(
        region,
        [
            {"code": code, "name": name, "level": level.value, "parent_code": parent}
            for code, name, level, parent in REGIONS
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("subsidy_claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subsidy_claim_region_code"))
        batch_op.drop_index(batch_op.f("ix_subsidy_claim_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_subsidy_claim_class_id"))

    op.drop_table("subsidy_claim")
    with op.batch_alter_table("learning_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learning_session_trainee_id"))
        batch_op.drop_index(batch_op.f("ix_learning_session_platform_id"))
        batch_op.drop_index(batch_op.f("ix_learning_session_person_id"))
        batch_op.drop_index(batch_op.f("ix_learning_session_class_id"))

    op.drop_table("learning_session")
    with op.batch_alter_table("enrolment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrolment_trainee_id"))
        batch_op.drop_index(batch_op.f("ix_enrolment_platform_id"))
        batch_op.drop_index(batch_op.f("ix_enrolment_class_id"))

    op.drop_table("enrolment")
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificate_trainee_id"))
        batch_op.drop_index(batch_op.f("ix_certificate_platform_id"))
        batch_op.drop_index(batch_op.f("ix_certificate_person_id"))
        batch_op.drop_index(batch_op.f("ix_certificate_class_id"))

    op.drop_table("certificate")
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_trainee_id"))
        batch_op.drop_index(batch_op.f("ix_assessment_platform_id"))
        batch_op.drop_index(batch_op.f("ix_assessment_class_id"))

    op.drop_table("assessment")
    with op.batch_alter_table("training_class", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_class_region_code"))
        batch_op.drop_index(batch_op.f("ix_training_class_platform_id"))
        batch_op.drop_index(batch_op.f("ix_training_class_organiser_id"))
        batch_op.drop_index(batch_op.f("ix_training_class_course_id"))

    op.drop_table("training_class")
    op.drop_table("record_version")
    with op.batch_alter_table("quarantined_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quarantined_record_platform_id"))
        batch_op.drop_index("ix_quarantine_waiting")

    op.drop_table("quarantined_record")
    with op.batch_alter_table("trainee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trainee_region_code"))
        batch_op.drop_index(batch_op.f("ix_trainee_platform_id"))
        batch_op.drop_index(batch_op.f("ix_trainee_person_id"))
        batch_op.drop_index(batch_op.f("ix_trainee_employer_credit_code"))

    op.drop_table("trainee")
    with op.batch_alter_table("sync_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_run_platform_id"))

    op.drop_table("sync_run")
    op.drop_table("sync_cursor")
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_platform_id"))
        batch_op.drop_index(batch_op.f("ix_course_occupation_name"))

    op.drop_table("course")
    with op.batch_alter_table("platform", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_platform_region_code"))
        batch_op.drop_index(batch_op.f("ix_platform_operator_id"))

    op.drop_table("platform")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_region_code"))

    op.drop_table("organisation")
    with op.batch_alter_table("region", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_region_parent_code"))

    op.drop_table("region")
    op.drop_table("person")
    op.drop_table("access_log")
