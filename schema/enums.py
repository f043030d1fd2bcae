"""Enumerations of the unified schema, named in English with the policy term beside each."""

from enum import IntEnum, StrEnum


class IdentityCategory(StrEnum):
    """补贴对象 — the eligible identity categories of the notices."""

    ENTERPRISE_EMPLOYEE = "enterprise_employee"  # 企业职工（含劳务派遣工）
    POOR_FAMILY_CHILD = "poor_family_child"  # 贫困家庭子女
    POOR_LABOURER = "poor_labourer"  # 贫困劳动力
    NON_CONTINUING_GRADUATE = "non_continuing_graduate"  # 城乡未继续升学初高中毕业生
    RURAL_MIGRANT_LABOURER = "rural_migrant_labourer"  # 农村牧区转移就业劳动者
    UNEMPLOYED = "unemployed"  # 下岗失业人员
    JOB_TRANSFER_EMPLOYEE = "job_transfer_employee"  # 转岗职工
    VETERAN = "veteran"  # 退役军人
    DISABLED = "disabled"  # 残疾人
    COLLEGE_GRADUATE = "college_graduate"  # 毕业年度或离校2年内未就业高校毕业生
    OTHER_ELIGIBLE = "other_eligible"  # 其他有劳动能力且未领取养老金的人员


class CertificateKind(StrEnum):
    """Certificates that settle a subsidy claim."""

    VOCATIONAL_QUALIFICATION = "vocational_qualification"  # 职业资格证书
    SKILL_LEVEL = "skill_level"  # 职业技能等级证书
    SPECIAL_ABILITY = "special_ability"  # 专项职业能力证书
    SPECIAL_OPERATION = "special_operation"  # 特种作业操作证
    TRAINING_COMPLETION = "training_completion"  # 培训合格证书


class CourseStandard(StrEnum):
    """The standard a course's digital resources follow."""

    NATIONAL_SKILL_STANDARD = "national_skill_standard"  # 国家职业技能标准
    SPECIAL_ABILITY_SPEC = "special_ability_spec"  # 专项职业能力考核规范
    NATIONAL_CURRICULUM = "national_curriculum"  # 国家职业技能培训课程


class PlatformType(StrEnum):
    """How a platform relates to the organisation training on it."""

    CATALOGUE = "catalogue"  # 《线上培训平台目录》 listed free platform
    OWN_WEBSITE = "own_website"  # 企业自有网站
    OWN_PLATFORM = "own_platform"  # 自有线上培训平台
    THIRD_PARTY = "third_party"  # 委托第三方平台


class OrganisationKind(StrEnum):
    ENTERPRISE = "enterprise"  # 企业
    TRAINING_INSTITUTION = "training_institution"  # 培训机构
    DESIGNATED_INSTITUTION = "designated_institution"  # 定点培训机构 (of one city)
    INDUSTRY_ASSOCIATION = "industry_association"  # 行业协会
    PLATFORM_OPERATOR = "platform_operator"  # 平台运营方


class CreditStanding(StrEnum):
    """社会信用: the notices require 社会信用良好 of commissioned platforms and organisations."""

    GOOD = "good"  # 信用良好
    UNTRUSTWORTHY = "untrustworthy"  # 列入失信名单


class FilingStatus(StrEnum):
    """Platform filing (审核备案) progress: district review, then city approval."""

    UNFILED = "unfiled"
    FILED = "filed"
    DISTRICT_REVIEWED = "district_reviewed"
    APPROVED = "approved"
    RETURNED = "returned"


class SessionMode(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"


class RegionLevel(StrEnum):
    REGION = "region"  # 自治区
    CITY = "city"  # 盟市
    DISTRICT = "district"  # 区/旗县


class SkillLevel(IntEnum):
    """Occupational skill levels: 5 = 五级/初级工 … 1 = 一级/高级技师."""

    SENIOR_TECHNICIAN = 1  # 一级/高级技师
    TECHNICIAN = 2  # 二级/技师
    SENIOR_WORKER = 3  # 三级/高级工
    INTERMEDIATE_WORKER = 4  # 四级/中级工
    JUNIOR_WORKER = 5  # 五级/初级工


class RecordType(StrEnum):
    """Canonical record types, in the order their references need them."""

    TRAINEE = "trainee"
    COURSE = "course"
    CLASS = "class"
    ENROLMENT = "enrolment"
    SESSION = "session"
    ASSESSMENT = "assessment"
    CERTIFICATE = "certificate"


RECORD_ORDER: tuple[RecordType, ...] = tuple(RecordType)


class SyncStatus(StrEnum):
    """A run's outcome: `incomplete` when the end-of-run reconciliation found the hub short of
    (or beyond) the platform; `abandoned` when the process running it died."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    INCOMPLETE = "incomplete"
    ABANDONED = "abandoned"
