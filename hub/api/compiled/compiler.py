"""Compile a validated query operation into one SQL statement that returns its `data` as JSON.

Root fields the compiler knows (connections of entity types, `node`, `__typename`) become one
JSON object built by the database; any other root field, or one whose arguments are invalid (so
that the resolver reports the error), is left to the resolvers. Fields are collected the way
graphql-core collects them (aliases, fragments, type conditions, `@skip`/`@include`), and every
row is read through the same scope predicates and WHERE builders as the resolvers use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLIncludeDirective,
    GraphQLObjectType,
    GraphQLSkipDirective,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    is_abstract_type,
    type_from_ast,
)
from graphql.execution.values import get_argument_values, get_directive_values
from sqlalchemy import and_, case, func, null, select, true
from sqlalchemy.sql import ColumnElement, FromClause, Select
from strawberry.types.arguments import convert_arguments

from hub.api.compiled.roots import ROOT_CONNECTIONS, RootConnection
from hub.api.compiled.sqljson import JsonSql, text_literal
from hub.api.compiled.types import TYPES, NotCompilable
from hub.api.context import HubContext
from hub.api.errors import HubError
from hub.api.nodes import NODE_TYPES
from hub.api.relay import SortOrder, from_global_id, page_spec
from hub.auth.row_probes import probing_rows
from hub.auth.scopes import Scope

MAX_PAIRS = 50  # json_build_object takes at most 100 arguments


class Compiler:
    """Builds the SQL of one operation for one caller (its scope is part of the statement)."""

    def __init__(
        self,
        schema: strawberry.Schema,
        context: HubContext,
        fragments: dict[str, FragmentDefinitionNode],
        variables: Any,
        dialect_name: str,
    ) -> None:
        self.schema = schema
        self.graphql = schema._schema
        self.context = context
        self.principal = context.require()
        self.scope = Scope(self.principal)
        self.fragments = fragments
        self.variables = variables
        self.sql = JsonSql(dialect_name)
        self._aliases = 0
        self._scoped: dict[Any, Any] = {}
        self._aggregated = False
        self._laterals: dict[int, dict[str, FromClause]] = {}
        self._one_row = False  # compiling below a `node` root

    def alias(self) -> str:
        self._aliases += 1
        return f"t{self._aliases}"

    def scoped(self, table: Any) -> ColumnElement[bool]:
        """`Scope.for_table(table)`, for rows read inside nested subqueries.

        On SQLite the predicate is evaluated once in a WITH clause and nested levels test
        membership: SQLite's parser stack is shallow (about a hundred entries before 3.46), and
        the scope subqueries written three levels deep would overflow it.
        """
        if self.sql.postgres:
            if self._one_row:
                # below a node the whole answer hangs off one row: a hash of everything in
                # scope (a city's classes) costs more than asking each of the few rows read
                return probing_rows(self.scope.for_table(table), one_row=True)
            return self.scope.for_table(table)
        key = next(iter(table.__table__.primary_key.columns)).name
        visible = self._scoped.get(table)
        if visible is None:
            visible = (
                select(getattr(table, key))
                .where(self.scope.for_table(table))
                .cte(f"scope_{table.__tablename__}")
            )
            self._scoped[table] = visible
        return getattr(table, key).in_(select(visible.c[key]))

    def lateral(self, src: FromClause, name: str, build: Callable[[], Select[Any]]) -> FromClause:
        """A LATERAL subquery of values computed once per row of `src` (PostgreSQL), shared by
        the fields that read it; `rows` joins it to `src`."""
        joined = self._laterals.setdefault(id(src), {})
        if name not in joined:
            joined[name] = build().lateral(self.alias())
        return joined[name]

    def rows(self, src: FromClause) -> FromClause:
        """`src` with the lateral subqueries its fields asked for."""
        for lateral in self._laterals.get(id(src), {}).values():
            src = src.outerjoin(lateral, true())
        return src

    # field collection (as graphql-core's collect_fields) ---------------------------------------
    def _included(self, node: Any) -> bool:
        skip = get_directive_values(GraphQLSkipDirective, node, self.variables)
        if skip and skip.get("if") is True:
            return False
        include = get_directive_values(GraphQLIncludeDirective, node, self.variables)
        return not (include and include.get("if") is False)

    def _matches(self, condition: Any, runtime: GraphQLObjectType) -> bool:
        if condition is None:
            return True
        wanted = type_from_ast(self.graphql, condition)
        if wanted is runtime:
            return True
        return bool(is_abstract_type(wanted) and self.graphql.is_sub_type(wanted, runtime))

    def collect(
        self, runtime: GraphQLObjectType, selections: list[SelectionSetNode]
    ) -> dict[str, list[FieldNode]]:
        """Response key -> the field nodes merged under it, in first-seen order."""
        fields: dict[str, list[FieldNode]] = {}
        visited: set[str] = set()

        def walk(selection_set: SelectionSetNode) -> None:
            for selection in selection_set.selections:
                if not self._included(selection):
                    continue
                if isinstance(selection, FieldNode):
                    key = selection.alias.value if selection.alias else selection.name.value
                    fields.setdefault(key, []).append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    if self._matches(selection.type_condition, runtime):
                        walk(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self.fragments.get(name)
                    if name in visited or fragment is None:
                        continue
                    visited.add(name)
                    if self._matches(fragment.type_condition, runtime):
                        walk(fragment.selection_set)

        for selection_set in selections:
            walk(selection_set)
        return fields

    @staticmethod
    def _subselections(nodes: list[FieldNode]) -> list[SelectionSetNode]:
        return [n.selection_set for n in nodes if n.selection_set is not None]

    def _arguments(self, field: GraphQLField, node: FieldNode) -> dict[str, Any]:
        try:
            return get_argument_values(field, node, self.variables)
        except GraphQLError as error:
            raise NotCompilable(str(error)) from error

    # objects ----------------------------------------------------------------------------------
    def object_json(
        self, type_name: str, src: FromClause, nodes: list[FieldNode]
    ) -> ColumnElement[Any]:
        """The JSON object of one row of `type_name` read from `src`, as the nodes select it."""
        spec = TYPES.get(type_name)
        runtime = self.graphql.get_type(type_name)
        if spec is None or not isinstance(runtime, GraphQLObjectType):
            raise NotCompilable(f"type {type_name} is not compiled")
        pairs = []
        for key, field_nodes in self.collect(runtime, self._subselections(nodes)).items():
            name = field_nodes[0].name.value
            if name == "__typename":
                pairs.append((key, text_literal(type_name)))
                continue
            field_sql = spec.fields.get(name)
            if field_sql is None or field_nodes[0].arguments:
                raise NotCompilable(f"{type_name}.{name} is not compiled")
            pairs.append((key, field_sql.build(self, src, field_nodes)))
        if len(pairs) > MAX_PAIRS:
            raise NotCompilable("too many fields in one object")
        return self.sql.obj(pairs)

    # root fields ------------------------------------------------------------------------------
    def root_value(self, nodes: list[FieldNode]) -> ColumnElement[Any]:
        """One root field's JSON value; NotCompilable leaves it to the resolvers."""
        name = nodes[0].name.value
        if name == "__typename":
            return text_literal(self.graphql.query_type.name)  # type: ignore[union-attr]
        field = self.graphql.query_type.fields.get(name)  # type: ignore[union-attr]
        if field is None:
            raise NotCompilable(name)
        if name == "node":
            return self.node(field, nodes)
        root = ROOT_CONNECTIONS.get(name)
        if root is None:
            raise NotCompilable(name)
        return self.connection(name, field, nodes, root)

    def node(self, field: GraphQLField, nodes: list[FieldNode]) -> ColumnElement[Any]:
        global_id = self._arguments(field, nodes[0])["id"]
        try:
            type_name, row_id = from_global_id(global_id)
        except HubError as error:
            raise NotCompilable(str(error)) from error
        if type_name not in NODE_TYPES:
            return null()
        spec = TYPES.get(type_name)
        if spec is None or spec.table is not NODE_TYPES[type_name][0]:
            raise NotCompilable(f"node of type {type_name}")
        table = spec.table
        self._one_row = True
        try:
            rows = select(table).where(table.id == row_id, self.scoped(table))
            rows = rows.subquery(self.alias())
            value = self.object_json(type_name, rows, nodes)
        finally:
            self._one_row = False
        return self.sql.nested(select(value).select_from(self.rows(rows)).scalar_subquery())

    def connection(
        self, name: str, field: GraphQLField, nodes: list[FieldNode], root: RootConnection
    ) -> ColumnElement[Any]:
        """A Relay connection: one page (as `paginate` reads it), its cursors and counts."""
        arguments = self._arguments(field, nodes[0])
        definition = self.schema.get_field_for_type(name, "Query")
        if definition is None:
            raise NotCompilable(name)
        kwargs = convert_arguments(
            arguments,
            definition.arguments,
            scalar_registry=self.schema.schema_converter.scalar_registry,
            config=self.schema.config,
        )
        table = root.table
        order_by = kwargs.get("order_by")
        try:
            where = root.where(self.context, kwargs.get("filter"))
            spec = page_spec(
                table,
                where,
                kwargs.get("first"),
                kwargs.get("after"),
                kwargs.get("order") or SortOrder.ASC,
                "id" if order_by is None else str(order_by.value),
                self.context.settings.max_page_size,
            )
        except HubError as error:  # the resolver answers it, with its code
            raise NotCompilable(str(error)) from error
        keys = [key.label(f"hub_sort_{i}") for i, key in enumerate(spec.keys)]
        page = (
            select(table, *keys)
            .where(*spec.conditions)
            .order_by(*spec.order_by)
            .limit(spec.limit + 1)
            .subquery(self.alias())
        )
        ordering = [
            page.c[k.name].desc() if spec.descending else page.c[k.name].asc() for k in keys
        ]
        numbered = select(
            page,
            func.row_number().over(order_by=ordering).label("hub_rn"),
            func.count().over().label("hub_cnt"),
        ).subquery(self.alias())
        rank = numbered.c.hub_rn
        cursor = self.sql.prefixed_id(spec.prefix, numbered.c.id)

        connection_type = get_named_type(field.type)
        edge_type = get_named_type(connection_type.fields["edges"].type)  # type: ignore[union-attr]
        node_type = get_named_type(edge_type.fields["node"].type)  # type: ignore[union-attr]
        page_info_type = get_named_type(connection_type.fields["pageInfo"].type)  # type: ignore[union-attr]
        pairs = []
        self._aggregated = False  # set by any aggregate below (edges, page cursors, next page)
        fields = self.collect(connection_type, self._subselections(nodes))  # type: ignore[arg-type]
        for key, field_nodes in fields.items():
            part = field_nodes[0].name.value
            if part == "__typename":
                value: Any = text_literal(connection_type.name)
            elif part == "totalCount":
                count = select(func.count()).select_from(table).where(*spec.where)
                value = count.scalar_subquery()
            elif part == "edges":
                edge_pairs = []
                edges = self.collect(edge_type, self._subselections(field_nodes))  # type: ignore[arg-type]
                for edge_key, edge_nodes in edges.items():
                    edge_part = edge_nodes[0].name.value
                    if edge_part == "__typename":
                        edge_pairs.append((edge_key, text_literal(edge_type.name)))
                    elif edge_part == "cursor":
                        edge_pairs.append((edge_key, cursor))
                    elif edge_part == "node":
                        item = self.object_json(node_type.name, numbered, edge_nodes)
                        edge_pairs.append((edge_key, item))
                    else:
                        raise NotCompilable(edge_part)
                value = self.sql.array(self.sql.obj(edge_pairs), [rank], where=rank <= spec.limit)
            elif part == "pageInfo":
                value = self._page_info(
                    page_info_type, field_nodes, spec, rank, numbered.c.hub_cnt, cursor
                )
            else:
                raise NotCompilable(part)
            pairs.append((key, value))
        value = self.sql.obj(pairs)
        if not self._aggregated:
            # nothing aggregates: count(*) makes it one row even when the page is empty
            value = case((func.count() >= 0, value))
        statement = select(value).select_from(self.rows(numbered))
        return self.sql.nested(statement.scalar_subquery())

    def _page_info(
        self,
        page_info_type: Any,
        nodes: list[FieldNode],
        spec: Any,
        rank: Any,
        count: Any,
        cursor: Any,
    ) -> ColumnElement[Any]:
        pairs = []
        for key, field_nodes in self.collect(page_info_type, self._subselections(nodes)).items():
            part = field_nodes[0].name.value
            if part == "__typename":
                value: Any = text_literal(page_info_type.name)
            elif part == "hasNextPage":
                value = self.sql.boolean(func.count() > spec.limit)
                self._aggregated = True
            elif part == "hasPreviousPage":
                value = self.sql.constant_boolean(spec.has_previous)
            elif part == "startCursor":
                value = func.max(case((and_(rank == 1, rank <= spec.limit), cursor)))
                self._aggregated = True
            elif part == "endCursor":
                value = func.max(case((rank == self.sql.least(count, spec.limit), cursor)))
                self._aggregated = True
            else:
                raise NotCompilable(part)
            pairs.append((key, value))
        return self.sql.obj(pairs)


def operation_statement(
    compiler: Compiler, operation: OperationDefinitionNode
) -> tuple[Select[Any] | None, list[str], dict[str, list[FieldNode]]]:
    """The statement of the root fields that compile, their keys, and the root fields left over.

    The statement's one column is the JSON text of an object with the compiled keys.
    """
    query_type = compiler.graphql.query_type
    roots = compiler.collect(query_type, [operation.selection_set])  # type: ignore[arg-type]
    pairs: list[tuple[str, Any]] = []
    left: dict[str, list[FieldNode]] = {}
    for key, nodes in roots.items():
        try:
            pairs.append((key, compiler.root_value(nodes)))
        except NotCompilable:
            left[key] = nodes
    if not pairs or len(pairs) > MAX_PAIRS:
        return None, [], roots
    statement = select(compiler.sql.text(compiler.sql.obj(pairs)))
    return statement, [key for key, _ in pairs], left
