"""Chinese identity numbers: validation, masking and keyed hashing of personal data.

Resident IDs follow GB 11643 (18 characters, ISO 7064 MOD 11-2 check), unified social credit
codes GB 32100 (18 characters, MOD 31 check), bank card numbers the Luhn check. Validation
delegates to python-stdnum so the rules live in one well-tested place; masking and hashing are
ours because every page, log and graph file must use the same forms.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re

from stdnum import luhn
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError
from stdnum.util import isdigits

__all__ = [
    "is_valid_resident_id",
    "is_valid_uscc",
    "is_valid_phone",
    "is_valid_bank_card",
    "mask_resident_id",
    "mask_phone",
    "mask_bank_card",
    "mask_name",
    "mask_address",
    "mask_device_id",
    "mask_ip",
    "mask_contact_phones",
    "keyed_hash",
    "KeyedHasher",
]


def is_valid_resident_id(value: str) -> bool:
    """True when ``value`` is an 18-character resident ID with a valid checksum, birth date and
    a birth place that was a county in the birth year (python-stdnum's ``ric.validate``, step by
    step, the birth place looked up once per region code and year)."""
    try:
        number = ric.compact(value)
        if len(number) != 18 or not isdigits(number[:-1]) or number[-1] != ric.calc_check_digit(number):
            return False
        year = ric.get_birth_date(number).year
    except ValidationError:
        return False
    return _county_in(number[:6], year) and len(value) == 18


@functools.lru_cache(maxsize=8192)
def _county_in(region: str, year: int) -> bool:
    try:
        ric.get_birth_place(f"{region}{year:04d}01010000")
    except (ValidationError, KeyError):  # KeyError: a province or prefecture code, no county
        return False
    return True


def is_valid_uscc(value: str) -> bool:
    """True when ``value`` is a unified social credit code with a valid check character."""
    try:
        uscc.validate(value)
    except ValidationError:
        return False
    return True


def is_valid_phone(value: str) -> bool:
    """True for a mainland mobile number: 11 digits starting 13-19."""
    return len(value) == 11 and value.isdigit() and value[0] == "1" and value[1] in "3456789"


def is_valid_bank_card(value: str) -> bool:
    """True for a 16-19 digit card number passing the Luhn check."""
    return 16 <= len(value) <= 19 and value.isdigit() and luhn.is_valid(value)


def mask_resident_id(value: str) -> str:
    """Keep the region's first 3 and the last 4 characters: ``110***********123X``."""
    return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) > 7 else "*" * len(value)


def mask_phone(value: str) -> str:
    """Keep the first 3 and last 4 digits: ``138****5678``."""
    return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) > 7 else "*" * len(value)


def mask_bank_card(value: str) -> str:
    """Keep the last 4 digits: ``**** **** **** 1234``."""
    return "**** " * 3 + value[-4:] if len(value) > 4 else "*" * len(value)


def mask_contact_phones(value: str) -> str:
    """Each of the comma-joined numbers masked as :func:`mask_phone`."""
    return ",".join(mask_phone(p) for p in value.split(",") if p)


def mask_name(value: str) -> str:
    """Keep the first character: ``张**``, ``L*****``; a one-character name is all ``*``."""
    return value[:1] + "*" * (len(value) - 1) if len(value) > 1 else "*" * len(value)


# province / prefecture / county units of a Chinese address, outermost first (a 市场 is a
# market and a 小区 a housing estate, not units)
_UNIT = r"[^省市区县\d\s,，]{1,8}?"
_CITY = "市(?!场)"
_ADDRESS_UNITS = re.compile(
    rf"({_UNIT}(?:省|自治区))?({_UNIT}(?:{_CITY}|州(?!市)|盟|地区))?"
    rf"({_UNIT}(?:(?<!小)区|县|旗|{_CITY}))?"
)
HIDDEN = "****"


def mask_address(value: str) -> str:
    """The address cut to its district (or city, or province) followed by ``****``:
    ``佛山市南区幸光路47号`` -> ``佛山市南区****``. Nothing is kept of an address with no
    administrative unit, nor a unit that is the whole address."""
    units = [u for u in _ADDRESS_UNITS.match(value).groups() if u]  # type: ignore[union-attr]
    while units and len("".join(units)) >= len(value):
        units.pop()
    return "".join(units) + HIDDEN


def mask_device_id(value: str) -> str:
    """Keep a quarter of the characters at each end (at most 4): ``dv30**********90a7``."""
    keep = min(4, len(value) // 4)
    return value[:keep] + "*" * (len(value) - 2 * keep) + (value[-keep:] if keep else "")


def mask_ip(value: str) -> str:
    """The network half of an address: ``22.204.*.*``; of IPv6 the first two groups
    (``2001:db8:*``); anything else as a device id."""
    parts = value.split(".")
    if len(parts) == 4 and all(p.isdigit() for p in parts):
        return f"{parts[0]}.{parts[1]}.*.*"
    groups = value.split(":")
    if len(groups) > 2:
        return ":".join(groups[:2]) + ":*"
    return mask_device_id(value)


class KeyedHasher:
    """:func:`keyed_hash` under one key, with HMAC's inner and outer SHA-256 states prepared
    once (RFC 2104) and copied per value: the same digests in less than half the time."""

    __slots__ = ("_inner", "_outer")

    def __init__(self, key: bytes) -> None:
        block = hashlib.sha256().block_size
        if len(key) > block:
            key = hashlib.sha256(key).digest()
        key = key.ljust(block, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def __call__(self, value: str, kind: str = "") -> str:
        inner = self._inner.copy()
        inner.update(f"{kind}:{value}".encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()[:32]


def keyed_hash(value: str, key: bytes, kind: str = "") -> str:
    """HMAC-SHA256 of ``kind:value`` as 32 hex characters: links without revealing the value."""
    return hmac.digest(key, f"{kind}:{value}".encode(), "sha256").hex()[:32]
