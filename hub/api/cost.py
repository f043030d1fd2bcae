"""Worst-case row estimate of a GraphQL operation, from its parsed document and variables.

A connection reads up to `first` rows per parent (the default page size when absent), a list of
objects up to the per-parent child limit, a single object one row per parent; each nested level
multiplies. The estimate is the sum over every object-valued field of the rows it may read, so
`trainingClasses(first: 500) { edges { node { enrolments { trainee { name } } } } }` costs
500 + 500*100 + 500*100*1.

`first` is read from literals, from the request's variables and, when a variable is not sent,
from its default in the operation (`query($n: Int = 500)`). A selection's cost is proportional
to the rows of its parent, so each fragment is priced once per unit row and every spread of it
multiplies that price: the estimate is linear in the document's size however fragments nest.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
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

from hub.api.shape import fragment_order

# Fields of a connection that only wrap the rows the connection itself already counted.
_PASS_THROUGH = {"edges", "node"}


def _is_list(type_: GraphQLOutputType) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def operation_variables(
    operation: OperationDefinitionNode, given: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The values the operation's variables take: those sent, else their declared defaults."""
    values: dict[str, Any] = {}
    given = given or {}
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name in given:
            values[name] = given[name]
        elif definition.default_value is not None:
            values[name] = value_from_ast_untyped(definition.default_value)
    return values


class CostEstimator:
    """Estimates rows read by an operation of `schema` with the given paging limits."""

    def __init__(self, schema: GraphQLSchema, default_page: int, child_limit: int) -> None:
        self.schema = schema
        self.default_page = default_page
        self.child_limit = child_limit
        self.visits = 0  # selections looked at by the last estimate (tests check linearity)

    def estimate(
        self,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
    ) -> int:
        """Rows the chosen operation could read in the worst case."""
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
        walk = _Walk(self, operation_variables(operation, variables))
        for fragment in fragment_order(document):
            target = self.schema.get_type(fragment.type_condition.name.value)
            walk.fragments[fragment.name.value] = walk.selection(fragment.selection_set, target)
        cost = walk.selection(operation.selection_set, root)
        self.visits = walk.visits
        return cost


class _Walk:
    """Prices selection sets per unit row of their parent."""

    def __init__(self, estimator: CostEstimator, variables: dict[str, Any]) -> None:
        self.estimator = estimator
        self.variables = variables
        self.fragments: dict[str, int] = {}
        self.visits = 0

    def selection(self, selection_set: SelectionSetNode | None, parent: Any) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            self.visits += 1
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                target = parent
                if selection.type_condition is not None:
                    target = self.estimator.schema.get_type(selection.type_condition.name.value)
                total += self.selection(selection.selection_set, target)
            elif isinstance(selection, FragmentSpreadNode):
                # Unknown or cyclic fragments cost nothing here: validation refuses them.
                total += self.fragments.get(selection.name.value, 0)
        return total

    def field(self, node: FieldNode, parent: GraphQLNamedType | None) -> int:
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
        own = 0 if name in _PASS_THROUGH or named.name == "PageInfo" else rows
        return own + rows * self.selection(node.selection_set, named)

    def _first(self, node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value == "first":
                value = value_from_ast_untyped(argument.value, self.variables)
                if isinstance(value, bool) or not isinstance(value, int | float):
                    break
                if isinstance(value, float) and not math.isfinite(value):
                    break
                return max(int(value), 0)
        return self.estimator.default_page
