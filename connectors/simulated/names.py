"""Word lists and reference tables for the simulated dataset: names, districts, occupations."""

from __future__ import annotations

from typing import NamedTuple

# Common Han surnames, weighted roughly by frequency in north China (weight, surname).
SURNAMES: tuple[tuple[int, str], ...] = (
    (72, "王"), (70, "李"), (68, "张"), (54, "刘"), (40, "杨"), (36, "赵"), (30, "陈"),
    (26, "高"), (24, "郭"), (22, "孙"), (22, "马"), (20, "韩"), (18, "周"), (18, "吴"),
    (16, "徐"), (16, "胡"), (15, "朱"), (14, "贾"), (14, "白"), (14, "田"), (13, "梁"),
    (13, "宋"), (12, "郝"), (12, "任"), (12, "董"), (11, "苏"), (11, "杜"), (10, "乔"),
    (10, "郑"), (10, "冯"), (10, "何"), (10, "曹"), (9, "魏"), (9, "闫"), (9, "史"),
    (8, "薛"), (8, "秦"), (8, "崔"), (8, "侯"), (8, "孟"), (7, "武"), (7, "霍"), (7, "邢"),
    (7, "尹"), (6, "石"), (6, "段"), (6, "贺"), (6, "康"), (5, "袁"), (5, "黄"), (5, "谢"),
    (5, "潘"), (4, "范"), (4, "邓"), (4, "许"), (4, "萨"), (3, "包"), (3, "云"), (3, "奇"),
    (2, "欧阳"), (1, "呼延"),
)  # fmt: skip

MALE_GIVEN = (
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华",
    "飞", "鑫", "波", "宇", "浩", "凯", "健", "俊", "帅", "旭", "宁", "龙", "林", "建", "国",
    "志", "海", "东", "峰", "亮", "成", "文", "博", "晨", "阳", "振", "永", "德", "利", "兵",
    "俊杰", "子轩", "浩然", "宇航", "建军", "建华", "国庆", "志强", "永平", "海龙", "晓东",
)  # fmt: skip

FEMALE_GIVEN = (
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "婷", "雪", "慧", "丹", "萍",
    "红", "琳", "颖", "倩", "璐", "佳", "欣", "悦", "洁", "莉", "瑶", "蕾", "梅", "楠", "宁",
    "晓燕", "秀英", "桂兰", "丽娟", "海燕", "雅琪", "欣怡", "梦瑶", "佳怡", "晓丽", "春梅",
)  # fmt: skip

# Mongolian personal names, used without a Han surname (about one trainee in twelve).
MONGOLIAN_MALE = (
    "巴特尔", "额尔敦", "阿拉坦", "巴雅尔", "苏和", "朝鲁", "孟和", "毕力格", "宝音",
    "那顺", "哈斯", "特木尔", "吉日格勒", "乌力吉", "巴图", "布和",
)  # fmt: skip

MONGOLIAN_FEMALE = (
    "其其格", "乌日娜", "萨仁", "斯琴", "图雅", "娜仁", "高娃", "乌兰", "塔娜", "琪琪格",
    "苏日娜", "阿茹娜", "敖登", "托娅",
)  # fmt: skip

# Districts the hub knows per city (GB/T 2260); a city without listed districts uses itself.
DISTRICTS: dict[str, tuple[str, ...]] = {
    "150100": ("150102", "150103", "150104", "150105"),
    "150200": ("150202", "150203", "150204", "150205"),
    "150300": ("150302", "150303", "150304"),
    "150700": ("150781",),
    "152500": ("152501",),
}

# Relative population weights of the districts above (others weigh 1).
DISTRICT_WEIGHTS: dict[str, int] = {
    "150102": 5, "150103": 4, "150104": 4, "150105": 7,
    "150202": 5, "150203": 8, "150204": 5, "150205": 1,
    "150302": 6, "150303": 2, "150304": 3,
}  # fmt: skip

CITIES: tuple[str, ...] = (
    "150100", "150200", "150300", "150400", "150500", "150600", "150700", "150800",
    "150900", "152200", "152500", "152900",
)  # fmt: skip


class Occupation(NamedTuple):
    """An occupation (工种) of the national classification and how it is trained."""

    name: str
    code: str | None
    standard: str  # CourseStandard value
    weight: int  # how often platforms offer it
    female_share: float  # share of trainees who are women


OCCUPATIONS: tuple[Occupation, ...] = (
    Occupation("电工", "6-31-01-03", "national_skill_standard", 9, 0.05),
    Occupation("焊工", "6-18-02-04", "national_skill_standard", 7, 0.05),
    Occupation("育婴员", "4-10-01-02", "national_skill_standard", 8, 0.95),
    Occupation("保育员", "4-10-01-03", "national_skill_standard", 4, 0.95),
    Occupation("养老护理员", "4-10-01-05", "national_skill_standard", 7, 0.8),
    Occupation("家政服务员", "4-10-01-06", "national_skill_standard", 6, 0.85),
    Occupation("中式烹调师", "4-03-02-01", "national_skill_standard", 7, 0.35),
    Occupation("中式面点师", "4-03-02-02", "national_skill_standard", 5, 0.6),
    Occupation("茶艺师", "4-03-02-07", "national_skill_standard", 2, 0.8),
    Occupation("电子商务师", "4-01-02-02", "national_skill_standard", 6, 0.55),
    Occupation("互联网营销师", "4-01-02-07", "national_skill_standard", 6, 0.6),
    Occupation("保安员", "4-07-05-01", "national_skill_standard", 4, 0.1),
    Occupation("企业人力资源管理师", "4-07-03-02", "national_skill_standard", 4, 0.65),
    Occupation("汽车维修工", "4-12-01-01", "national_skill_standard", 4, 0.05),
    Occupation("车工", "6-18-01-01", "national_skill_standard", 3, 0.1),
    Occupation("健康管理师", "4-14-02-02", "national_skill_standard", 3, 0.7),
    Occupation("蒙古族服饰制作", None, "special_ability_spec", 2, 0.8),
    Occupation("奶制品制作", None, "special_ability_spec", 2, 0.6),
    Occupation("网络创业培训", None, "national_curriculum", 3, 0.5),
)

# Skill level names: 5 = 五级/初级工 … 1 = 一级/高级技师.
LEVEL_NAMES: dict[int, str] = {
    5: "五级/初级工",
    4: "四级/中级工",
    3: "三级/高级工",
    2: "二级/技师",
    1: "一级/高级技师",
}

ONLINE_ACTIVITIES: tuple[str, ...] = ("视频课程学习", "直播课堂", "在线练习", "课后测验")
OFFLINE_ACTIVITIES: tuple[str, ...] = ("线下实操训练", "集中面授")
