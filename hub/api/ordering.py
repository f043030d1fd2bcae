"""What each connection may be sorted by (`orderBy`): the columns a bureau's pages sort on.

Each member's value is the column's name on the connection's table; rows with equal values keep
the id order, so keyset cursors stay stable (see `hub.api.relay.page_spec`).
"""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="Sort keys of trainees; ties in id order.")
class TraineeOrderField(Enum):
    ID = "id"
    NAME = "name"
    REGION = "region_code"
    FIRST_SEEN_AT = "first_seen_at"
    UPDATED_AT = "updated_at"


@strawberry.enum(description="Sort keys of persons; ties in id order.")
class PersonOrderField(Enum):
    ID = "id"
    NAME = "name"
    BIRTH_DATE = "birth_date"


@strawberry.enum(description="Sort keys of courses; ties in id order.")
class CourseOrderField(Enum):
    ID = "id"
    TITLE = "title"
    OCCUPATION = "occupation_name"
    TOTAL_HOURS = "total_hours"
    ONLINE_HOURS = "online_hours"


@strawberry.enum(
    description="Sort keys of training classes (no name sorts first); ties in id order."
)
class TrainingClassOrderField(Enum):
    ID = "id"
    NAME = "name"
    STARTS_ON = "starts_on"
    ENDS_ON = "ends_on"
    REGION = "region_code"


@strawberry.enum(description="Sort keys of learning sessions; ties in id order.")
class LearningSessionOrderField(Enum):
    ID = "id"
    STARTED_AT = "started_at"
    DURATION = "duration_seconds"


@strawberry.enum(description="Sort keys of assessments; ties in id order.")
class AssessmentOrderField(Enum):
    ID = "id"
    ASSESSED_AT = "assessed_at"


@strawberry.enum(description="Sort keys of certificates; ties in id order.")
class CertificateOrderField(Enum):
    ID = "id"
    ISSUED_ON = "issued_on"


@strawberry.enum(description="Sort keys of platforms and organisations; ties in id order.")
class NameOrderField(Enum):
    ID = "id"
    NAME = "name"
