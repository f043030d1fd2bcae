"""Relay plumbing: global ids, opaque cursors, and keyset-paginated connections.

Pages are ordered by primary key and continue after the last id seen, so a cursor stays valid
while rows are added and a page never repeats or skips a row.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy import ColumnElement, func, select

from hub.api.context import HubContext
from hub.api.errors import BadUserInput

NodeT = TypeVar("NodeT")

DEFAULT_PAGE_SIZE = 50


@strawberry.interface
class Node:
    """An object with a globally unique id, fetchable with `node(id:)`."""

    id: strawberry.ID


_MAX_ROW_ID = 2**63 - 1  # the largest BIGINT: anything above is no row of ours


def _row_id(text: str) -> int:
    """A row id written in ASCII digits within BIGINT, else ValueError (so that `int()`'s
    leniency — signs, underscores, other scripts' digits, any size — never reaches SQL)."""
    if not (text.isascii() and text.isdigit()) or int(text) > _MAX_ROW_ID:
        raise ValueError(f"not a row id: {text[:30]!r}")
    return int(text)


def to_global_id(type_name: str, row_id: int) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(f"{type_name}:{row_id}".encode()).decode())


def from_global_id(global_id: str) -> tuple[str, int]:
    """(type name, row id) of a global id; raises BadUserInput when it is not one of ours."""
    try:
        type_name, _, row_id = base64.urlsafe_b64decode(global_id.encode()).decode().partition(":")
        return type_name, _row_id(row_id)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise BadUserInput(f"not a valid id: {global_id!r}") from error


@strawberry.enum(description="Order of a connection's rows: as they arrived, or newest first.")
class SortOrder(Enum):
    ASC = "asc"
    DESC = "desc"


_CURSOR_PREFIX = {SortOrder.ASC: "cursor", SortOrder.DESC: "cursor-desc"}


def _cursor(row_id: int, order: SortOrder) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX[order]}:{row_id}".encode()).decode()


def _after_id(cursor: str, order: SortOrder) -> int:
    """The row id a cursor points after; a cursor of the other order is refused."""
    try:
        prefix, _, row_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if prefix != _CURSOR_PREFIX[order]:
            raise ValueError(prefix)
        return _row_id(row_id)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise BadUserInput(f"not a valid cursor for order {order.name}: {cursor!r}") from error


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    count_where: strawberry.Private[tuple[Any, Sequence[ColumnElement[bool]]]]

    @strawberry.field(description="Rows matching the filter within the caller's scope.")
    async def total_count(self, info: strawberry.Info[HubContext, None]) -> int:
        table, where = self.count_where
        query = select(func.count()).select_from(table).where(*where)
        return (await info.context.execute(query)).scalar_one()


async def paginate(
    info: strawberry.Info[HubContext, None],
    table: Any,
    where: Sequence[ColumnElement[bool]],
    to_node: Callable[[Any], NodeT],
    first: int | None,
    after: str | None,
    order: SortOrder = SortOrder.ASC,
) -> Connection[NodeT]:
    """One page of `table` rows satisfying `where` (which must include the caller's scope).

    Rows are ordered by id (arrival order; DESC: newest first) and continue after the cursor's
    id, so pages stay stable while rows are added.
    """
    limit = DEFAULT_PAGE_SIZE if first is None else first
    maximum = info.context.settings.max_page_size
    if not 0 <= limit <= maximum:
        raise BadUserInput(f"first must be between 0 and {maximum}")
    conditions = list(where)
    descending = order is SortOrder.DESC
    if after:
        after_id = _after_id(after, order)
        conditions.append(table.id < after_id if descending else table.id > after_id)
    sort = table.id.desc() if descending else table.id
    query = select(table).where(*conditions).order_by(sort).limit(limit + 1)
    rows = list((await info.context.execute(query)).scalars())
    page = rows[:limit]
    edges = [Edge(cursor=_cursor(row.id, order), node=to_node(row)) for row in page]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > limit,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        count_where=(table, list(where)),
    )


def expect_id(global_id: str, type_name: str) -> int:
    """The row id of a global id that must name a `type_name`."""
    found, row_id = from_global_id(global_id)
    if found != type_name:
        raise BadUserInput(f"id {global_id!r} is not a {type_name}")
    return row_id


RowNodeT = TypeVar("RowNodeT")


def node_from_row(cls: type[RowNodeT], row: Any, **computed: Any) -> RowNodeT:
    """Build a node whose init fields are columns of `row` under the same names.

    `id` becomes the global id, `db_id` the row's primary key; `computed` supplies fields that are
    not plain columns (e.g. a birth year derived from a date).
    """
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        if not field.init or field.name in computed:
            continue
        if field.name == "id":
            type_name = cls.__strawberry_definition__.name  # type: ignore[attr-defined]
            values["id"] = to_global_id(type_name, row.id)
        elif field.name == "db_id":
            values["db_id"] = row.id
        else:
            values[field.name] = getattr(row, field.name)
    return cls(**values, **computed)
