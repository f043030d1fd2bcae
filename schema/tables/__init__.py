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
from schema.tables.supervision import Alert, AlertRecord, LedgerEntry, LedgerHead
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
    "Alert",
    "AlertRecord",
    "Assessment",
    "Certificate",
    "Course",
    "Enrolment",
    "LearningSession",
    "LedgerEntry",
    "LedgerHead",
    "Organisation",
    "Person",
    "Platform",
    "QuarantinedRecord",
    "RecordVersion",
    "Region",
    "SubsidyClaim",
    "SyncCursor",
    "SyncRun",
    "Trainee",
    "TrainingClass",
    "metadata",
]
