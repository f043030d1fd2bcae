"""Pre-aggregated statistics: one row per (statistics cell, trainee).

A cell is the finest combination of every statistics dimension (area, platform, organiser,
identity category, occupation, month). Keeping the trainee (and its person) in the grain is what
keeps distinct counts exact: persons in any roll-up of cells are `COUNT(DISTINCT person_id)` over
these rows, which a table of per-cell totals could not give (distinct counts do not add up).
Rows are rebuilt per trainee inside the ingest transaction (hub/stats/rollup.py).
"""

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from schema.tables import base as _base  # noqa: F401  (naming convention first)


class StatTraineeCell(SQLModel, table=True):
    """A trainee's activity in one statistics cell: sessions, hours, passes, certificates."""

    __tablename__ = "stat_trainee_cell"
    __table_args__ = (sa.Index("ix_stat_trainee_cell_city_code", "city_code", "district_code"),)

    id: int | None = Field(default=None, primary_key=True)
    trainee_id: int = Field(foreign_key="trainee.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    city_code: str | None = Field(default=None, max_length=6)
    district_code: str | None = Field(default=None, max_length=6)
    platform_id: int = Field(foreign_key="platform.id")
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    identity_category: str = Field(max_length=32)
    occupation: str | None = Field(default=None, max_length=200)
    month: str | None = Field(default=None, max_length=7)  # YYYY-MM in the region's time (UTC+8)
    sessions: int = 0
    online_seconds: int = Field(default=0, sa_type=sa.BigInteger)
    offline_seconds: int = Field(default=0, sa_type=sa.BigInteger)
    qualified: int = 0
    certificates: int = 0


class StatAreaCell(SQLModel, table=True):
    """A trainee's activity per (area, identity category): the narrow roll-up of the overview.

    The groupings front ends ask most (city or district by identity category, region-wide or in
    an area's scope) need none of the other dimensions; summed over them, the rows are fewer and
    narrower than `stat_trainee_cell`'s, and distinct counts over them stay exact because the
    trainee and person are still in the grain. Kept in step with `stat_trainee_cell` by the
    ingest path (refreshed for every trainee whose cells changed).
    """

    __tablename__ = "stat_area_cell"
    __table_args__ = (sa.Index("ix_stat_area_cell_city_code", "city_code", "district_code"),)

    id: int | None = Field(default=None, primary_key=True)
    trainee_id: int = Field(foreign_key="trainee.id", index=True)
    # Indexed: a change re-counts the groups of the persons of the changed trainees.
    person_id: int = Field(foreign_key="person.id", index=True)
    city_code: str | None = Field(default=None, max_length=6)
    district_code: str | None = Field(default=None, max_length=6)
    identity_category: str = Field(max_length=32)
    sessions: int = 0
    online_seconds: int = Field(default=0, sa_type=sa.BigInteger)
    offline_seconds: int = Field(default=0, sa_type=sa.BigInteger)
    qualified: int = 0
    certificates: int = 0


class StatAreaTotal(SQLModel, table=True):
    """Region-wide figures per group of any subset of (city, district, identity category).

    `grouped_by` is a bit set of the dimensions grouped by (1 city, 2 district, 4 identity
    category); a dimension not grouped by, or a NULL value, is stored as ''. The distinct counts
    are exact: the ingest path adds, per changed trainee and person, the difference between the
    groups they count in after and before its change (hub/stats/area_totals.py). Answers the
    region-wide overview in a handful of rows instead of a distinct count over every trainee.
    """

    __tablename__ = "stat_area_total"
    __table_args__ = (
        sa.UniqueConstraint(
            "grouped_by",
            "city_code",
            "district_code",
            "identity_category",
            name="uq_stat_area_total_group",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    grouped_by: int
    city_code: str = Field(default="", max_length=6)
    district_code: str = Field(default="", max_length=6)
    identity_category: str = Field(default="", max_length=32)
    trainees: int = 0
    persons: int = 0
    sessions: int = Field(default=0, sa_type=sa.BigInteger)
    online_seconds: int = Field(default=0, sa_type=sa.BigInteger)
    offline_seconds: int = Field(default=0, sa_type=sa.BigInteger)
    qualified: int = Field(default=0, sa_type=sa.BigInteger)
    certificates: int = Field(default=0, sa_type=sa.BigInteger)
