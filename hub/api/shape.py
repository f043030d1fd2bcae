"""Depth, alias and selection counts of a GraphQL document, in time linear in its size.

A fragment may be spread many times, and fragments may spread each other: walking every spread
afresh visits 2^n paths for n fragments that each spread the next one twice (an 850-byte body
with n = 20). Here every fragment is measured once, after the fragments it spreads, and a spread
reads the fragment's stored measure; `visits` counts the selections looked at, which is at most
the number of selections written in the document. `selections` counts what execution would
look at with every fragment expanded, so a document that is small to send but huge once
expanded can be refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)


@dataclass(frozen=True)
class Shape:
    """How deep a selection goes (fields with sub-selections, introspection not counted), and
    how many aliased fields and selections it holds once every fragment is expanded."""

    depth: int = 0
    aliases: int = 0
    selections: int = 0


def spreads(selection_set: SelectionSetNode | None) -> list[str]:
    """Names of the fragments spread anywhere inside `selection_set` (not following them)."""
    names: list[str] = []
    pending = [selection_set] if selection_set is not None else []
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                names.append(selection.name.value)
            elif selection.selection_set is not None:  # fields and inline fragments
                pending.append(selection.selection_set)
    return names


def fragment_order(document: DocumentNode) -> list[FragmentDefinitionNode]:
    """The document's fragments, each after every fragment it spreads.

    Iterative, so a chain of hundreds of fragments needs no deep recursion; a spread closing a
    cycle is ignored (validation reports the cycle, and such a document never executes).
    """
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    order: list[FragmentDefinitionNode] = []
    state: dict[str, int] = {}  # 1: being expanded, 2: done
    for root in fragments:
        if root in state:
            continue
        stack = [(root, iter(spreads(fragments[root].selection_set)))]
        state[root] = 1
        while stack:
            name, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                state[name] = 2
                order.append(fragments[name])
            elif child in fragments and child not in state:
                state[child] = 1
                stack.append((child, iter(spreads(fragments[child].selection_set))))
    return order


class ShapeMeter:
    """Measures every operation of one document, each fragment once."""

    def __init__(self, document: DocumentNode) -> None:
        self.visits = 0
        self._fragments: dict[str, Shape] = {}
        for fragment in fragment_order(document):
            self._fragments[fragment.name.value] = self.selection(fragment.selection_set)
        self.operations = [
            d for d in document.definitions if isinstance(d, OperationDefinitionNode)
        ]

    def operation(self, operation: OperationDefinitionNode) -> Shape:
        """The shape of one operation."""
        return self.selection(operation.selection_set)

    def selection(self, selection_set: SelectionSetNode | None) -> Shape:
        if selection_set is None:
            return Shape()
        depth = aliases = selections = 0
        for selection in selection_set.selections:
            self.visits += 1
            if isinstance(selection, FieldNode):
                selections += 1
                if selection.alias is not None:
                    aliases += 1
                if selection.selection_set is None:
                    continue
                inner = self.selection(selection.selection_set)
                aliases, selections = aliases + inner.aliases, selections + inner.selections
                if not selection.name.value.startswith("__"):  # introspection is not data
                    depth = max(depth, 1 + inner.depth)
                continue
            if isinstance(selection, InlineFragmentNode):
                inner = self.selection(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                # Unknown or cyclic fragments count nothing: validation reports them.
                inner = self._fragments.get(selection.name.value, Shape())
            else:
                continue
            depth = max(depth, inner.depth)
            aliases, selections = aliases + inner.aliases, selections + 1 + inner.selections
        return Shape(depth, aliases, selections)
