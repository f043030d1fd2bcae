"""The simulated platform itself: fault switches over HTTP, validation, runtime data changes."""

from __future__ import annotations

import httpx

from connectors.rest_json import parse_local
from tests.connectors.support import TOKEN

AUTH = {"Authorization": f"Bearer {TOKEN}"}


async def test_faults_switch_over_http(live):
    site = live()
    assert site.base_url.startswith("http://127.0.0.1:")
    async with httpx.AsyncClient(base_url=site.base_url) as http:
        answer = await http.post("/_faults", json={"rate_limit_next": 1, "retry_after": "9"})
        assert answer.json()["rate_limit_next"] == 1
        limited = await http.get("/api/v1/ping", headers=AUTH)
        assert (limited.status_code, limited.headers["Retry-After"]) == (429, "9")
        assert (await http.get("/api/v1/ping", headers=AUTH)).status_code == 200
        assert (await http.post("/_faults", json={"explode": True})).status_code == 400


async def test_error_rate_is_reproducible_from_the_seed(live):
    outcomes = []
    for _ in range(2):
        site = live()
        async with httpx.AsyncClient(base_url=site.base_url) as http:
            await http.post("/_faults", json={"error_rate": 0.5, "seed": 42})
            codes = [(await http.get("/api/v1/ping", headers=AUTH)).status_code for _ in range(20)]
        outcomes.append(codes)
    assert outcomes[0] == outcomes[1] and {200, 500} == set(outcomes[0])


async def test_list_validation_and_envelope(live):
    site = live()
    async with httpx.AsyncClient(base_url=site.base_url, headers=AUTH) as http:
        page = (await http.get("/api/v1/学员", params={"page": 2, "page_size": 10})).json()
        assert page["code"] == 0 and page["data"]["total"] == 120 and page["data"]["page"] == 2
        assert [i["学员编号"] for i in page["data"]["list"]][:2] == ["T00010", "T00011"]
        assert (await http.get("/api/v1/学员", params={"page_size": 0})).status_code == 400
        bad_since = {"updated_since": "2020-03-01T08:00:00Z"}  # the platform wants wall clock
        assert (await http.get("/api/v1/学员", params=bad_since)).status_code == 400
        assert (await http.get("/api/v1/教师")).status_code == 404
        assert (await http.get("/api/v1/学员", headers={"Authorization": "x"})).status_code == 401


async def test_upsert_and_revise_bump_the_update_time(live):
    site = live()
    platform = site.platform
    newest = max(platform.updated_at(*key) for key in platform.canonical())
    before = platform.get("trainee", "T00001")
    after = platform.revise("trainee", "T00001")
    assert after["name"] != before["name"]
    assert platform.updated_at("trainee", "T00001") >= newest
    platform.upsert({**before, "source_id": "T99999", "_updated_at": "ignored"})
    assert platform.get("trainee", "T99999")["name"] == before["name"]
    async with httpx.AsyncClient(base_url=site.base_url, headers=AUTH) as http:
        since = platform.updated_at("trainee", "T00001").strftime("%Y-%m-%d %H:%M:%S")
        data = (await http.get("/api/v1/学员", params={"updated_since": since})).json()["data"]
    served = {i["学员编号"]: parse_local(i["更新时间"]) for i in data["list"]}
    assert {"T00001", "T99999"} <= set(served)
    assert list(served.values()) == sorted(served.values())
