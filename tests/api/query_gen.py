"""Hypothesis strategies for GraphQL requests over the hub's schema.

A generated request has an operation over the real Query type with nested fields, aliases,
fragments (each may spread later ones, so spreads form a DAG, sometimes spread several times),
inline fragments, arguments given as literals or as variables (declared with or without a
default, sent or left to the default), and, when asked, hostile values: huge and negative
integers, naive and overflowing datetimes, lone surrogates and NUL characters, ids and cursors
that decode to integers of 2^63 and more.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
)
from hypothesis import strategies as st

HOSTILE_STRINGS = ["\ud800", "a\udfffb", "\x00", "x" * 300, "'; DROP TABLE trainee; --", "🙂"]
HOSTILE_INTS = [2**31, 2**63, 2**64 + 5, -(2**63) - 1, -1, 10**30]


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


HOSTILE_IDS = [
    _b64(f"Trainee:{2**63}"),
    _b64(f"Trainee:{2**64}"),
    _b64("Trainee:-1"),
    _b64("Nope:1"),
    "not base64!",
    _b64("cursor:" + str(2**63)),
    _b64("cursor-desc:" + str(10**40)),
    _b64("cursor:-5"),
    _b64("cursor:1_000"),
]
HOSTILE_DATETIMES = [
    "2020-03-01T00:00:00",
    "9999-12-31T23:30:00-01:00",
    "0001-01-01T00:00:00+01:00",
    "2020-13-45T00:00:00+08:00",
    "yesterday",
]


@dataclass
class Request:
    """One generated request: its document, variables and the operation's name."""

    query: str
    variables: dict[str, Any] = field(default_factory=dict)
    operation_name: str | None = None


def _unwrap(type_: Any) -> tuple[Any, bool]:
    if isinstance(type_, GraphQLNonNull):
        return type_.of_type, True
    return type_, False


def _type_ref(type_: Any) -> str:
    if isinstance(type_, GraphQLNonNull):
        return _type_ref(type_.of_type) + "!"
    if isinstance(type_, GraphQLList):
        return "[" + _type_ref(type_.of_type) + "]"
    return type_.name


class _Builder:
    def __init__(self, draw: Any, schema: GraphQLSchema, hostile: bool, max_depth: int) -> None:
        self.draw = draw
        self.schema = schema
        self.hostile = hostile
        self.max_depth = max_depth
        self.variables: dict[str, Any] = {}
        self.declarations: list[str] = []
        self.fragments: list[tuple[str, str, str]] = []  # (name, type name, body)
        self.alias_count = 0

    # --- values -------------------------------------------------------------------------
    def value(self, type_: GraphQLInputType, depth: int = 0) -> Any:
        """A Python value for an input type (JSON-able), hostile when asked."""
        inner, _ = _unwrap(type_)
        draw = self.draw
        if isinstance(inner, GraphQLList):
            return [self.value(inner.of_type, depth + 1) for _ in range(draw(st.integers(0, 2)))]
        if isinstance(inner, GraphQLEnumType):
            names = sorted(inner.values)
            if self.hostile and draw(st.integers(0, 9)) == 0:
                return "NOT_A_VALUE"
            return draw(st.sampled_from(names))
        if isinstance(inner, GraphQLInputObjectType):
            chosen: dict[str, Any] = {}
            for name, input_field in sorted(inner.fields.items()):
                required = isinstance(input_field.type, GraphQLNonNull)
                if required or (depth < 2 and draw(st.integers(0, 3)) == 0):
                    chosen[name] = self.value(input_field.type, depth + 1)
            return chosen
        assert isinstance(inner, GraphQLScalarType)
        hostile = self.hostile and draw(st.integers(0, 2)) == 0
        if inner.name == "Int":
            if hostile:
                return draw(st.sampled_from(HOSTILE_INTS))
            return draw(st.integers(0, 60))
        if inner.name == "Float":
            return draw(st.floats(allow_nan=False, allow_infinity=False, width=32))
        if inner.name == "Boolean":
            return draw(st.booleans())
        if inner.name == "ID":
            if hostile:
                return draw(st.sampled_from(HOSTILE_IDS))
            return _b64(f"{draw(st.sampled_from(['Trainee', 'TrainingClass', 'Course']))}:1")
        if inner.name == "DateTime":
            if hostile:
                return draw(st.sampled_from(HOSTILE_DATETIMES))
            return "2020-03-01T00:00:00+08:00"
        if inner.name == "Date":
            return draw(
                st.sampled_from(["2020-03-01", "2020-02-30"] if hostile else ["2020-03-01"])
            )
        if inner.name == "JSON":
            return {"k": draw(st.integers(0, 5))}
        if hostile:
            return draw(st.sampled_from(HOSTILE_STRINGS))
        return draw(st.sampled_from(["150300", "150302", "wh", "电工", "", "2020"]))

    def literal(self, value: Any, type_: GraphQLInputType) -> str:
        """`value` written as a GraphQL literal of `type_`."""
        inner, _ = _unwrap(type_)
        if value is None:
            return "null"
        if isinstance(inner, GraphQLList):
            return "[" + ", ".join(self.literal(v, inner.of_type) for v in value) + "]"
        if isinstance(inner, GraphQLEnumType):
            return str(value)
        if isinstance(inner, GraphQLInputObjectType):
            parts = [f"{k}: {self.literal(v, inner.fields[k].type)}" for k, v in value.items()]
            return "{" + ", ".join(parts) + "}"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return json.dumps(value)
        if isinstance(value, dict):  # JSON scalar written as a string
            return json.dumps(json.dumps(value))
        return json.dumps(value)

    def argument(self, name: str, type_: GraphQLInputType) -> str:
        value = self.value(type_)
        how = self.draw(st.sampled_from(["literal", "variable", "default", "default-sent"]))
        if how == "literal":
            return f"{name}: {self.literal(value, type_)}"
        variable = f"v{len(self.declarations)}"
        declared = _type_ref(type_)
        if how in ("default", "default-sent"):
            # A variable with a default must not be declared non-null-required to be sent.
            default = self.literal(value, type_)
            self.declarations.append(f"${variable}: {declared} = {default}")
            if how == "default-sent":
                self.variables[variable] = self.value(type_)
        else:
            self.declarations.append(f"${variable}: {declared}")
            self.variables[variable] = value
        return f"{name}: ${variable}"

    # --- selections ---------------------------------------------------------------------
    def arguments(self, definition: GraphQLField) -> str:
        parts = []
        for name, arg in sorted(definition.args.items()):
            required = isinstance(arg.type, GraphQLNonNull) and arg.default_value is None
            if required or self.draw(st.integers(0, 2)) == 0:
                parts.append(self.argument(name, arg.type))
        return f"({', '.join(parts)})" if parts else ""

    def selection_set(self, parent: Any, depth: int) -> str:
        if isinstance(parent, GraphQLUnionType):
            member = self.draw(st.sampled_from(parent.types))
            return (
                "{ __typename ... on "
                + member.name
                + " "
                + self.selection_set(member, depth)
                + " }"
            )
        fields = sorted(parent.fields.items())
        scalars = [(n, f) for n, f in fields if not self._is_composite(f)]
        objects = [(n, f) for n, f in fields if self._is_composite(f)]
        picks = st.lists(st.sampled_from(range(len(fields))), min_size=1, max_size=3, unique=True)
        chosen = [fields[i] for i in self.draw(picks)]
        if depth >= self.max_depth or not objects:
            chosen = [c for c in chosen if not self._is_composite(c[1])] or [scalars[0]]
        parts = [self.field(name, definition, depth) for name, definition in chosen]
        own = [f for f in self.fragments if f[1] == parent.name]
        if own and self.draw(st.booleans()):
            name = self.draw(st.sampled_from(own))[0]
            parts.extend(f"...{name}" for _ in range(self.draw(st.integers(1, 3))))
        if self.draw(st.integers(0, 5)) == 0 and scalars:
            parts.append(f"... on {parent.name} {{ {scalars[0][0]} }}")
        return "{ " + " ".join(parts) + " }"

    def field(self, name: str, definition: GraphQLField, depth: int) -> str:
        alias = ""
        if self.draw(st.integers(0, 4)) == 0:
            self.alias_count += 1
            alias = f"a{self.alias_count}: "
        text = alias + name + self.arguments(definition)
        named = get_named_type(definition.type)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
            text += " " + self.selection_set(named, depth + 1)
        return text

    def _is_composite(self, definition: GraphQLField) -> bool:
        named = get_named_type(definition.type)
        return isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType)

    def fragment_types(self) -> list[str]:
        names = ["Viewer", "TraineeConnection", "TrainingClass", "Trainee", "Course"]
        return [n for n in names if isinstance(self.schema.get_type(n), GraphQLObjectType)]


@st.composite
def requests(
    draw: Any, schema: GraphQLSchema, *, hostile: bool = False, max_depth: int = 4
) -> Request:
    """A query over `schema`'s Query type (see the module docstring for what it may hold)."""
    builder = _Builder(draw, schema, hostile, max_depth)
    # Fragments are built last-first, so each may spread the ones already built: a DAG.
    for index in reversed(range(draw(st.integers(0, 3)))):
        type_name = draw(st.sampled_from(builder.fragment_types()))
        body = builder.selection_set(schema.get_type(type_name), max_depth - 1)
        builder.fragments.append((f"F{index}", type_name, body))
    query_type = schema.query_type
    assert query_type is not None
    body = builder.selection_set(query_type, 0)
    used = {name for name, _, _ in builder.fragments if f"...{name}" in body}
    changed = True
    while changed:  # fragments spread by used fragments are used too
        changed = False
        for name, _, fragment_body in builder.fragments:
            if name in used:
                for other, _, _ in builder.fragments:
                    if other not in used and f"...{other}" in fragment_body:
                        used.add(other)
                        changed = True
    declarations = f"({', '.join(builder.declarations)})" if builder.declarations else ""
    text = f"query Q{declarations} {body}"
    for name, type_name, fragment_body in builder.fragments:
        if name in used:
            text += f" fragment {name} on {type_name} {fragment_body}"
    return Request(text, builder.variables, "Q")
