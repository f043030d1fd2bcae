"""Walking the workflow on the demo's data, as bureau staff would after `hub demo`.

This changes the demo database the other demo tests read, so it lives in the file pytest runs
last in this folder.
"""

from __future__ import annotations

from tests.demo.conftest import DemoHub
from tests.demo.test_demo_states import claims_by_class


async def test_the_workflow_can_be_walked_on_the_demo(demo_hub: DemoHub) -> None:
    """A district clerk reviews the waiting claim, the city dismisses the false alarm on the
    blocked one and approves it, finance pays an approved one: each visible over the API."""
    claims = await claims_by_class(demo_hub)
    step = "mutation($id: ID!, $r: String) {{ {0}(id: $id, reason: $r) {{ status }} }}"

    async def run(who: str, name: str, id: str, reason: str | None = None) -> dict:
        body = await demo_hub.query(demo_hub.token(who), step.format(name), {"id": id, "r": reason})
        assert "errors" not in body, body
        return body["data"][name]

    assert (await run("district 150302", "reviewSubsidyClaim", claims["SC-K5"]["id"]))[
        "status"
    ] == "district_reviewed"
    for alert in claims["SC-K7"]["blockingAlerts"]:
        await demo_hub.query(
            demo_hub.token("city 150300"),
            'mutation($id: ID!) { dismissAlert(id: $id, reason: "证书日期录入错误，已核实") { status } }',
            {"id": alert["id"]},
        )
    assert (await run("city 150300", "approveSubsidyClaim", claims["SC-K7"]["id"]))[
        "status"
    ] == "city_approved"
    assert (await run("finance 150300", "preDisburseSubsidyClaim", claims["SC-K3"]["id"]))[
        "status"
    ] == "pre_disbursed"
    after = await claims_by_class(demo_hub)
    assert after["SC-K5"]["status"] == "district_reviewed"
    assert after["SC-K7"]["status"] == "city_approved" and after["SC-K7"]["blockingAlerts"] == []
    annex2 = await demo_hub.client.get(
        f"/documents/claims/{claims['SC-K1']['id']}/annex2.pdf",
        headers={"Authorization": f"Bearer {demo_hub.token('city 150300')}"},
    )
    assert annex2.status_code == 200 and annex2.content.startswith(b"%PDF")
