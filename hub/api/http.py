"""GraphQL over HTTP: strawberry's ASGI view, answering `application/graphql-response+json`.

When a client accepts the newer media type (GraphQL over HTTP spec), a request error — a
document that does not parse or validate, variables that do not coerce, a rejected limit — is
answered with status 400 and no `data` entry; errors while executing keep status 200 and carry
`data`. Clients that accept only `application/json` get the legacy answer: always 200.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from hub.api.access_log import write_access_log
from hub.api.compiled.extension import RawData
from hub.api.context import HubContext

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


def _quality(accept: str, media_type: str) -> float:
    """The q value the Accept header gives `media_type` (0 when absent; wildcards ignored)."""
    best = 0.0
    for part in accept.split(","):
        name, *params = (p.strip() for p in part.split(";"))
        if name.lower() != media_type:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        best = max(best, q)
    return best


def prefers_graphql_response(accept: str | None) -> bool:
    """True when the client asks for application/graphql-response+json at least as much as JSON."""
    if not accept:
        return False
    wanted = _quality(accept, GRAPHQL_RESPONSE)
    return wanted > 0 and wanted >= _quality(accept, JSON)


def is_request_error(result: ExecutionResult) -> bool:
    """No execution happened: errors without a path and no data (parse, validation, coercion)."""
    return (
        result.data is None and bool(result.errors) and all(e.path is None for e in result.errors)
    )


class HubGraphQL(GraphQL):
    """The hub's view: per-request context made by the endpoint, spec-compliant media types."""

    async def get_context(self, request: Any, response: Any) -> HubContext:
        request.state.sub_response = response
        return request.state.hub_context

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

    def encode_json(self, data: object) -> str | bytes:
        """JSON of the response; compiled `data` is already JSON text and is spliced in as is."""
        if isinstance(data, dict) and isinstance(data.get("data"), RawData):
            rest = super().encode_json({k: v for k, v in data.items() if k != "data"})
            rest = rest.decode() if isinstance(rest, bytes) else rest
            return '{"data":' + data["data"].text + ("," + rest[1:] if len(rest) > 2 else "}")
        return super().encode_json(data)

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
