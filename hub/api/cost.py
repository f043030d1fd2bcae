"""Worst-case row estimate of a GraphQL operation, from its parsed document alone.

A connection reads up to `first` rows per parent (the default page size when absent), a list of
objects up to the per-parent child limit, a single object one row per parent; each nested level
multiplies. The estimate is the sum over every object-valued field of the rows it may read, so
`trainingClasses(first: 500) { edges { node { enrolments { trainee { name } } } } }` costs
500 + 500*100 + 500*100*1.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    value_from_ast_untyped,
)

# Fields of a connection that only wrap the rows the connection itself already counted.
_PASS_THROUGH = {"edges", "node"}


def _is_list(type_: GraphQLOutputType) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


class CostEstimator:
    """Estimates rows read by an operation of `schema` with the given paging limits."""

    def __init__(self, schema: GraphQLSchema, default_page: int, child_limit: int) -> None:
        self.schema = schema
        self.default_page = default_page
        self.child_limit = child_limit

    def estimate(
        self,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
    ) -> int:
        """Rows the chosen operation could read in the worst case."""
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        chosen = [
            o
            for o in operations
            if operation_name is None or (o.name is not None and o.name.value == operation_name)
        ]
        if not chosen:
            return 0
        operation = chosen[0]
        root = self.schema.get_root_type(operation.operation)
        if root is None:
            return 0
        walk = _Walk(self, fragments, dict(variables or {}))
        return walk.selection(operation.selection_set, root, 1, set())


class _Walk:
    def __init__(
        self,
        estimator: CostEstimator,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
    ) -> None:
        self.estimator = estimator
        self.fragments = fragments
        self.variables = variables

    def selection(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType,
        multiplier: int,
        seen_fragments: set[str],
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, multiplier, seen_fragments)
            elif isinstance(selection, InlineFragmentNode):
                target = parent
                if selection.type_condition is not None:
                    target = self.estimator.schema.get_type(selection.type_condition.name.value)
                total += self.selection(selection.selection_set, target, multiplier, seen_fragments)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen_fragments:  # validation reports cycles
                    continue
                target = self.estimator.schema.get_type(fragment.type_condition.name.value)
                total += self.selection(
                    fragment.selection_set, target, multiplier, seen_fragments | {name}
                )
        return total

    def field(
        self, node: FieldNode, parent: GraphQLNamedType, multiplier: int, seen: set[str]
    ) -> int:
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 0
        definition = parent.fields.get(node.name.value)
        if definition is None:
            return 0
        named = get_named_type(definition.type)
        if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            return 0  # scalars and enums read nothing more
        name = node.name.value
        if name in _PASS_THROUGH and parent.name.endswith(("Connection", "Edge")):
            rows = 1
        elif named.name.endswith("Connection"):
            rows = self._first(node)
        elif _is_list(definition.type):
            rows = self.estimator.child_limit
        else:
            rows = 1
        reads = multiplier * rows
        own = 0 if name in _PASS_THROUGH or named.name == "PageInfo" else reads
        return own + self.selection(node.selection_set, named, reads, seen)

    def _first(self, node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value == "first":
                value = value_from_ast_untyped(argument.value, self.variables)
                if isinstance(value, int) and value >= 0:
                    return value
        return self.estimator.default_page
