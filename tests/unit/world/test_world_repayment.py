"""The borrowers of booked loans: seeded, affordability-driven, fraud never pays."""

from __future__ import annotations

import numpy as np

from creditfactory.world.macro import build_macro
from creditfactory.world.repayment import Borrowers, Repayment, annuity

N, TERM, TAIL = 20_000, 36, 12


def _borrowers(n: int = N, fraud_share: float = 0.0) -> Borrowers:
    rng = np.random.default_rng(11)
    amount = np.full(n, 250_000.0)
    return Borrowers(
        log_odds=rng.normal(-2.6, 0.8, n), true_revenue=np.full(n, 40_000.0),
        other_service=np.full(n, 2_000.0), asked_instalment=annuity(amount, 0.20, np.full(n, TERM)),
        industry=rng.integers(0, 16, n), fraud=rng.random(n) < fraud_share,
        unwilling=rng.random(n) < 0.25, prepay_propensity=rng.lognormal(0, 0.5, n))


def _play(b: Borrowers, instalment_cny: float, seed: int = 3) -> tuple[Repayment, np.ndarray]:
    """Every loan through its months against a simple lender: owed is the instalments
    missed plus this one, payoff the months left, written off six months behind."""
    n = len(b.log_odds)
    macro = build_macro(36, 36 + 81, np.random.default_rng([1, 1]))
    term = np.full(n, TERM)
    rep = Repayment(b, np.full(n, instalment_cny), term, np.full(n, 5), macro, seed, TAIL)
    inst = int(instalment_cny * 100)
    paid = np.zeros((TERM + TAIL, n), np.int64)
    idx = np.arange(n)
    for t in range(1, TERM + TAIL + 1):
        behind = np.minimum(t, TERM) - rep.paid_months
        owed = np.maximum(behind, 0) * inst
        payoff = (TERM - rep.paid_months) * inst
        wo = behind > 6
        act = rep.month(idx, np.full(n, t), np.where(t <= TERM, inst, 0), owed, payoff, wo)
        paid[t - 1] = act.amount
    return rep, paid


def test_same_seed_same_payments_other_seed_others() -> None:
    b = _borrowers(2_000, fraud_share=0.02)
    _, first = _play(b, 9_000.0, seed=3)
    _, again = _play(b, 9_000.0, seed=3)
    _, other = _play(b, 9_000.0, seed=4)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_a_smaller_instalment_lowers_default() -> None:
    b = _borrowers()
    asked = float(b.asked_instalment[0])
    full, _ = _play(b, asked)
    half, _ = _play(b, asked / 2)
    cheaper, _ = _play(b, annuity(np.array([250_000.0]), 0.18, np.array([TERM]))[0])
    d_full, d_half, d_cheap = full.defaulted.mean(), half.defaulted.mean(), cheaper.defaulted.mean()
    assert d_half < 0.8 * d_full
    assert d_cheap < d_full
    assert (half.burden_ratio < 1).all() and np.allclose(full.burden_ratio, 1.0)


def test_fraud_that_misses_the_first_instalment_never_pays() -> None:
    b = _borrowers(5_000, fraud_share=0.2)
    rep, paid = _play(b, 9_000.0)
    never = b.fraud & (rep.fraud_mob == 1)
    assert never.sum() > 500
    # after write-off a fraud may still be collected on; before it, nothing comes
    assert (paid[:6, never] == 0).all()
    honest = ~b.fraud
    assert (paid[0, honest] > 0).mean() > 0.95
