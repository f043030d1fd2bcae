"""A real Starlette app serving an enterprise's ledger files, as a shared folder over HTTP would.

`GET /files/培训台账.xlsx` is a workbook with the sheets 学员名册, 课程, 班级, 报名, 考核 and 证书
(real Excel dates, ID numbers as text); `GET /files/学习记录.csv` is the session ledger as a GBK
CSV export. Both are rendered from the platform's current data on every request, so changes made
through `app.state.platform` show in the next download. Faults (`app.state.faults`): the
transport ones; malformed cells; `duplicate_items` repeats each sheet's first N rows at its end (a
copy-paste slip); `change_after_serve` changes records right after a file was served. Shifted
pages do not exist for a file served whole.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Any

from openpyxl import Workbook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from connectors.rest_json import parse_local
from connectors.simulated.faults import Faults, transport_fault
from connectors.simulated.rest_json_app import GARBAGE, RESOURCES, SimulatedPlatform

WORKBOOK = "培训台账.xlsx"
SESSIONS_CSV = "学习记录.csv"
FILES = [WORKBOOK, SESSIONS_CSV]
# sheet title -> resource path of the rest_json format whose columns it uses
WORKBOOK_SHEETS = {"学员名册": "学员", "课程": "课程", "班级": "班级", "报名": "报名"}
WORKBOOK_SHEETS |= {"考核": "考核", "证书": "证书"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_COLUMNS = frozenset({"开班日期", "结业日期", "发证日期"})


def _excel(header: str, value: Any) -> Any:
    """A value as a spreadsheet program stores it: times and dates as real dates."""
    if isinstance(value, str) and header in DATE_COLUMNS:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    moment = parse_local(value)
    return moment.replace(tzinfo=None) if moment is not None else value


class SpreadsheetFiles:
    """Renders the platform's records as the enterprise's files, applying the data faults."""

    def __init__(self, platform: SimulatedPlatform) -> None:
        self.platform = platform

    def _rows(self, path: str) -> list[dict[str, Any]]:
        kind, to_platform = RESOURCES[path]
        rows, _ = self.platform.serve_rows(kind, None, 0, 10**9)
        items = []
        for _, record, malformed in rows:
            item = to_platform(record)
            if malformed:
                field, garbage = GARBAGE[kind]
                item[field] = garbage
            items.append(item)
        return items

    def workbook(self, sheets: dict[str, str] = WORKBOOK_SHEETS) -> bytes:
        """The XLSX ledger with `sheets` (title -> rest_json resource path)."""
        book = Workbook()
        book.remove(book.active)
        for title, path in sheets.items():
            sheet = book.create_sheet(title)
            items = self._rows(path)
            headers = list(RESOURCES[path][1]({"source_id": ""}))
            sheet.append(headers)
            for item in items:
                sheet.append([_excel(h, item.get(h)) for h in headers])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    def sessions_csv(self) -> bytes:
        """The session ledger as a GBK CSV export, times in the platform's wall-clock text."""
        _, to_platform = RESOURCES["学习记录"]
        headers = list(to_platform({"source_id": ""}))
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(headers)
        for item in self._rows("学习记录"):
            writer.writerow(["" if item.get(h) is None else item.get(h) for h in headers])
        return text.getvalue().encode("gbk")


def create_app(
    records: list[dict], token: str | None = None, faults: Faults | None = None
) -> Starlette:
    """The folder serving `records` as files; `token` (if set) is required as a Bearer."""
    platform = SimulatedPlatform(records, faults)
    files = SpreadsheetFiles(platform)
    render: dict[str, tuple[Callable[[], bytes], str]] = {
        WORKBOOK: (files.workbook, XLSX_TYPE),
        SESSIONS_CSV: (files.sessions_csv, "text/csv; charset=gbk"),
    }

    async def serve_file(request: Request) -> Response:
        name = request.path_params["name"]
        platform.requests.append((name, dict(request.query_params)))
        if token is not None and request.headers.get("authorization") != f"Bearer {token}":
            return PlainTextResponse("Unauthorized", 401)
        failure = await transport_fault(platform.faults, platform.rng)
        if failure is not None:
            status, headers = failure
            return PlainTextResponse(
                "Too Many Requests" if status == 429 else "Error", status, headers
            )
        if name not in render:
            return PlainTextResponse("Not Found", 404)
        make, media_type = render[name]
        return Response(make(), media_type=media_type)

    app = Starlette(routes=[Route("/files/{name}", serve_file)])
    app.state.platform = platform
    app.state.faults = platform.faults
    return app
