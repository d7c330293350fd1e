"""Chinese identity numbers: validation, masking and keyed hashing of personal data.

Resident IDs follow GB 11643 (18 characters, ISO 7064 MOD 11-2 check), unified social credit
codes GB 32100 (18 characters, MOD 31 check). Validation delegates to python-stdnum so the
rules live in one well-tested place; masking and hashing are ours because every page, log and
graph file must use the same forms.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from stdnum import numdb
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
    "keyed_hash",
]


def is_valid_resident_id(value: str) -> bool:
    """True when ``value`` is an 18-character resident ID with a valid checksum and birth date.

    The same checks as ``ric.validate``; the region lookup in the birth-place table (most of
    its cost) is remembered per region code.
    """
    try:
        number = ric.compact(value)
        if len(number) != 18 or not isdigits(number[:-1]):
            return False
        if number[-1] != ric.calc_check_digit(number):
            return False
        year = ric.get_birth_date(number).year
    except ValidationError:
        return False
    spans = _county_spans(number[:6])
    if spans is None or not any(start <= year <= end for start, end in spans):
        return False
    return len(value) == 18


@lru_cache(maxsize=16384)
def _county_spans(region: str) -> tuple[tuple[int, int], ...] | None:
    """The years each county recorded for ``region`` was assigned; ``None`` for no county."""
    results = numdb.get("cn/loc").info(region)
    info = {k: v for _part, props in results for k, v in props.items()}
    if "county" not in info:  # unknown, or a province or prefecture code (stdnum: KeyError)
        return None
    spans = []
    for county in info["county"].split(","):
        if not county.startswith("["):
            spans.append((-(10**9), 10**9))
            continue
        start, end = county[1:].split("]")[0].split("-")
        spans.append((int(start) if start else -(10**9), int(end) if end else 10**9))
    return tuple(spans)


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
    if not (16 <= len(value) <= 19 and value.isdigit()):
        return False
    total = 0
    for i, ch in enumerate(reversed(value)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def mask_resident_id(value: str) -> str:
    """Keep the region's first 3 and the last 4 characters: ``110***********123X``."""
    return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) > 7 else "*" * len(value)


def mask_phone(value: str) -> str:
    """Keep the first 3 and last 4 digits: ``138****5678``."""
    return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) > 7 else "*" * len(value)


def mask_bank_card(value: str) -> str:
    """Keep the last 4 digits: ``**** **** **** 1234``."""
    return "**** " * 3 + value[-4:] if len(value) > 4 else "*" * len(value)


def keyed_hash(value: str, key: bytes, kind: str = "") -> str:
    """HMAC-SHA256 of ``kind:value`` as 32 hex characters: links without revealing the value."""
    msg = f"{kind}:{value}".encode()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()[:32]
