"""The moodle connector's protocol details against the simulated Moodle site."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from connectors.errors import AuthError, ConnectorError
from connectors.moodle import MoodleConnector
from connectors.moodle_mapping import ws_params
from connectors.simulated.dataset import generate_by_platform
from connectors.simulated.moodle_app import php_params
from tests.sync.kinds import SimPlatform, fast_client, start


@pytest.fixture
def site() -> Iterator[SimPlatform]:
    with ExitStack() as stack:
        yield start(stack, "moodle", generate_by_platform(40, seed=3)["hohhot-online"])


def test_arguments_use_php_nested_form() -> None:
    flat = ws_params({"courseid": 3, "options": [{"name": "limitfrom", "value": 0}], "ok": True})
    assert flat == {
        "courseid": "3",
        "options[0][name]": "limitfrom",
        "options[0][value]": "0",
        "ok": "1",
    }
    assert php_params(list(flat.items()))["options"] == {"0": {"name": "limitfrom", "value": "0"}}


async def test_errors_come_with_http_200_and_are_detected(site: SimPlatform) -> None:
    async with fast_client() as client:
        connector = MoodleConnector(site.config, client)
        with pytest.raises(ConnectorError, match="invalidrecord"):
            await connector.call("core_user_create_users")
        with pytest.raises(ConnectorError, match="invalidparameter"):
            await connector.call("core_reportbuilder_retrieve_report", reportid=999)
        wrong = MoodleConnector(site.config.model_copy(update={"token": "nope"}), client)
        with pytest.raises(AuthError, match="invalidtoken"):
            await wrong.call("core_course_get_courses")


async def test_enrolled_users_read_again_when_the_list_shifts(site: SimPlatform) -> None:
    def enrolled() -> dict[str, set[int]]:
        out: dict[str, set[int]] = {}
        for (kind, _), r in site.expected().items():
            if kind == "enrolment":
                out.setdefault(r["class_source_id"], set()).add(int(r["trainee_source_id"]))
        return out

    lowest = min(int(sid) for kind, sid in site.expected() if kind == "trainee")
    # A course the lowest user is not in: when that user enrols mid-read, the whole list
    # shifts forward past the rows already read.
    course = next(int(c) for c, users in enrolled().items() if lowest not in users)
    config = site.config.model_copy(update={"page_size": 2})
    async with fast_client() as client:
        site.faults.shift_next = 1
        users = await MoodleConnector(config, client).enrolled(course)
    assert site.faults.shift_next == 0
    assert lowest in enrolled()[str(course)]
    assert [u["id"] for u in users] == sorted(enrolled()[str(course)])  # complete, each once
