"""`hub org import FILE.xlsx` as a bureau runs it, on both engines: valid rows registered (or an
organisation first seen in platform data completed), bad rows quarantined with the reason."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import transaction
from hub.platforms.service import ensure_organisation
from hub.security.pii import PiiVault
from schema.enums import CreditStanding, OrganisationKind
from schema.tables import Organisation, OrganisationVersion, QuarantinedRecord
from tests.records import ORG, credit_code
from tests.test_cli import hub

HEADERS = [
    "单位名称",
    "统一社会信用代码",
    "单位类型",
    "注册地区",
    "法定代表人",
    "联系人",
    "联系电话",
    "地址",
    "行业",
    "定点城市",
    "信用状况",
    "信用信息来源",
    "信用认定日期",
]
NEW = credit_code("91150300MA0N4444")
BAD = ORG[:-1] + ("0" if ORG[-1] != "0" else "1")


def workbook(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "单位名录"
    sheet.append(HEADERS)
    sheet.append(
        [
            "乌海市海勃湾区职业培训学校",
            ORG,
            "定点培训机构",
            "海勃湾区",
            "赵强",
            "钱敏",
            "0473-1234567",
            "滨河大道 1 号",
            "P",
            "乌海市",
            "良好",
            "信用中国（内蒙古）",
            "2020-03-01",
        ]
    )
    sheet.append(
        [
            "乌海市新能源有限公司",
            NEW,
            "企业",
            "150303",
            "周伟",
            None,
            None,
            None,
            "C",
            None,
            None,
            None,
            None,
        ]
    )
    sheet.append(["校验位错误的单位", BAD, "企业", "海勃湾区", *[None] * 9])
    sheet.append(["呼和浩特的单位", credit_code("91150100MA0N5555"), "企业", "新城区", *[None] * 9])
    sheet.append(["无类型", credit_code("91150300MA0N6666"), None, "海勃湾区", *[None] * 9])
    book.save(path)
    return path


async def test_org_import_registers_completes_and_quarantines(
    engine: AsyncEngine, vault: PiiVault, tmp_path: Path, data_key_b64: str
) -> None:
    async with transaction(engine) as db:  # first seen in a platform's records
        await ensure_organisation(
            db, ORG, kind=OrganisationKind.TRAINING_INSTITUTION, region_code="150302"
        )
    env = {
        "HUB_DATA_DIR": str(tmp_path / "data"),
        "HUB_DATA_KEY": data_key_b64,
        "HUB_DATABASE_URL": engine.url.render_as_string(hide_password=False),
    }
    path = workbook(tmp_path / "orgs.xlsx")
    ran = hub("org", "import", str(path), "--bureau", "150300", "--handler", "周洁", env=env)
    assert ran.returncode == 0, ran.stderr
    # One new, one completed (it was known only from platform data), three quarantined.
    assert "read 5, registered 2, updated 0, quarantined 3" in ran.stdout, ran.stdout
    assert "orgs.xlsx sheet 单位名录 row 4: credit code" in ran.stdout

    async with engine.connect() as conn:
        orgs = {o.credit_code: o for o in (await conn.execute(select(Organisation))).all()}
        versions = (await conn.execute(select(OrganisationVersion))).all()
        quarantined = (
            await conn.execute(select(QuarantinedRecord).order_by(QuarantinedRecord.id))
        ).all()
    completed = orgs[ORG]
    assert completed.registered and completed.name == "乌海市海勃湾区职业培训学校"
    assert completed.kind == OrganisationKind.DESIGNATED_INSTITUTION
    assert completed.designated_city_code == "150300" and completed.region_code == "150302"
    assert completed.credit_standing == CreditStanding.GOOD and completed.industry_code == "P"
    assert orgs[NEW].region_code == "150303" and orgs[NEW].legal_representative == "周伟"
    assert {v.changed_by for v in versions} == {"周洁"} and len(versions) == 2
    reasons = [q.reason for q in quarantined]
    assert "row 4" in reasons[0] and "check character" in reasons[0]
    assert "row 5" in reasons[1] and "150102" in reasons[1]  # outside Wuhai's area
    assert "row 6" in reasons[2] and "kind" in reasons[2]
    assert all(q.platform_id is None and q.record_type == "organisation" for q in quarantined)
    raw = json.loads(vault.decrypt(quarantined[0].raw_cipher))
    assert raw["单位名称"] == "校验位错误的单位"

    again = hub("org", "import", str(path), "--bureau", "150300", env=env)
    assert "read 5, registered 0, updated 2, quarantined 3" in again.stdout, again.stdout
    async with engine.connect() as conn:  # nothing changed: no new version
        assert len((await conn.execute(select(OrganisationVersion))).all()) == 2
