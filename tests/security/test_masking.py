"""Masking personal numbers in any payload: generated payloads never keep one in clear."""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.security.masking import contains_personal_number, mask_personal, mask_text
from schema.ids import resident_id_check_char

FULL_NUMBER = re.compile(r"(?<!\d)(\d{17}[\dXx]|\d{15}|1[3-9]\d{9})(?!\d)")


@st.composite
def resident_ids(draw: Any) -> str:
    first17 = draw(st.from_regex(r"\A15\d{4}(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|1\d|2[0-8])\d{3}\Z"))
    return first17 + resident_id_check_char(first17)


mobiles = st.from_regex(r"\A1[3-9]\d{9}\Z")
numbers = st.one_of(resident_ids(), mobiles)


def _as_found(number: str, draw: Any) -> Any:
    """The number as a platform might send it: text, a JSON number, or inside a sentence."""
    form = draw(st.sampled_from(["text", "int", "sentence"]))
    if form == "int" and number.isdigit():
        return int(number)
    if form == "sentence":
        return f"{draw(st.text(alphabet='证件号码：abc ', max_size=6))}{number}。"
    return number


@st.composite
def payloads(draw: Any) -> tuple[Any, list[str]]:
    """A JSON value with personal numbers placed at random depths, and those numbers."""
    placed: list[str] = []

    def leaf() -> Any:
        if draw(st.booleans()):
            number = draw(numbers)
            placed.append(number)
            return _as_found(number, draw)
        return draw(st.one_of(st.integers(-999, 999), st.text(max_size=5), st.booleans()))

    def value(depth: int) -> Any:
        kind = draw(st.sampled_from(["leaf", "dict", "list"])) if depth < 6 else "leaf"
        if kind == "dict":
            keys = draw(st.lists(st.text(max_size=4), max_size=3, unique=True))
            return {k: value(depth + 1) for k in keys}
        if kind == "list":
            return [value(depth + 1) for _ in range(draw(st.integers(0, 3)))]
        return leaf()

    return value(0), placed


@settings(max_examples=300, deadline=None)
@given(payloads())
def test_no_generated_number_survives_masking(case: tuple[Any, list[str]]) -> None:
    payload, placed = case
    text = json.dumps(mask_personal(payload), ensure_ascii=False)
    for number in placed:
        assert number not in text
    assert not FULL_NUMBER.search(text)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["身份证号", "证件号码", "手机号", "id_number", "Phone", "联系电话"]),
    st.text(max_size=30),
)
def test_values_under_personal_keys_are_masked_whatever_they_look_like(
    key: str, value: str
) -> None:
    masked = mask_personal({"outer": [{key: value}]})["outer"][0][key]
    stripped = value.strip()
    assert masked == "" if not stripped else masked != stripped or set(stripped) <= {"*"}


def test_deep_payloads_do_not_hit_the_recursion_limit() -> None:
    deep: Any = "13812345678"
    for _ in range(5000):
        deep = [deep]
    masked = mask_personal(deep)
    for _ in range(5000):
        masked = masked[0]
    assert masked == "138****5678"


def test_text_and_detection_agree() -> None:
    sample = "学员 150302199001011231 电话 +86 138-1234-5678，旧证 150302900101123"
    assert contains_personal_number(sample)
    assert not contains_personal_number(mask_text(sample))
    assert mask_text(sample) == "学员 150302********1231 电话 138****5678，旧证 150302******123"
