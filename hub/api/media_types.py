"""The media types of a GraphQL answer, and which one a client prefers (GraphQL over HTTP)."""

from __future__ import annotations

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
