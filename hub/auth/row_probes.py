"""Scope predicates PostgreSQL may answer per row or over a whole set, and asking them per row.

A scope predicate is an EXISTS over the row's own enrolments or class (`Scope`); the planner
chooses between probing it per row and hashing the whole set by the rows it expects to read.
Where a statement is known to read few rows (a page, everything below a node), `probing_rows`
asks it per row; the rows it admits are the same either way.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.sql import Select, visitors
from sqlalchemy.sql.selectable import Exists


class RowProbe(Exists):
    """An EXISTS that may be asked of each row the statement reads: see `probing_rows`.

    `joinable`: it stands alone in the WHERE clause, where PostgreSQL may also turn it into a
    join driven from the other side (a few classes, then their rows by index); one side of an
    OR can only be probed per row or hashed whole.
    """

    inherit_cache = True

    def __init__(self, rows: Select, *, joinable: bool) -> None:
        super().__init__(rows)
        self.rows = rows
        self.joinable = joinable


def probing_rows(condition: ColumnElement[bool], *, one_row: bool = False) -> ColumnElement[bool]:
    """`condition` with its `RowProbe`s asked of each row the statement reads.

    Pages: PostgreSQL chooses between probing per row and hashing the whole set by the rows it
    expects the scan to read, not knowing that LIMIT stops it after a page, so it would hash
    an area's whole roster to show fifty trainees; a probe inside an OR is asked per row (a
    joinable one keeps its joins: a page of an organisation's few classes' sessions starts from
    the classes). `one_row`: everything read hangs off one row (a node), so every probe is
    asked per row. OFFSET 0 keeps the EXISTS a subplan run per row (it cannot be turned into a
    join or a hashed set); the rows it admits are the same.
    """

    def fenced(element: Any) -> Any:
        if isinstance(element, RowProbe) and (one_row or not element.joinable):
            return element.rows.offset(0).exists()
        return None

    return visitors.replacement_traverse(condition, {}, fenced)
