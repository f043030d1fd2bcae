"""Chinese descriptions of every enum in the schema, for the people who read it.

The values stay English identifiers (they are what clients send and compare); each carries the
term the notices and bureau forms use as its description, shown by GraphiQL and in
`schema/hub.graphql`. A test fails when an enum value of the schema has no description here.
"""

from __future__ import annotations

from graphql import GraphQLEnumType, GraphQLSchema

from schema.labels import IDENTITY_CATEGORY_LABELS

ENUM_DESCRIPTIONS: dict[str, str] = {
    "CertificateKind": "证书类别",
    "CourseStandard": "培训标准",
    "CreditStanding": "社会信用状况",
    "ErrorCode": "错误代码（errors[].extensions.code）",
    "FilingStatus": "平台备案状态",
    "IdentityCategory": "补贴对象身份类别",
    "OrganisationKind": "单位类别",
    "PlatformType": "线上培训平台类型",
    "RegionLevel": "行政区划级别",
    "Role": "调用者角色",
    "SessionMode": "学习方式",
    "SortOrder": "排序方向",
    "StatDimension": "统计分组维度",
    "SyncStatus": "同步运行状态",
}

VALUE_LABELS: dict[str, dict[str, str]] = {
    "CertificateKind": {
        "VOCATIONAL_QUALIFICATION": "职业资格证书",
        "SKILL_LEVEL": "职业技能等级证书",
        "SPECIAL_ABILITY": "专项职业能力证书",
        "SPECIAL_OPERATION": "特种作业操作证",
        "TRAINING_COMPLETION": "培训合格证书",
    },
    "CreditStanding": {"GOOD": "信用良好", "UNTRUSTWORTHY": "列入失信名单"},
    "CourseStandard": {
        "NATIONAL_SKILL_STANDARD": "国家职业技能标准",
        "SPECIAL_ABILITY_SPEC": "专项职业能力考核规范",
        "NATIONAL_CURRICULUM": "国家职业技能培训课程",
    },
    "ErrorCode": {
        "UNAUTHENTICATED": "未认证：缺少、过期或无效的令牌/API 密钥",
        "FORBIDDEN": "无权限：角色或管辖范围不允许此操作",
        "BAD_USER_INPUT": "请求有误：查询、参数或业务规则不满足，消息说明原因",
        "NOT_FOUND": "未找到：对象不存在或不在调用者的管辖范围内",
        "CONFLICT": "冲突：同一幂等键的请求仍在处理中",
        "TIMEOUT": "超时：请求超过时限被放弃",
        "INTERNAL": "内部错误：服务器意外故障，详情见服务器日志",
    },
    "FilingStatus": {
        "UNFILED": "未备案",
        "FILED": "已提交备案",
        "DISTRICT_REVIEWED": "区级已审核",
        "APPROVED": "备案已批准",
        "RETURNED": "已退回",
    },
    "IdentityCategory": {c.name: label for c, label in IDENTITY_CATEGORY_LABELS.items()},
    "OrganisationKind": {
        "ENTERPRISE": "企业",
        "TRAINING_INSTITUTION": "培训机构",
        "DESIGNATED_INSTITUTION": "定点培训机构",
        "INDUSTRY_ASSOCIATION": "行业协会",
        "PLATFORM_OPERATOR": "平台运营方",
    },
    "PlatformType": {
        "CATALOGUE": "目录内免费平台",
        "OWN_WEBSITE": "企业自有网站",
        "OWN_PLATFORM": "自有线上培训平台",
        "THIRD_PARTY": "委托第三方平台",
    },
    "RegionLevel": {"REGION": "自治区", "CITY": "盟市", "DISTRICT": "区/旗县"},
    "Role": {
        "REGION": "自治区人社厅",
        "CITY": "盟市人社局",
        "DISTRICT": "区/旗县人社局",
        "FINANCE": "财政局",
        "ORG": "企业/培训机构",
        "CONNECTOR": "平台服务账号",
        "INDUSTRY": "行业主管部门",
        "AUDITOR": "审计",
    },
    "SessionMode": {"ONLINE": "线上", "OFFLINE": "线下"},
    "SortOrder": {"ASC": "按到达先后", "DESC": "最新在前"},
    "StatDimension": {
        "CITY": "盟市",
        "DISTRICT": "区/旗县",
        "PLATFORM": "平台",
        "ORGANISATION": "单位",
        "IDENTITY_CATEGORY": "身份类别",
        "OCCUPATION": "职业（工种）",
        "MONTH": "月份",
    },
    "SyncStatus": {
        "RUNNING": "运行中",
        "SUCCEEDED": "成功",
        "FAILED": "失败",
        "INCOMPLETE": "不完整：平台与中心记录数不符，下次重读",
        "ABANDONED": "已中断：进程意外终止",
    },
}


# The `orderBy` enums of the connections (hub/api/ordering.py) share their value names.
ORDER_FIELD_LABELS: dict[str, str] = {
    "ID": "到达顺序",
    "NAME": "名称/姓名",
    "REGION": "地区",
    "FIRST_SEEN_AT": "首次接收时间",
    "UPDATED_AT": "最近更新时间",
    "BIRTH_DATE": "出生日期",
    "TITLE": "课程名称",
    "OCCUPATION": "职业（工种）",
    "TOTAL_HOURS": "总学时",
    "ONLINE_HOURS": "线上学时",
    "STARTS_ON": "开班日期",
    "ENDS_ON": "结班日期",
    "STARTED_AT": "开始时间",
    "DURATION": "学习时长",
    "ASSESSED_AT": "考核时间",
    "ISSUED_ON": "发证日期",
}


def _labels(enum_name: str) -> tuple[str | None, dict[str, str]]:
    if enum_name.endswith("OrderField"):
        return "排序字段", ORDER_FIELD_LABELS
    return ENUM_DESCRIPTIONS.get(enum_name), VALUE_LABELS.get(enum_name, {})


def describe_enums(schema: GraphQLSchema) -> None:
    """Give each enum type and value of `schema` its Chinese description (kept if it has one)."""
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLEnumType) or type_.name.startswith("__"):
            continue
        label, values = _labels(type_.name)
        if label and not type_.description:
            type_.description = label
        elif label and label not in type_.description:
            type_.description = f"{label}：{type_.description}"
        for name, value in type_.values.items():
            text = values.get(name)
            if text and not value.description:
                value.description = text
