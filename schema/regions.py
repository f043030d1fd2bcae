"""Administrative divisions (GB/T 2260) the hub knows: the region, its leagues/cities, districts."""

from schema.enums import RegionLevel

REGION_CODE = "150000"

# (code, name, level, parent code)
REGIONS: tuple[tuple[str, str, RegionLevel, str | None], ...] = (
    ("150000", "内蒙古自治区", RegionLevel.REGION, None),
    ("150100", "呼和浩特市", RegionLevel.CITY, "150000"),
    ("150102", "新城区", RegionLevel.DISTRICT, "150100"),
    ("150103", "回民区", RegionLevel.DISTRICT, "150100"),
    ("150104", "玉泉区", RegionLevel.DISTRICT, "150100"),
    ("150105", "赛罕区", RegionLevel.DISTRICT, "150100"),
    ("150200", "包头市", RegionLevel.CITY, "150000"),
    ("150202", "东河区", RegionLevel.DISTRICT, "150200"),
    ("150203", "昆都仑区", RegionLevel.DISTRICT, "150200"),
    ("150204", "青山区", RegionLevel.DISTRICT, "150200"),
    ("150205", "石拐区", RegionLevel.DISTRICT, "150200"),
    ("150300", "乌海市", RegionLevel.CITY, "150000"),
    ("150302", "海勃湾区", RegionLevel.DISTRICT, "150300"),
    ("150303", "海南区", RegionLevel.DISTRICT, "150300"),
    ("150304", "乌达区", RegionLevel.DISTRICT, "150300"),
    ("150400", "赤峰市", RegionLevel.CITY, "150000"),
    ("150500", "通辽市", RegionLevel.CITY, "150000"),
    ("150600", "鄂尔多斯市", RegionLevel.CITY, "150000"),
    ("150700", "呼伦贝尔市", RegionLevel.CITY, "150000"),
    ("150781", "满洲里市", RegionLevel.DISTRICT, "150700"),
    ("150800", "巴彦淖尔市", RegionLevel.CITY, "150000"),
    ("150900", "乌兰察布市", RegionLevel.CITY, "150000"),
    ("152200", "兴安盟", RegionLevel.CITY, "150000"),
    ("152500", "锡林郭勒盟", RegionLevel.CITY, "150000"),
    ("152501", "二连浩特市", RegionLevel.DISTRICT, "152500"),
    ("152900", "阿拉善盟", RegionLevel.CITY, "150000"),
)
