"""`hub org import FILE.xlsx`: organisations from a bureau's workbook with Chinese headers.

Each row registers (or completes) one organisation through the same rules as the
`registerOrganisation` mutation, acting as the importing bureau. A row that breaks a rule is
quarantined with its cells and the reason (`orgs.xlsx sheet 单位名录 row 7: …`) and the others
are kept: every row is its own savepoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.auth.principal import Principal
from hub.db import transaction
from hub.ingest.quarantine import Rejection, quarantine
from hub.policy.errors import PolicyError
from hub.registry.organisations import register_organisation
from hub.security.pii import PiiVault
from schema.regions import REGIONS
from schema.tables import Organisation

# Column headers (with common variants) → register fields.
HEADERS = {
    "单位名称": "name",
    "机构名称": "name",
    "统一社会信用代码": "credit_code",
    "单位类型": "kind",
    "机构类型": "kind",
    "注册地区": "region_code",
    "所在区": "region_code",
    "所在地区": "region_code",
    "法定代表人": "legal_representative",
    "法人代表": "legal_representative",
    "联系人": "contact_person",
    "联系电话": "contact_phone",
    "联系方式": "contact_phone",
    "地址": "address",
    "单位地址": "address",
    "行业": "industry_code",
    "行业门类": "industry_code",
    "定点城市": "designated_city_code",
    "信用状况": "credit_standing",
    "信用信息来源": "credit_source",
    "信用认定日期": "credit_checked_on",
}
KINDS = {
    "企业": "enterprise",
    "培训机构": "training_institution",
    "定点培训机构": "designated_institution",
    "行业协会": "industry_association",
    "平台运营方": "platform_operator",
}
STANDINGS = {
    "良好": "good",
    "信用良好": "good",
    "失信": "untrustworthy",
    "列入失信名单": "untrustworthy",
}
_REGION_BY_NAME = {name: code for code, name, _, _ in REGIONS}


@dataclass
class OrgImportResult:
    read: int = 0
    registered: int = 0
    updated: int = 0
    quarantined: int = 0
    reasons: list[str] = field(default_factory=list)


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return value.strip() or None
    return value


def _values(row: dict[str, Any]) -> dict[str, Any]:
    """Register field values from one row's cells, Chinese names turned into codes."""
    values: dict[str, Any] = {}
    for header, cell in row.items():
        key = HEADERS.get(header)
        if key is None or cell is None:
            continue
        if key == "kind":
            cell = KINDS.get(cell, cell)
        elif key in ("region_code", "designated_city_code"):
            cell = _REGION_BY_NAME.get(str(cell), str(cell))
        elif key == "credit_standing":
            cell = STANDINGS.get(cell, cell)
        elif (
            key == "credit_checked_on"
            and not isinstance(cell, date)
            or key in ("credit_code", "contact_phone")
        ):
            cell = str(cell)
        values[key] = cell
    return values


def read_rows(path: Path) -> list[tuple[str, int, dict[str, Any]]]:
    """(sheet, row number, cells by header) of every non-empty row of every sheet."""
    workbook = load_workbook(path, read_only=True, data_only=True)
    rows = []
    try:
        for sheet in workbook.worksheets:
            lines = sheet.iter_rows(values_only=True)
            headers = [str(h).strip() if h is not None else "" for h in next(lines, ())]
            for number, line in enumerate(lines, start=2):
                cells = {h: _cell(v) for h, v in zip(headers, line, strict=False) if h}
                if any(v is not None for v in cells.values()):
                    rows.append((sheet.title, number, cells))
    finally:
        workbook.close()
    return rows


async def import_organisations(
    engine: AsyncEngine, vault: PiiVault, path: Path, principal: Principal
) -> OrgImportResult:
    """Register every valid row as `principal` (a bureau); quarantine the others."""
    result = OrgImportResult()
    rejections: list[Rejection] = []
    async with transaction(engine) as session:
        for sheet, number, cells in read_rows(path):
            result.read += 1
            values = _values(cells)
            code = str(values.pop("credit_code", "") or "")
            where = f"{path.name} sheet {sheet} row {number}"
            known = (
                await session.execute(
                    select(Organisation.registered).where(Organisation.credit_code == code.upper())
                )
            ).scalar_one_or_none()
            try:
                async with session.begin_nested():
                    await register_organisation(session, principal, code, values, source="import")
            except PolicyError as error:
                reason = f"{where}: {error}"
                rejections.append(Rejection(cells, reason, "organisation", code or None))
                result.quarantined += 1
                result.reasons.append(reason)
                continue
            if known:
                result.updated += 1
            else:
                result.registered += 1
        await quarantine(session, None, rejections, vault, None)  # type: ignore[arg-type]
    return result
