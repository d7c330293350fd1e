"""Money rounding and personal-data helpers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditfactory.domain.identity import (
    is_valid_bank_card,
    is_valid_phone,
    is_valid_resident_id,
    is_valid_uscc,
    keyed_hash,
    mask_bank_card,
    mask_phone,
    mask_resident_id,
)
from creditfactory.domain.money import to_money


def test_money_rounds_half_up_to_the_fen() -> None:
    assert to_money("2.675") == Decimal("2.68")
    assert to_money("2.665") == Decimal("2.67")
    assert to_money("-2.675") == Decimal("-2.68")
    assert to_money(0.1) == Decimal("0.10")
    assert to_money(250_000) == Decimal("250000.00")


@pytest.mark.parametrize("bad", ["abc", "NaN", "Infinity", ""])
def test_money_refuses_what_is_not_an_amount(bad: str) -> None:
    with pytest.raises(ValueError):
        to_money(bad)


@given(st.decimals(min_value=-10**9, max_value=10**9, allow_nan=False, places=6))
def test_money_is_within_half_a_fen_and_has_two_places(d: Decimal) -> None:
    m = to_money(d)
    assert m.as_tuple().exponent == -2
    assert abs(m - d) <= Decimal("0.005")


def test_resident_id_checksum_and_birth_date_are_checked() -> None:
    assert is_valid_resident_id("11010519491231002X")
    assert not is_valid_resident_id("110105194912310021")  # wrong check character
    assert not is_valid_resident_id("11010519491331002X")  # month 13
    assert not is_valid_resident_id("1101051949123100")


def test_uscc_bank_card_and_phone_validation() -> None:
    assert is_valid_uscc("91110108551385082Q")
    assert not is_valid_uscc("91110108551385082R")
    assert not is_valid_uscc("9111010855138508")
    assert is_valid_bank_card("4111111111111111")
    assert not is_valid_bank_card("4111111111111112")
    assert is_valid_phone("13812345678")
    assert not is_valid_phone("12812345678")
    assert not is_valid_phone("1381234567")


def test_masks_keep_only_what_staff_need() -> None:
    assert mask_resident_id("11010519491231002X") == "110***********002X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_bank_card("6222021234567890128") == "**** **** **** 0128"


def test_keyed_hash_depends_on_key_and_kind_and_hides_the_value() -> None:
    h = keyed_hash("13812345678", b"k1", "phone")
    assert h == keyed_hash("13812345678", b"k1", "phone")
    assert h != keyed_hash("13812345678", b"k2", "phone")
    assert h != keyed_hash("13812345678", b"k1", "contact")
    assert "13812345678" not in h and len(h) == 32
