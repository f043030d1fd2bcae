"""GraphQL types of learning sessions, assessments and certificates."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from hub.api.classes.types import TrainingClassNode, load_class
from hub.api.context import HubContext
from hub.api.enums import CertificateKindEnum, SessionModeEnum
from hub.api.ledger.types import TraineeNode, load_trainee
from hub.api.personal_text import SourceKeyed
from hub.api.platforms.types import PlatformNode, load_platform
from hub.api.relay import Node, node_from_row
from schema.tables import Assessment, Certificate, LearningSession

Info = strawberry.Info[HubContext, None]


@strawberry.type
class _TraineeInClass:
    trainee_id: strawberry.Private[int]
    class_id: strawberry.Private[int | None]
    platform_id: strawberry.Private[int]

    @strawberry.field
    async def trainee(self, info: Info) -> TraineeNode | None:
        return await load_trainee(info, self.trainee_id)

    @strawberry.field
    async def training_class(self, info: Info) -> TrainingClassNode | None:
        return await load_class(info, self.class_id)

    @strawberry.field
    async def platform(self, info: Info) -> PlatformNode | None:
        return await load_platform(info, self.platform_id)


@strawberry.type(name="LearningSession")
class LearningSessionNode(SourceKeyed, _TraineeInClass, Node):
    """A learning record (学习记录): the hub's duration beside the platform's claim."""

    source_id: strawberry.Private[str]
    started_at: datetime
    ended_at: datetime
    duration_seconds: int
    reported_seconds: int | None
    mode: SessionModeEnum  # type: ignore[valid-type]
    activity: str | None

    @classmethod
    def from_row(cls, row: LearningSession) -> LearningSessionNode:
        return node_from_row(cls, row)


@strawberry.type(name="Assessment")
class AssessmentNode(SourceKeyed, _TraineeInClass, Node):
    """A training-effect assessment (培训效果考评)."""

    source_id: strawberry.Private[str]
    assessed_at: datetime
    passed: bool
    score: float | None

    @classmethod
    def from_row(cls, row: Assessment) -> AssessmentNode:
        return node_from_row(cls, row)


@strawberry.type(name="Certificate")
class CertificateNode(SourceKeyed, _TraineeInClass, Node):
    source_id: strawberry.Private[str]
    kind: CertificateKindEnum  # type: ignore[valid-type]
    number: str
    issued_on: date
    occupation_code: str | None
    skill_level: int | None

    @classmethod
    def from_row(cls, row: Certificate) -> CertificateNode:
        return node_from_row(cls, row)
