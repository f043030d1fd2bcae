"""Proofs, forms and exports over real HTTP routes: rendered, read back, verified, scoped."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from openpyxl import load_workbook

from tests.api.conftest import Api
from tests.policy.flow import (
    FILE_PLATFORM,
    Token,
    WuhaiClass,
    filing_input,
    prepare_class,
    submitted_claim,
)
from tests.policy.pdfs import ink_ratio, text_of
from tests.records import ORG

ISSUE = """mutation($c: ID!, $t: ID!) {
  issueTrainingProof(trainingClass: $c, trainee: $t) {
    code onlineHours countedOnlineHours offlineHours issuer verifyPath documentPath } }"""


async def _get(api: Api, path: str, tok: str | None = None):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {tok}"} if tok else {}
    return await api.client.get(path, headers=headers)


def _check_pdf(body: bytes, folder: Path, *expected: str) -> str:
    """Non-blank when rendered, the CJK font embedded, and the expected text on it."""
    assert body.startswith(b"%PDF")
    assert ink_ratio(body, folder) > 0.002
    source = folder / "fonts.pdf"
    source.write_bytes(body)
    fonts = subprocess.run(["pdffonts", str(source)], capture_output=True, text=True).stdout
    assert "WenQuanYiMicroHei" in fonts and " yes " in fonts  # embedded (subset)
    text = text_of(body, folder)
    for snippet in expected:
        assert snippet in text, (snippet, text)
    return text


async def test_training_proof_renders_and_verifies_without_login(
    api: Api, token: Token, wuhai: WuhaiClass, tmp_path: Path
) -> None:
    await prepare_class(api, token, wuhai)
    org = token("org", org=ORG)
    proof = (await api.data(org, ISSUE, {"c": wuhai.class_id, "t": wuhai.trainees["A"]}))[
        "issueTrainingProof"
    ]
    assert (proof["onlineHours"], proof["countedOnlineHours"], proof["offlineHours"]) == (
        40,
        32,
        48,
    )

    pdf = await _get(api, proof["documentPath"], token("district", region="150302"))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    _check_pdf(
        pdf.content,
        tmp_path,
        "线上培训证明",
        "张伟",
        "40.00",
        "32.00",
        "电工（五级）线上班",
        proof["code"],
    )

    verified = await _get(api, proof["verifyPath"])  # no token
    assert verified.status_code == 200
    answer = verified.json()
    assert answer["valid"] is True
    assert answer["name"] == "张*"
    assert (answer["onlineHours"], answer["countedOnlineHours"]) == (40, 32)
    assert answer["trainingClass"] == "电工（五级）线上班"
    assert "idNumber" not in answer
    assert (await _get(api, proof["verifyPath"].lower())).status_code == 200  # typed by hand
    assert (await _get(api, "/verify/AAAA-BBBB-CCCC-DDDD")).status_code == 404

    # The PDF itself needs a token and the class in scope.
    assert (await _get(api, proof["documentPath"])).status_code == 401
    assert (
        await _get(api, proof["documentPath"], token("city", region="150100"))
    ).status_code == 404


async def test_forms_are_filled_from_the_hub(
    api: Api, token: Token, wuhai: WuhaiClass, tmp_path: Path
) -> None:
    await prepare_class(api, token, wuhai)
    claim = await submitted_claim(api, token, wuhai)
    district = token("district", region="150302")
    filings = await api.data(district, "{ platformFilings { edges { node { id } } } }")
    filing_id = filings["platformFilings"]["edges"][0]["node"]["id"]

    annex1 = await _get(api, f"/documents/filings/{filing_id}/annex1.pdf", district)
    assert annex1.status_code == 200
    text = _check_pdf(annex1.content, tmp_path, "审核备案表", "乌海职业技能云课堂", "赵强")
    # Tokens without a `name` claim: the approval is printed, the signature lines left blank.
    assert "同意备案" in text and "city:150300" not in text
    # The organiser is known only from platform data: no code printed where the name belongs.
    assert "单位名称未登记" in text

    annex2 = await _get(api, f"/documents/claims/{claim['id']}/annex2.pdf", district)
    _check_pdf(
        annex2.content,
        tmp_path,
        "申请表",
        "电工",
        "1000.00",
        "3000.00",
        "600.00",
        "3/2/0",
        "按实名注册人数",
    )

    annex3 = await _get(api, f"/documents/claims/{claim['id']}/annex3.pdf", token("org", org=ORG))
    _check_pdf(annex3.content, tmp_path, "真实性承诺书", "培训台账完整齐备", "在线承诺")

    other_city = token("city", region="150100")
    assert (
        await _get(api, f"/documents/claims/{claim['id']}/annex2.pdf", other_city)
    ).status_code == 404
    assert (
        await _get(api, f"/documents/filings/{filing_id}/annex1.pdf", other_city)
    ).status_code == 404
    assert (
        await _get(api, f"/documents/filings/{claim['id']}/annex1.pdf", district)
    ).status_code == 400


def _sheets(body: bytes) -> dict[str, list[tuple]]:
    workbook = load_workbook(io.BytesIO(body), read_only=True)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets}


async def test_exports_open_in_openpyxl_with_the_expected_rows(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    await prepare_class(api, token, wuhai)
    claim = await submitted_claim(api, token, wuhai)
    district = token("district", region="150302")

    ledger = await _get(api, f"/exports/ledger.xlsx?class={wuhai.class_id}", district)
    assert ledger.status_code == 200
    rows = _sheets(ledger.content)["培训台账"]
    assert rows[0][:3] == ("序号", "姓名", "身份证号")
    # Every column 26号 二 lists, and the names (not codes) of regions and platform.
    by_name = {row[1]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert set(by_name) == {"张伟", "李娜", "王芳"}
    a, c = by_name["张伟"], by_name["王芳"]
    assert (a["线上学时"], a["线下学时"], a["认定学时"]) == (40, 48, 80)
    assert (c["线上学时"], c["认定学时"], c["考核结果"], c["证书编号"]) == (10, 10, "不合格", None)
    assert (
        a["身份类别"] == "企业职工（含劳务派遣工）"
        and a["考核结果"] == "合格"
        and a["考核成绩"] == 80
    )
    assert a["培训地区"] == "海勃湾区" and a["户籍/所在地区"] == "海勃湾区"
    assert a["培训平台"] == "乌海职业技能云课堂" and a["培训课程"] == "电工（五级）线上课程"
    assert a["职业（工种）"] == "电工" and a["等级"] == 5 and a["注册时间"]
    assert "*" in a["身份证号"]  # ID numbers exported masked
    await wuhai.certify("A")
    certified = _sheets(
        (await _get(api, f"/exports/ledger.xlsx?class={wuhai.class_id}", district)).content
    )["培训台账"]
    assert {row[1]: row[-1] for row in certified[1:]}["张伟"] == "WH-2020-A"

    records = _sheets((await _get(api, "/exports/learning-records.xlsx", district)).content)
    sessions = records["学习记录"]
    assert sessions[0][0] == "姓名" and len(sessions) == 1 + 7 + 4
    assert sum(1 for row in sessions[1:] if row[4] == "线下") == 4

    materials = _sheets(
        (await _get(api, f"/exports/claim-materials.xlsx?claim={claim['id']}", district)).content
    )
    assert [row[1] for row in materials["申领材料清单"][1:]][:3] == [
        "线上培训平台（网站）审核备案表（附件1）",
        "线上职业技能补贴性培训申请表（附件2）",
        "提交材料真实性承诺书（附件3）",
    ]
    assert all(row[3] == "齐全" for row in materials["申领材料清单"][1:])
    assert sorted(row[5] for row in materials["申领人员"][1:]) == [10, 20, 80]

    stats = _sheets(
        (await _get(api, "/exports/statistics.xlsx", token("city", region="150300"))).content
    )
    (haibowan,) = [row for row in stats["统计"][1:] if row[0] == "150302"]
    assert haibowan[1:4] == ("海勃湾区", 1, 3)
    # Submitted, not yet pre-disbursed: 600 is computed but nothing is paid yet.
    assert haibowan[6:9] == (1, 3000, 0)

    # Same scopes as GraphQL: Hohhot sees none of it; no token, no export.
    hohhot = token("city", region="150100")
    assert len(_sheets((await _get(api, "/exports/ledger.xlsx", hohhot)).content)["培训台账"]) == 1
    assert (
        await _get(api, f"/exports/claim-materials.xlsx?claim={claim['id']}", hohhot)
    ).status_code == 404
    assert (await _get(api, "/exports/ledger.xlsx")).status_code == 401
    assert (await _get(api, "/exports/nothing.xlsx", district)).status_code == 404
    assert (
        await _get(api, "/exports/ledger.xlsx", token("connector", platform="wh-3p"))
    ).status_code == 403


async def test_a_filing_form_is_scoped_to_its_district(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    """A filing alone is visible to its district in the annex form, not to another district."""
    filed = await api.data(token("org", org=ORG), FILE_PLATFORM, {"input": filing_input()})
    path = f"/documents/filings/{filed['filePlatform']['id']}/annex1.pdf"
    assert (await _get(api, path, token("district", region="150302"))).status_code == 200
    assert (await _get(api, path, token("district", region="150303"))).status_code == 404
