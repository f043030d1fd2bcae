"""Who reads the access log: an auditor limited to an area reads its area's entries only."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.api.conftest import Api

READ = "{ trainees { edges { node { idNumber } } } }"
LOG = "{ accessLog { totalCount edges { node { subject role } } } }"


@pytest.mark.usefixtures("two_cities")
async def test_area_auditors_read_the_entries_of_their_area(
    api: Api, token: Callable[..., str]
) -> None:
    readers = {
        "auditor:150300": token("auditor", region="150300", subject="auditor:150300"),
        "auditor:150302": token("auditor", region="150302", subject="auditor:150302"),
        "auditor:150100": token("auditor", region="150100", subject="auditor:150100"),
        "region:pii": token("region", pii=True, subject="region:pii"),
    }
    for reader in readers.values():
        await api.data(reader, READ)

    def subjects(data: dict) -> set[str]:
        return {e["node"]["subject"] for e in data["accessLog"]["edges"]}

    everyone = set(readers)
    assert subjects(await api.data(token("auditor"), LOG)) == everyone
    assert subjects(await api.data(token("region"), LOG)) == everyone
    wuhai = await api.data(token("auditor", region="150300"), LOG)
    assert subjects(wuhai) == {"auditor:150300", "auditor:150302"}
    assert wuhai["accessLog"]["totalCount"] == 2
    haibowan = await api.data(token("auditor", region="150302"), LOG)
    assert subjects(haibowan) == {"auditor:150302"}
    hohhot = await api.data(token("auditor", region="150100"), LOG)
    assert subjects(hohhot) == {"auditor:150100"}
