"""Every page of every role renders with data, without console errors, from the hub alone."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser

from hub.auth.principal import Role
from tests.console.conftest import PHONE, Site, new_tab, sign_in

# username -> the sections in its navigation
SECTIONS = {
    "region": ["", "ledger", "alerts", "approvals", "platforms", "exports", "accounts"],
    "wuhai": ["", "ledger", "alerts", "approvals", "platforms", "exports"],
    "haibowan": ["", "ledger", "alerts", "approvals", "platforms", "exports"],
    "finance": ["", "approvals", "exports"],
    "org": ["", "ledger", "approvals", "platforms", "exports"],
}
# What each page must show for the page to have "rendered with data".
DATA_SELECTORS = {
    "ledger": "#results tbody tr td:not(.muted)",
    "alerts": "article.alert-card",
    "platforms": "tbody tr td:not(.muted)",
    "exports": "a[data-export]",
    "accounts": "tbody tr td",
}


@pytest.mark.parametrize("username", list(SECTIONS))
async def test_every_page_renders_with_data(browser: Browser, site: Site, username: str) -> None:
    tab = await sign_in(browser, site, username)
    nav = await tab.page.locator("header nav a").all_inner_texts()
    assert len(nav) == len(SECTIONS[username])
    for section in SECTIONS[username]:
        status = await tab.open(f"/console/{section}")
        assert status == 200, section
        await tab.shot(f"{username}-{section or 'overview'}")
        assert await tab.page.locator("main h1").count() >= 1
        if section == "":
            # The key figures are there and the charts are ECharts canvases.
            assert await tab.page.locator("[data-figure]").count() >= 1
            if username != "finance":
                await tab.page.wait_for_selector("div.chart canvas")
                assert await tab.page.locator("div.chart canvas").count() >= 3
        elif section == "approvals":
            assert await tab.page.locator("main table tbody tr, article").count() >= 1
        else:
            assert await tab.page.locator(DATA_SELECTORS[section]).count() >= 1, section
    assert tab.console_errors == [], tab.console_errors
    assert tab.foreign_requests() == []
    assert any("/static/vendor/echarts.min.js" in url for url in tab.requests)
    await tab.context.close()


async def test_waiting_items_are_in_each_roles_queue(browser: Browser, site: Site) -> None:
    expected = {"haibowan": "已提交", "wuhai": "区县已审核", "finance": "盟市已审批"}
    for username, status in expected.items():
        tab = await sign_in(browser, site, username)
        await tab.open("/console/approvals")
        badges = await tab.page.locator("main table .badge").all_inner_texts()
        assert badges == [status], (username, badges)
        await tab.context.close()


async def test_class_page_shows_roster_hours_and_online_cap(browser: Browser, site: Site) -> None:
    tab = await sign_in(browser, site, "haibowan")
    await tab.open("/console/ledger")
    await tab.page.click("text=电工（五级）线上班 第1期")
    await tab.page.wait_for_load_state("networkidle")
    rows = tab.page.locator("main table").first.locator("tbody tr")
    assert await rows.count() == 3
    over = tab.page.locator("tr.over")
    # 张伟: 40 h online of an 80-hour course is over the 40% cap; 32 h count.
    assert await over.count() == 1
    cells = await over.locator("td").all_inner_texts()
    assert cells[0] == "张伟" and cells[3] == "40.0" and cells[4] == "32.0"
    assert "超过40%" in cells[6]
    await tab.page.wait_for_selector("div.chart canvas")
    await tab.shot("haibowan-class")
    assert tab.console_errors == [] and tab.foreign_requests() == []
    await tab.context.close()


async def test_phone_width_has_no_page_wide_scrolling(browser: Browser, site: Site) -> None:
    tab = await sign_in(browser, site, "wuhai", viewport=PHONE)
    for section in ("", "ledger", "alerts", "approvals"):
        await tab.open(f"/console/{section}")
        overflow = await tab.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, (section, overflow)
        await tab.shot(f"phone-wuhai-{section or 'overview'}")
    assert tab.console_errors == [] and tab.foreign_requests() == []
    await tab.context.close()


async def test_keyboard_reaches_the_navigation(browser: Browser, site: Site) -> None:
    tab = await sign_in(browser, site, "wuhai")
    await tab.open("/console/")
    await tab.page.keyboard.press("Tab")  # the skip link comes first
    assert await tab.page.evaluate("document.activeElement.textContent") == "跳到正文"
    for _ in range(3):
        await tab.page.keyboard.press("Tab")
    assert await tab.page.evaluate("document.activeElement.textContent") == "台账"
    async with tab.page.expect_navigation():
        await tab.page.keyboard.press("Enter")
    assert tab.page.url.endswith("/console/ledger")
    await tab.context.close()


async def test_city_user_sees_only_its_area(browser: Browser, site: Site) -> None:
    query = "{ trainees(first: 1) { totalCount } trainingClasses(first: 1) { totalCount } }"
    for username, city in (("wuhai", "150300"), ("hohhot", "150100")):
        api = await site.api(Role.CITY, query, region=city)
        tab = await sign_in(browser, site, username)
        await tab.open("/console/ledger")
        heading = await tab.page.locator("#results h2").first.inner_text()
        assert f"共 {api['trainees']['totalCount']} 条" in heading
        classes = await tab.page.locator("main > h2").last.inner_text()
        assert f"共 {api['trainingClasses']['totalCount']} 个" in classes
        regions = set(
            await tab.page.locator("#results table")
            .first.locator("tbody tr td:nth-child(4)")
            .all_inner_texts()
        )
        districts = {
            "150300": {"海勃湾区", "海南区", "乌达区", "乌海市"},
            "150100": {"新城区", "回民区", "玉泉区", "赛罕区", "呼和浩特市"},
        }[city]
        # The city's own trainees, and (the relation rule) those on its classes' rosters who are
        # registered elsewhere: exactly what the API shows the same caller.
        visible = await site.api(
            Role.CITY,
            "{ trainees(first: 500) { edges { node { region { name } } } } }",
            region=city,
        )
        shown = {e["node"]["region"]["name"] for e in visible["trainees"]["edges"]}
        assert regions and regions <= shown and regions & districts, regions
        await tab.context.close()


async def test_masking_and_the_read_log_apply_to_console_pages(
    browser: Browser, site: Site
) -> None:
    masked = await sign_in(browser, site, "region")
    await masked.open("/console/ledger")
    numbers = await masked.page.locator("#results tbody tr td:nth-child(2)").all_inner_texts()
    assert numbers and all("********" in n for n in numbers)
    await masked.context.close()
    auditor = await sign_in(browser, site, "auditor")
    await auditor.open("/console/ledger")
    numbers = await auditor.page.locator("#results tbody tr td:nth-child(2)").all_inner_texts()
    assert numbers and not any("*" in n for n in numbers)
    await auditor.context.close()
    log = await site.api(
        Role.REGION,
        '{ accessLog(filter: {subject: "user:auditor", entity: "trainee"}) { edges { node { operation recordIds } } } }',
    )
    entries = [e["node"] for e in log["accessLog"]["edges"]]
    assert [e["operation"] for e in entries] == ["LedgerSearch"]
    assert len(entries[0]["recordIds"]) == len(numbers)


async def test_documents_and_exports_download_with_the_session(
    browser: Browser, site: Site
) -> None:
    claim_id = site.data.claims["city_approved"]
    tab = await sign_in(browser, site, "wuhai")
    await tab.open(f"/console/approvals/claims/{claim_id}")
    annex = await tab.page.locator("a", has_text="附件2").get_attribute("href")
    pdf = await tab.context.request.get(site.base_url + str(annex))
    assert pdf.status == 200 and (await pdf.body()).startswith(b"%PDF")
    await tab.open("/console/exports")
    async with tab.page.expect_download() as download:
        await tab.page.click("a[data-export=ledger]")
    path = await (await download.value).path()
    assert path is not None and path.read_bytes()[:2] == b"PK"  # an XLSX is a zip
    # Without the session the same links answer 401.
    stranger = await new_tab(browser, site)
    anonymous = await stranger.context.request.get(site.base_url + str(annex))
    assert anonymous.status == 401
    await stranger.context.close()
    await tab.context.close()


async def test_the_alert_queue_turns_its_pages(browser: Browser, site: Site) -> None:
    from hub.console.pages.alerts import PAGE_SIZE

    query = '{ alerts(filter: {status: "open"}) { totalCount } }'
    total = (await site.api(Role.CITY, query, region="150300"))["alerts"]["totalCount"]
    assert PAGE_SIZE < total <= 2 * PAGE_SIZE  # the demo data fills a page and part of the next
    tab = await sign_in(browser, site, "wuhai")
    await tab.open("/console/alerts")
    cards = tab.page.locator("article.alert-card")
    first = [await c.get_attribute("id") for c in await cards.all()]
    assert len(first) == PAGE_SIZE
    assert await tab.page.locator("nav.pager a").all_inner_texts() == ["下一页"]
    async with tab.page.expect_navigation():
        await tab.page.click("nav.pager a[rel=next]")
    await tab.page.wait_for_load_state("networkidle")
    second = [await c.get_attribute("id") for c in await cards.all()]
    assert len(second) == total - PAGE_SIZE and not set(first) & set(second)
    assert "status=open" in tab.page.url  # the filter is kept across pages
    assert await tab.page.locator("nav.pager a").all_inner_texts() == ["第一页"]
    await tab.shot("wuhai-alerts-page-2")
    assert tab.console_errors == [] and tab.foreign_requests() == []
    # A cursor that is not one is a clear error, not a stack trace.
    assert await tab.open("/console/alerts?after=not-a-cursor") == 400
    assert "翻页位置无效" in await tab.page.locator("main").inner_text()
    await tab.context.close()


async def test_the_ledger_turns_the_pages_of_the_persons_it_found(
    browser: Browser, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hub.console.pages import ledger

    query = '{ persons(filter: {name: "张伟"}) { totalCount edges { node { idNumber } } } }'
    found = (await site.api(Role.REGION, query))["persons"]
    assert found["totalCount"] >= 3  # several persons share the name
    monkeypatch.setattr(ledger, "PERSONS_PAGE", 2)  # the server runs in this process
    tab = await sign_in(browser, site, "region")
    await tab.open("/console/ledger?name=张伟")
    table = tab.page.locator("h2:has-text('跨平台人员') + .table-wrap tbody tr")
    pager = "nav.pager[aria-label=人员翻页]"
    seen = await table.all_inner_texts()
    assert len(seen) == 2 and await tab.page.locator(pager + " a").all_inner_texts() == ["下一页"]
    while await tab.page.locator(pager + " a[rel=next]").count():
        async with tab.page.expect_navigation():
            await tab.page.click(pager + " a[rel=next]")
        await tab.page.wait_for_load_state("networkidle")
        assert "第一页" in await tab.page.locator(pager).inner_text()
        assert "张伟" in await tab.page.locator("input[name=name]").input_value()
        seen += await table.all_inner_texts()
    numbers = sorted(row.split("\t")[1] for row in seen)
    assert numbers == sorted(e["node"]["idNumber"] for e in found["edges"])  # each person once
    await tab.shot("region-ledger-persons-last-page")
    assert tab.console_errors == [] and tab.foreign_requests() == []
    assert await tab.open("/console/ledger?name=张伟&personsAfter=not-a-cursor") == 400
    await tab.context.close()


async def test_the_ledger_turns_the_pages_of_its_trainees(browser: Browser, site: Site) -> None:
    from hub.console.pages.ledger import CLASSES_PAGE, TRAINEES_PAGE

    query = "{ trainees { totalCount } trainingClasses { totalCount } }"
    counts = await site.api(Role.REGION, query)
    total = counts["trainees"]["totalCount"]
    assert total > TRAINEES_PAGE  # the demo data fills more than a page
    tab = await sign_in(browser, site, "region")
    await tab.open("/console/ledger")
    rows = tab.page.locator("#results tbody tr")
    pager = tab.page.locator("nav.pager[aria-label=学员翻页] a")
    first = await rows.all_inner_texts()
    assert len(first) == TRAINEES_PAGE and await pager.all_inner_texts() == ["下一页"]
    classes_pager = tab.page.locator("nav.pager[aria-label=培训班翻页]")
    assert await classes_pager.count() == (counts["trainingClasses"]["totalCount"] > CLASSES_PAGE)
    seen = list(first)
    while await tab.page.locator("nav.pager[aria-label=学员翻页] a[rel=next]").count():
        async with tab.page.expect_navigation():
            await tab.page.click("nav.pager[aria-label=学员翻页] a[rel=next]")
        await tab.page.wait_for_load_state("networkidle")
        assert "第一页" in await pager.all_inner_texts()
        seen += await rows.all_inner_texts()
    assert len(seen) == total  # every trainee once, page after page
    await tab.shot("region-ledger-last-page")
    assert tab.console_errors == [] and tab.foreign_requests() == []
    assert await tab.open("/console/ledger?after=not-a-cursor") == 400
    assert "翻页位置无效" in await tab.page.locator("main").inner_text()
    await tab.context.close()
