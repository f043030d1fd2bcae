"""Workflow buttons change what the API says; posts without the CSRF token change nothing."""

from __future__ import annotations

from playwright.async_api import Browser

from hub.auth.principal import Role
from tests.console.conftest import Site, new_tab, sign_in

ALERT = "query($id: ID!) { node(id: $id) { ... on Alert { status reviewer reviewReason } } }"
CLAIM = """query($id: ID!) { node(id: $id) { ... on SubsidyClaim {
  status history { toStatus actorSubject actorRole } } } }"""
OPEN_ALERTS = '{ alerts(filter: {status: "open"}, first: 1) { edges { node { id } } } }'


async def test_alert_dismissed_through_the_buttons(browser: Browser, site: Site) -> None:
    tab = await sign_in(browser, site, "wuhai")
    await tab.open("/console/alerts")
    card = tab.page.locator("article.alert-card").first
    alert_id = (await card.get_attribute("id") or "").removeprefix("alert-")
    # Dismissing needs a reason: refused, said so, nothing changed.
    await card.locator("button.danger").click()
    problem = tab.page.locator(f"[id='alert-{alert_id}'] p.error")
    await problem.wait_for()
    assert "理由" in await problem.inner_text()
    before = await site.api(Role.CITY, ALERT, {"id": alert_id}, region="150300")
    assert before["node"]["status"] == "open"
    await card.locator("input[name=reason]").fill("经核实为同一班次重复上报，已更正")
    await card.locator("button.danger").click()
    await tab.page.wait_for_selector(f"[id='alert-{alert_id}'] [data-status=dismissed]")
    await tab.shot("wuhai-alert-dismissed")
    after = await site.api(Role.CITY, ALERT, {"id": alert_id}, region="150300")
    assert after["node"] == {
        "status": "dismissed",
        "reviewer": "user:wuhai",
        "reviewReason": "经核实为同一班次重复上报，已更正",
    }
    assert tab.console_errors == [] and tab.foreign_requests() == []
    await tab.context.close()


async def test_claim_approved_by_city_and_paid_by_finance(browser: Browser, site: Site) -> None:
    claim_id = site.data.claims["district_reviewed"]
    tab = await sign_in(browser, site, "wuhai")
    await tab.open(f"/console/approvals/claims/{claim_id}")
    assert await tab.page.locator("[data-status]").inner_text() == "区县已审核"
    await tab.page.locator("button[data-step=approve]").click()
    await tab.page.wait_for_load_state("networkidle")
    assert await tab.page.locator("[data-status]").inner_text() == "盟市已审批"
    await tab.shot("wuhai-claim-approved")
    claim = (await site.api(Role.CITY, CLAIM, {"id": claim_id}, region="150300"))["node"]
    assert claim["status"] == "city_approved"
    assert claim["history"][-1] == {
        "toStatus": "city_approved",
        "actorSubject": "user:wuhai",
        "actorRole": "city",
    }
    await tab.context.close()

    finance = await sign_in(browser, site, "finance")
    await finance.open(f"/console/approvals/claims/{claim_id}")
    await finance.page.locator("button[data-step=pre-disburse]").click()
    await finance.page.wait_for_load_state("networkidle")
    assert await finance.page.locator("[data-status]").inner_text() == "已预拨"
    claim = (await site.api(Role.FINANCE, CLAIM, {"id": claim_id}, region="150300"))["node"]
    assert claim["status"] == "pre_disbursed"
    assert finance.console_errors == [] and finance.foreign_requests() == []
    await finance.context.close()


async def test_returning_needs_a_reason(browser: Browser, site: Site) -> None:
    claim_id = site.data.claims["submitted"]
    tab = await sign_in(browser, site, "haibowan")
    await tab.open(f"/console/approvals/claims/{claim_id}")
    form = tab.page.locator("form:has(button[data-step=return])")
    await form.locator("input[name=reason]").fill("名册与身份证明不符，请补正")
    await form.locator("button").click()
    await tab.page.wait_for_load_state("networkidle")
    assert "退回补正：已完成" in await tab.page.locator(".notice").inner_text()
    claim = (await site.api(Role.DISTRICT, CLAIM, {"id": claim_id}, region="150302"))["node"]
    assert claim["status"] == "returned"
    await tab.context.close()


async def test_posts_without_the_csrf_token_are_refused(browser: Browser, site: Site) -> None:
    alert_id = (await site.api(Role.CITY, OPEN_ALERTS, region="150300"))["alerts"]["edges"][0][
        "node"
    ]["id"]
    tab = await sign_in(browser, site, "wuhai")
    url = f"{site.base_url}/console/alerts/{alert_id}/dismiss"
    # The browser's own cookie goes with these requests; only the token is missing or wrong.
    missing = await tab.context.request.post(url, form={"reason": "forged"})
    wrong = await tab.context.request.post(url, form={"reason": "forged", "csrf": "0" * 64})
    assert (missing.status, wrong.status) == (403, 403)
    claim_id = site.data.claims["city_approved"]
    step = f"{site.base_url}/console/approvals/claims/{claim_id}/pre-disburse"
    assert (await tab.context.request.post(step, form={})).status == 403
    status = (await site.api(Role.CITY, ALERT, {"id": alert_id}, region="150300"))["node"]
    assert status["status"] == "open"
    # The sign-in form too: a post without the token of this browser's form is refused.
    stranger = await new_tab(browser, site)
    login = await stranger.context.request.post(
        f"{site.base_url}/console/login", form={"username": "wuhai", "password": "x" * 12}
    )
    assert login.status == 403
    await stranger.context.close()
    await tab.context.close()
