"""A principal's Scope is shared by its requests (`scope_for`) and keeps the predicates it built.

Kept predicates must be exactly what a fresh Scope builds, whatever was asked before and in
whichever order, and no two principals may share one. (The leak matrix and the scope tests run
through the shared scopes too: they are what `HubContext.scope` gives every resolver.)
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql

from hub.auth.principal import Principal, Role
from hub.auth.scopes import Scope, scope_for
from schema import tables

TABLES = [
    tables.Trainee,
    tables.TrainingClass,
    tables.Platform,
    tables.Organisation,
    tables.Enrolment,
    tables.LearningSession,
    tables.Assessment,
    tables.Certificate,
    tables.Person,
    tables.Course,
    tables.QuarantinedRecord,
    tables.SyncRun,
    tables.SubsidyClaim,
    tables.SubsidyRecovery,
    tables.AccessLogEntry,
    tables.PlatformFiling,
    tables.ClassOpening,
    tables.ClaimLine,
    tables.TrainingProof,
    tables.WorkflowTransition,
    tables.PolicyParameter,
    tables.Alert,
    tables.AlertRecord,
    tables.StatTraineeCell,
    tables.Region,
]
PRINCIPALS = [
    Principal("r", Role.REGION),
    Principal("w", Role.CITY, region_code="150300"),
    Principal("h", Role.CITY, region_code="150100"),
    Principal("d", Role.DISTRICT, region_code="150302"),
    Principal("f", Role.FINANCE, region_code="150300"),
    Principal("o", Role.ORG, org_credit_code="91150300MA0N000001"),
    Principal("c", Role.CONNECTOR, platform_code="wuhai-skills"),
    Principal("a", Role.AUDITOR, region_code="150300", pii=True),
    Principal("i", Role.INDUSTRY, region_code="150300", industry_code="C"),
]


def _sql(predicate: Any) -> tuple[str, dict[str, Any]]:
    compiled = predicate.compile(dialect=postgresql.dialect())
    return str(compiled), dict(compiled.params)


@settings(max_examples=60, deadline=None)
@given(
    principal=st.sampled_from(PRINCIPALS),
    asked=st.lists(st.sampled_from(TABLES), min_size=1, max_size=40),
)
def test_kept_predicates_equal_freshly_built_ones(principal: Principal, asked: list[Any]) -> None:
    shared = scope_for(principal)
    for table in asked:  # asked in any order, any number of times
        assert _sql(shared.for_table(table)) == _sql(Scope(principal).for_table(table))
    assert _sql(shared.trainees()) == _sql(Scope(principal).trainees())
    assert _sql(shared.persons(tables.Person.id)) == _sql(
        Scope(principal).persons(tables.Person.id)
    )


def test_each_principal_has_its_own_scope() -> None:
    assert scope_for(PRINCIPALS[1]) is scope_for(Principal("w", Role.CITY, region_code="150300"))
    wuhai, hohhot = scope_for(PRINCIPALS[1]), scope_for(PRINCIPALS[2])
    assert wuhai is not hohhot
    assert _sql(wuhai.trainees()) != _sql(hohhot.trainees())
    # the same person under another subject or name is another principal: nothing is shared
    assert scope_for(Principal("w2", Role.CITY, region_code="150300")) is not wuhai


def test_a_scope_keeps_a_bounded_number_of_predicates() -> None:
    """A caller passing a new source each time (an alias per statement) cannot grow it."""
    scope = Scope(PRINCIPALS[1])
    for _ in range(1000):
        person_id = tables.Person.__table__.alias().c.id  # type: ignore[attr-defined]
        assert _sql(scope.persons(person_id)) == _sql(Scope(PRINCIPALS[1]).persons(person_id))
    assert 0 < len(scope._kept) <= 256


def test_statistics_per_request_sources_leave_the_kept_predicates_alone() -> None:
    """The statistics build their source anew per request (hub/stats/): asking the scope of
    each neither grows what it keeps nor pushes out the predicates its other requests reuse."""
    scope = Scope(PRINCIPALS[1])
    trainees = scope.for_table(tables.Trainee)
    kept = len(scope._kept)
    for _ in range(1000):
        source = tables.StatTraineeCell.__table__.alias()  # type: ignore[attr-defined]
        assert _sql(scope.statistics(source)) == _sql(Scope(PRINCIPALS[1]).statistics(source))
    assert len(scope._kept) <= kept + 1  # at most the area subquery the statistics share
    assert scope.for_table(tables.Trainee) is trainees
