"""`node(id:)`: any object by its global id, through the same scoped loaders as relations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry

from hub.api.claims.types import SubsidyClaimNode
from hub.api.classes.types import CourseNode, EnrolmentNode, TrainingClassNode
from hub.api.context import HubContext
from hub.api.learning.types import AssessmentNode, CertificateNode, LearningSessionNode
from hub.api.ledger.types import PersonNode, TraineeNode
from hub.api.oversight.types import AccessLogEntryNode
from hub.api.platforms.types import (
    OrganisationNode,
    PlatformNode,
    QuarantinedRecordNode,
    SyncRunNode,
)
from hub.api.policy.types import (
    ClassOpeningNode,
    PlatformFilingNode,
    PolicyParameterNode,
    TrainingProofNode,
)
from hub.api.recoveries.types import SubsidyRecoveryNode
from hub.api.relay import Node, from_global_id
from hub.api.supervision.types import AlertNode
from schema import tables

NODE_TYPES: dict[str, tuple[Any, Callable[[Any], Node]]] = {
    "Trainee": (tables.Trainee, TraineeNode.from_row),
    "Person": (tables.Person, PersonNode.from_row),
    "Course": (tables.Course, CourseNode.from_row),
    "TrainingClass": (tables.TrainingClass, TrainingClassNode.from_row),
    "Enrolment": (tables.Enrolment, EnrolmentNode.from_row),
    "LearningSession": (tables.LearningSession, LearningSessionNode.from_row),
    "Assessment": (tables.Assessment, AssessmentNode.from_row),
    "Certificate": (tables.Certificate, CertificateNode.from_row),
    "Platform": (tables.Platform, PlatformNode.from_row),
    "Organisation": (tables.Organisation, OrganisationNode.from_row),
    "SyncRun": (tables.SyncRun, SyncRunNode.from_row),
    "QuarantinedRecord": (tables.QuarantinedRecord, QuarantinedRecordNode.from_row),
    "SubsidyClaim": (tables.SubsidyClaim, SubsidyClaimNode.from_row),
    "AccessLogEntry": (tables.AccessLogEntry, AccessLogEntryNode.from_row),
    "PlatformFiling": (tables.PlatformFiling, PlatformFilingNode.from_row),
    "ClassOpening": (tables.ClassOpening, ClassOpeningNode.from_row),
    "PolicyParameter": (tables.PolicyParameter, PolicyParameterNode.from_row),
    "TrainingProof": (tables.TrainingProof, TrainingProofNode.from_row),
    "Alert": (tables.Alert, AlertNode.from_row),
    "SubsidyRecovery": (tables.SubsidyRecovery, SubsidyRecoveryNode.from_row),
}


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by global id; null when unknown or out of scope.")
    async def node(self, info: strawberry.Info[HubContext, None], id: strawberry.ID) -> Node | None:
        info.context.require()
        type_name, row_id = from_global_id(id)
        if type_name not in NODE_TYPES:
            return None
        table, to_node = NODE_TYPES[type_name]
        row = await info.context.rows_by_id(table).load(row_id)
        return to_node(row) if row else None
