"""Hypothesis strategies for random valid read queries, drawn from the GraphQL schema itself.

A query picks root fields (the compiled connections, `node`, and roots the compiler leaves to the
resolvers, so that mixing is exercised), random subsets of each type's fields, nested relations,
aliases, inline and named fragments, `@skip`/`@include`, variables, page sizes, sort orders and
cursors (valid, of another order, or garbage).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
)
from hypothesis import strategies as st

from hub.api.compiled.roots import ROOT_CONNECTIONS
from hub.api.relay import SortOrder, cursor_prefix, encode_cursor, to_global_id

REGIONS = ["150300", "150302", "150303", "150100", "150102", "150200"]
PLATFORMS = ["wh", "hh", "nowhere"]
OTHER_ROOTS = ["viewer", "regions", "subsidyClaims", "syncRuns"]
NODE_TYPE_NAMES = [
    "Trainee",
    "Person",
    "Course",
    "TrainingClass",
    "Enrolment",
    "LearningSession",
    "Assessment",
    "Certificate",
    "Platform",
    "Organisation",
    "SubsidyClaim",
    "Alert",
]
PAGE_SIZES = [None, 0, 1, 2, 3, 7, 20]


@dataclass
class Builder:
    """The state of one query being drawn: its variables and named fragments."""

    schema: GraphQLSchema
    draw: Any
    definitions: list[str] = field(default_factory=list)
    variables: dict[str, Any] = field(default_factory=dict)
    fragments: list[str] = field(default_factory=list)
    counter: int = 0
    # Invalid ids and cursors only in single-root queries: when one root field fails while a
    # sibling's statement is running, graphql-core cancels the sibling mid-statement, which
    # breaks an aiosqlite connection (on either path); that is not what this test is about.
    errors: bool = True

    def name(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def value(self, graphql_type: str, value: Any, literal: str) -> str:
        """An argument value, inline or (sometimes) through a variable."""
        if self.draw(st.booleans()):
            return literal
        variable = self.name("v")
        self.definitions.append(f"${variable}: {graphql_type}")
        self.variables[variable] = value
        return f"${variable}"

    def directive(self) -> str:
        choice = self.draw(st.sampled_from(["", "", "", "skip", "include"]))
        if not choice:
            return ""
        condition = self.draw(st.booleans())
        return f" @{choice}(if: {self.value('Boolean!', condition, str(condition).lower())})"

    def key(self, name: str) -> str:
        return f"{self.name('a')}: {name}" if self.draw(st.integers(0, 4)) == 0 else name

    # selections -------------------------------------------------------------------------------
    def object_selection(self, type_: GraphQLObjectType, depth: int, lists: int) -> str:
        names = sorted(type_.fields)
        picked = self.draw(st.lists(st.sampled_from(names), min_size=1, max_size=6, unique=True))
        parts = []
        for name in picked:
            field_def = type_.fields[name]
            if any(isinstance(a.type, GraphQLNonNull) for a in field_def.args.values()):
                continue
            named = get_named_type(field_def.type)
            is_list = isinstance(getattr(field_def.type, "of_type", field_def.type), GraphQLList)
            if isinstance(named, GraphQLObjectType):
                if depth <= 0 or (is_list and lists <= 0) or name.endswith("Connection"):
                    continue
                inner = self.object_selection(named, depth - 1, lists - int(is_list))
                parts.append(f"{self.key(name)}{self.directive()} {{ {inner} }}")
            else:
                parts.append(f"{self.key(name)}{self.directive()}")
        parts.append("__typename" if not parts or self.draw(st.booleans()) else "")
        body = " ".join(p for p in parts if p)
        return self.wrap(type_.name, body)

    def wrap(self, type_name: str, body: str) -> str:
        """The selection as is, in an inline fragment, or through a named fragment."""
        how = self.draw(st.sampled_from(["plain", "plain", "inline", "named"]))
        if how == "inline":
            return f"... on {type_name} {{ {body} }}"
        if how == "named":
            name = self.name("F")
            self.fragments.append(f"fragment {name} on {type_name} {{ {body} }}")
            return f"...{name}"
        return body

    def arguments(self, root: str, field_def: Any) -> str:
        args = []
        first = self.draw(st.sampled_from(PAGE_SIZES))
        if first is not None:
            args.append(f"first: {self.value('Int', first, str(first))}")
        order = self.draw(st.sampled_from([None, "ASC", "DESC"]))
        if order:
            args.append(f"order: {order}")
        sort_key = "id"
        order_by_arg = field_def.args.get("orderBy")
        if order_by_arg is not None and self.draw(st.booleans()):
            enum_type = get_named_type(order_by_arg.type)
            assert isinstance(enum_type, GraphQLEnumType)
            member = self.draw(st.sampled_from(sorted(enum_type.values)))
            raw = enum_type.values[member].value
            sort_key = str(getattr(raw, "value", raw))
            args.append(f"orderBy: {member}")
        kinds = ["none", "none", "valid", "valid"] + (["other", "bad"] if self.errors else [])
        cursor_kind = self.draw(st.sampled_from(kinds))
        if cursor_kind != "none":
            direction = SortOrder.DESC if order == "DESC" else SortOrder.ASC
            if cursor_kind == "other":
                direction = SortOrder.ASC if direction is SortOrder.DESC else SortOrder.DESC
            row_id = self.draw(st.integers(0, 30))
            cursor = encode_cursor(cursor_prefix(direction, sort_key), row_id)
            if cursor_kind == "bad":
                cursor = self.draw(st.sampled_from(["", "bm9wZQ==", "!!"]))
            args.append(f"after: {self.value('String', cursor, f'{chr(34)}{cursor}{chr(34)}')}")
        filter_arg = field_def.args.get("filter")
        if filter_arg is not None and self.draw(st.integers(0, 2)) == 0:
            args.append(f"filter: {{ {self.filter_fields(get_named_type(filter_arg.type))} }}")
        return f"({', '.join(args)})" if args else ""

    def filter_fields(self, input_type: Any) -> str:
        assert isinstance(input_type, GraphQLInputObjectType)
        choices = []
        for name, input_field in sorted(input_type.fields.items()):
            named = get_named_type(input_field.type)
            if name == "region":
                choices.append(f'region: "{self.draw(st.sampled_from(REGIONS))}"')
            elif name == "platform":
                choices.append(f'platform: "{self.draw(st.sampled_from(PLATFORMS))}"')
            elif isinstance(named, GraphQLEnumType):
                choices.append(f"{name}: {self.draw(st.sampled_from(sorted(named.values)))}")
            elif named.name == "Boolean":
                choices.append(f"{name}: {str(self.draw(st.booleans())).lower()}")
        if not choices:
            return ""
        picked = self.draw(st.lists(st.sampled_from(choices), min_size=1, max_size=2, unique=True))
        return ", ".join(picked)

    def connection(self, root: str) -> str:
        query_type = self.schema.query_type
        assert query_type is not None
        field_def = query_type.fields[root]
        connection_type = get_named_type(field_def.type)
        assert isinstance(connection_type, GraphQLObjectType)
        node_type = get_named_type(
            get_named_type(connection_type.fields["edges"].type).fields["node"].type  # type: ignore[union-attr]
        )
        parts = []
        for part in self.draw(
            st.lists(
                st.sampled_from(["totalCount", "pageInfo", "edges", "edges", "__typename"]),
                min_size=1,
                max_size=3,
                unique=True,
            )
        ):
            if part == "pageInfo":
                info = self.draw(
                    st.lists(
                        st.sampled_from(
                            ["hasNextPage", "hasPreviousPage", "startCursor", "endCursor"]
                        ),
                        min_size=1,
                        max_size=4,
                        unique=True,
                    )
                )
                parts.append(f"{self.key('pageInfo')} {{ {' '.join(info)} }}")
            elif part == "edges":
                node = self.object_selection(node_type, depth=2, lists=1)  # type: ignore[arg-type]
                cursor = "cursor" if self.draw(st.booleans()) else ""
                parts.append(f"{self.key('edges')} {{ {cursor} node {{ {node} }} }}")
            else:
                parts.append(part)
        return f"{self.key(root)}{self.arguments(root, field_def)}{self.directive()} {{ {' '.join(parts)} }}"

    def node(self, ids: dict[str, int]) -> str:
        type_name = self.draw(st.sampled_from(NODE_TYPE_NAMES))
        row_id = self.draw(st.integers(1, max(ids.get(type_name, 1), 1) + 1))
        global_id = to_global_id(type_name, row_id)
        if self.errors and self.draw(st.integers(0, 9)) == 0:
            global_id = "not-an-id"
        id_arg = self.value("ID!", global_id, f'"{global_id}"')
        parts = ["id" if self.draw(st.booleans()) else "__typename"]
        for _ in range(self.draw(st.integers(0, 2))):
            name = self.draw(st.sampled_from(NODE_TYPE_NAMES[:10]))
            object_type = self.schema.get_type(name)
            assert isinstance(object_type, GraphQLObjectType)
            parts.append(f"... on {name} {{ {self.object_selection(object_type, 1, 1)} }}")
        node_interface = self.schema.get_type("Node")
        assert isinstance(node_interface, GraphQLInterfaceType)
        return f"{self.key('node')}(id: {id_arg}) {{ {' '.join(parts)} }}"


@st.composite
def read_queries(
    draw: Any, schema: GraphQLSchema, ids: dict[str, int]
) -> tuple[str, dict[str, Any]]:
    """(query text, variables) of one random valid read operation."""
    builder = Builder(schema, draw)
    roots = draw(
        st.lists(
            st.sampled_from([*sorted(ROOT_CONNECTIONS), "node", "node", *OTHER_ROOTS]),
            min_size=1,
            max_size=3,
        )
    )
    builder.errors = len(roots) == 1
    parts = []
    for root in roots:
        if root == "node":
            parts.append(builder.node(ids))
        elif root in ROOT_CONNECTIONS or root in ("subsidyClaims", "syncRuns"):
            parts.append(builder.connection(root))
        elif root == "viewer":
            parts.append(f"{builder.name('a')}: viewer {{ role }}")
        else:
            parts.append(f"{builder.name('a')}: regions {{ code name level }}")
    if draw(st.booleans()):
        parts.append("__typename")
    header = f"query Q({', '.join(builder.definitions)})" if builder.definitions else "query Q"
    text = f"{header} {{ {' '.join(parts)} }}\n" + "\n".join(builder.fragments)
    return text, builder.variables
