"""What a blacklist entry may name, how its value is written, shown and found on an application.

An entry names one identifier of a kind; each kind is read from one application field, so the
entry's keyed hash (made with the field's name as its kind) is the same hash the store keeps
for that field of every application. Values are normalised first (spaces dropped, letters
upper-cased, IP addresses in their canonical form) so that the same identifier always hashes
the same way.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from creditfactory.domain.identity import (
    is_valid_bank_card,
    is_valid_phone,
    is_valid_resident_id,
    is_valid_uscc,
    mask_bank_card,
    mask_device_id,
    mask_ip,
    mask_phone,
    mask_resident_id,
)

__all__ = ["KINDS", "BlacklistKind", "canonical", "identifiers", "normalise"]


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _is_device(value: str) -> bool:
    return 4 <= len(value) <= 128 and value.isprintable()


@dataclass(frozen=True, slots=True)
class BlacklistKind:
    """A kind of identifier: the application field it is read from, its check and its mask."""

    name: str
    field: str
    valid: Callable[[str], bool]
    mask: Callable[[str], str]
    describe: str


KINDS: dict[str, BlacklistKind] = {
    k.name: k
    for k in (
        BlacklistKind("phone", "phone", is_valid_phone, mask_phone, "an 11-digit mobile number"),
        BlacklistKind("resident_id", "resident_id", is_valid_resident_id, mask_resident_id,
                      "an 18-character resident ID with a valid check character"),
        BlacklistKind("bank_card", "bank_card", is_valid_bank_card, mask_bank_card,
                      "a 16-19 digit card number passing the Luhn check"),
        BlacklistKind("device", "device_id", _is_device, mask_device_id,
                      "a device id of 4-128 printable characters"),
        BlacklistKind("ip", "ip", _is_ip, mask_ip, "an IPv4 or IPv6 address"),
        BlacklistKind("uscc", "uscc", is_valid_uscc, mask_resident_id,
                      "a unified social credit code with a valid check character"),
    )
}
"""Every kind an entry may name, by name."""


def canonical(kind: str, value: Any) -> str | None:
    """``value`` written the one way it is hashed (unchecked); ``None`` when it is blank.

    >>> canonical("phone", " 138 0000 0000 "), canonical("ip", "2001:DB8::0:1")
    ('13800000000', '2001:db8::1')
    """
    if not isinstance(value, str):
        return None
    text = "".join(value.split())
    if not text:
        return None
    if kind in ("resident_id", "uscc"):
        return text.upper()
    if kind == "ip":
        try:
            return str(ipaddress.ip_address(text))
        except ValueError:
            return text
    return text


def normalise(kind: str, value: Any) -> str | None:
    """The canonical form of a valid ``kind`` (what an entry keeps); ``None`` when invalid."""
    text = canonical(kind, value)
    return text if text is not None and KINDS[kind].valid(text) else None


def identifiers(application: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(kind, canonical value)`` of every identifier the application carries (not checked:
    an invalid value matches no entry, every entry having been checked)."""
    out = []
    for name, spec in KINDS.items():
        value = canonical(name, application.get(spec.field))
        if value is not None:
            out.append((name, value))
    return out
