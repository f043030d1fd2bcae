"""National identifier checks: resident ID (GB 11643) and unified social credit code (GB 32100)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_PATTERN = re.compile(r"^\d{17}[\dX]$")

_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


class InvalidIdentifier(ValueError):
    """An identifier that fails its national standard's format or check character."""


@dataclass(frozen=True)
class ResidentId:
    """A validated 18-digit resident identity number (居民身份证号码)."""

    number: str
    area_code: str
    birth_date: date
    is_male: bool


def resident_id_check_char(first17: str) -> str:
    """The GB 11643 ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def parse_resident_id(raw: str) -> ResidentId:
    """Validate a resident ID number and decode its area, birth date and sex."""
    number = raw.strip().upper()
    if not _ID_PATTERN.match(number):
        raise InvalidIdentifier("resident ID must be 17 digits followed by a digit or X")
    expected = resident_id_check_char(number[:17])
    if number[17] != expected:
        raise InvalidIdentifier(f"resident ID check digit is {number[17]}, expected {expected}")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise InvalidIdentifier("resident ID encodes an impossible birth date") from exc
    if born.year < 1900:
        raise InvalidIdentifier("resident ID birth year is before 1900")
    return ResidentId(number, number[:6], born, int(number[16]) % 2 == 1)


def credit_code_check_char(first17: str) -> str:
    """The GB 32100 MOD 31 check character for the first 17 characters."""
    pairs = zip(first17, _CREDIT_WEIGHTS, strict=True)
    total = sum(_CREDIT_ALPHABET.index(c) * w for c, w in pairs)
    return _CREDIT_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(raw: str) -> str:
    """Validate a unified social credit code (统一社会信用代码) and return it normalised."""
    code = raw.strip().upper()
    if not _CREDIT_PATTERN.match(code):
        raise InvalidIdentifier("credit code must be 18 characters of the GB 32100 alphabet")
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise InvalidIdentifier(f"credit code check character is {code[17]}, expected {expected}")
    return code


def mask_id_number(number: str) -> str:
    """Mask a resident ID as the bureaus print it: area code and last four kept."""
    return number[:6] + "*" * 8 + number[-4:] if len(number) == 18 else "*" * len(number)


def mask_phone(phone: str) -> str:
    """Mask a mobile number as 138****5678."""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else "*" * len(phone)
