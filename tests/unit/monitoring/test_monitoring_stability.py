"""PSI and CSI month by month equal an independent, plain-Python computation to 1e-9: its own
quantile cut points (linear interpolation written out), its own band counting, the same 1e-4
floor and formula Σ (A% − E%) ln(A% / E%)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from creditfactory.monitoring import monthly_csi, monthly_psi
from creditfactory.monitoring.stability import PSI_ACT, PSI_WATCH
from creditfactory.scorecard.metrics import psi as toolkit_psi


def _quantile(sorted_values: list[float], q: float) -> float:
    pos = q * (len(sorted_values) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def reference_psi(expected: list[float], actual: list[float], n_bands: int = 10) -> float:
    finite = sorted(x for x in expected if not math.isnan(x))
    cuts = sorted({_quantile(finite, k / n_bands) for k in range(1, n_bands)})
    cuts = [c for c in cuts if c > finite[0]]

    def band(x: float) -> int:
        if math.isnan(x):
            return len(cuts) + 1
        return sum(1 for c in cuts if x >= c)

    def shares(values: list[float]) -> list[float]:
        counts = [0] * (len(cuts) + 2)
        for x in values:
            counts[band(x)] += 1
        return [c / len(values) for c in counts]

    total = 0.0
    for e, a in zip(shares(expected), shares(actual), strict=True):
        e, a = max(e, 1e-4), max(a, 1e-4)
        total += (a - e) * math.log(a / e)
    return total


def reference_csi(expected: list[str | None], actual: list[str | None]) -> float:
    levels = sorted({x for x in expected if x is not None})

    def level(x: str | None) -> str:
        return "<missing>" if x is None else (x if x in levels else "<other>")

    names = levels + ["<other>", "<missing>"]
    total = 0.0
    for name in names:
        e = max(sum(level(x) == name for x in expected) / len(expected), 1e-4)
        a = max(sum(level(x) == name for x in actual) / len(actual), 1e-4)
        total += (a - e) * math.log(a / e)
    return total


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_monthly_psi_equals_the_plain_computation(seed: int) -> None:
    rng = np.random.default_rng(seed)
    ref = rng.beta(2, 30, 3_000)
    ref[rng.random(ref.size) < 0.01] = np.nan
    months = np.repeat(["2024-01", "2024-02", "2024-03"], [700, 400, 900])
    cur = np.concatenate([rng.beta(2, 30, 700), rng.beta(2.5, 25, 400), rng.beta(4, 20, 900)])
    cur[::97] = np.nan
    cur[5] = 0.9  # beyond the reference's range
    out = monthly_psi(ref, cur, months).set_index("month")
    for m in ("2024-01", "2024-02", "2024-03"):
        expected = reference_psi(ref.tolist(), cur[months == m].tolist())
        assert out.loc[m, "psi"] == pytest.approx(expected, abs=1e-9)
        assert out.loc[m, "n"] == (months == m).sum()
    no_missing = ~np.isnan(cur[months == "2024-03"])
    assert monthly_psi(ref[~np.isnan(ref)], cur[months == "2024-03"][no_missing],
                       np.full(no_missing.sum(), "m"))["psi"].iloc[0] == pytest.approx(
        toolkit_psi(ref[~np.isnan(ref)], cur[months == "2024-03"][no_missing]), abs=1e-12)


def test_psi_levels_follow_the_evidently_thresholds() -> None:
    assert (PSI_WATCH, PSI_ACT) == (0.1, 0.25)
    ref = np.arange(1000.0)
    out = monthly_psi(ref, np.r_[ref, ref[:500], ref[900:] + 5000],
                      np.repeat(["a", "b", "c"], [1000, 500, 100])).set_index("month")
    assert out.loc["a", "psi"] == pytest.approx(0.0, abs=1e-12)
    assert out.loc["a", "level"] == "green" and out.loc["c", "level"] == "red"


def test_monthly_csi_of_labels_and_numbers_equals_the_plain_computation() -> None:
    rng = np.random.default_rng(7)
    ref = pd.DataFrame({"industry": rng.choice(["C18", "F52", "H62"], 2_000).astype(object),
                        "rate": rng.choice([0.18, 0.2, 0.22, 0.24], 2_000)})
    ref.loc[::50, "industry"] = None
    cur = pd.DataFrame({"industry": rng.choice(["C18", "F52", "A01"], 1_200, p=[0.6, 0.3, 0.1]).astype(object),
                        "rate": rng.choice([0.18, 0.24], 1_200)})
    cur.loc[::40, "industry"] = None
    months = np.repeat(["2024-05", "2024-06"], 600)
    out = monthly_csi(ref, cur, months, ["industry", "rate"]).set_index(["characteristic", "month"])
    for m in ("2024-05", "2024-06"):
        part = cur[months == m]
        as_text = (lambda col: [x if isinstance(x, str) else None for x in col])  # noqa: E731
        ind = reference_csi(as_text(ref["industry"]), as_text(part["industry"]))
        assert out.loc[("industry", m), "csi"] == pytest.approx(ind, abs=1e-9)
        rate = reference_psi(ref["rate"].tolist(), part["rate"].tolist())
        assert out.loc[("rate", m), "csi"] == pytest.approx(rate, abs=1e-9)
