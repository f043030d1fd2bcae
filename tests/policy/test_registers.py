"""Organisation and platform registers, who reviews, the designated-institution rule and the
class opening materials — through the GraphQL API on both engines."""

from __future__ import annotations

from tests.api.conftest import Api
from tests.policy.flow import (
    FILE_PLATFORM,
    OPEN_CLASS,
    PLATFORM,
    SET_PARAMETER,
    Token,
    WuhaiClass,
    error_code,
    filing_input,
    opening_input,
    prepare_class,
    step,
    submitted_claim,
)
from tests.policy.registry_flow import ORG_NAME, REGISTER, organiser, register
from tests.records import ORG, credit_code

ORGANISATION = """query($code: String!) { organisations(filter: {creditCode: $code}) {
  edges { node { name registered contactPerson contactPhone address
                 history { changedFields changedRole source } } } } }"""


async def test_an_organisation_seen_in_platform_data_is_unregistered_until_a_bureau_completes_it(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    district = token("district", region="150302")
    seen = (await api.data(district, ORGANISATION, {"code": ORG}))["organisations"]["edges"]
    assert seen[0]["node"]["registered"] is False and seen[0]["node"]["name"] == ORG

    unregistered = await api.data(
        district, "{ organisations(filter: {registered: false}) { edges { node { creditCode } } } }"
    )
    assert [e["node"]["creditCode"] for e in unregistered["organisations"]["edges"]] == [ORG]
    registered = await register(api, token)
    assert registered["registered"] is True and registered["name"] == ORG_NAME
    assert registered["region"] == {"code": "150302", "name": "海勃湾区"}
    assert registered["creditStanding"] == "GOOD" and registered["creditCheckedOn"] == "2020-03-01"
    (version,) = registered["history"]
    assert version["changedBy"] == "孙丽" and version["changedRole"] == "district"
    assert {"name", "registered", "legal_representative"} <= set(version["changedFields"])

    # The organisation keeps its own contact details, and nothing else.
    org = token("org", org=ORG)
    changed = await api.data(
        org,
        'mutation { updateOrganisationContact(input: {contactPerson: "李军",'
        ' contactPhone: "0473-7654321"}) { contactPerson contactPhone address } }',
    )
    assert changed["updateOrganisationContact"]["contactPerson"] == "李军"
    node = (await api.data(org, ORGANISATION, {"code": ORG}))["organisations"]["edges"][0]["node"]
    assert [h["source"] for h in node["history"]] == ["mutation", "contact"]
    assert node["history"][1]["changedFields"] == ["contact_person", "contact_phone"]
    assert node["history"][1]["changedRole"] == "org"
    assert await error_code(api, org, REGISTER, {"input": organiser(name="改名")}) == "FORBIDDEN"


async def test_register_input_is_checked_and_bureaus_register_only_in_their_area(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    haibowan = token("district", region="150302")
    bad = {
        "bad credit code": organiser(creditCode=ORG[:-1] + ("0" if ORG[-1] != "0" else "1")),
        "a city as district": organiser(region="150300"),
        "designated without city": organiser(kind="DESIGNATED_INSTITUTION"),
        "city without designation": organiser(designatedCity="150300"),
        "standing without source": organiser(creditSource=None),
        "unknown industry": organiser(industryCode="Z"),
    }
    for why, data in bad.items():
        code = await error_code(api, haibowan, REGISTER, {"input": data})
        assert code == "BAD_USER_INPUT", why
    # Another district cannot register an organisation in Haibowan, nor Hohhot's city bureau.
    for other in (token("district", region="150303"), token("city", region="150100")):
        assert await error_code(api, other, REGISTER, {"input": organiser()}) == "FORBIDDEN"
    await register(api, token)
    hohhot = token("city", region="150100")
    moved = organiser(region="150102")
    assert await error_code(api, hohhot, REGISTER, {"input": moved}) == "NOT_FOUND"
    # A brand-new organisation needs its kind, name and district.
    new = {"creditCode": credit_code("91150300MA0N3333"), "name": "新单位"}
    assert await error_code(api, haibowan, REGISTER, {"input": new}) == "BAD_USER_INPUT"


async def test_a_filing_goes_to_the_registered_district_and_names_the_platform(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    await register(api, token)
    org = token("org", org=ORG)
    other_district = filing_input(district="150303")
    assert await error_code(api, org, FILE_PLATFORM, {"input": other_district}) == (
        "BAD_USER_INPUT"
    )
    other_city = filing_input(district="150102")
    assert await error_code(api, org, FILE_PLATFORM, {"input": other_city}) == "BAD_USER_INPUT"
    bad_url = filing_input(platformUrl="javascript:alert(1)")
    assert await error_code(api, org, FILE_PLATFORM, {"input": bad_url}) == "BAD_USER_INPUT"

    named = filing_input(platformName="海勃湾技能云平台", platformUrl="https://skills.example.cn/")
    for defaulted in ("district", "legalRepresentative", "contactPerson", "contactPhone"):
        del named[defaulted]  # taken from the register
    filed = await api.data(
        org,
        """mutation($input: PlatformFilingInput!) { filePlatform(input: $input) {
             regionCode legalRepresentative contactPerson platform { name url } } }""",
        {"input": named},
    )
    assert filed["filePlatform"] == {
        "regionCode": "150302",
        "legalRepresentative": "赵强",
        "contactPerson": "钱敏",
        "platform": {"name": "海勃湾技能云平台", "url": "https://skills.example.cn/"},
    }


CATALOGUE = """query($region: String!, $history: Boolean!) {
  platformCatalogue(region: $region, includeHistory: $history) {
    platformCode name url typeName operator jurisdictionCode jurisdictionName listedOn reason
    unlistedOn unlistReason } }"""
LIST = """mutation($p: String!, $r: String!) {
  listPlatformInCatalogue(platform: $p, reason: $r) { platformCode listedOn } }"""
UNLIST = """mutation($p: String!, $r: String!) {
  unlistPlatformFromCatalogue(platform: $p, reason: $r) { platformCode unlistedOn unlistReason } }"""


async def test_the_city_publishes_the_approved_platform_in_its_catalogue(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    await prepare_class(api, token, wuhai)  # files, reviews and approves the platform
    city = token("city", region="150300", name="周洁")
    # Only a city or the region keeps a catalogue, each its own.
    district = token("district", region="150302")
    assert await error_code(api, district, LIST, {"p": PLATFORM, "r": "x"}) == "FORBIDDEN"
    await api.data(city, LIST, {"p": PLATFORM, "r": "已审核备案，功能齐全"})
    assert await error_code(api, city, LIST, {"p": PLATFORM, "r": "again"}) == "BAD_USER_INPUT"

    public = await api.data(None, CATALOGUE, {"region": "150302", "history": False})
    (entry,) = public["platformCatalogue"]
    assert entry["name"] == "乌海职业技能云课堂" and entry["url"] == "https://wh-3p.example"
    assert entry["jurisdictionName"] == "乌海市" and entry["typeName"] == "委托第三方线上培训平台"
    assert entry["reason"] == "已审核备案，功能齐全"
    assert (await api.data(None, CATALOGUE, {"region": "150100", "history": False}))[
        "platformCatalogue"
    ] == []
    unknown = await api.query(None, CATALOGUE, {"region": "999999", "history": False})
    assert unknown["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

    as_json = await api.client.get("/catalogue", params={"region": "150300"})
    assert as_json.status_code == 200
    (listed,) = as_json.json()["platforms"]
    assert listed["name"] == "乌海职业技能云课堂" and listed["url"] == "https://wh-3p.example"
    page = await api.client.get("/catalogue?region=150302", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    for text in ("乌海市职业技能线上培训平台目录", "乌海职业技能云课堂", "https://wh-3p.example"):
        assert text in page.text

    await api.data(city, UNLIST, {"p": PLATFORM, "r": "平台停止运营"})
    now = await api.data(None, CATALOGUE, {"region": "150300", "history": False})
    assert now["platformCatalogue"] == []
    history = await api.data(None, CATALOGUE, {"region": "150300", "history": True})
    (closed,) = history["platformCatalogue"]
    assert closed["unlistReason"] == "平台停止运营" and closed["unlistedOn"]
    assert (await api.client.get("/catalogue?region=150300")).json()["platforms"] == []


REVIEW = "reviewSubsidyClaim"


async def test_the_industry_authority_reviews_claims_of_its_industry(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    await register(api, token, industryCode="C")
    await prepare_class(api, token, wuhai)
    claim = await submitted_claim(api, token, wuhai)
    step_query = "mutation($id: ID!) { reviewSubsidyClaim(id: $id) { status } }"
    # Another district's bureau and another industry's authority cannot see it.
    for outsider in (
        token("district", region="150303"),
        token("industry", region="150300", industry="F"),
        token("industry", region="150100", industry="C"),
    ):
        assert await error_code(api, outsider, step_query, {"id": claim["id"]}) == "NOT_FOUND"
    industry = token("industry", region="150300", industry="C", name="吴刚")
    reviewed = await step(api, industry, REVIEW, claim["id"], "行业主管部门审核通过")
    assert reviewed[REVIEW]["status"] == "district_reviewed"
    history = await api.data(
        industry,
        "query($id: ID!) { node(id: $id) { ... on SubsidyClaim { status } } }",
        {"id": claim["id"]},
    )
    assert history["node"]["status"] == "district_reviewed"
    # The industry token sees its organisations' claims, nothing of other organisations.
    claims = await api.data(industry, "{ subsidyClaims { totalCount } }")
    assert claims["subsidyClaims"]["totalCount"] == 1
    other = await api.data(
        token("industry", region="150300", industry="F"), "{ subsidyClaims { totalCount } }"
    )
    assert other["subsidyClaims"]["totalCount"] == 0
    # An industry token without its industry claim is refused.
    from hub.auth.principal import InvalidPrincipal

    try:
        token("industry", region="150300")
    except InvalidPrincipal:
        pass
    else:
        raise AssertionError("an industry token needs its industry code")


async def _key_group_roster(api: Api, token: Token, wuhai: WuhaiClass) -> None:
    """Trainee C is re-reported as unemployed (下岗失业人员): a key group of 26号 一.

    The rule's Wuhai value is seeded by the migration (tests/test_migrations.py checks it) and
    emptied with every table before each test, so the city sets it here as it would.
    """
    from tests.records import resident_id, trainee

    await _set(api, token, "designated_institutions_required", True)
    await wuhai.ingest(
        [
            trainee(
                "TC",
                name="王芳",
                id_number=resident_id(serial="003"),
                identity_category="unemployed",
            )
        ]
    )


async def test_wuhai_key_group_classes_need_a_designated_organiser(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    await _key_group_roster(api, token, wuhai)
    await register(api, token)
    org = token("org", org=ORG)
    body = await api.query(org, OPEN_CLASS, {"input": opening_input(wuhai)})
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "定点培训机构" in error["message"] and "unemployed" in error["message"]

    # Designated by another city does not count; designated by Wuhai does.
    await register(api, token, kind="DESIGNATED_INSTITUTION", designatedCity="150100")
    assert await error_code(api, org, OPEN_CLASS, {"input": opening_input(wuhai)}) == (
        "BAD_USER_INPUT"
    )
    await register(api, token, kind="DESIGNATED_INSTITUTION", designatedCity="150300")
    opened = await api.data(org, OPEN_CLASS, {"input": opening_input(wuhai)})
    assert opened["openClass"]["status"] == "submitted"


async def test_the_designated_rule_is_wuhai_s_not_the_region_s(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    await _key_group_roster(api, token, wuhai)
    await register(api, token)
    org = token("org", org=ORG)
    city = token("city", region="150300")
    await api.data(
        city,
        SET_PARAMETER,
        {
            "input": {
                "jurisdiction": "150300",
                "key": "designated_institutions_required",
                "value": False,
            }
        },
    )
    opened = await api.data(org, OPEN_CLASS, {"input": opening_input(wuhai)})
    assert opened["openClass"]["status"] == "submitted"
    policy = await api.data(city, '{ policyInForce(region: "150102") }')
    assert policy["policyInForce"]["values"]["designated_institutions_required"] is False


async def _set(api: Api, token: Token, key: str, value: bool) -> None:
    await api.data(
        token("city", region="150300"),
        SET_PARAMETER,
        {"input": {"jurisdiction": "150300", "key": key, "value": value}},
    )


MATERIALS = [
    {"item": "application_report", "name": "开班申请报告.pdf", "sha256": "a" * 64, "size": 2048},
    {"item": "id_copies", "name": "身份证复印件.zip", "sha256": "b" * 64, "size": 40960},
]


async def test_opening_materials_are_attached_where_the_city_requires_them(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    await _set(api, token, "opening_materials_required", True)
    org = token("org", org=ORG)
    body = await api.query(org, OPEN_CLASS, {"input": opening_input(wuhai)})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "开班申请报告" in body["errors"][0]["message"]
    no_hash = {
        **opening_input(wuhai),
        "materials": [{**MATERIALS[0], "sha256": "xyz"}, MATERIALS[1]],
    }
    assert await error_code(api, org, OPEN_CLASS, {"input": no_hash}) == "BAD_USER_INPUT"
    opened = await api.data(
        org,
        """mutation($input: ClassOpeningInput!) { openClass(input: $input) {
             status materials { item title name sha256 size } } }""",
        {"input": {**opening_input(wuhai), "materials": MATERIALS}},
    )
    assert [(m["title"], m["sha256"]) for m in opened["openClass"]["materials"]] == [
        ("开班申请报告", "a" * 64),
        ("培训对象基本身份类证明复印件", "b" * 64),
    ]


async def test_a_claim_goes_to_the_organisation_s_registered_district(
    api: Api, token: Token, wuhai: WuhaiClass
) -> None:
    """The class is in 海勃湾区 (150302) but the organiser is registered in 海南区 (150303):
    26号 三 sends its filing and claim to the bureau of 海南区."""
    city = token("city", region="150300")
    await api.data(city, REGISTER, {"input": organiser(region="150303")})
    org = token("org", org=ORG)
    assert await error_code(api, org, FILE_PLATFORM, {"input": filing_input()}) == (
        "BAD_USER_INPUT"
    )
    hainan = token("district", region="150303")
    filed = await api.data(org, FILE_PLATFORM, {"input": filing_input(district="150303")})
    filing_id = filed["filePlatform"]["id"]
    await step(api, hainan, "reviewPlatformFiling", filing_id)
    await step(api, city, "approvePlatformFiling", filing_id)
    await api.data(
        token("region"),
        SET_PARAMETER,
        {"input": {"jurisdiction": "150000", "key": "standard_amount/5", "value": 1000}},
    )
    opened = await api.data(org, OPEN_CLASS, {"input": opening_input(wuhai)})
    await step(
        api, token("district", region="150302"), "approveClassOpening", opened["openClass"]["id"]
    )
    claim = await submitted_claim(api, token, wuhai)
    review = "mutation($id: ID!) { reviewSubsidyClaim(id: $id) { status regionCode } }"
    haibowan = token("district", region="150302")
    assert await error_code(api, haibowan, review, {"id": claim["id"]}) == "NOT_FOUND"
    done = await api.data(hainan, review, {"id": claim["id"]})
    assert done["reviewSubsidyClaim"] == {"status": "district_reviewed", "regionCode": "150303"}
