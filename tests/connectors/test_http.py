"""HttpClient: retries, backoff, Retry-After and error mapping (scripted transport, no waiting)."""

from __future__ import annotations

import random
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from connectors.errors import AuthError, ConnectorError, PlatformUnavailable, SchemaDriftError
from connectors.http import HttpClient, parse_retry_after
from tests.connectors.support import FakeSleep

URL = "http://platform.test/api/v1/ping"


def scripted(*steps: httpx.Response | Exception) -> Callable[[httpx.Request], httpx.Response]:
    """A transport handler answering each request with the next step (the last one repeats)."""
    calls = iter(range(10_000))

    def handle(request: httpx.Request) -> httpx.Response:
        step = steps[min(next(calls), len(steps) - 1)]
        if isinstance(step, Exception):
            raise step
        return step

    return handle


def client(handler, sleep: FakeSleep, **options) -> HttpClient:
    transport = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return HttpClient(transport, sleep=sleep, rng=random.Random(7), **options)


async def test_retries_5xx_with_full_jitter_backoff():
    sleep = FakeSleep()
    handler = scripted(*[httpx.Response(503)] * 4, httpx.Response(200, json={"ok": 1}))
    assert await client(handler, sleep, backoff_base=0.5).get_json(URL) == {"ok": 1}
    assert len(sleep.calls) == 4
    for attempt, delay in enumerate(sleep.calls):
        assert 0 <= delay <= 0.5 * 2**attempt  # full jitter: anywhere below the exponential cap


async def test_connection_errors_and_timeouts_are_retried():
    sleep = FakeSleep()
    handler = scripted(
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        httpx.Response(200, json=[1, 2]),
    )
    assert await client(handler, sleep).get_json(URL) == [1, 2]
    assert len(sleep.calls) == 2


async def test_retry_after_seconds_and_http_date_are_honoured():
    sleep = FakeSleep()
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    handler = scripted(
        httpx.Response(429, headers={"Retry-After": "3"}),
        httpx.Response(503, headers={"Retry-After": when}),
        httpx.Response(200, json={}),
    )
    await client(handler, sleep).get_json(URL)
    assert sleep.calls[0] == 3.0
    assert 27 < sleep.calls[1] <= 30


async def test_total_wait_is_capped():
    sleep = FakeSleep()
    handler = scripted(httpx.Response(429, headers={"Retry-After": "3600"}))
    with pytest.raises(PlatformUnavailable, match="429") as caught:
        await client(handler, sleep, max_total_wait=60).get_json(URL)
    assert sleep.calls == []  # never slept an hour it was not allowed to
    assert caught.value.retry_after == 3600


async def test_exhausted_attempts_raise_platform_unavailable():
    sleep = FakeSleep()
    handler = scripted(httpx.Response(500, text="数据库连接失败"))
    with pytest.raises(PlatformUnavailable, match="after 3 attempt.*数据库连接失败"):
        await client(handler, sleep, max_attempts=3).get_json(URL)
    assert len(sleep.calls) == 2


@pytest.mark.parametrize("status", [401, 403])
async def test_auth_failures_are_not_retried(status):
    sleep = FakeSleep()
    with pytest.raises(AuthError, match=str(status)):
        await client(scripted(httpx.Response(status)), sleep).get_json(URL)
    assert sleep.calls == []


async def test_other_client_errors_and_non_json_bodies():
    sleep = FakeSleep()
    with pytest.raises(ConnectorError, match="404") as caught:
        await client(scripted(httpx.Response(404)), sleep).get_json(URL)
    assert not isinstance(caught.value, PlatformUnavailable)
    with pytest.raises(SchemaDriftError, match="non-JSON"):
        await client(scripted(httpx.Response(200, text="<html>维护中</html>")), sleep).get_json(URL)
    assert sleep.calls == []


async def test_real_refused_connection_becomes_platform_unavailable():
    with socket.socket() as sock:  # a port that was free a moment ago: nobody listens on it
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sleep = FakeSleep()
    async with HttpClient(timeout=1, max_attempts=2, sleep=sleep) as http:
        with pytest.raises(PlatformUnavailable, match="connection failed"):
            await http.get_json(f"http://127.0.0.1:{port}/api/v1/ping")
    assert len(sleep.calls) == 1


def test_parse_retry_after():
    now = datetime(2020, 3, 1, tzinfo=UTC).timestamp()
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("-4") == 0.0
    assert parse_retry_after("Sun, 01 Mar 2020 00:00:10 GMT", now=now) == 10.0
    assert parse_retry_after("Sat, 29 Feb 2020 00:00:10 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
