"""Connector for the roster and ledger workbooks enterprises send: XLSX and CSV (UTF-8 or GBK).

Where the files are: `base_url` is a folder, either over HTTP(S) (`files` are fetched relative to
it, with the platform token as a Bearer if one is set) or local (`file:///srv/ledgers/acme`).

What they hold: one sheet per record type — in a workbook a worksheet, in a CSV file the whole
file, named by its stem. Sheet names and column headers are the Chinese ones of the rest_json
platform format (学员, 课程, 班级, 报名, 学习记录, 考核, 证书; 姓名, 身份证号, 身份类别, 工种名称,
开始时间, 结束时间, …; durations in minutes), with the aliases enterprises commonly use
(学员名册, 花名册, 签到表; 工种, 身份证号码, 学习时长（分钟）, …). Rows whose 学员编号 column is
missing are keyed by 身份证号. Cells may be text, numbers or real Excel dates.

Row-level errors: a row that does not make a valid canonical record is passed on with its cells,
its file, sheet and row number, and the reason, so the hub quarantines it and says where it was.

Incremental reading: a sheet is a full snapshot, so the cursor keeps the SHA-256 of each file
read; an unchanged file is skipped, a changed one is read whole (the hub stores only what
changed). The cursor moves only with a file's last batch, so an interrupted read starts again.
Each run's census lists the ids of every file, read or skipped: a record the hub holds that no
file has any more (a row deleted from a workbook) is withdrawn in the hub.

Options (PlatformConfig extras): `files` (list of file names, required), `encoding` of CSV files
(`auto` = UTF-8, with or without BOM, else GBK/GB18030; or any Python codec name).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import AsyncIterator
from datetime import date, datetime, time
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse

from openpyxl import load_workbook
from pydantic import ValidationError

from connectors.base import Batch, Census, Connector
from connectors.errors import AuthError, ConnectorError, PlatformUnavailable, SchemaDriftError
from connectors.rest_json import LOCAL_FORMAT, RESOURCES, Resource, map_item
from schema.records import describe_validation_error, parse_record

SHEET_ALIASES: dict[str, str] = {
    "学员名册": "学员",
    "花名册": "学员",
    "实名制台账": "学员",
    "课程目录": "课程",
    "开班信息": "班级",
    "报名名单": "报名",
    "签到表": "学习记录",
    "学习台账": "学习记录",
    "考核结果": "考核",
    "发证记录": "证书",
}
HEADER_ALIASES: dict[str, str] = {
    "工种": "工种名称",
    "身份证号码": "身份证号",
    "证件号码": "身份证号",
    "联系电话": "手机号",
    "学习时长（分钟）": "学习时长",
    "学习时长(分钟)": "学习时长",
    "课程总时长（分钟）": "课程总时长",
    "线上时长（分钟）": "线上时长",
}
DATE_HEADERS = frozenset({"开班日期", "结业日期", "发证日期"})
NUMBER_HEADERS = frozenset({"课程总时长", "线上时长", "学习时长", "考核成绩"})
TRAINEE_KEY, ID_NUMBER = "学员编号", "身份证号"
BY_SHEET: dict[str, Resource] = {r.path: r for r in RESOURCES}


def _cell(header: str, value: Any) -> Any:
    """A cell as the rest_json mapping expects it: Excel dates and times become platform text."""
    if isinstance(value, datetime):
        if header in DATE_HEADERS:
            return value.date().isoformat()
        return value.strftime(LOCAL_FORMAT)
    if isinstance(value, date):
        return value.isoformat() if header in DATE_HEADERS else f"{value.isoformat()} 00:00:00"
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, str):
        value = value.strip()
        if header in NUMBER_HEADERS:  # CSV cells are all text; a number column is read as one
            try:
                number = float(value)
                return int(number) if number.is_integer() else number
            except ValueError:
                pass
        return value or None
    return value


def row_record(resource: Resource, cells: dict[str, Any], where: str) -> dict:
    """One sheet row as a canonical record, or a quarantinable one naming `where` it was."""
    item = dict(cells)
    if resource.id_field not in item and resource.stream == "trainee":
        item[resource.id_field] = item.get(ID_NUMBER)
    if TRAINEE_KEY not in item and ID_NUMBER in item and resource.stream != "trainee":
        item[TRAINEE_KEY] = item[ID_NUMBER]
    record = map_item(resource, {k: v for k, v in item.items() if v is not None})
    if "_raw" in record:
        return record | {"_error": f"{where}: {record['_error']}"}
    try:
        parse_record(record)
    except ValidationError as error:
        failed = {"type": resource.stream, "_raw": cells, "_error": f"{where}: "}
        failed["_error"] += describe_validation_error(error)
        if isinstance(record.get("source_id"), str):
            failed["source_id"] = record["source_id"]
        return failed
    return record


def _sheet_rows(rows: list[tuple[Any, ...]]) -> list[tuple[int, dict[str, Any]]]:
    """(row number, cells by header) of one sheet whose first row holds the headers."""
    if not rows:
        return []
    headers = [HEADER_ALIASES.get(str(h).strip(), str(h).strip()) if h else "" for h in rows[0]]
    out = []
    for number, values in enumerate(rows[1:], start=2):
        cells = {h: _cell(h, v) for h, v in zip(headers, values, strict=False) if h}
        if any(v is not None for v in cells.values()):  # blank rows are common; skip them
            out.append((number, cells))
    return out


Sheets = dict[str, tuple[str, list[tuple[int, dict[str, Any]]]]]


def read_workbook(content: bytes) -> Sheets:
    """Every worksheet of an XLSX file: canonical sheet name -> (its title, numbered rows)."""
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 — openpyxl raises many types for a bad file
        raise SchemaDriftError(f"not a readable XLSX workbook: {error}") from error
    try:
        return {
            SHEET_ALIASES.get(ws.title.strip(), ws.title.strip()): (
                ws.title,
                _sheet_rows(list(ws.iter_rows(values_only=True))),
            )
            for ws in book.worksheets
        }
    finally:
        book.close()


def decode_csv(content: bytes, encoding: str = "auto") -> str:
    """CSV bytes as text: UTF-8 (BOM or not) first, then GB18030 (a superset of GBK)."""
    if encoding != "auto":
        return content.decode(encoding)
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("gb18030")


def read_csv(content: bytes, encoding: str = "auto") -> list[tuple[int, dict[str, Any]]]:
    """The numbered rows of one CSV file (all cells text)."""
    try:
        text = decode_csv(content, encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise SchemaDriftError(f"CSV is neither UTF-8 nor GBK: {error}") from error
    return _sheet_rows([tuple(row) for row in csv.reader(io.StringIO(text))])


class SpreadsheetStream:
    """The rows of one record type's sheet, across all the platform's files."""

    def __init__(self, connector: SpreadsheetConnector, resource: Resource) -> None:
        self.name = resource.stream
        self.resource = resource
        self._connector = connector

    async def census(self) -> Census:
        """The ids of this sheet's rows across every file (files are read once per run)."""
        ids: set[str] = set()
        for name in self._connector.files():
            _, sheets = await self._connector.load(name)
            _, rows = sheets.get(self.resource.path, ("", []))
            for n, cells in rows:
                source_id = row_record(self.resource, cells, f"{name} row {n}").get("source_id")
                if isinstance(source_id, str) and source_id:
                    ids.add(source_id)
        return Census(len(ids), frozenset(ids))

    async def read(self, cursor: dict | None) -> AsyncIterator[Batch]:
        """Yield changed files' rows in batches; the cursor moves with each file's last batch."""
        seen = dict((cursor or {}).get("files") or {})
        size = self._connector.config.page_size
        for name in self._connector.files():
            digest, sheets = await self._connector.load(name)
            if seen.get(name) == digest:
                continue
            title, rows = sheets.get(self.resource.path, ("", []))
            records = [
                row_record(self.resource, cells, f"{name} sheet {title} row {n}")
                for n, cells in rows
            ]
            seen[name] = digest
            for start in range(0, max(len(records), 1), size):
                last = start + size >= len(records)
                batch_cursor = {"files": dict(seen)} if last else dict(cursor or {})
                yield Batch(self.name, records[start : start + size], batch_cursor)
            cursor = {"files": dict(seen)}


class SpreadsheetConnector(Connector):
    """Reads trainees, courses, classes, enrolments, sessions, assessments and certificates."""

    kind = "spreadsheet"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One run reads each file once, however many streams it feeds.
        self._loaded: dict[str, tuple[str, Sheets]] = {}

    def files(self) -> list[str]:
        """The configured file names; ConnectorError if there are none."""
        names = self.config.option("files", [])
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise ConnectorError(f"platform {self.config.code}: `files` must list file names")
        return names

    async def fetch(self, name: str) -> bytes:
        """The bytes of one file, from the local folder or over HTTP."""
        base = urlparse(self.config.base_url)
        if base.scheme == "file":
            path = Path(unquote(base.path)) / name
            try:
                return path.read_bytes()
            except OSError as error:
                raise PlatformUnavailable(f"cannot read {path}: {error}") from error
        response = await self.client.send("GET", self.config.url(name), headers=self.headers())
        return response.content

    def headers(self) -> dict[str, str]:
        """Headers for HTTP downloads: the token as a Bearer, if one is set."""
        token = self.config.resolve_token()
        return {"Authorization": f"Bearer {token}"} if token else {}

    async def load(self, name: str) -> tuple[str, Sheets]:
        """(SHA-256, sheets) of one file, fetched and parsed once per run."""
        if name not in self._loaded:
            content = await self.fetch(name)
            suffix = PurePosixPath(name).suffix.lower()
            try:
                if suffix == ".xlsx":
                    sheets = read_workbook(content)
                elif suffix == ".csv":
                    stem = PurePosixPath(name).stem.strip()
                    rows = read_csv(content, str(self.config.option("encoding", "auto")))
                    sheets = {SHEET_ALIASES.get(stem, stem): (stem, rows)}
                else:
                    raise SchemaDriftError("only .xlsx and .csv files are read")
            except SchemaDriftError as error:
                raise SchemaDriftError(f"{name}: {error}") from error
            unknown = set(sheets) - set(BY_SHEET)
            if unknown:
                raise SchemaDriftError(f"{name}: unknown sheets {sorted(unknown)}")
            self._loaded[name] = (hashlib.sha256(content).hexdigest(), sheets)
        return self._loaded[name]

    async def check(self) -> None:
        """Fetch and open every file; AuthError / PlatformUnavailable / SchemaDriftError if not."""
        who = f"platform {self.config.code} ({self.config.name})"
        for name in self.files():
            try:
                await self.load(name)
            except AuthError as exc:
                raise AuthError(f"{who} rejected the token: {exc}") from exc
            except PlatformUnavailable as exc:
                raise PlatformUnavailable(f"{who} is unreachable: {exc}", exc.retry_after) from exc

    def streams(self) -> list[SpreadsheetStream]:
        """One stream per record type, in the order their references need them."""
        return [SpreadsheetStream(self, resource) for resource in RESOURCES]
