"""Prometheus metrics: requests and latency by operation, errors by code, sync runs.

Request metrics are counted in this process (each `hub serve` worker exposes its own, as
Prometheus expects of separate targets); sync runs are counted from the database at scrape time,
so every process reports the same, complete figures.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

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

_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def operation_label(name: str | None) -> str:
    """A bounded label for a client-chosen operation name."""
    return _UNSAFE.sub("_", name)[:64] if name else "anonymous"


class RecordMetrics(SchemaExtension):
    """Counts each operation, its duration and the codes of the errors it returned."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        label = operation_label(self.execution_context.operation_name)
        REQUESTS.labels(label).inc()
        LATENCY.labels(label).observe(time.perf_counter() - started)
        result = self.execution_context.result
        for error in getattr(result, "errors", None) or ():
            ERRORS.labels((error.extensions or {}).get("code", "INTERNAL")).inc()


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
