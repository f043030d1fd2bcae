"""The one scope predicate per entity: what a principal may read, as SQL.

Every resolver and mutation adds `Scope(principal).<entity>()` to its WHERE clause, so rows
outside the caller's scope are never fetched (Hasura-style row filters), and nested relations
and node lookups go through the same predicates.

One rule joins the entities: a row is visible when it is in the caller's own scope (its area,
organisation or platform), or when a visible row of the supervised ledger needs it to be acted
on — the trainees on the roster of a visible class, the platform of a visible class, trainee or
alert record. Reaching goes one step only: a trainee
seen through a roster shows masked numbers and the rows of the caller's own classes, not the
trainee's other classes or certificates. Operational data (sync runs, quarantine) follows the
platforms the caller is responsible for, never those it merely reaches.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.sql import Select

from hub.auth.principal import Principal, Role
from hub.auth.row_probes import RowProbe
from schema.tables import (
    AccessLogEntry,
    Alert,
    AlertRecord,
    ClaimLine,
    ClassOpening,
    Enrolment,
    Organisation,
    Platform,
    PlatformFiling,
    Region,
    SubsidyClaim,
    SubsidyRecovery,
    Trainee,
    TrainingClass,
    TrainingProof,
    WorkflowTransition,
)

T = TypeVar("T")
KEPT_PER_SCOPE = 256  # predicates one Scope keeps: a few dozen; the bound is for callers
# that would pass a new alias to a kept method every time


def _kept(build: Callable[..., T]) -> Callable[..., T]:
    """A predicate built once per Scope and arguments, then reused: SQL expressions are
    immutable, and a Scope shared by a principal's requests (`scope_for`) saves each of them
    building the same predicates again (about a tenth of a request on the resolver path)."""

    @wraps(build)
    def kept(self: Scope, *args: Any) -> T:
        # Arguments (tables, columns) by identity: SQL columns compare into expressions.
        key = (build.__name__, *map(id, args))
        found = self._kept.get(key)
        if found is not None:
            return found[1]  # type: ignore[no-any-return]
        if len(self._kept) >= KEPT_PER_SCOPE:
            self._kept.clear()
        value = build(self, *args)
        self._kept[key] = (args, value)  # the arguments kept alive: their ids stay theirs
        return value

    return kept


class Scope:
    """SQL predicates limiting each entity to what `principal` may see."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal
        self._kept: dict[tuple[Any, ...], tuple[tuple[Any, ...], Any]] = {}
        role = principal.role
        self._all = role is Role.REGION or (role is Role.AUDITOR and not principal.region_code)
        self._by_area = role in (Role.CITY, Role.DISTRICT) or (
            role is Role.AUDITOR and bool(principal.region_code)
        )

    # building blocks -------------------------------------------------------------------------
    @_kept
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

    # industry authority (行业主管部门) ------------------------------------------------------
    # An `industry` token sees and reviews, like an organisation would its own, what belongs to
    # the organisations of its industry registered in its area; nothing of anyone else.
    @property
    def _industry(self) -> bool:
        return self.principal.role is Role.INDUSTRY

    def _industry_area(self) -> Select:
        """The token's region with everything under it (a region token reaches the districts)."""
        code = self.principal.region_code
        cities = select(Region.code).where(Region.parent_code == code)
        return select(Region.code).where(
            or_(Region.code == code, Region.parent_code == code, Region.parent_code.in_(cities))
        )

    @_kept
    def industry_organisations(self) -> Select:
        """Ids of the organisations of the caller's industry registered in its area."""
        return select(Organisation.id).where(
            Organisation.industry_code == self.principal.industry_code,
            Organisation.region_code.in_(self._industry_area()),
        )

    @_kept
    def industry_classes(self) -> ColumnElement[bool]:
        return TrainingClass.organiser_id.in_(self.industry_organisations())

    @_kept
    def industry_trainees(self) -> ColumnElement[bool]:
        enrolled = select(Enrolment.trainee_id).where(Enrolment.class_id.in_(self._class_ids()))
        return Trainee.id.in_(enrolled)

    @_kept
    def industry_platforms(self) -> ColumnElement[bool]:
        used = select(TrainingClass.platform_id).where(self.industry_classes())
        return or_(Platform.operator_id.in_(self.industry_organisations()), Platform.id.in_(used))

    @_kept
    def industry_claims(self) -> ColumnElement[bool]:
        return SubsidyClaim.organisation_id.in_(self.industry_organisations())

    @_kept
    def industry_filings(self) -> ColumnElement[bool]:
        return PlatformFiling.organisation_id.in_(self.industry_organisations())

    @_kept
    def industry_openings(self) -> ColumnElement[bool]:
        return ClassOpening.organisation_id.in_(self.industry_organisations())

    # entities ---------------------------------------------------------------------------------
    @_kept
    def training_classes(self) -> ColumnElement[bool]:
        if self._all:
            return true()
        if self._by_area:
            return TrainingClass.region_code.in_(self._area())
        if self.principal.role is Role.ORG:
            return TrainingClass.organiser_id.in_(self._own_org())
        if self.principal.role is Role.CONNECTOR:
            return TrainingClass.platform_id.in_(self._own_platform())
        if self._industry:
            return self.industry_classes()
        return false()

    @_kept
    def trainees(self) -> ColumnElement[bool]:
        """Trainees of the caller's own scope, and those on the roster of a class it may see."""
        if self._all:
            return true()
        if not self._by_area:
            # An organisation's or industry's own trainees already include everyone enrolled in
            # the classes it may see (a finance token sees no class); a connector's are its own.
            return self.home_trainees()
        return or_(self.home_trainees(), self._on_roster())

    @_kept
    def home_trainees(self) -> ColumnElement[bool]:
        """Trainees in the caller's own scope: registered in its area, employed by the
        organisation or enrolled in its classes, or reported by its platform."""
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
        if self._industry:
            return self.industry_trainees()
        return false()

    def _on_roster(self) -> ColumnElement[bool]:
        """The trainee is enrolled in a class the caller may see: the people it needs to act on
        those classes (their sessions, assessments, certificates, claims).

        Asked of each trainee row as EXISTS over its own enrolments, which PostgreSQL answers by
        an index lookup where it expects few rows (a node, a nested trainee) and by hashing the
        area's roster where it expects many (a count); a page reads few rows but the planner
        cannot tell, so pages ask it per row (`probing_rows`). The roster alone: deriving people
        from sessions, assessments and certificates too would read each of those tables for the
        whole area (bench/scope_rule.py), and their trainees are enrolled.
        """
        enrolled = select(Enrolment.id).where(
            Enrolment.trainee_id == Trainee.id, Enrolment.class_id.in_(self._class_ids())
        )
        return RowProbe(enrolled.correlate(Trainee), joinable=False)

    @_kept
    def persons(self, person_id: ColumnElement[int]) -> ColumnElement[bool]:
        """Persons with at least one trainee record the caller may see."""
        if self._all:
            return true()
        return person_id.in_(select(Trainee.person_id).where(self.trainees()))

    @_kept
    def class_linked(self, table: type) -> ColumnElement[bool]:
        """Enrolments, sessions and assessments: visible with their class.

        Asked of the row's own class (a primary-key lookup) as a `RowProbe`: below a node, a
        trainee's forty sessions then cost forty lookups, not a hash of every class in scope;
        elsewhere PostgreSQL joins or hashes as it did for the IN this replaces.
        """
        if self._all:
            return true()
        if self.principal.role is Role.CONNECTOR:
            return table.platform_id.in_(self._own_platform())  # type: ignore[attr-defined]
        own_class = select(TrainingClass.id).where(
            TrainingClass.id == table.class_id,  # type: ignore[attr-defined]
            self.training_classes(),
        )
        return RowProbe(own_class.correlate(table), joinable=True)

    @_kept
    def trainee_linked(self, table: type) -> ColumnElement[bool]:
        """Certificates: visible with their class, or with a trainee of the caller's own scope."""
        if self._all:
            return true()
        if self.principal.role is Role.CONNECTOR:
            return table.platform_id.in_(self._own_platform())  # type: ignore[attr-defined]
        own = select(Trainee.id).where(self.home_trainees())
        return or_(
            table.class_id.in_(self._class_ids()),  # type: ignore[attr-defined]
            table.trainee_id.in_(own),  # type: ignore[attr-defined]
        )

    @_kept
    def courses(self, table: type) -> ColumnElement[bool]:
        """Courses of the caller's platforms or taught in classes the caller may see."""
        if self._all:
            return true()
        if self.principal.role is Role.CONNECTOR:
            return table.platform_id.in_(self._own_platform())  # type: ignore[attr-defined]
        taught = select(TrainingClass.course_id).where(self.training_classes())
        return table.id.in_(taught)  # type: ignore[attr-defined]

    @_kept
    def platforms(self) -> ColumnElement[bool]:
        """Platforms the caller is responsible for, and those its visible rows were reported on:
        the platform of a visible class, trainee or alert record (its code and name)."""
        if self._all:
            return true()
        if self.principal.role is Role.FINANCE:
            return false()
        reached = [select(AlertRecord.platform_id).where(self.alert_records())]
        if self.principal.role is not Role.CONNECTOR:
            reached.append(select(TrainingClass.platform_id).where(self.training_classes()))
        # A trainee reached through a class is on that class's platform: home trainees suffice.
        # Asked per platform (few) as EXISTS, not as the set of all their platforms, which
        # would read every trainee of the area.
        has_trainees = (
            select(Trainee.id)
            .where(Trainee.platform_id == Platform.id, self.home_trainees())
            .correlate(Platform)
            .exists()
        )
        return or_(
            self.home_platforms(),
            *(Platform.id.in_(q.distinct()) for q in reached),
            has_trainees,
        )

    @_kept
    def home_platforms(self) -> ColumnElement[bool]:
        """Platforms the caller answers for: its own (connector), those it operates (org), those
        of its area or used by its area's classes (bureaus). Their sync runs and quarantine
        are the caller's to see."""
        if self._all:
            return true()
        if self.principal.role is Role.CONNECTOR:
            return Platform.code == self.principal.platform_code
        if self._by_area:
            used = select(TrainingClass.platform_id).where(self.training_classes())
            return or_(Platform.region_code.in_(self._area()), Platform.id.in_(used))
        if self.principal.role is Role.ORG:
            return Platform.operator_id.in_(self._own_org())
        if self._industry:
            return self.industry_platforms()
        return false()

    @_kept
    def pushable_platforms(self) -> ColumnElement[bool]:
        """Platforms whose records the caller may write: a connector its own, an org those it operates."""
        if self.principal.role is Role.CONNECTOR:
            return Platform.code == self.principal.platform_code
        if self.principal.role is Role.ORG:
            return Platform.operator_id.in_(self._own_org())
        return false()

    @_kept
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
        if self._industry:
            return Organisation.id.in_(self.industry_organisations())
        return false()

    @_kept
    def subsidy_claims(self) -> ColumnElement[bool]:
        if self._all:
            return true()
        if self._by_area or self.principal.role is Role.FINANCE:
            return SubsidyClaim.region_code.in_(self._area())
        if self.principal.role is Role.ORG:
            return SubsidyClaim.organisation_id.in_(self._own_org())
        if self._industry:
            return self.industry_claims()
        return false()

    @_kept
    def subsidy_recoveries(self) -> ColumnElement[bool]:
        """Recoveries (追回): visible with the claim they take money back from."""
        if self._all:
            return true()
        return SubsidyRecovery.claim_id.in_(select(SubsidyClaim.id).where(self.subsidy_claims()))

    @_kept
    def platform_filings(self) -> ColumnElement[bool]:
        """Filings: the reviewing district's area, or the filing organisation."""
        if self._all:
            return true()
        if self._by_area:
            return PlatformFiling.region_code.in_(self._area())
        if self.principal.role is Role.ORG:
            return PlatformFiling.organisation_id.in_(self._own_org())
        if self._industry:
            return self.industry_filings()
        return false()

    @_kept
    def class_openings(self) -> ColumnElement[bool]:
        """Class openings: the class's area (finance too: claims rest on them), or the organiser."""
        if self._all:
            return true()
        if self._by_area or self.principal.role is Role.FINANCE:
            return ClassOpening.region_code.in_(self._area())
        if self.principal.role is Role.ORG:
            return ClassOpening.organisation_id.in_(self._own_org())
        if self._industry:
            return self.industry_openings()
        return false()

    @_kept
    def claim_lines(self) -> ColumnElement[bool]:
        """The persons of a claim: visible with the claim."""
        if self._all:
            return true()
        return ClaimLine.claim_id.in_(select(SubsidyClaim.id).where(self.subsidy_claims()))

    @_kept
    def training_proofs(self) -> ColumnElement[bool]:
        """Issued proofs: visible with their class (connectors see none)."""
        if self._all:
            return true()
        if self.principal.role is Role.CONNECTOR:
            return false()
        return TrainingProof.class_id.in_(self._class_ids())

    @_kept
    def workflow_transitions(self) -> ColumnElement[bool]:
        """A transition is visible with the filing, class opening or claim it moved."""
        if self._all:
            return true()
        visible = {
            "platform_filing": select(PlatformFiling.id).where(self.platform_filings()),
            "class_opening": select(ClassOpening.id).where(self.class_openings()),
            "subsidy_claim": select(SubsidyClaim.id).where(self.subsidy_claims()),
            "subsidy_recovery": select(SubsidyRecovery.id).where(self.subsidy_recoveries()),
        }
        return or_(
            *(
                (WorkflowTransition.entity == entity) & WorkflowTransition.entity_id.in_(ids)
                for entity, ids in visible.items()
            )
        )

    @_kept
    def platform_linked(self, table: type) -> ColumnElement[bool]:
        """Quarantine and sync runs: visible with a platform the caller answers for (not to
        finance, and not with platforms merely reached through a visible row)."""
        if self._all:
            return true()
        if self.principal.role in (Role.FINANCE, Role.INDUSTRY):
            return false()
        platform_ids = select(Platform.id).where(self.home_platforms())
        return table.platform_id.in_(platform_ids)  # type: ignore[attr-defined]

    @_kept
    def alerts(self) -> ColumnElement[bool]:
        """Fraud alerts: by area, own organisation, or own platform.

        Area: the alert's region or any of its records' (an alert spanning two cities shows in
        both); organisation: the organiser of the alert's class; platform: one of its records.
        """
        if self._all:
            return true()
        if self._by_area:
            involved = select(AlertRecord.alert_id).where(AlertRecord.region_code.in_(self._area()))
            return or_(Alert.region_code.in_(self._area()), Alert.id.in_(involved))
        if self.principal.role is Role.ORG:
            return Alert.organisation_id.in_(self._own_org())
        if self._industry:
            return Alert.organisation_id.in_(self.industry_organisations())
        if self.principal.role is Role.CONNECTOR:
            return Alert.id.in_(
                select(AlertRecord.alert_id).where(
                    AlertRecord.platform_id.in_(self._own_platform())
                )
            )
        return false()

    @_kept
    def alert_records(self) -> ColumnElement[bool]:
        """The records behind an alert: visible with the alert."""
        if self._all:
            return true()
        return AlertRecord.alert_id.in_(select(Alert.id).where(self.alerts()))

    def statistics(self, source: Any) -> ColumnElement[bool]:
        """Statistics cells (roll-up rows, raw facts, claim totals) by their keys' columns.

        Not kept: its callers build their source anew per request (hub/stats/), so a kept
        predicate would never be asked for again. What it is made of (`_area`…) is kept."""
        if self._all:
            return true()
        columns = source.c
        if self._by_area or self.principal.role is Role.FINANCE:
            area = self._area()
            return or_(columns.city_code.in_(area), columns.district_code.in_(area))
        if self.principal.role is Role.ORG:
            return columns.organisation_id.in_(self._own_org())
        if self._industry:
            return columns.organisation_id.in_(self.industry_organisations())
        if self.principal.role is Role.CONNECTOR:
            return columns.platform_id.in_(self._own_platform())
        return false()

    @_kept
    def access_log(self) -> ColumnElement[bool]:
        """The unmasked-read log is for auditors and the regional department; an auditor
        limited to an area reads the entries of readers in that area (region-wide readers'
        entries only region-wide)."""
        if self._all:
            return true()
        if self.principal.role is Role.AUDITOR:
            return AccessLogEntry.region_code.in_(self._area())
        return false()

    # dispatch ---------------------------------------------------------------------------------
    @_kept
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
            "subsidy_recovery": self.subsidy_recoveries,
            "access_log": self.access_log,
            "platform_filing": self.platform_filings,
            "class_opening": self.class_openings,
            "claim_line": self.claim_lines,
            "training_proof": self.training_proofs,
            "workflow_transition": self.workflow_transitions,
            "policy_parameter": true,  # published policy: every authenticated caller
            "alert": self.alerts,
            "alert_record": self.alert_records,
            "stat_trainee_cell": lambda: self.statistics(table.__table__),  # type: ignore[attr-defined]
            "region": true,
        }
        predicate = direct.get(name)
        return predicate() if predicate else false()


@lru_cache(maxsize=1024)
def scope_for(principal: Principal) -> Scope:
    """The Scope of `principal`, shared by its requests: its predicates are built once.
    Principals are equal only when every claim is, so no two callers share one."""
    return Scope(principal)
