"""SQLModel tables of the unified schema, split by aggregate."""

from schema.tables.base import metadata
from schema.tables.claims import SubsidyClaim, SubsidyRecovery
from schema.tables.credentials import ApiKey, StaffAccount
from schema.tables.leases import SyncLease
from schema.tables.operations import (
    AccessLogEntry,
    QuarantinedRecord,
    RecordVersion,
    SyncCursor,
    SyncReadId,
    SyncRun,
)
from schema.tables.policy import (
    ClaimLine,
    ClassOpening,
    PlatformFiling,
    PolicyParameter,
    TrainingProof,
    WorkflowTransition,
)
from schema.tables.push import PushReceipt
from schema.tables.reference import (
    CatalogueListing,
    Organisation,
    OrganisationVersion,
    Platform,
    Region,
)
from schema.tables.statistics import StatAreaCell, StatAreaTotal, StatTraineeCell
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
    "ApiKey",
    "Alert",
    "AlertRecord",
    "CatalogueListing",
    "Assessment",
    "Certificate",
    "ClaimLine",
    "ClassOpening",
    "Course",
    "Enrolment",
    "LearningSession",
    "LedgerEntry",
    "LedgerHead",
    "Organisation",
    "OrganisationVersion",
    "Person",
    "Platform",
    "PushReceipt",
    "PlatformFiling",
    "PolicyParameter",
    "QuarantinedRecord",
    "RecordVersion",
    "Region",
    "StaffAccount",
    "StatAreaCell",
    "StatAreaTotal",
    "StatTraineeCell",
    "SubsidyClaim",
    "SubsidyRecovery",
    "SyncCursor",
    "SyncLease",
    "SyncReadId",
    "SyncRun",
    "Trainee",
    "TrainingClass",
    "TrainingProof",
    "WorkflowTransition",
    "metadata",
]
