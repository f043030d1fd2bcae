"""Which GraphQL fields the compiled read path can write as SQL, and how.

Only what is listed here compiles; any other field (a new one, one computed in Python, one
needing decryption) sends its root field back to the resolvers. Relations read their rows through
`Scope.for_table` exactly as the resolvers' loaders do (`HubContext.rows_by_id`/`rows_by_parent`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Enum,
    Float,
    Integer,
    any_,
    case,
    cast,
    extract,
    func,
    select,
)
from sqlalchemy.sql import ColumnElement, FromClause, Select, operators, visitors
from sqlalchemy.sql.elements import BinaryExpression
from sqlalchemy.sql.selectable import ScalarSelect
from sqlalchemy.sql.util import ClauseAdapter

from hub.api.ledger.types import CHILD_LIMIT
from hub.auth.row_probes import probing_rows
from schema.enums import SessionMode
from schema.tables import (
    Assessment,
    Certificate,
    Course,
    Enrolment,
    LearningSession,
    Organisation,
    Person,
    Platform,
    Region,
    Trainee,
    TrainingClass,
)
from schema.types import UTCDateTime

if TYPE_CHECKING:
    from graphql import FieldNode

    from hub.api.compiled.compiler import Compiler


class NotCompilable(Exception):
    """This root field (or operation) is left to the resolvers."""


class FieldSql:
    """How one GraphQL field of a type is computed from a row source `src`."""

    def build(self, compiler: Compiler, src: FromClause, nodes: list[FieldNode]) -> Any:
        raise NotImplementedError


@dataclass(frozen=True)
class Col(FieldSql):
    """A column, formatted as the resolvers' JSON formats its Python value."""

    name: str

    def build(self, compiler: Compiler, src: FromClause, nodes: list[FieldNode]) -> Any:
        column = src.c[self.name]
        sql = compiler.sql
        kind = column.type
        if isinstance(kind, UTCDateTime):
            return sql.timestamp(column)
        if isinstance(kind, Enum) and kind.enum_class is not None:
            return sql.enum(column, kind.enum_class)
        if isinstance(kind, Date):
            return sql.date(column)
        if isinstance(kind, Boolean):
            return sql.boolean(column)
        if isinstance(kind, Float):
            return sql.number(column)
        return column


@dataclass(frozen=True)
class GlobalId(FieldSql):
    type_name: str

    def build(self, compiler: Compiler, src: FromClause, nodes: list[FieldNode]) -> Any:
        return compiler.sql.prefixed_id(self.type_name, src.c.id)


@dataclass(frozen=True)
class Masked(FieldSql):
    """A personal number: the stored masked form; a caller who may read it unmasked is served
    by the resolvers, which decrypt and log the read."""

    name: str

    def build(self, compiler: Compiler, src: FromClause, nodes: list[FieldNode]) -> Any:
        if compiler.principal.can_read_pii:
            raise NotCompilable("unmasked personal data is read through the logged path")
        return src.c[self.name]


@dataclass(frozen=True)
class ToOne(FieldSql):
    """A related row by key, within the caller's scope (null when out of it)."""

    table: Any
    column: str
    type_name: str
    key: str = "id"

    def build(self, compiler: Compiler, src: FromClause, nodes: list[FieldNode]) -> Any:
        table = self.table
        rows = (
            select(table)
            .where(getattr(table, self.key) == src.c[self.column], compiler.scoped(table))
            .correlate(src)
            .subquery(compiler.alias())
        )
        value = compiler.object_json(self.type_name, rows, nodes)
        return compiler.sql.nested(select(value).select_from(compiler.rows(rows)).scalar_subquery())


@dataclass(frozen=True)
class ToMany(FieldSql):
    """Child rows in scope, oldest first, at most CHILD_LIMIT (as `rows_by_parent`)."""

    table: Any
    column: str
    type_name: str

    def build(self, compiler: Compiler, src: FromClause, nodes: list[FieldNode]) -> Any:
        table = self.table
        rows = (
            select(table)
            .where(getattr(table, self.column) == src.c.id, compiler.scoped(table))
            .correlate(src)
            .order_by(table.id)
            .limit(CHILD_LIMIT)
            .subquery(compiler.alias())
        )
        item = compiler.object_json(self.type_name, rows, nodes)
        array = compiler.sql.array(item, [rows.c.id])
        return compiler.sql.nested(select(array).select_from(compiler.rows(rows)).scalar_subquery())


def _online_duration() -> ColumnElement[Any]:
    """A session's seconds if it was online, else 0."""
    return case(
        (LearningSession.mode == SessionMode.ONLINE, LearningSession.duration_seconds),
        else_=0,
    )


def _online() -> ColumnElement[Any]:
    return func.coalesce(func.sum(_online_duration()), 0)


def _sessions_of(compiler: Compiler, src: FromClause, *values: ColumnElement[Any]) -> Select[Any]:
    """Aggregates over the trainee's sessions in scope (as `session_summary` reads them)."""
    return select(*values).where(
        LearningSession.trainee_id == src.c.id,
        compiler.scoped(LearningSession),
    )


def _session_totals(compiler: Compiler, src: FromClause) -> FromClause:
    """Both per-trainee aggregates in one lateral subquery (PostgreSQL): one pass over the
    trainee's sessions for `onlineSeconds` and `lastSessionAt` together.

    The sessions are summed per what the scope asks of a session (its class; a connector's, its
    platform) first, and the scope is asked once per such group: a trainee's forty sessions in
    one class cost one probe of that class, where asking each session made PostgreSQL hash
    every class in a city's area for each statement (a third of the city page's SQL). The
    sessions counted are the same."""

    def build() -> Select[Any]:
        visible = _area_once(probing_rows(compiler.scope.for_table(LearningSession), one_row=True))
        asked = _session_columns(visible)
        groups = (
            select(
                *asked,
                func.sum(_online_duration()).label("online_seconds"),
                func.max(LearningSession.started_at).label("last_session_at"),
            )
            .where(LearningSession.trainee_id == src.c.id)
            .group_by(*asked)
            .correlate(src)  # the lateral's row, not a FROM of its own
            .subquery(compiler.alias())
        )
        return select(
            cast(func.coalesce(func.sum(groups.c.online_seconds), 0), BigInteger).label(
                "online_seconds"
            ),
            func.max(groups.c.last_session_at).label("last_session_at"),
        ).where(ClauseAdapter(groups).traverse(visible))

    return compiler.lateral(src, "session_totals", build)


def _area_once(predicate: ColumnElement[bool]) -> ColumnElement[bool]:
    """`predicate` with each `code IN (<regions of the area>)` read as `= ANY(array(…))`.

    The same regions. PostgreSQL joins an IN to the region table again inside every probe of a
    class; an array it builds once per statement (city statement 0.81 -> 0.73 ms, city page
    +10-15% req/s)."""

    def once(element: Any) -> Any:
        if (
            isinstance(element, BinaryExpression)
            and element.operator is operators.in_op
            and isinstance(element.right, ScalarSelect)
            and Region.__table__ in element.right.element.get_final_froms()
        ):
            return element.left == any_(func.array(element.right))
        return None

    return visitors.replacement_traverse(predicate, {}, once)


def _session_columns(predicate: ColumnElement[bool]) -> list[ColumnElement[Any]]:
    """The session's own columns `predicate` reads, in table order."""
    table = LearningSession.__table__  # type: ignore[attr-defined]
    read = {c.key for c in visitors.iterate(predicate) if getattr(c, "table", None) is table}
    return [c for c in table.columns if c.key in read]


class OnlineSeconds(FieldSql):
    def build(self, compiler: Compiler, src: FromClause, nodes: list[FieldNode]) -> Any:
        if compiler.sql.postgres:
            return _session_totals(compiler, src).c.online_seconds
        value = _sessions_of(compiler, src, _online()).correlate(src).scalar_subquery()
        return func.coalesce(value, 0)


class LastSessionAt(FieldSql):
    def build(self, compiler: Compiler, src: FromClause, nodes: list[FieldNode]) -> Any:
        if compiler.sql.postgres:
            return compiler.sql.timestamp(_session_totals(compiler, src).c.last_session_at)
        latest = func.max(LearningSession.started_at)
        value = _sessions_of(compiler, src, latest).correlate(src).scalar_subquery()
        return compiler.sql.timestamp(value)


class BirthYear(FieldSql):
    def build(self, compiler: Compiler, src: FromClause, nodes: list[FieldNode]) -> Any:
        return cast(extract("year", src.c.birth_date), Integer)


@dataclass(frozen=True)
class TypeSql:
    table: Any
    fields: dict[str, FieldSql] = field(default_factory=dict)


def _columns(*names: str) -> dict[str, FieldSql]:
    """Scalar fields read straight from columns of the same (snake_case) name."""
    return {
        "".join(p if i == 0 else p.title() for i, p in enumerate(n.split("_"))): Col(n)
        for n in names
    }


# `sourceId` is left to the resolvers: a platform may key records by a personal number (a
# spreadsheet without 学员编号 keys trainees by the ID number), which they mask by value.
_REPORTED: tuple[str, ...] = ()


def _in_class(type_name: str) -> dict[str, FieldSql]:
    return {
        "id": GlobalId(type_name),
        "trainee": ToOne(Trainee, "trainee_id", "Trainee"),
        "trainingClass": ToOne(TrainingClass, "class_id", "TrainingClass"),
        "platform": ToOne(Platform, "platform_id", "Platform"),
    }


TYPES: dict[str, TypeSql] = {
    "Region": TypeSql(Region, _columns("code", "name", "level", "parent_code")),
    "Organisation": TypeSql(
        Organisation,
        {
            "id": GlobalId("Organisation"),
            **_columns("credit_code", "name", "kind", "registered"),
            "region": ToOne(Region, "region_code", "Region", key="code"),
        },
    ),
    "Platform": TypeSql(
        Platform,
        {
            "id": GlobalId("Platform"),
            **_columns(
                "code",
                "name",
                "kind",
                "platform_type",
                "url",
                "catalogue_listed",
                "filing_status",
                "schedule_minutes",
            ),
            "region": ToOne(Region, "region_code", "Region", key="code"),
            "operator": ToOne(Organisation, "operator_id", "Organisation"),
        },
    ),
    "Person": TypeSql(
        Person,
        {
            "id": GlobalId("Person"),
            **_columns("name", "is_male"),
            "birthYear": BirthYear(),
            "idNumber": Masked("id_masked"),
            "trainees": ToMany(Trainee, "person_id", "Trainee"),
        },
    ),
    "Trainee": TypeSql(
        Trainee,
        {
            "id": GlobalId("Trainee"),
            **_columns(
                *_REPORTED,
                "name",
                "identity_category",
                "employer_credit_code",
                "first_seen_at",
                "updated_at",
            ),
            "idNumber": Masked("id_masked"),
            "phone": Masked("phone_masked"),
            "region": ToOne(Region, "region_code", "Region", key="code"),
            "platform": ToOne(Platform, "platform_id", "Platform"),
            "person": ToOne(Person, "person_id", "Person"),
            "onlineSeconds": OnlineSeconds(),
            "lastSessionAt": LastSessionAt(),
            "sessions": ToMany(LearningSession, "trainee_id", "LearningSession"),
            "enrolments": ToMany(Enrolment, "trainee_id", "Enrolment"),
            "certificates": ToMany(Certificate, "trainee_id", "Certificate"),
        },
    ),
    "Course": TypeSql(
        Course,
        {
            "id": GlobalId("Course"),
            **_columns(
                *_REPORTED,
                "title",
                "occupation_name",
                "occupation_code",
                "skill_level",
                "standard",
                "total_hours",
                "online_hours",
            ),
            "platform": ToOne(Platform, "platform_id", "Platform"),
        },
    ),
    "TrainingClass": TypeSql(
        TrainingClass,
        {
            "id": GlobalId("TrainingClass"),
            **_columns(*_REPORTED, "name", "starts_on", "ends_on", "approved_at"),
            "course": ToOne(Course, "course_id", "Course"),
            "organiser": ToOne(Organisation, "organiser_id", "Organisation"),
            "region": ToOne(Region, "region_code", "Region", key="code"),
            "platform": ToOne(Platform, "platform_id", "Platform"),
            "enrolments": ToMany(Enrolment, "class_id", "Enrolment"),
            "sessions": ToMany(LearningSession, "class_id", "LearningSession"),
        },
    ),
    "Enrolment": TypeSql(
        Enrolment,
        {**_in_class("Enrolment"), **_columns(*_REPORTED, "enrolled_on")},
    ),
    "LearningSession": TypeSql(
        LearningSession,
        {
            **_in_class("LearningSession"),
            **_columns(
                *_REPORTED,
                "started_at",
                "ended_at",
                "duration_seconds",
                "reported_seconds",
                "mode",
                "activity",
            ),
        },
    ),
    "Assessment": TypeSql(
        Assessment,
        {**_in_class("Assessment"), **_columns(*_REPORTED, "assessed_at", "passed", "score")},
    ),
    "Certificate": TypeSql(
        Certificate,
        {
            **_in_class("Certificate"),
            **_columns(*_REPORTED, "kind", "number", "issued_on", "occupation_code", "skill_level"),
        },
    ),
}
