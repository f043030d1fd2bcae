"""GraphQL types of courses, training classes and enrolments (the roster)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from hub.api.context import HubContext
from hub.api.enums import CourseStandardEnum
from hub.api.ledger.types import CHILD_LIMIT, TraineeNode, load_trainee
from hub.api.personal_text import SourceKeyed
from hub.api.platforms.types import (
    OrganisationNode,
    PlatformNode,
    RegionNode,
    load_platform,
    load_region,
)
from hub.api.relay import Node, node_from_row
from schema.tables import Course, Enrolment, LearningSession, Organisation, TrainingClass

if TYPE_CHECKING:
    from hub.api.learning.types import LearningSessionNode

Info = strawberry.Info[HubContext, None]


@strawberry.type(name="Course")
class CourseNode(SourceKeyed, Node):
    db_id: strawberry.Private[int]
    platform_id: strawberry.Private[int]
    source_id: strawberry.Private[str]
    title: str
    occupation_name: str
    occupation_code: str | None
    skill_level: int
    standard: CourseStandardEnum | None  # type: ignore[valid-type]
    total_hours: float
    online_hours: float

    @strawberry.field
    async def platform(self, info: Info) -> PlatformNode | None:
        return await load_platform(info, self.platform_id)

    @classmethod
    def from_row(cls, row: Course) -> CourseNode:
        return node_from_row(cls, row)


@strawberry.type(name="TrainingClass")
class TrainingClassNode(SourceKeyed, Node):
    """A class opening (开班)."""

    db_id: strawberry.Private[int]
    platform_id: strawberry.Private[int]
    course_id: strawberry.Private[int]
    organiser_id: strawberry.Private[int]
    region_code: strawberry.Private[str]
    source_id: strawberry.Private[str]
    name: str | None
    starts_on: date
    ends_on: date
    approved_at: datetime | None

    @strawberry.field
    async def course(self, info: Info) -> CourseNode | None:
        row = await info.context.rows_by_id(Course).load(self.course_id)
        return CourseNode.from_row(row) if row else None

    @strawberry.field
    async def organiser(self, info: Info) -> OrganisationNode | None:
        row = await info.context.rows_by_id(Organisation).load(self.organiser_id)
        return OrganisationNode.from_row(row) if row else None

    @strawberry.field
    async def region(self, info: Info) -> RegionNode | None:
        return await load_region(info, self.region_code)

    @strawberry.field
    async def platform(self, info: Info) -> PlatformNode | None:
        return await load_platform(info, self.platform_id)

    @strawberry.field(description=f"The roster (at most {CHILD_LIMIT} enrolments).")
    async def enrolments(self, info: Info) -> list[EnrolmentNode]:
        loader = info.context.rows_by_parent(Enrolment, "class_id", CHILD_LIMIT)
        return [EnrolmentNode.from_row(r) for r in await loader.load(self.db_id)]

    @strawberry.field(description=f"Learning sessions, oldest first (at most {CHILD_LIMIT}).")
    async def sessions(
        self, info: Info
    ) -> list[Annotated[LearningSessionNode, strawberry.lazy("hub.api.learning.types")]]:
        from hub.api.learning.types import LearningSessionNode

        loader = info.context.rows_by_parent(LearningSession, "class_id", CHILD_LIMIT)
        return [LearningSessionNode.from_row(r) for r in await loader.load(self.db_id)]

    @classmethod
    def from_row(cls, row: TrainingClass) -> TrainingClassNode:
        return node_from_row(cls, row)


async def load_class(info: Info, class_id: int | None) -> TrainingClassNode | None:
    if class_id is None:
        return None
    row = await info.context.rows_by_id(TrainingClass).load(class_id)
    return TrainingClassNode.from_row(row) if row else None


@strawberry.type(name="Enrolment")
class EnrolmentNode(SourceKeyed, Node):
    class_id: strawberry.Private[int]
    trainee_id: strawberry.Private[int]
    platform_id: strawberry.Private[int]
    source_id: strawberry.Private[str]
    enrolled_on: date | None

    @strawberry.field
    async def training_class(self, info: Info) -> TrainingClassNode | None:
        return await load_class(info, self.class_id)

    @strawberry.field
    async def trainee(self, info: Info) -> TraineeNode | None:
        return await load_trainee(info, self.trainee_id)

    @strawberry.field
    async def platform(self, info: Info) -> PlatformNode | None:
        return await load_platform(info, self.platform_id)

    @classmethod
    def from_row(cls, row: Enrolment) -> EnrolmentNode:
        return node_from_row(cls, row)
