"""SQLModel tables of the unified schema, split by aggregate."""

from schema.tables.base import metadata
from schema.tables.claims import SubsidyClaim
from schema.tables.operations import (
    AccessLogEntry,
    QuarantinedRecord,
    RecordVersion,
    SyncCursor,
    SyncRun,
)
from schema.tables.reference import Organisation, Platform, Region
from schema.tables.statistics import StatTraineeCell
from schema.tables.training import (
    Assessment,
    Certificate,
    Course,
    Enrolment,
    LearningSession,
    Person,
    Trainee,
    TrainingClass,
)

__all__ = [
    "AccessLogEntry",
    "Assessment",
    "Certificate",
    "Course",
    "Enrolment",
    "LearningSession",
    "Organisation",
    "Person",
    "Platform",
    "QuarantinedRecord",
    "RecordVersion",
    "Region",
    "StatTraineeCell",
    "SubsidyClaim",
    "SyncCursor",
    "SyncRun",
    "Trainee",
    "TrainingClass",
    "metadata",
]
