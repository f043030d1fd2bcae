"""Masking personal numbers wherever they are: in free text, numbers, and any JSON payload.

Two detections, both applied: by value — anything shaped like a resident ID number (GB 11643,
18 characters, or the old 15 digits) or a mainland mobile number, as a string, inside a longer
string or as a JSON number, at any depth — and by key — the value under a key that names an ID
or phone number (`id_number`, 身份证号, 证件号码, 手机号, …) whatever it looks like. Quarantined
payloads are what platforms sent, in their own shapes, so neither detection alone is enough.
"""

from __future__ import annotations

import math
import re
from typing import Any

# Digits not preceded or followed by another digit, so longer numbers (bank accounts, hashes)
# are not cut into a false ID; an ID's check character may be X.
_ID_18 = re.compile(r"(?<!\d)(\d{6})(\d{8})(\d{3}[\dXx])(?![\dXx])")
_ID_15 = re.compile(r"(?<!\d)(\d{6})(\d{6})(\d{3})(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")

# Keys naming a personal number, compared lower-cased without separators.
PERSONAL_KEYS = frozenset(
    {
        "idnumber",
        "idno",
        "idcard",
        "idcardnumber",
        "identitynumber",
        "residentid",
        "sfzh",
        "身份证",
        "身份证号",
        "身份证号码",
        "公民身份号码",
        "证件号",
        "证件号码",
        "phone",
        "phone1",
        "phone2",
        "mobile",
        "mobilephone",
        "tel",
        "telephone",
        "手机",
        "手机号",
        "手机号码",
        "电话",
        "联系电话",
        "联系方式",
    }
)
_SEPARATORS = re.compile(r"[\s_\-.:：]")


def is_personal_key(key: Any) -> bool:
    """Whether a payload key names an ID or phone number."""
    return isinstance(key, str) and _SEPARATORS.sub("", key).lower() in PERSONAL_KEYS


def contains_personal_number(text: str) -> bool:
    """Whether `text` holds something shaped like an ID or mobile number."""
    return bool(_ID_18.search(text) or _ID_15.search(text) or _MOBILE.search(text))


def mask_text(text: str) -> str:
    """`text` with every ID-shaped and mobile-shaped number in it masked (area code and last
    four kept for an ID, as the bureaus print it; first three and last four for a phone)."""
    text = _ID_18.sub(lambda m: m[1] + "*" * 8 + m[3][-4:], text)
    text = _ID_15.sub(lambda m: m[1] + "*" * 6 + m[3], text)
    return _MOBILE.sub(lambda m: m[1] + "****" + m[3], text)


def mask_whole(text: str) -> str:
    """A value known to be personal, masked whatever its shape."""
    text = text.strip()
    if len(text) >= 15:
        return text[:6] + "*" * (len(text) - 10) + text[-4:]
    if len(text) >= 11:
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    return "*" * len(text)


def _digits(number: int | float) -> str | None:
    if isinstance(number, float):
        if not math.isfinite(number) or not number.is_integer():
            return None
        number = int(number)
    return str(abs(number))


def _mask_scalar(value: Any, personal: bool) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        digits = _digits(value)
        if digits is None:
            return "***" if personal else value
        if personal:
            return mask_whole(digits)
        masked = mask_text(digits)
        return value if masked == digits else masked
    if isinstance(value, str):
        return mask_whole(value) if personal else mask_text(value)
    return value


def mask_personal(payload: Any) -> Any:
    """A copy of a JSON value with every personal number masked, by value and by key.

    Walks with an explicit stack, so a payload nested deeper than Python's recursion limit is
    masked like any other; a key shaped like a personal number is masked too.
    """
    root = [payload]
    stack: list[tuple[Any, Any, bool]] = [(root, 0, False)]
    while stack:
        container, slot, personal = stack.pop()
        value = container[slot]
        if isinstance(value, dict):
            copy: dict[Any, Any] = {}
            for key, item in value.items():
                shown = mask_text(key) if isinstance(key, str) else key
                while shown in copy:  # two numbers masking alike must not merge
                    shown = f"{shown}~"
                copy[shown] = item
                stack.append((copy, shown, personal or is_personal_key(key)))
            container[slot] = copy
        elif isinstance(value, list | tuple):
            items = list(value)
            container[slot] = items
            stack.extend((items, i, personal) for i in range(len(items)))
        else:
            container[slot] = _mask_scalar(value, personal)
    return root[0]
