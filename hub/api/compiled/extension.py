"""The compiled read path in the request: after parsing, validation and the limits, before the
resolvers.

A query operation whose root fields all compile is answered by one SQL statement whose JSON text
goes to the client as it is (`RawData`); when only some compile, they run as one statement and
the rest through the resolvers, and the two answers are merged in the requested order. Anything
else (mutations, anonymous callers, uncompilable fields) runs through the resolvers unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import replace
from typing import Any

import asyncpg
import orjson
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import FragmentDefinitionNode, OperationType, get_operation_ast
from graphql.execution.values import get_variable_values
from prometheus_client import Counter
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.extensions import SchemaExtension

from hub.api.compiled.compiler import Compiler, operation_statement
from hub.api.compiled.plans import Plan, PlanCache, plan_key, prepared, remaining_document
from hub.api.context import HubContext
from hub.api.errors import HubError
from hub.api.metrics import root_fields
from hub.api.request_session import bounded_per_connection
from hub.api.time_zone import answering_in_utc

log = logging.getLogger("hub.api")

# What a failed statement raises: SQLAlchemy's wrapper, or asyncpg's own (`answer` calls asyncpg
# directly for a statement alone).
DATABASE_ERRORS = (DBAPIError, asyncpg.PostgresError, asyncpg.InterfaceError)

READ_PATHS = Counter(
    "hub_graphql_read_path_total",
    "Query operations by how they were answered: compiled, mixed or resolvers",
    ["path"],
)


class RawData(Mapping[str, Any]):
    """A response's `data` as the JSON text the database built; parsed only if someone looks."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._parsed: dict[str, Any] | None = None

    def _value(self) -> dict[str, Any]:
        if self._parsed is None:
            self._parsed = orjson.loads(self.text)
        return self._parsed

    def __getitem__(self, key: str) -> Any:
        return self._value()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._value())

    def __len__(self) -> int:
        return len(self._value())


class CompiledReads(SchemaExtension):
    """Answers compilable query operations with one SQL statement each (see module doc)."""

    def __init__(self, plans: PlanCache) -> None:
        self.plans = plans
        self._key: tuple[Any, ...] = ()

    def _plan(self, context: HubContext) -> Plan | None:
        execution = self.execution_context
        document = execution.graphql_document
        if document is None or context.principal is None or not answering_in_utc():
            return None  # the SQL writes datetimes in UTC; another zone is the resolvers' job
        operation = get_operation_ast(document, execution.operation_name)
        if operation is None or operation.operation is not OperationType.QUERY:
            return None
        dialect = context.session.bind.dialect
        # Keyed by the operation name the client sent (None when it sent none), not the one
        # strawberry fills in from a single-operation document: a repeat is looked up by the
        # request body alone, before parsing (hub/api/compiled/repeat.py).
        provided = getattr(execution, "_provided_operation_name", execution.operation_name)
        key = plan_key(
            execution.query,
            provided,
            execution.variables,
            context.principal,
            dialect.name,
        )
        self._key = key
        plan = self.plans.get(key)
        if plan is not None:
            return plan
        variables = get_variable_values(
            execution.schema._schema,
            operation.variable_definitions or (),
            execution.variables or {},
        )
        if isinstance(variables, list):  # coercion errors: the resolvers' path reports them
            return None
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        compiler = Compiler(execution.schema, context, fragments, variables, dialect.name)
        statement, compiled_keys, left = operation_statement(compiler, operation)
        keys = tuple(compiler.collect(compiler.graphql.query_type, [operation.selection_set]))  # type: ignore[arg-type]
        if statement is None:
            plan = Plan(None, (), (), keys, document)
        else:
            sql, params = prepared(statement, dialect)
            remaining = remaining_document(document, operation, left) if left else None
            plan = Plan(
                sql,
                params,
                tuple(compiled_keys),
                keys,
                remaining,
                execution.operation_name,
                frozenset(root_fields(execution)),
            )
        self.plans.put(key, plan)
        return plan

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context = execution.context
        eligible = (
            isinstance(context, HubContext)
            and context.settings.compiled_reads
            and execution.result is None
        )
        plan = self._plan(context) if eligible else None
        if plan is None or plan.sql is None:
            if plan is not None:
                READ_PATHS.labels("resolvers").inc()
            yield
            return
        try:
            text = await context.run(lambda session: answer(session, plan))
        except DATABASE_ERRORS as error:
            if "parser stack overflow" not in str(error):
                log.error("compiled read failed", exc_info=error)
                raise HubError("Internal server error") from None  # no SQL to the client
            # SQLite before 3.46 cannot parse very deep statements: this document goes to the
            # resolvers from now on
            self.plans.put(self._key, replace(plan, sql=None))
            READ_PATHS.labels("resolvers").inc()
            yield
            return
        if plan.remaining is None:
            context.read_path = "compiled"
            READ_PATHS.labels("compiled").inc()
            execution.result = GraphQLExecutionResult(data=RawData(text), errors=None)  # type: ignore[arg-type]
            yield
            return
        context.read_path = "mixed"
        READ_PATHS.labels("mixed").inc()
        document = execution.graphql_document
        execution.graphql_document = plan.remaining
        yield
        execution.graphql_document = document
        result = execution.result
        data = getattr(result, "data", None)
        if data is not None:
            compiled = orjson.loads(text)
            result.data = {  # type: ignore[union-attr]
                key: compiled[key] if key in compiled else data.get(key) for key in plan.keys
            }


async def answer(session: AsyncSession, plan: Plan) -> str:
    """The JSON text of the plan's statement.

    When it is the request's only statement (every root field compiled, nothing read before)
    and the connection carries the request's bounds, it runs outside a transaction: one round
    trip instead of BEGIN, the statement and ROLLBACK — one statement sees one snapshot either way.
    """
    alone = plan.remaining is None and not session.in_transaction()
    if alone and bounded_per_connection(session):
        options = {"isolation_level": "AUTOCOMMIT"}
        connection = await session.connection(execution_options=options)
        if connection.dialect.driver == "asyncpg":
            # One text value outside a transaction: asyncpg's own call, without SQLAlchemy's
            # cursor and result layers (the parameters went through bind processing already).
            raw = await connection.get_raw_connection()
            return await raw.driver_connection.fetchval(plan.sql, *plan.params)  # type: ignore[union-attr]
    else:
        connection = await session.connection()
    return (await connection.exec_driver_sql(plan.sql, plan.params)).scalar_one()  # type: ignore[arg-type]


def compiled_extensions(plans: PlanCache) -> list[Callable[[], SchemaExtension]]:
    """The per-request factory of the compiled path; its plans live as long as the schema."""
    return [lambda: CompiledReads(plans)]
