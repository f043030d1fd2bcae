"""Signing in and out: the cookie, lockout, the access log, token sign-in; public pages."""

from __future__ import annotations

from datetime import timedelta

import httpx
from playwright.async_api import Browser

from hub.auth.principal import Role
from hub.auth.tokens import issue_token
from hub.console.accounts import MAX_FAILED_ATTEMPTS
from schema.types import clock_shifted
from tests.api.conftest import SECRET
from tests.console.conftest import Site, new_tab, sign_in
from tests.console.data import PASSWORD

LOG = """{ accessLog(filter: {entity: "console"}, first: 100) {
  edges { node { subject role operation } } } }"""


async def _log(site: Site) -> list[tuple[str, str, str]]:
    data = await site.api(Role.REGION, LOG)
    return [
        (e["node"]["subject"], e["node"]["role"], e["node"]["operation"])
        for e in data["accessLog"]["edges"]
    ]


async def test_session_cookie_is_httponly_strict_and_expires(browser: Browser, site: Site) -> None:
    tab = await sign_in(browser, site, "haibowan")
    (cookie,) = [c for c in await tab.context.cookies() if c["name"] == "hub_console"]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["expires"] > 0  # a session with an end, not a browser-lifetime cookie
    # A tampered cookie is no session at all. One character inside the signature is changed:
    # the last two (changed before) can be replaced by others that decode to the same bytes.
    value = cookie["value"]
    at = value.rindex(".") + 5
    tampered = value[:at] + ("A" if value[at] != "A" else "B") + value[at + 1 :]
    await tab.context.add_cookies([{**cookie, "value": tampered}])
    await tab.open("/console/")
    assert "/console/login" in tab.page.url
    await tab.context.close()


async def test_sign_in_and_out_are_logged(browser: Browser, site: Site) -> None:
    tab = await sign_in(browser, site, "org")
    await tab.page.click("header form button")
    await tab.page.wait_for_load_state("networkidle")
    assert tab.page.url.endswith("/console/login")
    # Signed out: the pages ask for sign-in again.
    await tab.open("/console/approvals")
    assert "/console/login" in tab.page.url
    log = await _log(site)
    assert ("user:org", "org", "sign-in") in log
    assert ("user:org", "org", "sign-out") in log
    await tab.context.close()


async def test_lockout_after_repeated_failures(browser: Browser, site: Site) -> None:
    tab = await new_tab(browser, site)
    for attempt in range(MAX_FAILED_ATTEMPTS + 1):
        await tab.open("/console/login")
        await tab.page.fill("input[name=username]", "hohhot")
        await tab.page.fill(
            "input[name=password]", "wrong-password" if attempt < MAX_FAILED_ATTEMPTS else PASSWORD
        )
        await tab.page.click("form[action='/console/login'] button[type=submit]")
        await tab.page.wait_for_load_state("networkidle")
    # The right password no longer helps: the account is locked.
    assert "/console/login" in tab.page.url
    assert "锁定" in await tab.page.locator(".login p.error").inner_text()
    await tab.shot("login-locked")
    log = await _log(site)
    refused = [entry for entry in log if entry[0] == "user:hohhot"]
    assert (
        refused.count(("user:hohhot", "-", "sign-in refused: wrong-password"))
        == MAX_FAILED_ATTEMPTS
    )
    assert ("user:hohhot", "-", "sign-in refused: locked") in refused
    await tab.context.close()


async def test_sign_in_with_an_identity_provider_token(browser: Browser, site: Site) -> None:
    tab = await new_tab(browser, site)
    await tab.open("/console/login")
    await tab.page.click("summary")
    await tab.page.fill("textarea[name=token]", issue_token(SECRET, Role.DISTRICT, region="150302"))
    await tab.page.click("form[action='/console/login/token'] button")
    await tab.page.wait_for_load_state("networkidle")
    assert tab.page.url.endswith("/console/")
    assert "旗县区人社局 · 海勃湾区" in await tab.page.locator(".who").inner_text()
    # A forged token does not sign in.
    other = await new_tab(browser, site)
    await other.open("/console/login")
    await other.page.click("summary")
    await other.page.fill(
        "textarea[name=token]", issue_token("another-secret-of-32-bytes-or-more!", Role.REGION)
    )
    await other.page.click("form[action='/console/login/token'] button")
    await other.page.wait_for_load_state("networkidle")
    assert "/console/login" in other.page.url
    assert ("district:150302", "district", "sign-in (token)") in await _log(site)
    await tab.context.close()
    await other.context.close()


async def test_verify_answers_browsers_in_html_and_clients_in_json(
    browser: Browser, site: Site
) -> None:
    data = await site.api(
        Role.ORG,
        "{ trainingClasses(first: 10) { edges { node { sourceId id enrolments { trainee { id } } } } } }",
        org=site.data.org,
    )
    k1 = next(e["node"] for e in data["trainingClasses"]["edges"] if e["node"]["sourceId"] == "K1")
    with clock_shifted(timedelta(days=50)):  # a proof is issued once the training has happened
        issued = await site.api(
            Role.ORG,
            "mutation($c: ID!, $t: ID!) { issueTrainingProof(trainingClass: $c, trainee: $t) { code verifyPath } }",
            {"c": k1["id"], "t": k1["enrolments"][0]["trainee"]["id"]},
            org=site.data.org,
        )
    path = issued["issueTrainingProof"]["verifyPath"]
    async with httpx.AsyncClient(base_url=site.base_url) as client:
        as_json = await client.get(path)
        as_client = await client.get(path, headers={"Accept": "application/json"})
        missing = await client.get("/verify/NO-SUCH-CODE", headers={"Accept": "application/json"})
    assert as_json.headers["content-type"] == "application/json"
    assert as_json.json() == as_client.json()
    assert as_json.json()["valid"] is True and as_json.json()["name"].startswith("张")
    assert missing.status_code == 404 and missing.json() == {"valid": False, "code": "NO-SUCH-CODE"}
    tab = await new_tab(browser, site)
    assert await tab.open(path) == 200
    text = await tab.page.locator("main").inner_text()
    assert "证明真实有效" in text and as_json.json()["name"] in text
    await tab.shot("verify")
    assert tab.console_errors == [] and tab.foreign_requests() == []
    assert await tab.open("/verify/NO-SUCH-CODE") == 404
    assert "未找到" in await tab.page.locator("main").inner_text()
    await tab.context.close()


async def test_graphiql_is_served_by_the_hub(browser: Browser, site: Site) -> None:
    tab = await new_tab(browser, site)
    assert await tab.open("/graphql") == 200
    await tab.page.wait_for_selector(".graphiql-container")
    await tab.shot("graphiql")
    assert tab.foreign_requests() == []
    assert tab.console_errors == []
    await tab.context.close()


async def test_region_admin_creates_and_disables_an_account(browser: Browser, site: Site) -> None:
    admin = await sign_in(browser, site, "region")
    await admin.open("/console/accounts")
    form = admin.page.locator("form[action='/console/accounts']")
    await form.locator("input[name=username]").fill("wuda")
    await form.locator("input[name=name]").fill("乌达区人社局")
    await form.locator("select[name=role]").select_option("district")
    await form.locator("select[name=region]").select_option("150304")
    await form.locator("input[name=password]").fill("wuda-password-1")
    await form.locator("button").click()
    await admin.page.wait_for_load_state("networkidle")
    assert "已创建账户 wuda" in await admin.page.locator(".notice").inner_text()
    # The new account signs in and sees its district.
    user = await new_tab(browser, site)
    await user.open("/console/login")
    await user.page.fill("input[name=username]", "wuda")
    await user.page.fill("input[name=password]", "wuda-password-1")
    await user.page.click("form[action='/console/login'] button[type=submit]")
    await user.page.wait_for_load_state("networkidle")
    assert "乌达区" in await user.page.locator(".who").inner_text()
    # Disabled, its open session ends at the next request.
    row = admin.page.locator("tr", has_text="wuda")
    await row.locator("button", has_text="停用").click()
    await admin.page.wait_for_load_state("networkidle")
    assert "已停用" in await admin.page.locator("tr", has_text="wuda").inner_text()
    await user.open("/console/")
    assert "/console/login" in user.page.url
    log = await _log(site)
    assert ("user:region", "region", "account created: wuda") in log
    await user.context.close()
    await admin.context.close()
