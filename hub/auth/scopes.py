"""The one scope predicate per entity: what a principal may read, as SQL.

Every resolver and mutation adds `Scope(principal).<entity>()` to its WHERE clause, so rows
outside the caller's scope are never fetched (Hasura-style row filters), and nested relations
and node lookups go through the same predicates.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.sql import Select

from hub.auth.principal import Principal, Role
from schema.tables import (
    Enrolment,
    Organisation,
    Platform,
    Region,
    SubsidyClaim,
    Trainee,
    TrainingClass,
)


class Scope:
    """SQL predicates limiting each entity to what `principal` may see."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal
        role = principal.role
        self._all = role is Role.REGION or (role is Role.AUDITOR and not principal.region_code)
        self._by_area = role in (Role.CITY, Role.DISTRICT) or (
            role is Role.AUDITOR and bool(principal.region_code)
        )

    # building blocks -------------------------------------------------------------------------
    def _area(self) -> Select:
        """Region codes in the caller's area: a city and its districts, or one district."""
        code = self.principal.region_code
        return select(Region.code).where(or_(Region.code == code, Region.parent_code == code))

    def _own_org(self) -> Select:
        return select(Organisation.id).where(
            Organisation.credit_code == self.principal.org_credit_code
        )

    def _own_platform(self) -> Select:
        return select(Platform.id).where(Platform.code == self.principal.platform_code)

    def _class_ids(self) -> Select:
        return select(TrainingClass.id).where(self.training_classes())

    def _trainee_ids(self) -> Select:
        return select(Trainee.id).where(self.trainees())

    # entities ---------------------------------------------------------------------------------
    def training_classes(self) -> ColumnElement[bool]:
        if self._all:
            return true()
        if self._by_area:
            return TrainingClass.region_code.in_(self._area())
        if self.principal.role is Role.ORG:
            return TrainingClass.organiser_id.in_(self._own_org())
        if self.principal.role is Role.CONNECTOR:
            return TrainingClass.platform_id.in_(self._own_platform())
        return false()

    def trainees(self) -> ColumnElement[bool]:
        if self._all:
            return true()
        if self._by_area:
            return Trainee.region_code.in_(self._area())
        if self.principal.role is Role.ORG:
            enrolled = select(Enrolment.trainee_id).where(Enrolment.class_id.in_(self._class_ids()))
            return or_(
                Trainee.id.in_(enrolled),
                Trainee.employer_credit_code == self.principal.org_credit_code,
            )
        if self.principal.role is Role.CONNECTOR:
            return Trainee.platform_id.in_(self._own_platform())
        return false()

    def persons(self, person_id: ColumnElement[int]) -> ColumnElement[bool]:
        """Persons with at least one trainee record the caller may see."""
        if self._all:
            return true()
        return person_id.in_(select(Trainee.person_id).where(self.trainees()))

    def class_linked(self, table: type) -> ColumnElement[bool]:
        """Enrolments, sessions and assessments: visible with their class."""
        if self._all:
            return true()
        if self.principal.role is Role.CONNECTOR:
            return table.platform_id.in_(self._own_platform())  # type: ignore[attr-defined]
        return table.class_id.in_(self._class_ids())  # type: ignore[attr-defined]

    def trainee_linked(self, table: type) -> ColumnElement[bool]:
        """Certificates: visible with their trainee."""
        if self._all:
            return true()
        if self.principal.role is Role.CONNECTOR:
            return table.platform_id.in_(self._own_platform())  # type: ignore[attr-defined]
        return table.trainee_id.in_(self._trainee_ids())  # type: ignore[attr-defined]

    def courses(self, table: type) -> ColumnElement[bool]:
        """Courses of the caller's platforms or taught in classes the caller may see."""
        if self._all:
            return true()
        if self.principal.role is Role.CONNECTOR:
            return table.platform_id.in_(self._own_platform())  # type: ignore[attr-defined]
        taught = select(TrainingClass.course_id).where(self.training_classes())
        return table.id.in_(taught)  # type: ignore[attr-defined]

    def platforms(self) -> ColumnElement[bool]:
        if self._all:
            return true()
        if self.principal.role is Role.CONNECTOR:
            return Platform.code == self.principal.platform_code
        used = select(TrainingClass.platform_id).where(self.training_classes())
        if self._by_area:
            return or_(Platform.region_code.in_(self._area()), Platform.id.in_(used))
        if self.principal.role is Role.ORG:
            return or_(Platform.operator_id.in_(self._own_org()), Platform.id.in_(used))
        return false()

    def organisations(self) -> ColumnElement[bool]:
        if self._all:
            return true()
        if self.principal.role is Role.ORG:
            return Organisation.credit_code == self.principal.org_credit_code
        if self.principal.role is Role.CONNECTOR:
            return Organisation.id.in_(select(Platform.operator_id).where(self.platforms()))
        if self._by_area or self.principal.role is Role.FINANCE:
            organisers = select(TrainingClass.organiser_id).where(
                TrainingClass.region_code.in_(self._area())
            )
            return or_(Organisation.region_code.in_(self._area()), Organisation.id.in_(organisers))
        return false()

    def subsidy_claims(self) -> ColumnElement[bool]:
        if self._all:
            return true()
        if self._by_area or self.principal.role is Role.FINANCE:
            return SubsidyClaim.region_code.in_(self._area())
        if self.principal.role is Role.ORG:
            return SubsidyClaim.organisation_id.in_(self._own_org())
        return false()

    def platform_linked(self, table: type) -> ColumnElement[bool]:
        """Quarantine and sync runs: visible with their platform (not to finance)."""
        if self._all:
            return true()
        if self.principal.role is Role.FINANCE:
            return false()
        platform_ids = select(Platform.id).where(self.platforms())
        return table.platform_id.in_(platform_ids)  # type: ignore[attr-defined]

    def statistics(self, source: Any) -> ColumnElement[bool]:
        """Statistics cells (roll-up rows, raw facts, claim totals) by their keys' columns."""
        if self._all:
            return true()
        columns = source.c
        if self._by_area or self.principal.role is Role.FINANCE:
            area = self._area()
            return or_(columns.city_code.in_(area), columns.district_code.in_(area))
        if self.principal.role is Role.ORG:
            return columns.organisation_id.in_(self._own_org())
        if self.principal.role is Role.CONNECTOR:
            return columns.platform_id.in_(self._own_platform())
        return false()

    def access_log(self) -> ColumnElement[bool]:
        """The unmasked-read log is for auditors and the regional department only."""
        return true() if self.principal.role in (Role.AUDITOR, Role.REGION) else false()

    # dispatch ---------------------------------------------------------------------------------
    def for_table(self, table: type) -> ColumnElement[bool]:
        """The predicate for any table the API serves; unknown tables are denied."""
        name = getattr(table, "__tablename__", "")
        if name in ("enrolment", "learning_session", "assessment"):
            return self.class_linked(table)
        if name == "certificate":
            return self.trainee_linked(table)
        if name in ("quarantined_record", "sync_run"):
            return self.platform_linked(table)
        if name == "person":
            return self.persons(table.id)  # type: ignore[attr-defined]
        if name == "course":
            return self.courses(table)
        direct = {
            "trainee": self.trainees,
            "training_class": self.training_classes,
            "platform": self.platforms,
            "organisation": self.organisations,
            "subsidy_claim": self.subsidy_claims,
            "access_log": self.access_log,
            "stat_trainee_cell": lambda: self.statistics(table.__table__),  # type: ignore[attr-defined]
            "region": true,
        }
        predicate = direct.get(name)
        return predicate() if predicate else false()
