"""Integer fen to Arrow ``decimal128(14, 2)`` without a Python loop, and the loan schedule.

Amounts in the simulator are int64 fen; rounding follows the domain rule (half-up to the fen)
with integer arithmetic, so the schedule equals the one computed with ``Decimal``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np
import pyarrow as pa

from creditfactory.data.schema import MONEY


def fen_to_decimal(fen: np.ndarray) -> pa.Array:
    """Arrow decimal128(14, 2) array whose unscaled values are ``fen``."""
    v = np.ascontiguousarray(fen, dtype=np.int64)
    words = np.empty((len(v), 2), dtype=np.int64)
    words[:, 0] = v
    words[:, 1] = v >> 63  # sign extension into the high 64 bits
    return pa.Array.from_buffers(MONEY, len(v), [None, pa.py_buffer(words.tobytes())])


def level_instalment_fen(amount_fen: int, term: int, monthly_rate: Decimal) -> int:
    """Equal-instalment (等额本息) payment in fen, rounded half-up."""
    a = Decimal(amount_fen) / 100
    r = monthly_rate
    p = a * r / (1 - (1 + r) ** -term)
    return int((p.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100).to_integral_value())


def schedules(amount_fen: np.ndarray, term: np.ndarray, annual_rate: float, width: int
              ) -> tuple[np.ndarray, np.ndarray]:
    """Principal balance after n instalments (n = 0..width) and each instalment's amount.

    Interest each month is the balance times the monthly rate, rounded half-up to the fen;
    the last instalment clears the balance exactly.
    """
    frac = Fraction(str(annual_rate)) / 12
    num, den = frac.numerator, frac.denominator
    rate = Decimal(num) / Decimal(den)
    pairs, inverse = np.unique(np.column_stack([amount_fen, term]), axis=0, return_inverse=True)
    p_amt, p_term = pairs[:, 0], pairs[:, 1]
    pay = np.array([level_instalment_fen(int(a), int(t), rate) for a, t in pairs])
    k = len(pairs)
    bal = np.zeros((k, width + 1), dtype=np.int64)
    inst = np.zeros((k, width), dtype=np.int64)
    bal[:, 0] = p_amt
    for n in range(width):
        b = bal[:, n]
        interest = (2 * b * num + den) // (2 * den)
        this = np.where(p_term == n + 1, b + interest, pay)
        within = p_term > n
        inst[:, n] = np.where(within, this, 0)
        bal[:, n + 1] = np.where(within, b - (this - interest), b)
    inv = inverse.ravel()
    return bal[inv], inst[inv]
