"""HTTP routes serving documents with the same bearer auth and scope predicates as GraphQL.

- `GET /verify/{code}`: public, no login: a proof's masked name, hours, class and issuer;
- `GET /documents/proofs/{code}.pdf`, `/documents/filings/{id}/annex1.pdf`,
  `/documents/claims/{id}/annex2.pdf`, `/documents/claims/{id}/annex3.pdf`: PDFs;
- `GET /exports/{kind}.xlsx?class=&claim=&region=`: XLSX, streamed from a spooled file.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from hub.api.errors import BadUserInput
from hub.api.relay import expect_id
from hub.auth.principal import Principal, Role
from hub.db import session_factory
from hub.documents import exports, forms
from hub.documents.proofs import ProofView, find_proof, proof_pdf
from hub.policy.errors import NotInScope

# The app's authentication, as /graphql uses it: (principal, None) or (None, why).
Authenticate = Callable[[Headers, AsyncSession], Awaitable[tuple[Principal | None, str | None]]]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024
# Exports leave out platform service accounts: they read their own records through GraphQL.
EXPORT_ROLES = frozenset(Role) - {Role.CONNECTOR}


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status)


async def _stream_file(path: Path) -> AsyncIterator[bytes]:
    """The file's bytes in chunks, deleting it afterwards."""
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)


# Renders /verify/{code} for a browser: (request, proof or None, code) -> HTML response.
VerifyPage = Callable[[Request, ProofView | None, str], Response]


def document_routes(
    engine: AsyncEngine, authenticate: Authenticate, verify_page: VerifyPage | None = None
) -> list[Route]:
    """The document routes, authenticating like /graphql does; `verify_page` answers browsers."""
    sessions = session_factory(engine)

    async def caller(request: Request, session: AsyncSession) -> Principal | JSONResponse:
        principal, problem = await authenticate(request.headers, session)
        if principal is None:
            return _error(401, "UNAUTHENTICATED", problem or "a bearer token is required")
        return principal

    async def verify(request: Request) -> Response:
        async with sessions() as session:
            view = await find_proof(session, request.path_params["code"])
        if verify_page is not None and wants_html(request):
            return verify_page(request, view, request.path_params["code"])
        if view is None:
            return JSONResponse({"valid": False, "code": request.path_params["code"]}, 404)
        return JSONResponse(view.public())

    async def proof_document(request: Request) -> Response:
        code = request.path_params["code"]
        async with sessions() as session:
            principal = await caller(request, session)
            if isinstance(principal, Response):
                return principal
            view = await find_proof(session, code, principal)
        if view is None:
            return _error(404, "NOT_FOUND", f"proof {code} not found")
        verify_url = str(request.url_for("verify", code=view.code))
        return _pdf(proof_pdf(view, verify_url), f"proof-{view.code}.pdf")

    def form(builder, type_name: str):  # type: ignore[no-untyped-def]
        async def endpoint(request: Request) -> Response:
            async with sessions() as session:
                principal = await caller(request, session)
                if isinstance(principal, Response):
                    return principal
                try:
                    row_id = expect_id(request.path_params["id"], type_name)
                except BadUserInput as error:
                    return _error(400, "BAD_USER_INPUT", error.message)
                try:
                    body = await builder(session, principal, row_id)
                except NotInScope as error:
                    return _error(404, "NOT_FOUND", str(error))
            return _pdf(body, f"{builder.__name__}-{row_id}.pdf")

        return endpoint

    async def export(request: Request) -> Response:
        async with sessions() as session:
            principal = await caller(request, session)
        if isinstance(principal, Response):
            return principal
        if principal.role not in EXPORT_ROLES:
            return _error(403, "FORBIDDEN", f"role {principal.role.value} may not export")
        kind = request.path_params["kind"]
        if kind not in exports.EXPORT_KINDS:
            return _error(404, "NOT_FOUND", f"unknown export {kind!r}")
        try:
            flt = exports.ExportFilter(
                class_id=_optional_id(request, "class", "TrainingClass"),
                claim_id=_optional_id(request, "claim", "SubsidyClaim"),
                region=request.query_params.get("region"),
            )
        except BadUserInput as error:
            return _error(400, "BAD_USER_INPUT", error.message)
        if kind == "claim-materials" and flt.claim_id is None:
            return _error(400, "BAD_USER_INPUT", "claim-materials needs ?claim=<SubsidyClaim id>")
        async with sessions() as session:
            try:
                path = await exports.build_export(session, principal, kind, flt)
            except NotInScope as error:
                return _error(404, "NOT_FOUND", str(error))
        return StreamingResponse(
            _stream_file(path),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{kind}.xlsx"'},
        )

    return [
        Route("/verify/{code}", verify, name="verify"),
        Route("/documents/proofs/{code}.pdf", proof_document),
        Route("/documents/filings/{id}/annex1.pdf", form(forms.annex1, "PlatformFiling")),
        Route("/documents/claims/{id}/annex2.pdf", form(forms.annex2, "SubsidyClaim")),
        Route("/documents/claims/{id}/annex3.pdf", form(forms.annex3, "SubsidyClaim")),
        Route("/exports/{kind}.xlsx", export),
    ]


def wants_html(request: Request) -> bool:
    """A browser: Accept names text/html before any JSON; API clients keep getting JSON."""
    accept = request.headers.get("accept", "").lower()
    html = accept.find("text/html")
    json_at = accept.find("application/json")
    return html >= 0 and (json_at < 0 or html < json_at)


def _optional_id(request: Request, name: str, type_name: str) -> int | None:
    value = request.query_params.get(name)
    return expect_id(value, type_name) if value else None


def _pdf(body: bytes, filename: str) -> Response:
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )
