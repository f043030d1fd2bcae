"""The notices' forms filled from the hub's data, as PDF.

- Annex 1 (平台审核备案表): a platform filing, its five answers and the review trail;
- Annex 2 (补贴性培训申请表): a claim's class, course, counts, amounts and material checklist;
- Annex 3 (真实性承诺书): the six commitments, with who accepted them and when.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth.principal import Principal
from hub.auth.scopes import Scope
from hub.documents import pdf
from hub.policy.calendar import CHINA
from hub.policy.checklist import claim_checklist
from hub.policy.errors import NotInScope
from hub.policy.filing import CAPABILITIES
from schema.tables import (
    Course,
    Organisation,
    Platform,
    PlatformFiling,
    SubsidyClaim,
    TrainingClass,
    WorkflowTransition,
)

PLATFORM_TYPES = {
    "own_website": "企业自有网站",
    "own_platform": "自有线上培训平台",
    "third_party": "委托第三方线上培训平台",
}
COMMITMENTS = (
    "备案及申领过程中所提交的一切材料真实、准确、完整，备案材料真实、有效；",
    "严格按照培训方案认真组织开展，培训对象及过程符合自治区、市在疫情防控期间支持企业（培训机构）"
    "开展线上职业技能培训工作相关文件要求；",
    "积极履行主体责任，确保培训过程真实合规；",
    "培训台账完整齐备，有签到、有记录、有学时；",
    "不私自组织或借机组织线下培训、实训或评价活动；",
    "做好培训档案的留存归档工作，主动接受监督审计。",
)


async def _trail(session: AsyncSession, entity: str, entity_id: int) -> list[WorkflowTransition]:
    rows = await session.execute(
        select(WorkflowTransition)
        .where(WorkflowTransition.entity == entity, WorkflowTransition.entity_id == entity_id)
        .order_by(WorkflowTransition.id)
    )
    return list(rows.scalars())


def _when(transition: WorkflowTransition | None) -> str:
    return transition.at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M") if transition else ""


def _step(trail: list[WorkflowTransition], to_status: str) -> WorkflowTransition | None:
    return next((t for t in reversed(trail) if t.to_status == to_status), None)


async def annex1(session: AsyncSession, principal: Principal, filing_id: int) -> bytes:
    """Annex 1 for one filing the caller may see."""
    row = (
        await session.execute(
            select(PlatformFiling, Organisation, Platform)
            .join(Organisation, Organisation.id == PlatformFiling.organisation_id)
            .join(Platform, Platform.id == PlatformFiling.platform_id)
            .where(PlatformFiling.id == filing_id, Scope(principal).platform_filings())
        )
    ).one_or_none()
    if row is None:
        raise NotInScope(f"platform filing {filing_id} not found")
    filing, organisation, platform = row
    trail = await _trail(session, "platform_filing", filing_id)
    district, city = _step(trail, "district_reviewed"), _step(trail, "approved")
    returned = _step(trail, "returned")
    rows = [
        ["申请备案单位名称", organisation.name],
        ["统一社会信用代码", organisation.credit_code],
        ["法人代表", filing.legal_representative],
        ["线上培训平台类型", PLATFORM_TYPES.get(filing.platform_type, filing.platform_type)],
        ["平台（网站）名称及网址", f"{platform.name} {platform.url or ''}"],
    ]
    rows += [
        [f"平台功能 {'①②③④⑤'[i]} {question}", "是" if filing.capabilities.get(key) else "否"]
        for i, (key, question) in enumerate(CAPABILITIES)
    ]
    rows += [
        ["经办人员 / 联系方式", f"{filing.contact_person} / {filing.contact_phone}"],
        ["附件", "；".join(a.get("name", "") for a in filing.attachments) or "无"],
        [
            "所在区人社部门审核意见",
            f"审核通过（{district.actor_subject}，{_when(district)}）{district.reason or ''}"
            if district
            else "",
        ],
        [
            "市人社部门审核意见",
            f"同意备案（{city.actor_subject}，{_when(city)}）{city.reason or ''}" if city else "",
        ],
        ["当前状态", f"{filing.status}" + (f"（退回：{returned.reason}）" if returned else "")],
    ]
    return pdf.render(
        [
            pdf.paragraph("附件 1："),
            pdf.title("疫情防控期间线上职业技能补贴性培训<br/>平台（网站）审核备案表"),
            pdf.spacer(5),
            pdf.table(rows, [62, 112]),
            pdf.spacer(3),
            pdf.paragraph("注：本表一式两份。", 9),
        ],
        "附件1 平台审核备案表",
    )


async def _claim_row(
    session: AsyncSession, principal: Principal, claim_id: int
) -> tuple[SubsidyClaim, TrainingClass, Course, Organisation]:
    row = (
        await session.execute(
            select(SubsidyClaim, TrainingClass, Course, Organisation)
            .join(TrainingClass, TrainingClass.id == SubsidyClaim.class_id)
            .join(Course, Course.id == TrainingClass.course_id)
            .join(Organisation, Organisation.id == SubsidyClaim.organisation_id)
            .where(SubsidyClaim.id == claim_id, Scope(principal).subsidy_claims())
        )
    ).one_or_none()
    if row is None:
        raise NotInScope(f"subsidy claim {claim_id} not found")
    return row  # type: ignore[return-value]


async def annex2(session: AsyncSession, principal: Principal, claim_id: int) -> bytes:
    """Annex 2 for one claim the caller may see: class, amounts and the material checklist."""
    claim, training_class, course, organisation = await _claim_row(session, principal, claim_id)
    basis = claim.parameters.get("values", {}).get("pre_disbursement_basis", "")
    rows = [
        ["申请单位", organisation.name],
        ["统一社会信用代码", organisation.credit_code],
        ["培训班级", training_class.name or training_class.source_id],
        ["培训时间", f"{training_class.starts_on} 至 {training_class.ends_on}"],
        [
            "职业（工种）/ 等级",
            f"{course.occupation_name}（{course.occupation_code or '-'}）/ {course.skill_level}级",
        ],
        ["课程总学时 / 线上学时", f"{course.total_hours:g} / {course.online_hours:g}"],
        ["补贴标准（元/人）", f"{claim.standard_amount:.2f}"],
        [
            "符合条件人数 / 合格人数 / 取证人数",
            f"{claim.eligible_trainees} / {claim.qualified_trainees} / {claim.certified_trainees}",
        ],
        ["重复申领剔除人数", str(claim.excluded_trainees)],
        ["培训补贴资金（元）", f"{claim.subsidy_amount:.2f}"],
        [
            "预拨金额（元）",
            f"{claim.pre_disbursed_amount:.2f}（按{'合格人数' if basis == 'qualified' else '实名注册人数'}）",
        ],
        ["结算金额（元）", f"{claim.settled_amount:.2f}"],
        ["第三方平台费用（元）", f"{claim.platform_fee:.2f}"],
        ["申领状态", claim.status],
    ]
    checklist = [["申领材料", "来源", "状态"]] + [
        [
            item.title,
            {"hub": "系统生成", "attachment": "上传附件", "commitment": "在线承诺"}[item.source],
            ("齐全" if item.complete else "缺") + f"（{item.detail}）",
        ]
        for item in await claim_checklist(session, claim)
    ]
    return pdf.render(
        [
            pdf.paragraph("附件 2："),
            pdf.title("疫情防控期间开展线上职业技能补贴性培训申请表"),
            pdf.spacer(5),
            pdf.table(rows, [62, 112]),
            pdf.spacer(5),
            pdf.table(checklist, [80, 30, 64]),
        ],
        "附件2 补贴性培训申请表",
    )


async def annex3(session: AsyncSession, principal: Principal, claim_id: int) -> bytes:
    """Annex 3 for one claim: the commitments and their acceptance."""
    claim, _, _, organisation = await _claim_row(session, principal, claim_id)
    accepted = (
        f"{claim.commitment_accepted_by}，{claim.commitment_accepted_at.astimezone(CHINA):%Y-%m-%d %H:%M}"
        if claim.commitment_accepted_at
        else "尚未承诺"
    )
    flowables = [
        pdf.paragraph("附件 3："),
        pdf.title("疫情防控期间开展线上职业技能补贴性<br/>培训提交材料真实性承诺书"),
        pdf.spacer(5),
        pdf.paragraph(
            f"受新冠肺炎疫情影响，本企业（培训机构）{organisation.name}疫情防控期间，拟组织本企业"
            "（培训机构）职工开展线上职业技能培训，我们承诺："
        ),
    ]
    flowables += [pdf.paragraph(f"{i}. {text}") for i, text in enumerate(COMMITMENTS, start=1)]
    flowables += [
        pdf.paragraph(
            "我单位所作以上承诺是真实意思表示，并愿意承担违反承诺的一切法律责任及退还不当所得。"
        ),
        pdf.spacer(6),
        pdf.table(
            [
                ["承诺单位", organisation.name],
                ["统一社会信用代码", organisation.credit_code],
                ["在线承诺", accepted],
            ],
            [50, 124],
        ),
    ]
    return pdf.render(flowables, "附件3 真实性承诺书")
