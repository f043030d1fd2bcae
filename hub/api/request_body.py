"""The GraphQL request body, checked before anything else looks at it (authentication included).

What Python's JSON reader accepts is wider than what the hub can work with: nesting deep enough
to exhaust the interpreter's recursion (HTTP 500), `NaN` and `Infinity` (not JSON), strings
holding lone surrogates or NUL characters (no database stores them, the drivers fail with
INTERNAL). Such bodies are answered 400 BAD_USER_INPUT here, as is a body over the size limit
(413). The body is read once and replayed to the GraphQL view.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from starlette.datastructures import QueryParams
from starlette.responses import JSONResponse
from starlette.types import Message, Receive, Scope

MAX_JSON_DEPTH = 64


class BadBody(Exception):
    """The body cannot be a valid request; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status

    def response(self) -> JSONResponse:
        error = {"message": str(self), "extensions": {"code": "BAD_USER_INPUT"}}
        return JSONResponse({"data": None, "errors": [error]}, status_code=self.status)


def _refuse_constant(name: str) -> Any:
    raise BadBody(f"{name} is not valid JSON")


def check_text(text: str) -> None:
    """Refuse strings no database can store: lone surrogates and NUL characters."""
    if "\x00" in text:
        raise BadBody("strings may not contain NUL characters")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            raise BadBody("strings must be valid Unicode (a lone surrogate was sent)") from error


def check_value(value: Any) -> None:
    """Walk a decoded JSON value without recursion: bounded depth, storable strings."""
    pending = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise BadBody(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(item, str):
            check_text(item)
        elif isinstance(item, dict):
            for key, inner in item.items():
                check_text(key)
                pending.append((inner, depth + 1))
        elif isinstance(item, list):
            pending.extend((inner, depth + 1) for inner in item)


def decode(raw: bytes | str) -> Any:
    """Strict JSON, checked; BadBody for anything the hub would choke on later."""
    try:
        value = json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError as error:
        raise BadBody(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from error
    except (ValueError, UnicodeDecodeError):
        return None  # not JSON at all: the GraphQL view answers that in its own words
    if isinstance(value, dict) and "variables" in value:
        # Variables are checked by type once the document is parsed (StorableVariables): a
        # JSON payload such as pushRecords' records may hold a bad record, which is quarantined
        # with its reason while the rest of the batch is stored.
        check_value({k: v for k, v in value.items() if k != "variables"})
    else:
        check_value(value)
    return value


def decode_variables(raw: str) -> Any:
    """A GET request's `variables` parameter, decoded strictly (texts checked by type later)."""
    try:
        return json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError as error:
        raise BadBody(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from error
    except (ValueError, UnicodeDecodeError):
        return None


def check_query_params(params: QueryParams) -> None:
    """A GET request: the JSON parameters decoded like a body, the rest checked as text."""
    for key, value in params.multi_items():
        check_text(key)
        if key == "variables":
            decode_variables(value)
        elif key == "extensions":
            decode(value)
        else:
            check_text(value)


async def read_body(receive: Receive, limit: int) -> bytes:
    """The whole request body, refused with 413 once it grows past `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BadBody(f"request body larger than {limit} bytes", status=413)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A receive channel that hands out `body` once, then defers to the real one."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


class CheckedRequest(NamedTuple):
    """A checked request: its receive channel (the body replayed) and its decoded JSON body
    (None for a GET, or a body that is not JSON)."""

    receive: Receive
    payload: Any


async def checked_receive(scope: Scope, receive: Receive, limit: int) -> CheckedRequest:
    """Check a GraphQL request's JSON (POST body or GET parameters); BadBody when refused."""
    if scope.get("method") == "GET":
        check_query_params(QueryParams(scope.get("query_string", b"")))
        return CheckedRequest(receive, None)
    body = await read_body(receive, limit)
    content_type = dict(scope.get("headers", [])).get(b"content-type", b"").decode("latin-1")
    payload = decode(body) if "json" in content_type.lower() else None
    return CheckedRequest(replay(body, receive), payload)
