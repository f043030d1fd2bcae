"""GraphQL over HTTP: strawberry's ASGI view, answering `application/graphql-response+json`.

When a client accepts the newer media type (GraphQL over HTTP spec), a request error — a
document that does not parse or validate, variables that do not coerce, a rejected limit — is
answered with status 400 and no `data` entry; errors while executing keep status 200 and carry
`data`. Clients that accept only `application/json` get the legacy answer: always 200.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from hub.api.access_log import write_access_log
from hub.api.compiled.extension import RawData
from hub.api.context import HubContext
from hub.api.media_types import GRAPHQL_RESPONSE, prefers_graphql_response
from hub.console.public import graphiql_html


def is_request_error(result: ExecutionResult) -> bool:
    """No execution happened: errors without a path and no data (parse, validation, coercion)."""
    return (
        result.data is None and bool(result.errors) and all(e.path is None for e in result.errors)
    )


def _utf8_json(data: object) -> bytes:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate echoed from the input: escape, not fail
        return json.dumps(data, separators=(",", ":")).encode("ascii")


class HubGraphQL(GraphQL):
    """The hub's view: per-request context made by the endpoint, spec-compliant media types."""

    async def get_context(self, request: Any, response: Any) -> HubContext:
        request.state.sub_response = response
        return request.state.hub_context

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL from the hub's own files: it must work on an intranet without internet."""
        return HTMLResponse(graphiql_html())

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        # Unmasked reads are logged before the answer leaves: if logging fails, nothing
        # unmasked is sent (fail closed).
        await write_access_log(request.state.hub_context)
        body = await super().process_result(request, result)
        context: HubContext = request.state.hub_context
        request.state.sub_response.headers["x-hub-read-path"] = context.read_path
        if prefers_graphql_response(request.headers.get("accept")):
            sub_response: Response = request.state.sub_response
            sub_response.headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
            if is_request_error(result):
                sub_response.status_code = 400
                body.pop("data", None)
        return body

    def encode_json(self, data: object) -> bytes:
        """UTF-8 JSON with Chinese text as it is (not \\uXXXX escapes), readable in any tool;
        compiled `data` is already JSON text (the database's) and is spliced in as is."""
        if isinstance(data, dict) and isinstance(data.get("data"), RawData):
            rest = _utf8_json({k: v for k, v in data.items() if k != "data"}).decode()
            tail = "," + rest[1:] if len(rest) > 2 else "}"
            return ('{"data":' + data["data"].text + tail).encode("utf-8")
        return _utf8_json(data)

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        media_type = sub_response.headers.get("content-type")
        if media_type:
            del sub_response.headers["content-type"]  # replaces the default, not added twice
        response = super().create_response(response_data, sub_response)
        if media_type:
            response.headers["content-type"] = media_type
        return response
