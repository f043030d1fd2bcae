"""The root connections the compiled path serves, with the same WHERE builders as their resolvers.

Each entry names the table and the function the resolver itself calls for the caller's scope and
the filter, so both paths read exactly the same rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hub.api.classes.queries import course_where, enrolment_where, training_class_where
from hub.api.learning.queries import assessment_where, certificate_where, learning_session_where
from hub.api.ledger.queries import person_where, trainee_where
from hub.api.platforms.queries import organisation_where, platform_where
from schema import tables


@dataclass(frozen=True)
class RootConnection:
    table: Any
    where: Callable[[Any, Any], list[Any]]


ROOT_CONNECTIONS: dict[str, RootConnection] = {
    "trainees": RootConnection(tables.Trainee, trainee_where),
    "persons": RootConnection(tables.Person, person_where),
    "courses": RootConnection(tables.Course, course_where),
    "trainingClasses": RootConnection(tables.TrainingClass, training_class_where),
    "enrolments": RootConnection(tables.Enrolment, enrolment_where),
    "learningSessions": RootConnection(tables.LearningSession, learning_session_where),
    "assessments": RootConnection(tables.Assessment, assessment_where),
    "certificates": RootConnection(tables.Certificate, certificate_where),
    "platforms": RootConnection(tables.Platform, platform_where),
    "organisations": RootConnection(tables.Organisation, organisation_where),
}
