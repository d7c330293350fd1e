"""The world's answer to collectors: deterministic, perturbable, and better-matched treatments
recover more in expectation."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from creditfactory.world.collections_response import (
    REASONS,
    TREATMENTS,
    hidden_reasons,
    load_response,
    perturbed,
    respond,
    shortfall_ease,
)

MODEL = load_response()
R = {n: i for i, n in enumerate(REASONS)}
T = {n: i for i, n in enumerate(TREATMENTS)}
# practice: a reminder for the forgetful, an affordable plan for the unable, pressure for the unwilling
MATCHED = {"oversight": ("sms", "none"), "shortfall": ("restructure", "legal_letter"),
           "business_failure": ("restructure", "legal_letter"), "strategic": ("legal_letter", "sms")}


def _back_to_current(model, reason: int, treatment: int, seed: int, n: int = 20_000) -> float:
    """Share brought back in one step, over borrowers of ``reason`` whose contactability is
    drawn as the world draws it (in expectation over the reason's borrowers)."""
    key = np.arange(n, dtype=np.int64)
    mean, k = model.contact_mean[reason], model.concentration
    contact = np.random.default_rng(seed).beta(mean * k, (1 - mean) * k, n)
    o = respond(model, key=key, step=np.zeros(n, np.int64), seed=seed, reason=np.full(n, reason),
                contact=contact, treatment=np.full(n, treatment), attempts=np.ones(n, np.int64))
    return float((o.pay_full | o.accept | o.keep).mean())


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_better_matched_treatments_bring_more_accounts_back_in_expectation(seed: int) -> None:
    for reason, (good, poor) in MATCHED.items():
        assert (_back_to_current(MODEL, R[reason], T[good], seed)
                > _back_to_current(MODEL, R[reason], T[poor], seed)), reason


def test_a_visit_or_a_letter_finds_those_who_screen_calls_but_not_the_absconded() -> None:
    n = 20_000
    key = np.arange(n, dtype=np.int64)

    def reached(reason: str, treatment: str) -> float:
        o = respond(MODEL, key=key, step=np.zeros(n, np.int64), seed=4, reason=np.full(n, R[reason]),
                    contact=np.full(n, 0.1), treatment=np.full(n, T[treatment]), attempts=np.ones(n, np.int64))
        return float(o.reached.mean())

    assert reached("strategic", "visit") > 0.75 > 0.1 > reached("strategic", "call")
    assert reached("strategic", "legal_letter") > 0.7
    assert reached("fraud", "visit") < 0.1


def test_lawsuits_recover_more_from_the_unwilling_than_from_a_failed_business() -> None:
    rec = MODEL.handover_recovery[T["lawsuit"]]
    assert rec[R["strategic"]] > rec[R["business_failure"]] and rec[R["fraud"]] < rec[R["business_failure"]]


def test_answers_are_deterministic_by_seed_and_differ_between_seeds() -> None:
    n = 5000
    args = dict(key=np.arange(n, dtype=np.int64), step=np.full(n, 3), reason=np.full(n, R["shortfall"]),
                contact=np.full(n, 0.7), treatment=np.full(n, T["call"]), attempts=np.full(n, 2))
    a, b, c = respond(MODEL, seed=5, **args), respond(MODEL, seed=5, **args), respond(MODEL, seed=6, **args)
    assert (a.reached == b.reached).all() and (a.pay_full == b.pay_full).all() and (a.promise == b.promise).all()
    assert (a.reached != c.reached).any()


def test_nobody_is_reached_by_no_treatment_and_keeping_needs_a_promise() -> None:
    n = 3000
    o = respond(MODEL, key=np.arange(n, dtype=np.int64), step=np.zeros(n, np.int64), seed=1,
                reason=np.full(n, R["oversight"]), contact=np.ones(n), treatment=np.zeros(n, np.int64),
                attempts=np.zeros(n, np.int64))
    assert not o.reached.any() and not o.promise.any() and not o.keep.any()
    assert 0.2 < o.pay_full.mean() < 0.4  # the forgetful pay by themselves (self_cure 0.30)


def test_hidden_reasons_follow_the_worlds_state() -> None:
    n = 4000
    key = np.arange(n, dtype=np.int64)
    fraud = np.zeros(n, bool)
    fraud[:100] = True
    rolled = np.zeros(n, bool)
    rolled[100:1100] = True
    unwilling = np.zeros(n, bool)
    unwilling[100:400] = True
    burden = np.where(np.arange(n) < 2500, 0.05, 0.5)
    reason, contact = hidden_reasons(MODEL, key=key, seed=3, fraud=fraud, unwilling=unwilling, rolled=rolled,
                                     burden=burden, cycle=np.ones(n))
    assert (reason[:100] == R["fraud"]).all()
    assert (reason[100:400] == R["strategic"]).all() and (reason[400:1100] == R["business_failure"]).all()
    low = (reason[1100:2500] == R["shortfall"]).mean()
    high = (reason[2500:] == R["shortfall"]).mean()
    assert high > low + 0.2
    assert contact[:100].mean() < contact[1100:2500].mean()
    again, _ = hidden_reasons(MODEL, key=key, seed=3, fraud=fraud, unwilling=unwilling, rolled=rolled,
                              burden=burden, cycle=np.ones(n))
    assert (again == reason).all()


def test_perturbed_worlds_are_fixed_and_within_the_spread() -> None:
    worlds, again = perturbed(MODEL), perturbed(MODEL)
    assert len(worlds) == MODEL.draws
    for w, v in zip(worlds, again, strict=True):
        assert np.array_equal(w.pay, v.pay)
        ratio = w.pay[MODEL.pay > 0] / MODEL.pay[MODEL.pay > 0]
        assert ((ratio >= 0.5 - 1e-9) & (ratio <= 1.5 + 1e-9)).all()
    assert not np.array_equal(worlds[0].pay, worlds[1].pay)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), light=st.floats(0.03, 0.12), heavy=st.floats(0.2, 0.6))
def test_a_shortfall_under_a_heavier_debt_burden_is_made_up_less_often(seed: int, light: float,
                                                                       heavy: float) -> None:
    n = 20_000
    key = np.arange(n, dtype=np.int64)

    def back(reason: str, burden: float) -> float:
        o = respond(MODEL, key=key, step=np.zeros(n, np.int64), seed=seed, reason=np.full(n, R[reason]),
                    contact=np.full(n, 0.7), treatment=np.full(n, T["call"]), attempts=np.ones(n, np.int64),
                    burden=np.full(n, burden))
        return float((o.pay_full | o.partial | o.keep).mean())

    assert back("shortfall", light) > back("shortfall", heavy)
    for other in ("oversight", "business_failure", "strategic"):
        assert back(other, light) == back(other, heavy), other


def test_the_burden_scales_only_a_shortfall_and_within_its_bounds() -> None:
    reason = np.array([R["shortfall"]] * 4 + [R["oversight"]])
    burden = np.array([0.001, MODEL.burden_reference, 0.3, 100.0, 100.0])
    ease = shortfall_ease(MODEL, reason, burden)
    lo, hi = MODEL.burden_bounds
    assert ease[0] == hi and ease[1] == 1.0 and lo < ease[2] < 1.0 and ease[3] == lo and ease[4] == 1.0
    assert (shortfall_ease(MODEL, reason, None) == 1.0).all()


def test_the_perturbed_worlds_move_the_burden_elasticity_too() -> None:
    values = [w.burden_elasticity for w in perturbed(MODEL)]
    assert len(set(values)) == MODEL.draws
    assert all(0.5 * MODEL.burden_elasticity <= v <= 1.5 * MODEL.burden_elasticity for v in values)
