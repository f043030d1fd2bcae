"""Depth, alias, size and cost checks: linear in the document, off the event loop, and equal to
the plain recursive definitions they replace."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    InlineFragmentNode,
    OperationDefinitionNode,
    get_named_type,
    parse,
    specified_rules,
    value_from_ast_untyped,
    visit,
)
from graphql.language import Visitor
from hypothesis import HealthCheck, given, settings
from strawberry.extensions.max_aliases import count_fields_with_alias
from strawberry.extensions.query_depth_limiter import determine_depth

import hub.api.validation as validation_module
from connectors.simulated.server import serve
from hub.api.app import create_app
from hub.api.cost import CostEstimator, operation_variables
from hub.api.schema import build_schema
from hub.api.shape import ShapeMeter
from hub.api.validation import DocumentValidator
from hub.settings import Settings
from tests.api.conftest import SECRET
from tests.api.query_gen import requests

SCHEMA = build_schema(Settings())._schema


def doubling(n: int, leaf: str = "role") -> str:
    """`n` fragments, each spreading the next one twice: 2^n paths, about 40 bytes per level."""
    parts = ["query { viewer { ...G0 } }"]
    parts += [f"fragment G{i} on Viewer {{ ...G{i + 1} ...G{i + 1} }}" for i in range(n)]
    parts.append(f"fragment G{n} on Viewer {{ {leaf} }}")
    return " ".join(parts)


def written_selections(document: Any) -> int:
    """Selections as written in the document (every field, spread and inline fragment)."""
    count = 0

    class Count(Visitor):
        def enter_field(self, *_: Any) -> None:
            nonlocal count
            count += 1

        enter_fragment_spread = enter_inline_fragment = enter_field

    visit(document, Count())
    return count


@pytest.mark.parametrize("n", [20, 40, 200])
def test_doubling_fragments_are_measured_once_each(n: int) -> None:
    document = parse(doubling(n))
    validator = DocumentValidator(Settings())
    errors = validator(SCHEMA, document, tuple(specified_rules))
    assert len(errors) == 1 and "once its fragments are expanded" in errors[0].message
    # viewer, its spread of G0, and 3 * 2^n - 2 below: exact, not capped or estimated
    assert f"selects {3 * 2**n} fields" in errors[0].message
    assert validator.last_visits == written_selections(document)
    estimator = CostEstimator(SCHEMA, 50, 100)
    assert estimator.estimate(document, None, {}) == 1  # the viewer itself
    assert estimator.visits == written_selections(document)


def test_doubling_fragments_of_lists_are_priced_without_expanding() -> None:
    query = doubling(40, "trainees(first: 1) { totalCount }").replace(
        "viewer { ...G0 }", "viewer { role } ...G0"
    )
    query = query.replace("on Viewer", "on Query")
    document = parse(query)
    estimator = CostEstimator(SCHEMA, 50, 100)
    assert estimator.estimate(document, None, {}) == 2**40 + 1  # and the viewer
    assert estimator.visits == written_selections(document)


# --- the same answers as the recursive definitions, on generated documents ----------------


def naive_cost(document: Any, variables: dict[str, Any], page: int, child: int) -> int:
    """The estimate by walking every spread afresh (exponential, fine for small documents)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    values = operation_variables(operation, variables)

    def first(node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value == "first":
                value = value_from_ast_untyped(argument.value, values)
                if isinstance(value, int) and not isinstance(value, bool):
                    return max(value, 0)
        return page

    def walk(selection_set: Any, parent: Any, multiplier: int) -> int:
        total = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FragmentSpreadNode):
                fragment = fragments[selection.name.value]
                target = SCHEMA.get_type(fragment.type_condition.name.value)
                total += walk(fragment.selection_set, target, multiplier)
            elif isinstance(selection, InlineFragmentNode):
                target = parent
                if selection.type_condition:
                    target = SCHEMA.get_type(selection.type_condition.name.value)
                total += walk(selection.selection_set, target, multiplier)
            elif isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
                definition = parent.fields.get(selection.name.value)
                if definition is None:
                    continue
                named = get_named_type(definition.type)
                if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
                    continue
                name = selection.name.value
                if name in ("edges", "node") and parent.name.endswith(("Connection", "Edge")):
                    rows = 1
                elif named.name.endswith("Connection"):
                    rows = first(selection)
                elif "[" in str(definition.type):
                    rows = child
                else:
                    rows = 1
                reads = multiplier * rows
                own = 0 if name in ("edges", "node") or named.name == "PageInfo" else reads
                total += own + walk(selection.selection_set, named, reads)
        return total

    return walk(operation.selection_set, SCHEMA.query_type, 1)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(requests(SCHEMA))
def test_linear_checks_agree_with_the_recursive_ones(request: Any) -> None:
    document = parse(request.query)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    meter = ShapeMeter(document)
    shape = meter.operation(operation)
    assert meter.visits <= written_selections(document)

    class Context:
        def report_error(self, error: Any) -> None:
            pass

    depth = determine_depth(operation, fragments, 0, 10**6, Context(), "Q", None)  # type: ignore[arg-type]
    assert shape.depth == depth
    assert shape.aliases == count_fields_with_alias(operation, fragments)
    estimator = CostEstimator(SCHEMA, 50, 100)
    assert estimator.estimate(document, "Q", request.variables) == naive_cost(
        document, request.variables, 50, 100
    )


def test_variable_defaults_count_towards_the_cost() -> None:
    query = "query($n: Int = 500) { trainees(first: $n) { edges { node { sessions { id } } } } }"
    estimator = CostEstimator(SCHEMA, 50, 100)
    assert estimator.estimate(parse(query), None, {}) == 500 + 500 * 100
    assert estimator.estimate(parse(query), None, {"n": 2}) == 2 + 2 * 100
    assert estimator.estimate(parse(query), None, {"n": None}) == 50 + 50 * 100


# --- over HTTP, on a real server ------------------------------------------------------------


@pytest.fixture
def live(tmp_path: Path) -> Iterator[str]:
    settings = Settings(data_dir=tmp_path, jwt_secret=SECRET)
    with serve(create_app(settings)) as base_url:
        yield base_url


async def test_unauthenticated_fragment_bombs_are_refused(live: str) -> None:
    async with httpx.AsyncClient(base_url=live, timeout=60) as http:
        for n in (20, 40):
            response = await http.post("/graphql", json={"query": doubling(n)})
            body = response.json()
            assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
            assert body["data"] is None
        assert (await http.get("/healthz")).json() == {"status": "ok"}


async def test_healthz_answers_while_a_document_is_validated(
    live: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Validation is held until /healthz has answered: were it on the event loop, /healthz
    could not answer and the hold would run out."""
    healthz_answered = threading.Event()
    held = threading.Event()
    outcome: list[bool] = []
    validate = validation_module.validate

    def held_validate(*args: Any, **kwargs: Any) -> Any:
        held.set()
        outcome.append(healthz_answered.wait(timeout=30))
        return validate(*args, **kwargs)

    monkeypatch.setattr(validation_module, "validate", held_validate)
    async with httpx.AsyncClient(base_url=live, timeout=60) as http:
        query = asyncio.create_task(http.post("/graphql", json={"query": "{ __typename }"}))
        assert await asyncio.to_thread(held.wait, 30)
        health = await http.get("/healthz")
        assert health.json() == {"status": "ok"}
        healthz_answered.set()
        assert (await query).json() == {"data": {"__typename": "Query"}}
    assert outcome == [True]
