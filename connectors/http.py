"""The one HTTP client every connector shares: timeouts, retries with backoff, Retry-After.

Transient failures (connection errors, timeouts, 5xx, 408, 429) are retried with exponential
backoff and full jitter; a server's Retry-After (seconds or an HTTP-date) is honoured exactly.
The total time spent waiting between attempts is capped: once the next wait would pass
`max_total_wait`, or `max_attempts` are used, PlatformUnavailable is raised so the scheduler can
try the whole sync later instead of a worker sleeping for an hour.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from email.utils import parsedate_to_datetime
from http.cookiejar import DefaultCookiePolicy
from typing import Any

import httpx

from connectors.errors import (
    AuthError,
    ConnectorError,
    PlatformUnavailable,
    RetriableError,
    SchemaDriftError,
)

Sleep = Callable[[float], Awaitable[None]]

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if absent."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None  # an unreadable hint is ignored: fall back to our own backoff
    if when.tzinfo is None:  # RFC 9110 dates are GMT; be lenient with servers that omit it
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class HttpClient:
    """Retrying JSON-over-HTTP client wrapping one shared `httpx.AsyncClient`."""

    def __init__(
        self,
        client: httpx.AsyncClient | None = None,
        *,
        timeout: float = 30.0,
        max_attempts: int = 6,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        max_total_wait: float = 60.0,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        """Use `client` if given (it stays the caller's to close), else own a new one.

        `sleep` and `rng` are injectable so tests can run retries without real waiting.
        """
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
            follow_redirects=True,
        )
        if self._owns_client:
            # One client serves many platforms, and cookies ignore ports: keep none, so one
            # platform's session never reaches another. Connectors that log in send their own.
            self._client.cookies.jar.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.max_total_wait = max_total_wait
        self._sleep = sleep
        self._rng = rng or random.Random()

    async def aclose(self) -> None:
        """Close the underlying client if this object created it."""
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def get_json(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """GET `url` and decode its JSON body, retrying transient failures.

        Raises AuthError on 401/403, PlatformUnavailable once retries are exhausted,
        SchemaDriftError when a 2xx body is not JSON, ConnectorError on other 4xx.
        """
        response = await self.send("GET", url, params=params, headers=headers)
        try:
            return response.json()
        except ValueError as exc:
            raise SchemaDriftError(f"{url} answered non-JSON: {_snippet(response)}") from exc

    async def send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
    ) -> httpx.Response:
        """Any request, with get_json's retries and errors; returns the successful response.

        Only send non-GET requests through here when repeating them is harmless.
        """
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._attempt(method, url, params, headers, json)
            except RetriableError as exc:
                delay = exc.retry_after
                if delay is None:
                    # Full jitter: spreads retries of many workers over the whole window.
                    ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
                    delay = self._rng.uniform(0, ceiling)
                if attempt >= self.max_attempts or waited + delay > self.max_total_wait:
                    raise PlatformUnavailable(
                        f"{url} unavailable after {attempt} attempt(s) and {waited:.1f}s of "
                        f"waiting: {exc}",
                        retry_after=exc.retry_after,
                    ) from exc
                waited += delay
                await self._sleep(delay)

    async def _attempt(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        json: Any,
    ) -> httpx.Response:
        try:
            response = await self._client.request(
                method, url, params=params, headers=headers, json=json
            )
        except httpx.TimeoutException as exc:
            raise RetriableError(f"timed out ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise RetriableError(f"connection failed ({type(exc).__name__}: {exc})") from exc
        status = response.status_code
        if status in (401, 403):
            raise AuthError(f"{url} refused the credentials: HTTP {status} {_snippet(response)}")
        if status in RETRY_STATUSES:
            hint = parse_retry_after(response.headers.get("Retry-After"))
            raise RetriableError(f"HTTP {status} {_snippet(response)}", retry_after=hint)
        if status >= 400:
            raise ConnectorError(f"{url} answered HTTP {status} {_snippet(response)}")
        return response


def _snippet(response: httpx.Response, limit: int = 200) -> str:
    """The start of a response body for error messages (platform errors often explain why)."""
    text = response.text.strip().replace("\n", " ")
    return text[:limit] + ("…" if len(text) > limit else "")
