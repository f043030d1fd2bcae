"""Repeats of a compiled operation, answered before the GraphQL pipeline.

A front end sends the same few documents with the same variables. The first time, the full
pipeline runs (parsing, validation, limits, then hub/api/compiled/extension.py) and keeps a plan
keyed by exactly that document, operation name, variables and caller. A repeat whose plan
answers every root field needs nothing of the pipeline again — its document was accepted and its
SQL, scope included, built for this caller — so it is answered here: one statement, its JSON as
the body. Anything else (no plan yet, a plan the resolvers share, another time zone, a GET)
goes through the pipeline as before.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import Response

from hub.api.compiled.extension import DATABASE_ERRORS, READ_PATHS, answer
from hub.api.compiled.plans import Plan, PlanCache, plan_key
from hub.api.context import HubContext
from hub.api.media_types import GRAPHQL_RESPONSE, JSON, prefers_graphql_response
from hub.api.metrics import count_operation, operation_label
from hub.api.time_zone import answering_in_utc

log = logging.getLogger("hub.api")


def repeat_plan(plans: PlanCache, payload: Any, context: HubContext) -> Plan | None:
    """The plan that answers this request body whole, if one was made for it and this caller."""
    if not (
        context.settings.compiled_reads
        and context.principal is not None
        and isinstance(payload, dict)
        and payload.keys() <= {"query", "operationName", "variables"}
        and isinstance(payload.get("query"), str)
        and answering_in_utc()
    ):
        return None
    dialect = context.session.bind.dialect.name
    key = plan_key(
        payload["query"], payload.get("operationName"), payload.get("variables"),
        context.principal, dialect,
    )  # fmt: skip
    plan = plans.get(key)
    if plan is None or plan.sql is None or plan.remaining is not None:
        return None
    return plan


async def repeat_text(
    plan: Plan, context: HubContext, known_operations: frozenset[str]
) -> str | None:
    """The JSON text of the plan's `data`, counted in the metrics as the pipeline would count
    it; None when the statement fails, for the pipeline to answer in its own words (a typed
    error)."""
    started = time.perf_counter()
    try:
        text = await context.run(lambda session: answer(session, plan))
    except DATABASE_ERRORS as error:
        log.info("a compiled repeat failed, the pipeline answers it: %s", error)
        await context.session.rollback()
        return None
    label = operation_label(plan.operation_name, known_operations)
    count_operation(label, time.perf_counter() - started, plan.root_fields)
    READ_PATHS.labels("compiled").inc()
    return text


async def answer_repeat(
    plan: Plan,
    context: HubContext,
    headers: Headers,
    known_operations: frozenset[str],
) -> Response | None:
    """The plan's answer as the pipeline's HTTP response; None when the statement fails."""
    text = await repeat_text(plan, context, known_operations)
    if text is None:
        return None
    graphql_response = prefers_graphql_response(headers.get("accept"))
    return Response(
        ('{"data":' + text + "}").encode("utf-8"),
        headers={"x-hub-read-path": "compiled"},
        media_type=f"{GRAPHQL_RESPONSE}; charset=utf-8" if graphql_response else JSON,
    )
