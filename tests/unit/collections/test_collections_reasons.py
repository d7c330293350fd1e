"""The reason of default inferred from evidence: probabilities, directions, the unknown."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from creditfactory.collections.reasons import (
    EVIDENCE,
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
