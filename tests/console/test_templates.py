"""The console's template environment: GraphQL answers (dicts) read by key, dict methods kept."""

from __future__ import annotations

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
