"""The real-name training ledger: persons, and what each platform reported about them.

Every platform-reported row is keyed by (platform_id, source_id) and carries the hash of the
content last accepted, so re-sending a record updates it instead of duplicating it.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from schema.enums import CertificateKind, CourseStandard, IdentityCategory, SessionMode
from schema.tables import base as _base  # noqa: F401  (naming convention first)
from schema.types import BigId, UTCDateTime, enum_column, utcnow


class Person(SQLModel, table=True):
    """One natural person, resolved across platforms by the keyed hash of the resident ID."""

    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    id_hash: str = Field(max_length=64, unique=True)
    id_cipher: str = Field(max_length=200)
    id_masked: str = Field(max_length=18)
    name: str = Field(max_length=200)
    birth_date: date
    is_male: bool
    area_code: str = Field(max_length=6)  # from the ID number: where it was issued
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class _Reported(SQLModel):
    """Columns every platform-reported row has."""

    platform_id: int = Field(foreign_key="platform.id", index=True)
    source_id: str = Field(max_length=128)
    content_hash: str = Field(max_length=64)
    first_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Trainee(_Reported, table=True):
    """A platform's view of a person (实名制培训台账 entry)."""

    __tablename__ = "trainee"
    __table_args__ = (sa.UniqueConstraint("platform_id", "source_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    name: str = Field(max_length=200)
    id_hash: str = Field(max_length=64)  # what this platform reported, kept to spot alterations
    id_cipher: str = Field(max_length=200)
    id_masked: str = Field(max_length=18)
    phone_cipher: str | None = Field(default=None, max_length=200)
    phone_masked: str | None = Field(default=None, max_length=11)
    identity_category: IdentityCategory = Field(sa_type=enum_column(IdentityCategory))
    region_code: str = Field(foreign_key="region.code", index=True)
    employer_credit_code: str | None = Field(default=None, max_length=18, index=True)


class Course(_Reported, table=True):
    __tablename__ = "course"
    __table_args__ = (
        sa.UniqueConstraint("platform_id", "source_id"),
        sa.CheckConstraint("online_hours <= total_hours * 0.4 + 0.000001", name="online_share"),
        sa.CheckConstraint("skill_level BETWEEN 1 AND 5", name="skill_level"),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    occupation_name: str = Field(max_length=200, index=True)
    occupation_code: str | None = Field(default=None, max_length=32)
    skill_level: int
    standard: CourseStandard | None = Field(default=None, sa_type=enum_column(CourseStandard))
    total_hours: float
    online_hours: float


class TrainingClass(_Reported, table=True):
    """A class opening (开班): approval must precede online training."""

    __tablename__ = "training_class"
    __table_args__ = (
        sa.UniqueConstraint("platform_id", "source_id"),
        sa.CheckConstraint("ends_on >= starts_on", name="dates"),
    )

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="course.id", index=True)
    organiser_id: int = Field(foreign_key="organisation.id", index=True)
    region_code: str = Field(foreign_key="region.code", index=True)
    name: str | None = Field(default=None, max_length=200)
    starts_on: date
    ends_on: date
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Enrolment(_Reported, table=True):
    __tablename__ = "enrolment"
    __table_args__ = (sa.UniqueConstraint("platform_id", "source_id"),)

    id: int | None = Field(default=None, primary_key=True)
    class_id: int = Field(foreign_key="training_class.id", index=True)
    trainee_id: int = Field(foreign_key="trainee.id", index=True)
    enrolled_on: date | None = None


class LearningSession(_Reported, table=True):
    """A learning record (学习记录); the hub's duration sits beside the platform's claim."""

    __tablename__ = "learning_session"
    __table_args__ = (
        sa.UniqueConstraint("platform_id", "source_id"),
        sa.CheckConstraint("ended_at > started_at", name="times"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=BigId)
    trainee_id: int = Field(foreign_key="trainee.id", index=True)
    class_id: int = Field(foreign_key="training_class.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    started_at: datetime = Field(sa_type=UTCDateTime)
    ended_at: datetime = Field(sa_type=UTCDateTime)
    duration_seconds: int
    reported_seconds: int | None = None
    mode: SessionMode = Field(sa_type=enum_column(SessionMode))
    activity: str | None = Field(default=None, max_length=200)


class Assessment(_Reported, table=True):
    """A training-effect assessment (培训效果考评)."""

    __tablename__ = "assessment"
    __table_args__ = (sa.UniqueConstraint("platform_id", "source_id"),)

    id: int | None = Field(default=None, primary_key=True)
    trainee_id: int = Field(foreign_key="trainee.id", index=True)
    class_id: int = Field(foreign_key="training_class.id", index=True)
    assessed_at: datetime = Field(sa_type=UTCDateTime)
    passed: bool
    score: float | None = None


class Certificate(_Reported, table=True):
    __tablename__ = "certificate"
    __table_args__ = (sa.UniqueConstraint("platform_id", "source_id"),)

    id: int | None = Field(default=None, primary_key=True)
    trainee_id: int = Field(foreign_key="trainee.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    class_id: int | None = Field(default=None, foreign_key="training_class.id", index=True)
    kind: CertificateKind = Field(sa_type=enum_column(CertificateKind))
    number: str = Field(max_length=64)
    issued_on: date
    occupation_code: str | None = Field(default=None, max_length=32)
    skill_level: int | None = None
