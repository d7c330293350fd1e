"""Masks of the personal fields never give the value back, keep only the part staff need, and
the need-to-know table names only personal fields, revealing no more than a role reads."""

from __future__ import annotations

import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from creditfactory.domain.identity import (
    KeyedHasher,
    keyed_hash,
    mask_address,
    mask_contact_phones,
    mask_device_id,
    mask_ip,
    mask_name,
    mask_phone,
)
from creditfactory.domain.personal import (
    MASKED_FOR,
    PERSONAL_FIELDS,
    REVEALED_FOR,
    masked_fields,
    revealed_fields,
)
from creditfactory.domain.roles import ROLES

TEXT = st.text(st.characters(blacklist_characters="*", blacklist_categories=("Cs",)),
               min_size=2, max_size=60)
HAN = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5).filter(
    lambda c: c not in "省市区县场小州盟旗"), min_size=1, max_size=4)
STREET = st.builds(lambda road, n: f"{road}路{n}号", HAN, st.integers(1, 999))


@given(TEXT)
def test_a_name_keeps_its_first_character_and_hides_the_rest(value: str) -> None:
    masked = mask_name(value)
    assert masked == value[0] + "*" * (len(value) - 1)
    assert value not in masked


@given(TEXT)
def test_no_address_comes_back_whole_from_its_mask(value: str) -> None:
    masked = mask_address(value)
    kept = masked.removesuffix("****")
    assert masked.endswith("****") and value.startswith(kept) and len(kept) < len(value)
    assert value not in masked


@given(HAN, HAN, STREET)
def test_an_address_is_cut_to_its_city_and_district(city: str, district: str, street: str) -> None:
    assert mask_address(f"{city}市{district}区{street}") == f"{city}市{district}区****"
    assert mask_address(f"{city}市{street}") == f"{city}市****"
    assert mask_address(f"广东省{city}市{district}县{street}") == f"广东省{city}市{district}县****"


@given(TEXT)
def test_a_device_id_keeps_at_most_a_quarter_at_each_end(value: str) -> None:
    masked = mask_device_id(value)
    assert len(masked) == len(value) and value not in masked
    shown = len(masked) - masked.count("*")
    assert shown <= len(value) // 2 and shown <= 8


@given(st.lists(st.integers(0, 255), min_size=4, max_size=4))
def test_an_ipv4_address_shows_its_network_half_only(octets: list[int]) -> None:
    ip = ".".join(map(str, octets))
    assert mask_ip(ip) == f"{octets[0]}.{octets[1]}.*.*"
    assert ip not in mask_ip(ip)


@given(st.lists(st.integers(0, 0xFFFF), min_size=8, max_size=8))
def test_an_ipv6_address_shows_its_first_two_groups(groups: list[int]) -> None:
    ip = ":".join(f"{g:x}" for g in groups)
    assert mask_ip(ip) == f"{groups[0]:x}:{groups[1]:x}:*" and ip not in mask_ip(ip)


@given(TEXT)
def test_any_other_ip_text_is_masked_as_a_device(value: str) -> None:
    if value.count(".") != 3 and value.count(":") < 2:
        assert mask_ip(value) == mask_device_id(value)


@given(st.lists(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), min_size=1, max_size=3))
def test_contact_phones_are_each_masked_as_a_phone(phones: list[str]) -> None:
    masked = mask_contact_phones(",".join(phones))
    assert masked.split(",") == [mask_phone(p) for p in phones]
    assert not any(p in masked for p in phones)


def test_every_role_reads_personal_fields_only_and_reveals_no_more_than_it_reads() -> None:
    assert set(MASKED_FOR) <= set(ROLES)
    for role in ROLES:
        assert masked_fields(role) <= set(PERSONAL_FIELDS)
    for role, fields in REVEALED_FOR.items():
        assert fields <= masked_fields(role), role
    assert masked_fields("channel_manager") == frozenset()
    assert {"phone", "contact_phones", "device_id", "ip", "home_address"}.isdisjoint(
        masked_fields("bank_officer"))
    assert {"device_id", "ip"}.isdisjoint(masked_fields("account_manager"))


def test_only_a_verifiers_or_investigators_task_opens_clear_values() -> None:
    assert revealed_fields([]) == frozenset()
    assert revealed_fields(["approver", "bank_officer", "admin"]) == frozenset()
    assert "contact_phones" in revealed_fields(["verifier"])
    assert "home_address" in revealed_fields(["investigator"])
    assert revealed_fields(["verifier", "investigator"]) == (
        REVEALED_FOR["verifier"] | REVEALED_FOR["investigator"])
    assert not {"bank_card", "device_id", "ip"} & revealed_fields(["verifier", "investigator"])


@given(st.binary(min_size=1, max_size=100), st.text(max_size=40), st.sampled_from(["phone", "name", ""]))
def test_the_prepared_hasher_gives_hmac_sha256s_own_digest(key: bytes, value: str, kind: str) -> None:
    expected = hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]
    assert KeyedHasher(key)(value, kind) == keyed_hash(value, key, kind) == expected
