"""Chinese identity numbers: validation, masking and keyed hashing of personal data.

Resident IDs follow GB 11643 (18 characters, ISO 7064 MOD 11-2 check), unified social credit
codes GB 32100 (18 characters, MOD 31 check), bank card numbers the Luhn check. Validation
delegates to python-stdnum so the rules live in one well-tested place; masking and hashing are
ours because every page, log and graph file must use the same forms.
"""

from __future__ import annotations

import hashlib
import hmac

from stdnum import luhn
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

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
    """True when ``value`` is an 18-character resident ID with a valid checksum, birth date and
    a birth place that was a county in the birth year (python-stdnum's ``ric.validate``)."""
    try:
        ric.validate(value)
    except (ValidationError, KeyError):  # KeyError: a province or prefecture code, no county
        return False
    return len(value) == 18


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


def keyed_hash(value: str, key: bytes, kind: str = "") -> str:
    """HMAC-SHA256 of ``kind:value`` as 32 hex characters: links without revealing the value."""
    msg = f"{kind}:{value}".encode()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()[:32]
