"""The reason of default inferred from evidence: probabilities, directions, the unknown."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from creditfactory.collections.reasons import (
    EVIDENCE,
    fit_reason_model,
    infer_reasons,
    load_reason_model,
    most_likely,
)
from creditfactory.collections.strategy import REASONS, UNKNOWN

MODEL = load_reason_model()


def _with(*names: str) -> np.ndarray:
    row = np.zeros((1, len(EVIDENCE)))
    for n in names:
        row[0, EVIDENCE.index(n)] = 1
    return row


@given(st.lists(st.booleans(), min_size=len(EVIDENCE), max_size=len(EVIDENCE)))
def test_probabilities_are_a_distribution(flags: list[bool]) -> None:
    p = infer_reasons(MODEL, np.array([flags], float))
    assert p.shape == (1, len(REASONS))
    assert np.isclose(p.sum(), 1.0) and (p >= 0).all()


def test_without_evidence_the_prior_speaks() -> None:
    p = infer_reasons(MODEL, _with())[0]
    assert REASONS[p.argmax()] == "oversight"


def test_evidence_moves_the_reason_the_way_practice_says() -> None:
    assert REASONS[infer_reasons(MODEL, _with("first_payment_default", "never_reached"))[0].argmax()] == "fraud"
    unable = infer_reasons(MODEL, _with("partial_payment", "overdue_elsewhere", "rolled_past_m1"))[0]
    assert unable[REASONS.index("shortfall")] + unable[REASONS.index("business_failure")] > 0.6
    base = infer_reasons(MODEL, _with("rolled_past_m1"))[0]
    broke = infer_reasons(MODEL, _with("rolled_past_m1", "broken_promise", "reached_no_promise"))[0]
    assert broke[REASONS.index("strategic")] > base[REASONS.index("strategic")]


def test_an_unclear_reason_is_unknown() -> None:
    p = np.array([[0.4, 0.3, 0.1, 0.1, 0.1], [0.7, 0.1, 0.1, 0.05, 0.05]])
    assert most_likely(p, 0.5).tolist() == [UNKNOWN, 0]


def test_a_model_fitted_on_past_episodes_learns_what_the_book_showed() -> None:
    rng = np.random.default_rng(4)
    n = 6000
    hindsight = rng.choice(3, n, p=[0.6, 0.3, 0.1])  # quick cure, slow cure, 90 DPD reached
    rows = np.zeros((n, len(EVIDENCE)), bool)
    part, rolled, fpd = (EVIDENCE.index(e) for e in ("partial_payment", "rolled_past_m1", "first_payment_default"))
    rows[:, part] = rng.random(n) < np.array([0.02, 0.40, 0.10])[hindsight]
    rows[:, rolled] = rng.random(n) < np.array([0.01, 0.30, 0.90])[hindsight]
    rows[:, fpd] = rng.random(n) < np.array([0.01, 0.01, 0.20])[hindsight]
    fitted = fit_reason_model(MODEL, rows, hindsight)
    nothing = infer_reasons(fitted, _with())[0]
    assert REASONS[nothing.argmax()] == "oversight" and nothing[0] > 0.8  # nothing seen: it forgot
    paid_part = infer_reasons(fitted, _with("partial_payment"))[0]
    assert REASONS[paid_part.argmax()] == "shortfall"
    rolled_only = infer_reasons(fitted, _with("rolled_past_m1"))[0]
    failed = rolled_only[[REASONS.index(r) for r in ("business_failure", "strategic", "fraud")]].sum()
    assert failed > 0.5
    # the book cannot tell the failed from the refusing and the absconded: the practice's split stays
    never_paid = infer_reasons(fitted, _with("rolled_past_m1", "first_payment_default"))[0]
    assert never_paid[REASONS.index("fraud")] > rolled_only[REASONS.index("fraud")]
    assert np.isclose(np.exp(fitted.log_prior).sum(), 1.0)
    again = fit_reason_model(MODEL, rows, hindsight)
    assert np.array_equal(again.log_lr, fitted.log_lr)


def test_entries_into_m1_and_past_it_are_learned_apart() -> None:
    rng = np.random.default_rng(7)
    rolled = EVIDENCE.index("rolled_past_m1")
    m1 = rng.choice(3, 1000, p=[0.7, 0.3, 0.0])  # who just missed: mostly quick cures
    later = rng.choice(3, 3000, p=[0.0, 0.1, 0.9])  # still overdue a month on: mostly 90 DPD
    rows = np.zeros((4000, len(EVIDENCE)), bool)
    rows[1000:, rolled] = True
    fitted = fit_reason_model(MODEL, rows, np.concatenate([m1, later]))
    just_missed = infer_reasons(fitted, _with())[0]
    assert just_missed[REASONS.index("oversight")] > 0.6  # pooled, the quick cures would be a sixth
    past_m1 = infer_reasons(fitted, _with("rolled_past_m1"))[0]
    failed = past_m1[[REASONS.index(r) for r in ("business_failure", "strategic", "fraud")]].sum()
    assert failed > 0.8 and past_m1[REASONS.index("oversight")] < 0.02
    both = infer_reasons(fitted, np.vstack([_with(), _with("rolled_past_m1")]))
    assert np.allclose(both, [just_missed, past_m1])


def test_a_fitted_model_file_gives_back_the_same_model_and_refuses_another_version() -> None:
    import json

    import pytest

    from creditfactory.collections.errors import CollectionsStrategyInvalid
    from creditfactory.collections.reasons import reason_model_from_dict, reason_model_to_dict

    rng = np.random.default_rng(2)
    rows = rng.random((900, len(EVIDENCE))) < 0.3
    fitted = fit_reason_model(MODEL, rows, rng.integers(0, 3, 900))
    assert fitted.rolled is not None
    again = reason_model_from_dict(json.loads(json.dumps(reason_model_to_dict(fitted))))
    probe = rng.random((50, len(EVIDENCE))) < 0.4
    assert np.array_equal(infer_reasons(again, probe), infer_reasons(fitted, probe))
    beliefs = reason_model_from_dict(reason_model_to_dict(MODEL))
    assert beliefs.log_lr_absent is None and beliefs.rolled is None
    for change in ({"format_version": 2}, {"evidence": [*EVIDENCE[:-1], "horoscope"]},
                   {"evidence": [*EVIDENCE[:-1], EVIDENCE[0]]}):
        with pytest.raises(CollectionsStrategyInvalid, match="reason model"):
            reason_model_from_dict(reason_model_to_dict(fitted) | change)


def test_a_model_file_from_before_an_evidence_existed_still_loads_and_ignores_it() -> None:
    from creditfactory.collections.reasons import reason_model_from_dict, reason_model_to_dict

    rng = np.random.default_rng(5)
    fitted = fit_reason_model(MODEL, rng.random((900, len(EVIDENCE))) < 0.3, rng.integers(0, 3, 900))
    data = reason_model_to_dict(fitted)
    ring = EVIDENCE.index("ring_linked")

    def without_ring(d: dict) -> dict:
        return {**d, "log_lr": np.delete(np.asarray(d["log_lr"]), ring, 0).tolist(),
                "log_lr_absent": np.delete(np.asarray(d["log_lr_absent"]), ring, 0).tolist()}

    old = {**without_ring(data), "evidence": [e for e in EVIDENCE if e != "ring_linked"],
           "rolled": without_ring(data["rolled"])}
    loaded = reason_model_from_dict(old)
    probe = rng.random((50, len(EVIDENCE))) < 0.4
    flipped = probe.copy()
    flipped[:, ring] = ~flipped[:, ring]
    assert np.array_equal(infer_reasons(loaded, probe), infer_reasons(loaded, flipped))
    assert not np.allclose(infer_reasons(fitted, probe), infer_reasons(fitted, flipped))


def test_a_ring_link_points_to_fraud_and_an_unknown_link_is_no_evidence() -> None:
    import pandas as pd

    from creditfactory.collections.reasons import evidence

    fraud = REASONS.index("fraud")
    # a bust-out: the instalments paid for a while, then nothing, and a ring-mate on file
    paid_then_gone = infer_reasons(MODEL, _with("rolled_past_m1"))[0]
    ring = infer_reasons(MODEL, _with("rolled_past_m1", "ring_linked"))[0]
    assert REASONS[ring.argmax()] == "fraud" and ring[fraud] > 5 * paid_then_gone[fraud]
    x = pd.DataFrame({"bucket": [1.0, 1.0, 1.0], "ring_linked": [1.0, 0.0, np.nan]})
    for name in ("first_payment_default", "attempts", "reached", "broken", "partials", "promises",
                 "inflow_ratio", "overdue_elsewhere", "credit_seeking", "industry_change",
                 "prior_fast_cures", "a_pd", "instalment_to_inflows"):
        x[name] = 0.0
    assert evidence(x)[:, EVIDENCE.index("ring_linked")].tolist() == [True, False, False]
    assert not evidence(x.drop(columns="ring_linked"))[:, EVIDENCE.index("ring_linked")].any()
