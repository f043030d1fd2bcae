"""Prometheus metrics: requests and latency by operation, errors by code, sync runs.

Every label value comes from a bounded set, so no client can grow the metrics without end
(3,000 made-up operation names used to add 7 MB): operation names the operator lists in
HUB_METRICS_OPERATIONS get their own label, any other is `other` (`anonymous` without a name);
root fields are counted by their schema name, which the schema bounds.

Request metrics are counted in this process (each `hub serve` worker exposes its own, as
Prometheus expects of separate targets); sync runs are counted from the database at scrape time,
so every process reports the same, complete figures.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator

from graphql import FieldNode, OperationDefinitionNode
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response
from strawberry.extensions import SchemaExtension

from schema.tables import Platform, SyncRun

REQUESTS = Counter(
    "hub_graphql_requests_total", "GraphQL operations served, by operation name", ["operation"]
)
LATENCY = Histogram(
    "hub_graphql_request_seconds", "Time to execute a GraphQL operation", ["operation"]
)
ERRORS = Counter("hub_graphql_errors_total", "GraphQL errors returned, by code", ["code"])
FIELDS = Counter(
    "hub_graphql_root_fields_total", "Root fields asked for, by schema field name", ["field"]
)


def operation_label(name: str | None, known: frozenset[str]) -> str:
    """The label of a client-chosen operation name: itself only if the operator listed it."""
    if not name:
        return "anonymous"
    return name if name in known else "other"


def count_operation(label: str, seconds: float, fields: Iterable[str]) -> None:
    """Count one operation under `label`, its duration and the root fields it asked for."""
    REQUESTS.labels(label).inc()
    LATENCY.labels(label).observe(seconds)
    for field in fields:
        FIELDS.labels(field).inc()


def listed_operations(setting: str) -> frozenset[str]:
    """The operation names an operator listed (HUB_METRICS_OPERATIONS, comma-separated)."""
    return frozenset(n.strip() for n in setting.split(",") if n.strip())


def metrics_extension(known_operations: str) -> Callable[[], SchemaExtension]:
    """The extension recording request metrics, labelling only the listed operation names."""
    known = listed_operations(known_operations)

    class RecordMetrics(SchemaExtension):
        """Counts each operation, its duration, its root fields and its errors' codes."""

        def on_operation(self) -> Iterator[None]:
            started = time.perf_counter()
            yield
            context = self.execution_context
            label = operation_label(context.operation_name, known)
            count_operation(label, time.perf_counter() - started, root_fields(context))
            for error in getattr(context.result, "errors", None) or ():
                ERRORS.labels(_code(error.extensions)).inc()

    return RecordMetrics


_CODES = frozenset(
    {"UNAUTHENTICATED", "FORBIDDEN", "BAD_USER_INPUT", "NOT_FOUND", "TIMEOUT", "CONFLICT"}
)


def _code(extensions: dict | None) -> str:
    code = (extensions or {}).get("code")
    return code if code in _CODES else "INTERNAL"


def root_fields(context: object) -> set[str]:
    """The schema's root fields the document selects directly (names it does not know are
    not counted, so the label values stay within the schema)."""
    document = getattr(context, "graphql_document", None)
    if document is None:
        return set()
    schema = context.schema._schema  # type: ignore[attr-defined]
    names: set[str] = set()
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        root = schema.get_root_type(definition.operation)
        for selection in definition.selection_set.selections:
            if isinstance(selection, FieldNode) and root and selection.name.value in root.fields:
                names.add(f"{definition.operation.value}.{selection.name.value}")
    return names


class _SyncRunCollector:
    def __init__(self, counts: list[tuple[str, str, int]]) -> None:
        self.counts = counts

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "hub_sync_runs",
            "Sync runs recorded, by platform and status",
            labels=["platform", "status"],
        )
        for platform, status, count in self.counts:
            family.add_metric([platform, status], count)
        yield family


def metrics_endpoint(engine: AsyncEngine):  # type: ignore[no-untyped-def]
    """The /metrics handler: this process's request metrics plus sync runs from the database."""

    async def metrics(request: Request) -> Response:
        query = (
            select(Platform.code, SyncRun.status, func.count())
            .join(Platform, Platform.id == SyncRun.platform_id)
            .group_by(Platform.code, SyncRun.status)
        )
        async with engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        counts = [(code, getattr(status, "value", str(status)), n) for code, status, n in rows]
        scraped = CollectorRegistry(auto_describe=False)
        scraped.register(_SyncRunCollector(counts))  # type: ignore[arg-type]
        body = generate_latest(REGISTRY) + generate_latest(scraped)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return metrics
