"""The Scorecard honours scikit-learn's estimator contract."""

from __future__ import annotations

import warnings

from sklearn.utils.estimator_checks import check_estimator

from creditfactory.scorecard import Scorecard

_EXPECTED = {
    "check_sample_weight_equivalence_on_dense_data":
        "binning counts rows, not weights: weights act from the selection step on",
}


def test_scorecard_passes_check_estimator():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(Scorecard(), on_fail=None, expected_failed_checks=_EXPECTED)
    failed = [(r["check_name"], str(r["exception"])[:200]) for r in results
              if r["status"] == "failed"]
    assert failed == []
