"""Properties of the identity parsers: numbers built by the rules pass, one wrong character or
two swapped neighbours fail, and no text at all makes a parser raise."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.cn import ric, uscc

from creditfactory.domain.identity import (
    is_valid_bank_card,
    is_valid_phone,
    is_valid_resident_id,
    is_valid_uscc,
    mask_bank_card,
    mask_phone,
    mask_resident_id,
)

COUNTIES = ["110105", "110101", "310104", "320102", "330106", "420106", "510107"]  # all 1990-
DIGITS = "0123456789"


def _with_check(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


RESIDENT_IDS = st.builds(
    lambda r, d, s: _with_check(f"{r}{d:%Y%m%d}{s:03d}"),
    st.sampled_from(COUNTIES),
    st.dates(date(1990, 1, 1), date(2008, 12, 31)),
    st.integers(0, 999),
)
CARDS = st.builds(lambda body: body + luhn.calc_check_digit(body),
                  st.text(DIGITS, min_size=15, max_size=18))
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCCS = st.builds(lambda org: "91" + "110108" + org + uscc.calc_check_digit("91110108" + org),
                  st.text(USCC_ALPHABET, min_size=9, max_size=9))


@given(RESIDENT_IDS)
def test_resident_ids_built_by_the_rules_are_valid(value: str) -> None:
    assert is_valid_resident_id(value)
    assert is_valid_resident_id(value.lower())  # a lower-case check character X is accepted


@given(RESIDENT_IDS, st.integers(0, 16), st.sampled_from(DIGITS))
def test_one_wrong_digit_makes_a_resident_id_invalid(value: str, at: int, digit: str) -> None:
    wrong = value[:at] + digit + value[at + 1:]
    assert is_valid_resident_id(wrong) == (wrong == value)


@given(RESIDENT_IDS, st.integers(0, 15))
def test_two_swapped_digits_make_a_resident_id_invalid(value: str, at: int) -> None:
    swapped = value[:at] + value[at + 1] + value[at] + value[at + 2:]
    assert is_valid_resident_id(swapped) == (swapped == value)


def test_a_province_code_or_an_impossible_date_is_not_a_resident_id() -> None:
    assert not is_valid_resident_id(_with_check("110001" + "19800101" + "123"))  # no county
    assert not is_valid_resident_id(_with_check("510107" + "19800101" + "123"))  # before 1990
    assert not is_valid_resident_id(_with_check("110105" + "19910230" + "123"))  # 30 February


@given(CARDS)
def test_cards_with_their_luhn_digit_are_valid(value: str) -> None:
    assert is_valid_bank_card(value)


@given(CARDS, st.data())
def test_one_wrong_digit_or_a_swap_makes_a_card_invalid(value: str, data: st.DataObject) -> None:
    at = data.draw(st.integers(0, len(value) - 1))
    digit = data.draw(st.sampled_from(DIGITS))
    wrong = value[:at] + digit + value[at + 1:]
    assert is_valid_bank_card(wrong) == (wrong == value)
    at = data.draw(st.integers(0, len(value) - 2))
    pair = value[at:at + 2]
    swapped = value[:at] + pair[::-1] + value[at + 2:]
    if pair not in ("09", "90"):  # the one swap the Luhn check cannot see
        assert is_valid_bank_card(swapped) == (swapped == value)


@given(st.text(DIGITS, min_size=0, max_size=30))
def test_cards_outside_16_to_19_digits_are_invalid(value: str) -> None:
    if not 16 <= len(value) <= 19:
        assert not is_valid_bank_card(value)


@given(USCCS, st.integers(0, 16), st.sampled_from(USCC_ALPHABET))
def test_uscc_check_character_catches_one_wrong_character(value: str, at: int, ch: str) -> None:
    assert is_valid_uscc(value)
    wrong = value[:at] + ch + value[at + 1:]
    assert is_valid_uscc(wrong) == (wrong == value)


@settings(max_examples=300)
@given(st.text(max_size=24) | st.text("0123456789Xx -", max_size=24))
def test_no_text_makes_a_parser_raise(value: str) -> None:
    for check in (is_valid_resident_id, is_valid_uscc, is_valid_bank_card, is_valid_phone):
        assert check(value) in (True, False)


@given(st.text(DIGITS, min_size=8, max_size=24))
def test_masks_keep_the_length_and_hide_the_middle(value: str) -> None:
    for mask in (mask_resident_id, mask_phone):
        masked = mask(value)
        assert len(masked) == len(value)
        assert masked[3:-4] == "*" * (len(value) - 7)
    assert mask_bank_card(value) == "**** **** **** " + value[-4:]
