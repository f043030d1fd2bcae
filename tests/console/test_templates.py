"""The console's templates: GraphQL answers (dicts) read by key, what a claim page says when held."""

from __future__ import annotations

from types import SimpleNamespace

from hub.console.web import _templates


def test_keys_are_read_before_attributes_and_methods_still_work() -> None:
    env = _templates().env
    page = env.from_string(
        "{{ a.name }}|{{ a.get('name') }}|{{ a.missing|default('—') }}|"
        "{% for k, v in raw|items %}{{ k }}={{ v }};{% endfor %}"
    )
    # A platform's raw payload may well have keys named like dict methods.
    raw = {"items": [1, 2], "get": "x"}
    assert (
        page.render(a={"name": "王<b>"}, raw=raw) == "王&lt;b&gt;|王&lt;b&gt;|—|items=[1, 2];get=x;"
    )


def _claim(**extra: object) -> dict[str, object]:
    return {
        "id": "U3Vic2lkeUNsYWltOjE=",
        "status": "pre_disbursed",
        "standardAmount": 1500.0,
        "subsidyAmount": 3000.0,
        "preDisbursedAmount": 600.0,
        "settledAmount": 0.0,
        "platformFee": 0.0,
        "balanceDue": 0.0,
        "eligibleTrainees": 2,
        "checklist": [],
        "lines": [],
        "history": [],
        **extra,
    }


def test_a_held_claim_says_so_even_to_a_role_that_reads_no_alerts() -> None:
    template = _templates().env.get_template("claim.html")
    request = SimpleNamespace(query_params={})
    finance = template.render(c=_claim(blockingAlertCount=1, blockingAlerts=[]), request=request)
    assert "有 1 条未处理的阻断预警：处理完毕前不能审批、预拨或清算" in finance
    city = template.render(
        c=_claim(
            blockingAlertCount=1, blockingAlerts=[{"id": "QTox", "rule": "RETROACTIVE_CHANGE"}]
        ),
        request=request,
    )
    assert "#alert-QTox" in city and "阻断预警（" in city
    free = template.render(c=_claim(blockingAlertCount=0, blockingAlerts=[]), request=request)
    assert "阻断预警" not in free


def test_an_organisation_known_only_by_its_code_is_called_unregistered() -> None:
    env = _templates().env
    page = env.from_string("{{ a|org }}|{{ b|org }}|{{ none|org }}")
    registered = {"name": "乌海市海勃湾区职业技能培训学校", "registered": True}
    code_only = {"name": "91150300MA0N111100", "registered": False}
    assert page.render(a=registered, b=code_only, none=None) == (
        "乌海市海勃湾区职业技能培训学校|未登记单位（91150300MA0N111100）|—"
    )


def test_an_alert_card_lists_twelve_records_escaped_and_counts_the_rest() -> None:
    env = _templates().env
    records = [
        {"type": "session", "sourceId": f"S{i}<x>", "platform": {"name": "乌海"}} for i in range(14)
    ]
    records[0] = {"type": "trainee", "sourceId": "T1", "platform": None}
    alert = {
        "id": "QTox",
        "rule": "identical_times",
        "severity": "high",
        "status": "open",
        "firstSeenAt": "2026-03-01T00:00:00Z",
        "evidence": {"persons": 14},
        "records": records,
    }
    page = env.from_string(
        '{% from "alert_macros.html" import alert_cards %}{{ alert_cards([a, a], "") }}'
    ).render(a=alert)
    assert page.count('<article class="panel alert-card" id="alert-QTox"') == 2
    involved = page.split("<dt>涉及记录</dt><dd>")[1].split("</dd>")[0]
    assert involved.startswith("学员 T1、学习记录 S1&lt;x&gt;（乌海）、")
    assert involved.count("、") == 11 and involved.endswith(" 等 14 条")
    assert "<x>" not in page
