"""What the statistics count, as SQL over the raw tables (the one definition of every measure).

Each learning session, assessment and certificate is a fact in a cell of the dimensions:

| dimension | session / assessment | certificate |
|---|---|---|
| area (city, district) | the class's region | the class's region, else the trainee's |
| platform | the reporting platform | the reporting platform |
| organisation | the class organiser | the class organiser (none without a class) |
| identity category | the trainee's | the trainee's |
| occupation | the course's occupation | the course's (none without a class) |
| month | started_at / assessed_at, UTC+8 | issued_on |

A trainee (and its person) counts in a cell when it has at least one fact there. `qualified` counts
passed assessments. The same statement, grouped per trainee, builds the roll-up; grouped by the
requested dimensions it is the plain GROUP BY the roll-up is checked and benchmarked against.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Date,
    Delete,
    Insert,
    Select,
    String,
    Update,
    any_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import BindParameter, ColumnElement, FunctionElement

from schema.enums import RegionLevel, SessionMode
from schema.tables import (
    Assessment,
    Certificate,
    Course,
    LearningSession,
    Region,
    StatAreaCell,
    StatTraineeCell,
    Trainee,
    TrainingClass,
)

RowIds = Collection[int] | BindParameter[Any]  # fact rows by id: a list, or an array parameter
KEY_COLUMNS = (
    "city_code",
    "district_code",
    "platform_id",
    "organisation_id",
    "identity_category",
    "occupation",
    "month",
)
MEASURE_COLUMNS = ("sessions", "online_seconds", "offline_seconds", "qualified", "certificates")
FACT_COLUMNS = ("trainee_id", "person_id", *KEY_COLUMNS, *MEASURE_COLUMNS)


class local_month(FunctionElement[str]):  # noqa: N801  (SQL function naming)
    """`YYYY-MM` of a UTC timestamp in the region's time (UTC+8, no daylight saving) or of a date."""

    type = String()
    inherit_cache = True
    name = "local_month"


@compiles(local_month, "postgresql")
def _pg_month(element: local_month, compiler: Any, **kw: Any) -> str:
    (arg,) = element.clauses
    if isinstance(arg.type, Date):
        return f"to_char({compiler.process(arg, **kw)}, 'YYYY-MM')"
    return f"to_char({compiler.process(arg, **kw)} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')"


@compiles(local_month)  # also what str(statement) shows
@compiles(local_month, "sqlite")
def _sqlite_month(element: local_month, compiler: Any, **kw: Any) -> str:
    (arg,) = element.clauses
    if isinstance(arg.type, Date):
        return f"strftime('%Y-%m', {compiler.process(arg, **kw)})"
    return f"strftime('%Y-%m', {compiler.process(arg, **kw)}, '+8 hours')"


def area_columns(region: Any) -> list[ColumnElement[Any]]:
    """City and district codes of a region row: a district names its city as parent."""
    is_district = region.level == RegionLevel.DISTRICT
    return [
        case((is_district, region.parent_code), else_=region.code).label("city_code"),
        case((is_district, region.code), else_=null()).label("district_code"),
    ]


def _zero(name: str) -> ColumnElement[int]:
    return literal(0).label(name)


def _among(column: Any, row_ids: Collection[int] | BindParameter[Any]) -> ColumnElement[bool]:
    """`column` is one of `row_ids`: an IN list, or `= ANY` of one array parameter."""
    if isinstance(row_ids, BindParameter):
        return column == any_(row_ids)
    return column.in_(row_ids)


def _sessions(trainee_ids: Collection[int] | None, row_ids: RowIds = ()) -> Select:
    online = LearningSession.mode == SessionMode.ONLINE
    query = (
        select(
            Trainee.id.label("trainee_id"),
            Trainee.person_id.label("person_id"),
            *area_columns(Region),
            LearningSession.platform_id.label("platform_id"),
            TrainingClass.organiser_id.label("organisation_id"),
            Trainee.identity_category.label("identity_category"),
            Course.occupation_name.label("occupation"),
            local_month(LearningSession.started_at).label("month"),
            literal(1).label("sessions"),
            case((online, LearningSession.duration_seconds), else_=0).label("online_seconds"),
            case((online, 0), else_=LearningSession.duration_seconds).label("offline_seconds"),
            _zero("qualified"),
            _zero("certificates"),
        )
        .join(Trainee, Trainee.id == LearningSession.trainee_id)
        .join(TrainingClass, TrainingClass.id == LearningSession.class_id)
        .join(Course, Course.id == TrainingClass.course_id)
        .join(Region, Region.code == TrainingClass.region_code)
    )
    if isinstance(row_ids, BindParameter) or row_ids:
        return query.where(_among(LearningSession.id, row_ids))
    return query.where(LearningSession.trainee_id.in_(trainee_ids)) if trainee_ids else query


def _assessments(trainee_ids: Collection[int] | None, row_ids: RowIds = ()) -> Select:
    query = (
        select(
            Trainee.id,
            Trainee.person_id,
            *area_columns(Region),
            Assessment.platform_id,
            TrainingClass.organiser_id,
            Trainee.identity_category,
            Course.occupation_name,
            local_month(Assessment.assessed_at),
            _zero("sessions"),
            _zero("online_seconds"),
            _zero("offline_seconds"),
            case((Assessment.passed, 1), else_=0).label("qualified"),
            _zero("certificates"),
        )
        .join(Trainee, Trainee.id == Assessment.trainee_id)
        .join(TrainingClass, TrainingClass.id == Assessment.class_id)
        .join(Course, Course.id == TrainingClass.course_id)
        .join(Region, Region.code == TrainingClass.region_code)
    )
    if isinstance(row_ids, BindParameter) or row_ids:
        return query.where(_among(Assessment.id, row_ids))
    return query.where(Assessment.trainee_id.in_(trainee_ids)) if trainee_ids else query


def _certificates(trainee_ids: Collection[int] | None, row_ids: RowIds = ()) -> Select:
    # Without a class, the certificate counts where the trainee is registered.
    region = aliased(Region)
    query = (
        select(
            Trainee.id,
            Trainee.person_id,
            *area_columns(region),
            Certificate.platform_id,
            TrainingClass.organiser_id,
            Trainee.identity_category,
            Course.occupation_name,
            local_month(Certificate.issued_on),
            _zero("sessions"),
            _zero("online_seconds"),
            _zero("offline_seconds"),
            _zero("qualified"),
            literal(1).label("certificates"),
        )
        .join(Trainee, Trainee.id == Certificate.trainee_id)
        .outerjoin(TrainingClass, TrainingClass.id == Certificate.class_id)
        .outerjoin(Course, Course.id == TrainingClass.course_id)
        .join(region, region.code == func.coalesce(TrainingClass.region_code, Trainee.region_code))
    )
    if isinstance(row_ids, BindParameter) or row_ids:
        return query.where(_among(Certificate.id, row_ids))
    return query.where(Certificate.trainee_id.in_(trainee_ids)) if trainee_ids else query


def facts(trainee_ids: Collection[int] | None = None) -> Any:
    """Every fact (of the given trainees, or all) as one subquery with FACT_COLUMNS."""
    parts = [_sessions(trainee_ids), _assessments(trainee_ids), _certificates(trainee_ids)]
    return union_all(*parts).subquery("facts")


def _per_trainee_cell(trainee_ids: Collection[int] | None) -> Select:
    source = facts(trainee_ids)
    keys = [source.c[name] for name in ("trainee_id", "person_id", *KEY_COLUMNS)]
    sums = [func.sum(source.c[name]).label(name) for name in MEASURE_COLUMNS]
    return select(*keys, *sums).group_by(*keys)


def rebuild_statement() -> Insert:
    """Fill an empty roll-up from every fact (migration and full rebuild)."""
    columns = ["trainee_id", "person_id", *KEY_COLUMNS, *MEASURE_COLUMNS]
    return insert(StatTraineeCell).from_select(columns, _per_trainee_cell(None))


def refresh_statements(trainee_ids: Collection[int]) -> tuple[Delete, Insert]:
    """Delete, then rebuild, the roll-up rows of these trainees from their current facts."""
    ids = sorted(trainee_ids)
    table = StatTraineeCell.__table__
    columns = ["trainee_id", "person_id", *KEY_COLUMNS, *MEASURE_COLUMNS]
    return (
        delete(table).where(table.c.trainee_id.in_(ids)),
        insert(table).from_select(columns, _per_trainee_cell(ids)),
    )


FACT_SELECTS = {
    "learning_session": _sessions,
    "assessment": _assessments,
    "certificate": _certificates,
}


def add_statements(
    fact_table: str, row_ids: Collection[int], one_statement: bool = False
) -> tuple[Update | Insert, ...]:
    """Add the facts of newly inserted rows of `fact_table` to the roll-up, as deltas.

    An UPDATE adds to the cells that exist, an INSERT creates the cells that do not; a cell is
    matched on every key (NULL matching NULL). Only for rows just inserted whose trainee's cells
    are not rebuilt in the same transaction. `one_statement` (PostgreSQL) runs the UPDATE as a
    data-modifying CTE of the INSERT, so the deltas are aggregated once.
    """
    # PostgreSQL: the ids as one array parameter (thousands per batch), not an IN list of
    # thousands of parameters to render, send and plan.
    ids: RowIds = (
        bindparam("row_ids", sorted(row_ids), type_=ARRAY(BigInteger))
        if one_statement
        else sorted(row_ids)
    )
    added = FACT_SELECTS[fact_table](None, ids).subquery("added")
    # Only the session select labels its columns; they are in FACT_COLUMNS order in each.
    by_name = dict(zip(FACT_COLUMNS, added.c, strict=True))
    keys = [by_name[name].label(name) for name in ("trainee_id", "person_id", *KEY_COLUMNS)]
    sums = [func.sum(by_name[name]).label(name) for name in MEASURE_COLUMNS]
    grouped = select(*keys, *sums).group_by(*keys)
    delta = grouped.cte("delta") if one_statement else grouped.subquery("delta")
    table = StatTraineeCell.__table__
    same_cell = [table.c.trainee_id == delta.c.trainee_id] + [
        table.c[name].is_not_distinct_from(delta.c[name]) for name in ("person_id", *KEY_COLUMNS)
    ]
    add = (
        update(table)
        .where(*same_cell)
        .values({name: table.c[name] + delta.c[name] for name in MEASURE_COLUMNS})
    )
    columns = ["trainee_id", "person_id", *KEY_COLUMNS, *MEASURE_COLUMNS]
    new_cells = select(*(delta.c[name] for name in columns)).where(~exists().where(*same_cell))
    create = insert(table).from_select(columns, new_cells)
    if one_statement:
        # The INSERT's NOT EXISTS sees the cells as before the UPDATE: the same set of cells.
        return (create.add_cte(add.returning(table.c.id).cte("added")),)
    return add, create


def facts_of_classes(class_ids: Collection[int]) -> Select:
    """Trainees with a fact in any of these classes (whose cells move when a class changes)."""
    ids = sorted(class_ids)
    return union_all(
        select(LearningSession.trainee_id).where(LearningSession.class_id.in_(ids)),
        select(Assessment.trainee_id).where(Assessment.class_id.in_(ids)),
        select(Certificate.trainee_id).where(Certificate.class_id.in_(ids)),
    )


AREA_KEYS = ("trainee_id", "person_id", "city_code", "district_code", "identity_category")


def _area_cells(trainee_ids: Collection[int] | None) -> Select:
    """stat_trainee_cell summed over every dimension but area and identity category."""
    cells = StatTraineeCell.__table__
    keys = [cells.c[name] for name in AREA_KEYS]
    sums = [func.sum(cells.c[name]).label(name) for name in MEASURE_COLUMNS]
    query = select(*keys, *sums).group_by(*keys)
    return query.where(cells.c.trainee_id.in_(trainee_ids)) if trainee_ids else query


def area_rebuild_statement() -> Insert:
    """Fill an empty stat_area_cell from stat_trainee_cell (migration and full rebuild)."""
    return insert(StatAreaCell).from_select([*AREA_KEYS, *MEASURE_COLUMNS], _area_cells(None))


def area_refresh_statements(trainee_ids: Collection[int]) -> tuple[Delete, Insert]:
    """Delete, then rebuild from their stat_trainee_cell rows, these trainees' area cells."""
    ids = sorted(trainee_ids)
    table = StatAreaCell.__table__
    return (
        delete(table).where(table.c.trainee_id.in_(ids)),
        insert(table).from_select([*AREA_KEYS, *MEASURE_COLUMNS], _area_cells(ids)),
    )
