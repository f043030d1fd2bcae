"""GraphQL types of the real-name ledger: persons and each platform's trainees."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from hub.api.context import HubContext
from hub.api.enums import IdentityCategoryEnum
from hub.api.ledger.loaders import session_summary
from hub.api.personal_text import SourceKeyed
from hub.api.platforms.types import PlatformNode, RegionNode, load_platform, load_region
from hub.api.relay import Node, node_from_row
from schema.tables import Certificate, Enrolment, LearningSession, Person, Trainee

if TYPE_CHECKING:
    from hub.api.classes.types import EnrolmentNode
    from hub.api.learning.types import CertificateNode, LearningSessionNode

Info = strawberry.Info[HubContext, None]
CHILD_LIMIT = 100


@strawberry.type(name="Person")
class PersonNode(Node):
    """One natural person, resolved across platforms by resident ID number."""

    db_id: strawberry.Private[int]
    id_cipher: strawberry.Private[str]
    id_masked: strawberry.Private[str]
    name: str
    birth_year: int
    is_male: bool

    @strawberry.field(description="Resident ID number; masked unless the caller may read PII.")
    def id_number(self, info: Info) -> str:
        context = info.context
        if context.require().can_read_pii:
            return context.reveal("person", self.db_id, "idNumber", self.id_cipher) or ""
        return self.id_masked

    @strawberry.field(description="This person's trainee records on every platform in scope.")
    async def trainees(self, info: Info) -> list[TraineeNode]:
        rows = await info.context.rows_by_parent(Trainee, "person_id", CHILD_LIMIT).load(self.db_id)
        return [TraineeNode.from_row(r) for r in rows]

    @classmethod
    def from_row(cls, row: Person) -> PersonNode:
        return node_from_row(cls, row, birth_year=row.birth_date.year)


@strawberry.type(name="Trainee")
class TraineeNode(SourceKeyed, Node):
    """A platform's real-name ledger entry (实名制培训台账) for one person."""

    db_id: strawberry.Private[int]
    platform_id: strawberry.Private[int]
    person_id: strawberry.Private[int]
    region_code: strawberry.Private[str]
    id_cipher: strawberry.Private[str]
    id_masked: strawberry.Private[str]
    phone_cipher: strawberry.Private[str | None]
    phone_masked: strawberry.Private[str | None]
    source_id: strawberry.Private[str]
    name: str
    identity_category: IdentityCategoryEnum  # type: ignore[valid-type]
    employer_credit_code: str | None
    first_seen_at: datetime
    updated_at: datetime

    @strawberry.field(description="Resident ID number; masked unless the caller may read PII.")
    def id_number(self, info: Info) -> str:
        context = info.context
        if context.require().can_read_pii:
            return context.reveal("trainee", self.db_id, "idNumber", self.id_cipher) or ""
        return self.id_masked

    @strawberry.field(description="Mobile number; masked unless the caller may read PII.")
    def phone(self, info: Info) -> str | None:
        context = info.context
        if context.require().can_read_pii:
            return context.reveal("trainee", self.db_id, "phone", self.phone_cipher)
        return self.phone_masked

    @strawberry.field
    async def region(self, info: Info) -> RegionNode | None:
        return await load_region(info, self.region_code)

    @strawberry.field
    async def platform(self, info: Info) -> PlatformNode | None:
        return await load_platform(info, self.platform_id)

    @strawberry.field
    async def person(self, info: Info) -> PersonNode | None:
        row = await info.context.rows_by_id(Person).load(self.person_id)
        return PersonNode.from_row(row) if row else None

    @strawberry.field(description="Verified online study time, over the sessions in scope.")
    async def online_seconds(self, info: Info) -> int:
        return (await session_summary(info, self.db_id)).online_seconds

    @strawberry.field(description="Start of the latest learning session in scope.")
    async def last_session_at(self, info: Info) -> datetime | None:
        return (await session_summary(info, self.db_id)).last_session_at

    @strawberry.field(description=f"Learning sessions, oldest first (at most {CHILD_LIMIT}).")
    async def sessions(
        self, info: Info
    ) -> list[Annotated[LearningSessionNode, strawberry.lazy("hub.api.learning.types")]]:
        from hub.api.learning.types import LearningSessionNode

        loader = info.context.rows_by_parent(LearningSession, "trainee_id", CHILD_LIMIT)
        return [LearningSessionNode.from_row(r) for r in await loader.load(self.db_id)]

    @strawberry.field
    async def enrolments(
        self, info: Info
    ) -> list[Annotated[EnrolmentNode, strawberry.lazy("hub.api.classes.types")]]:
        from hub.api.classes.types import EnrolmentNode

        loader = info.context.rows_by_parent(Enrolment, "trainee_id", CHILD_LIMIT)
        return [EnrolmentNode.from_row(r) for r in await loader.load(self.db_id)]

    @strawberry.field
    async def certificates(
        self, info: Info
    ) -> list[Annotated[CertificateNode, strawberry.lazy("hub.api.learning.types")]]:
        from hub.api.learning.types import CertificateNode

        loader = info.context.rows_by_parent(Certificate, "trainee_id", CHILD_LIMIT)
        return [CertificateNode.from_row(r) for r in await loader.load(self.db_id)]

    @classmethod
    def from_row(cls, row: Trainee) -> TraineeNode:
        return node_from_row(cls, row)


async def load_trainee(info: Info, trainee_id: int) -> TraineeNode | None:
    row = await info.context.rows_by_id(Trainee).load(trainee_id)
    return TraineeNode.from_row(row) if row else None
