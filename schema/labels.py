"""Chinese names of the domain's codes, as the notices and bureau forms write them.

One table per code list, used wherever a person reads them: the GraphQL schema's descriptions,
the console and the XLSX exports.
"""

from schema.enums import IdentityCategory

IDENTITY_CATEGORY_LABELS: dict[IdentityCategory, str] = {
    IdentityCategory.ENTERPRISE_EMPLOYEE: "企业职工（含劳务派遣工）",
    IdentityCategory.POOR_FAMILY_CHILD: "贫困家庭子女",
    IdentityCategory.POOR_LABOURER: "贫困劳动力",
    IdentityCategory.NON_CONTINUING_GRADUATE: "城乡未继续升学初高中毕业生",
    IdentityCategory.RURAL_MIGRANT_LABOURER: "农村牧区转移就业劳动者",
    IdentityCategory.UNEMPLOYED: "下岗失业人员",
    IdentityCategory.JOB_TRANSFER_EMPLOYEE: "转岗职工",
    IdentityCategory.VETERAN: "退役军人",
    IdentityCategory.DISABLED: "残疾人",
    IdentityCategory.COLLEGE_GRADUATE: "毕业年度或离校2年内未就业高校毕业生",
    IdentityCategory.OTHER_ELIGIBLE: "其他有劳动能力且未领取养老金的人员",
}
# The same, keyed by the stored value ("rural_migrant_labourer"), for rows read from SQL.
IDENTITY_CATEGORY_NAMES: dict[str, str] = {
    category.value: label for category, label in IDENTITY_CATEGORY_LABELS.items()
}
