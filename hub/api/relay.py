"""Relay plumbing: global ids, opaque cursors, and keyset-paginated connections.

Pages are ordered by a sort column (by default the primary key) and then the id, and continue
after the last row seen, so a cursor stays valid while rows are added and a page never repeats or
skips a row.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy import ColumnElement, String, and_, func, or_, select

from hub.api.context import HubContext
from hub.api.errors import BadUserInput
from hub.auth.row_probes import probing_rows

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


def cursor_prefix(order: SortOrder, sort_key: str = "id") -> str:
    """The text before a cursor's row id: it names the order so a cursor of another is refused."""
    if sort_key == "id":
        return _CURSOR_PREFIX[order]
    return f"cursor-{sort_key}" + ("-desc" if order is SortOrder.DESC else "")


def encode_cursor(prefix: str, row_id: int) -> str:
    return base64.urlsafe_b64encode(f"{prefix}:{row_id}".encode()).decode()


def _after_id(cursor: str, prefix: str) -> int:
    """The row id a cursor points after; a cursor of another order is refused."""
    try:
        found, _, row_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if found != prefix:
            raise ValueError(found)
        return _row_id(row_id)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise BadUserInput(f"not a valid cursor for this order: {cursor!r}") from error


def sort_expression(table: Any, sort_key: str) -> ColumnElement[Any]:
    """The SQL a connection sorts by for `sort_key` (a column name); NULL names sort as ''."""
    column = getattr(table, sort_key)
    nullable_text = column.nullable and isinstance(column.type, String)
    return func.coalesce(column, "") if nullable_text else column


@dataclasses.dataclass(frozen=True)
class PageSpec:
    """One page of a connection, as SQL: shared by the resolvers and the compiled read path.

    Rows are ordered by the sort key, then by id; `after` continues after the cursor's row, whose
    sort value is looked up among the rows `where` admits (a cursor of a row the caller cannot see
    continues nowhere: an empty page).
    """

    limit: int
    where: list[ColumnElement[bool]]
    conditions: list[ColumnElement[bool]]
    keys: list[ColumnElement[Any]]
    descending: bool
    prefix: str
    has_previous: bool

    @property
    def order_by(self) -> list[ColumnElement[Any]]:
        return [k.desc() if self.descending else k.asc() for k in self.keys]


def page_spec(
    table: Any,
    where: Sequence[ColumnElement[bool]],
    first: int | None,
    after: str | None,
    order: SortOrder,
    sort_key: str,
    max_page_size: int,
) -> PageSpec:
    """Check `first` and `after` and turn them into conditions and an ORDER BY for `table`."""
    limit = DEFAULT_PAGE_SIZE if first is None else first
    if not 0 <= limit <= max_page_size:
        raise BadUserInput(f"first must be between 0 and {max_page_size}")
    descending = order is SortOrder.DESC
    prefix = cursor_prefix(order, sort_key)
    conditions = [probing_rows(condition) for condition in where]  # a page reads few rows
    sort = None if sort_key == "id" else sort_expression(table, sort_key)
    if after:
        after_id = _after_id(after, prefix)
        beyond = table.id < after_id if descending else table.id > after_id
        if sort is None:
            conditions.append(beyond)
        else:
            pivot = select(sort).where(table.id == after_id, *where).scalar_subquery()
            past = sort < pivot if descending else sort > pivot
            conditions.append(or_(past, and_(sort == pivot, beyond)))
    keys = [table.id] if sort is None else [sort, table.id]
    return PageSpec(limit, list(where), conditions, keys, descending, prefix, after is not None)


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
    order_by: Enum | None = None,
) -> Connection[NodeT]:
    """One page of `table` rows satisfying `where` (which must include the caller's scope).

    Rows are ordered by `order_by` (a column; by default the id, i.e. arrival order), then by id,
    and continue after the cursor's row, so pages stay stable while rows are added.
    """
    sort_key = "id" if order_by is None else str(order_by.value)
    spec = page_spec(
        table, where, first, after, order, sort_key, info.context.settings.max_page_size
    )
    query = select(table).where(*spec.conditions).order_by(*spec.order_by).limit(spec.limit + 1)
    rows = list((await info.context.execute(query)).scalars())
    page = rows[: spec.limit]
    edges = [Edge(cursor=encode_cursor(spec.prefix, row.id), node=to_node(row)) for row in page]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > spec.limit,
            has_previous_page=spec.has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        count_where=(table, spec.where),
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
