"""`GET /catalogue?region=`: the published platform catalogue, public, as JSON or printable HTML.

A browser (Accept: text/html) or `?format=html` gets a plain Chinese page that prints on A4;
anything else gets JSON. Without `region` the region-wide catalogue (150000) is shown.
"""

from __future__ import annotations

from datetime import date
from html import escape

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from hub.db import session_factory
from hub.policy.calendar import china_day
from hub.policy.errors import PolicyViolation
from hub.registry.catalogue import CatalogueEntry, catalogue_jurisdictions, read_catalogue
from schema.regions import REGION_CODE, REGIONS
from schema.types import utcnow

_REGION_NAMES = {code: name for code, name, _, _ in REGIONS}


def _wants_html(request: Request) -> bool:
    chosen = request.query_params.get("format")
    if chosen:
        return chosen == "html"
    return "text/html" in request.headers.get("accept", "")


def catalogue_page(keeper: str, entries: list[CatalogueEntry], today: date) -> str:
    """The catalogue of `keeper` (a city, or the region) as a self-contained printable page."""
    title = f"{_REGION_NAMES.get(keeper, keeper)}职业技能线上培训平台目录"
    rows = "\n".join(
        "<tr>"
        f"<td>{number}</td>"
        f"<td>{escape(e.platform_name)}</td>"
        f"<td>{_link(e.url)}</td>"
        f"<td>{escape(e.type_name)}</td>"
        f"<td>{escape(e.operator_name or '')}</td>"
        f"<td>{escape(e.region_name or '')}</td>"
        f"<td>{escape(e.jurisdiction_name)}</td>"
        f"<td>{e.listed_on.isoformat()}</td>"
        f"<td>{escape(e.reason)}</td>"
        "</tr>"
        for number, e in enumerate(entries, start=1)
    )
    empty = '<tr><td colspan="9">目录暂无平台。</td></tr>'
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{escape(title)}</title>
<style>
  body {{ font-family: "SimSun", "Songti SC", "Noto Serif CJK SC", serif; margin: 2em; color: #000; }}
  h1 {{ font-size: 20pt; text-align: center; margin-bottom: 0.2em; }}
  p.meta {{ text-align: center; margin-top: 0; }}
  table {{ border-collapse: collapse; width: 100%; font-size: 10.5pt; }}
  th, td {{ border: 1px solid #000; padding: 4px 6px; vertical-align: top; }}
  th {{ background: #eee; }}
  a {{ color: #000; }}
  @media print {{ body {{ margin: 0; }} @page {{ size: A4 landscape; margin: 15mm; }} }}
</style>
</head>
<body>
<h1>{escape(title)}</h1>
<p class="meta">截至 {today.isoformat()}，共 {len(entries)} 个平台</p>
<table>
<thead><tr><th>序号</th><th>平台名称</th><th>网址</th><th>平台类型</th><th>运营单位</th>
<th>所在地区</th><th>列入目录单位</th><th>列入日期</th><th>列入理由</th></tr></thead>
<tbody>
{rows or empty}
</tbody>
</table>
</body>
</html>
"""


def _link(url: str | None) -> str:
    if not url:
        return ""
    return f'<a href="{escape(url, quote=True)}">{escape(url)}</a>'


def catalogue_routes(engine: AsyncEngine) -> list[Route]:
    """The public catalogue route."""
    sessions = session_factory(engine)

    async def catalogue(request: Request) -> Response:
        region = request.query_params.get("region") or REGION_CODE
        history = request.query_params.get("history") in ("1", "true")
        async with sessions() as session:
            try:
                keeper = (await catalogue_jurisdictions(session, region))[0]
                entries = await read_catalogue(session, region, include_history=history)
            except PolicyViolation as error:
                body = {"error": {"code": "BAD_USER_INPUT", "message": str(error)}}
                return JSONResponse(body, 400)
        if _wants_html(request):
            today = china_day(utcnow())
            assert today is not None
            return HTMLResponse(catalogue_page(keeper, entries, today))
        return JSONResponse({"region": region, "platforms": [e.as_json() for e in entries]})

    return [Route("/catalogue", catalogue)]
