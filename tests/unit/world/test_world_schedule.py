"""The as-if-booked schedule equals the Decimal equal-instalment schedule."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from creditfactory.world._money import fen_to_decimal, schedules


def _decimal_schedule(amount: Decimal, term: int, annual: Decimal) -> list[Decimal]:
    r = annual / 12
    pay = (amount * r / (1 - (1 + r) ** -term)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    bal, out = amount, []
    for n in range(term):
        interest = (bal * r).quantize(Decimal("0.01"), ROUND_HALF_UP)
        this = bal + interest if n == term - 1 else pay
        bal = bal - (this - interest)
        out.append(bal)
    return out


@settings(max_examples=60, deadline=None)
@given(st.integers(10, 50).map(lambda k: k * 10_000), st.sampled_from([12, 24, 36, 48]),
       st.sampled_from(["0.18", "0.20", "0.24"]))
def test_schedule_amortises_to_zero_and_matches_decimal(amount: int, term: int, rate: str) -> None:
    bal, inst = schedules(np.array([amount * 100]), np.array([term]), float(rate), 48)
    expected = _decimal_schedule(Decimal(amount), term, Decimal(rate))
    got = [Decimal(int(b)) / 100 for b in bal[0, 1:term + 1]]
    assert got == expected
    assert bal[0, term] == 0
    assert len(set(inst[0, : term - 1].tolist())) == 1
    interest = inst[0].sum() - amount * 100
    assert interest > 0


@given(st.lists(st.integers(-10**15, 10**15), min_size=1, max_size=50))
def test_fen_to_decimal_is_exact(values: list[int]) -> None:
    arr = fen_to_decimal(np.array(values, dtype=np.int64))
    assert [d * 100 for d in arr.to_pylist()] == [Decimal(v) for v in values]
