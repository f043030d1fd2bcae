"""Every example request in the README returns data against a fresh demo database.

The examples are read from the README itself, so an example added there is checked here. Each is
sent with the token of the user its comment names; placeholders (`<credit code>`, an ID number,
an alert id) are filled from the demo's data. "Returns data" means no error, and no empty list,
connection or zero `totalCount` anywhere in the answer.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from connectors.simulated.showcase import SCHOOL, showcase_records
from tests.demo.conftest import DemoHub
from tests.demo.readme import Example, readme_examples

EXAMPLES = readme_examples()

# Who asks, from the words of the comment above an example (first match wins).
ROLE_HINTS = (
    ("--role city --region 150300", "city 150300"),
    ("city bureau", "city 150300"),
    ("district", "district 150302"),
    ("finance", "finance 150300"),
    ("organisation", "org "),
    ("connector", "connector wuhai-skills"),
    ("auditor", "auditor"),
)
_PUSH = re.compile(r'pushRecords\(platform: "([\w-]+)"')


def token_for(demo: DemoHub, example: Example) -> str:
    push = _PUSH.search(example.document)
    if push:
        return demo.token(f"connector {push.group(1)}")
    comment = example.comment.lower()
    for words, label in ROLE_HINTS:
        if words.lower() in comment:
            return demo.token(label)
    return demo.token("region")


async def fill_placeholders(demo: DemoHub, document: str) -> str:
    trainee = next(r for r in showcase_records(demo_today()) if r["type"] == "trainee")
    document = document.replace("<credit code>", SCHOOL)
    for placeholder in ("<18-digit ID>", "<18 digits>"):
        document = document.replace(placeholder, trainee["id_number"])
    if "<id>" in document:
        found = await demo.query(
            demo.token("region"),
            '{ alerts(filter: {rule: "DURATION_MISMATCH", status: "open"}, first: 1) '
            "{ edges { node { id } } } }",
        )
        document = document.replace("<id>", found["data"]["alerts"]["edges"][0]["node"]["id"])
    return document


def demo_today():  # type: ignore[no-untyped-def]
    from datetime import date

    return date.today()


def empty_parts(value: Any, path: str = "data") -> list[str]:
    """Where the answer has nothing: a connection without edges, a zero totalCount, a root
    field answering an empty list. (JSON values such as a run's stats are not looked into.)"""
    empty: list[str] = []
    if path == "data" and isinstance(value, dict):
        empty += [f"data.{k}" for k, v in value.items() if v == [] or v is None]
    if isinstance(value, dict):
        if value.get("totalCount") == 0:
            empty.append(f"{path}.totalCount")
        if value.get("edges") == []:
            empty.append(f"{path}.edges")
        for key, item in value.items():
            if isinstance(item, dict | list) and key not in JSON_FIELDS:
                empty += empty_parts(item, f"{path}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value[:3]):
            empty += empty_parts(item, f"{path}[{n}]")
    return empty


JSON_FIELDS = {"stats", "evidence", "raw", "parameters", "value", "values", "recordIds", "fields"}


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
async def test_readme_example_returns_data(demo_hub: DemoHub, example: Example) -> None:
    document = await fill_placeholders(demo_hub, example.document)
    body = await demo_hub.query(token_for(demo_hub, example), document)
    assert "errors" not in body, (example.name, body["errors"])
    assert not empty_parts(body["data"]), (example.name, empty_parts(body["data"]))
