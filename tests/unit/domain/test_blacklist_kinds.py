"""Blacklist values are written one way, so the same identifier always hashes the same."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditfactory.domain.blacklist import KINDS, canonical, identifiers, normalise

phones = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)


@given(phone=phones, cuts=st.lists(st.integers(0, 11), max_size=4))
def test_spaces_anywhere_do_not_change_a_phone(phone: str, cuts: list[int]) -> None:
    spaced = phone
    for i in sorted(cuts, reverse=True):
        spaced = spaced[:i] + " " + spaced[i:]
    assert normalise("phone", f" {spaced} ") == phone == canonical("phone", spaced)


@given(ip=st.ip_addresses())
def test_an_ip_address_has_one_canonical_form(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
    assert normalise("ip", ip.exploded.upper()) == normalise("ip", str(ip)) == str(ip)


@pytest.mark.parametrize(("kind", "value"), [
    ("phone", "12345678901"), ("resident_id", "110101199001011230"),
    ("bank_card", "6222021234567890124"), ("ip", "10.0.0.256"), ("device", "ab"),
    ("uscc", "91350100M000100Y4X"),
])
def test_invalid_values_are_refused(kind: str, value: str) -> None:
    assert normalise(kind, value) is None


def test_every_kind_is_read_from_its_application_field() -> None:
    app = {"phone": "13912345678", "resident_id": "11010119900101123x", "bank_card": "",
           "device_id": "dv-0001", "ip": None, "uscc": "91350100M000100Y43"}
    assert identifiers(app) == [("phone", "13912345678"), ("resident_id", "11010119900101123X"),
                                ("device", "dv-0001"), ("uscc", "91350100M000100Y43")]
    assert {k.field for k in KINDS.values()} == {"phone", "resident_id", "bank_card", "device_id",
                                                  "ip", "uscc"}
