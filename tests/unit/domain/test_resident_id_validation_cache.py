"""Resident-ID validation answers exactly as python-stdnum's full check does."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from creditfactory.domain.identity import is_valid_resident_id


def _stdnum_says(value: str) -> bool:
    try:
        ric.validate(value)
    except (ValidationError, KeyError):  # KeyError: a region code naming no county
        return False
    return len(value) == 18


def _with_check(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


REGIONS = st.one_of(
    st.sampled_from(["110105", "110101", "320102", "440305", "999999", "000000", "510107"]),
    st.integers(100_000, 999_999).map(str),
)
BODIES = st.builds(lambda r, y, m, d, s: f"{r}{y:04d}{m:02d}{d:02d}{s:03d}", REGIONS,
                   st.integers(1900, 2030), st.integers(0, 13), st.integers(0, 32),
                   st.integers(0, 999))


@settings(max_examples=400)
@given(BODIES, st.booleans())
def test_well_formed_ids_agree_with_stdnum(body: str, fix_check: bool) -> None:
    value = _with_check(body) if fix_check else body + "1"
    assert is_valid_resident_id(value) == _stdnum_says(value)


@settings(max_examples=300)
@given(st.text(alphabet="0123456789X -x", max_size=22))
def test_arbitrary_text_agrees_with_stdnum(value: str) -> None:
    assert is_valid_resident_id(value) == _stdnum_says(value)


def test_a_province_code_is_not_a_birth_place() -> None:
    value = _with_check("110001" + "19800101" + "123")  # province known, no such county
    assert not is_valid_resident_id(value)
