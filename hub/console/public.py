"""Pages without sign-in: proof verification for browsers, and GraphiQL served from the hub."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from hub.console import labels
from hub.console.web import HERE, PREFIX, SECURITY_HEADERS
from hub.documents.proofs import ProofView


@cache
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape()
    )
    env.globals.update(PREFIX=PREFIX, labels=labels)
    env.filters.update(beijing=labels.beijing, hours=labels.hours)
    return env


def verify_page(request: Request, view: ProofView | None, code: str) -> Response:
    """The verification of a training proof as an HTML page (masked name, hours, class, issuer)."""
    body = (
        _env().get_template("verify.html").render(proof=view.public() if view else None, code=code)
    )
    headers = {**SECURITY_HEADERS, "Vary": "Accept"}
    return HTMLResponse(body, 200 if view else 404, headers=headers)


@cache
def graphiql_html() -> str:
    """GraphiQL with React, its scripts and styles all served by the hub."""
    return _env().get_template("graphiql.html").render()
