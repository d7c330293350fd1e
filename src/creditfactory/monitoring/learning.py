"""Learning from the book: how the A-card and the B-card did against the outcomes the book has
observed, and the declared rule that alone may promote a challenger A-card.

**Outcomes, point in time.** A score is judged only once its outcome window has closed:

- the A-card's PD at decision against *more than 90 DPD within 12 months on book* (the design's
  bad, ``data.outcomes``): the loans paid out in month *p* are judged at the end of month
  *p + 12*, when the last of their windows closed;
- the B-card's PD of month *m* against *more than 90 DPD in months m+1..m+6* (its target),
  known at the end of month *m + 6*.

:func:`matured_outcomes` gives, for each score, the month its outcome became known;
:func:`model_performance` reports for each month *M* of the book the scores whose outcome
became known in the ``window`` months up to *M*: nothing known after *M* is read, so appending
months to the book never changes an earlier month's row (tested).

**Figures.** AUC and KS (``scorecard.metrics``, equal to scikit-learn's), the window's bad rate
and mean PD, PSI of the window's scores against the score's development sample
(``monitoring.stability``: 10 equal-count bands, shares floored at 1e-4) and calibration by
band (10 equal-count bands of the window's PDs: mean predicted PD against the observed bad
rate, :func:`calibration_by_band`).

**Promotion.** :func:`decide_promotion` applies a :class:`PromotionRule` (``promotion.yaml``
or a file given): on the latest matured out-of-time window the challenger's AUC must exceed
the champion's by the declared margin, the window must hold the declared minimum of bads, and
the PSI of the challenger's PDs on the window against the champion's PDs on its development
sample must stay below the gate -- the strategy's cut-offs were set on the champion's PD
distribution, so a challenger whose PDs fall elsewhere would move approval rates without
anyone choosing it. Every check's figure is returned, passed or not, for the record.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from creditfactory.errors import InvalidArgument
from creditfactory.monitoring.frame import month_label, month_number
from creditfactory.monitoring.stability import bands_of, psi_of_shares
from creditfactory.scorecard import metrics

__all__ = ["ACARD_WINDOW", "BCARD_HORIZON", "PERFORMANCE_COLUMNS", "PromotionDecision",
           "book_performance",
           "PromotionRule", "calibration_by_band", "decide_promotion", "load_promotion_rule",
           "matured_outcomes", "model_performance", "psi_against"]

ACARD_WINDOW = 12
"""Months on book within which more than 90 DPD makes an application bad (the design's)."""
BCARD_HORIZON = 6
"""Months ahead within which more than 90 DPD makes a B-card loan-month bad."""
BAD_DPD = 90
PERFORMANCE_COLUMNS = ("model", "month", "window_from", "window_to", "n", "bads", "bad_rate",
                       "mean_pd", "auc", "ks", "psi", "calibration_ratio", "max_band_gap")
_RULE_FILE = Path(__file__).with_name("promotion.yaml")
_K = 1 << 20  # loan * _K + integer month: months stay below 2**20 (year 87,000)


def _first_after(keys: np.ndarray, loan: np.ndarray, after: np.ndarray) -> np.ndarray:
    """The first month in the sorted ``keys`` (loan * _K + month) of the same loan later than
    ``after``; NaN if none."""
    want = loan * _K + after
    pos = np.searchsorted(keys, want, side="right")
    hit = np.full(len(want), np.nan)
    ok = pos < len(keys)
    found = keys[np.minimum(pos, max(len(keys) - 1, 0))] if len(keys) else np.zeros(len(want), np.int64)
    same = ok & (found // _K == loan)
    hit[same] = (found % _K)[same]
    return hit


def matured_outcomes(monthly: pd.DataFrame, loan_id: np.ndarray, start: np.ndarray, *,
                     window: int, as_of: int | None = None) -> pd.DataFrame:
    """For each score (a loan and the integer month ``start`` it was made in): ``bad`` (more
    than 90 DPD in months ``start+1 .. start+window`` of the book's rows), ``known`` (the
    window's last month, ``start + window``: a cohort is judged once its whole window has
    closed, so early bads never arrive ahead of their cohort's goods) and ``matured`` (known
    by the end of ``as_of``, default the book's last month). An A-card score starts at the
    payout month (MOB 1 is the next), a B-card score at the month it was made."""
    ids = monthly["loan_id"].to_numpy(np.int64)
    month = month_number(monthly["month"]).astype(np.int64)
    cut = int(month.max()) if as_of is None else int(as_of)
    key = ids * _K + month
    over = np.sort(key[(month <= cut) & (monthly["dpd"].to_numpy() > BAD_DPD)])
    loan = np.asarray(loan_id, np.int64)
    s = np.asarray(start, np.int64)
    end = s + window
    fb = _first_after(over, loan, s)
    bad = np.isfinite(fb) & (fb <= end)
    return pd.DataFrame({"loan_id": loan, "start": s, "bad": bad.astype(np.int64),
                         "known": end, "matured": end <= cut})


def calibration_by_band(pd_: np.ndarray, bad: np.ndarray, n_bands: int = 10) -> pd.DataFrame:
    """Equal-count bands of the predicted PD: ``band`` (1 = lowest PD), ``n``, ``predicted``
    (mean PD), ``observed`` (bad rate), ``low``/``high`` (the band's PDs)."""
    p = np.asarray(pd_, np.float64)
    y = np.asarray(bad, np.float64)
    if p.size == 0:
        return pd.DataFrame(columns=["band", "n", "predicted", "observed", "low", "high"])
    order = np.argsort(p, kind="mergesort")
    band = np.empty(p.size, np.int64)
    band[order] = np.arange(p.size) * min(n_bands, p.size) // p.size
    frame = pd.DataFrame({"band": band + 1, "p": p, "y": y})
    g = frame.groupby("band")
    return pd.DataFrame({"n": g.size(), "predicted": g["p"].mean(), "observed": g["y"].mean(),
                         "low": g["p"].min(), "high": g["p"].max()}).reset_index()


def psi_against(reference: np.ndarray, values: np.ndarray, n_bands: int = 10) -> float:
    """PSI of ``values`` against ``reference``'s equal-count bands (the monitoring's PSI)."""
    b = bands_of(pd.Series(np.asarray(reference, np.float64)), n_bands)
    e = np.bincount(b.assign(reference), minlength=b.size) / max(len(reference), 1)
    a = np.bincount(b.assign(values), minlength=b.size) / max(len(values), 1)
    return float(psi_of_shares(e, a))


def _figures(p: np.ndarray, y: np.ndarray) -> dict[str, float]:
    n, bads = int(y.size), int(y.sum())
    out = {"n": n, "bads": bads, "bad_rate": bads / n if n else np.nan,
           "mean_pd": float(p.mean()) if n else np.nan, "auc": np.nan, "ks": np.nan,
           "calibration_ratio": np.nan, "max_band_gap": np.nan}
    if 0 < bads < n:
        out["auc"], out["ks"] = metrics.auc_ks(y, p)
    if n:
        cal = calibration_by_band(p, y)
        out["calibration_ratio"] = (bads / n) / float(p.mean()) if p.mean() > 0 else np.nan
        out["max_band_gap"] = float((cal["observed"] - cal["predicted"]).abs().max())
    return out


def model_performance(scores: pd.DataFrame, model: str, *, months: np.ndarray,
                      reference: np.ndarray | None = None, window: int = 3
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The model's figures for each of ``months`` (integer months) over the scores whose
    outcome became known in the ``window`` months up to it.

    ``scores`` holds ``pd`` (higher = riskier), ``bad`` (0/1) and ``known`` (integer month);
    ``reference`` is the development sample's PDs for the PSI. Returns the performance rows
    (:data:`PERFORMANCE_COLUMNS`) and the calibration rows (``model``, ``month``, ``band``,
    ``n``, ``predicted``, ``observed``, ``low``, ``high``); months with no matured score are
    left out."""
    known = scores["known"].to_numpy(np.int64)
    p_all = scores["pd"].to_numpy(np.float64)
    y_all = scores["bad"].to_numpy(np.float64)
    rows, cals = [], []
    for m in np.asarray(months, np.int64):
        inside = (known <= m) & (known > m - window) & np.isfinite(p_all)
        if not inside.any():
            continue
        p, y = p_all[inside], y_all[inside]
        label = str(month_label(m))
        figs = _figures(p, y)
        psi = (psi_against(reference, p) if reference is not None and len(reference) else np.nan)
        rows.append({"model": model, "month": label,
                     "window_from": str(month_label(m - window + 1)), "window_to": label,
                     **figs, "psi": psi})
        cals.append(calibration_by_band(p, y).assign(model=model, month=label))
    perf = pd.DataFrame(rows, columns=list(PERFORMANCE_COLUMNS))
    cal = (pd.concat(cals, ignore_index=True) if cals else
           pd.DataFrame(columns=["band", "n", "predicted", "observed", "low", "high", "model",
                                 "month"]))
    return perf, cal[["model", "month", "band", "n", "predicted", "observed", "low", "high"]]


@dataclass(frozen=True)
class PromotionRule:
    """What a challenger must show to replace the champion (``promotion.yaml``)."""

    auc_margin: float = 0.01
    psi_max: float = 0.10
    min_bads: int = 50
    window_months: int = 6
    source: str = "shipped:promotion.yaml"


def load_promotion_rule(path: Path | str | None = None) -> PromotionRule:
    """The rule of ``path`` (YAML mapping of :class:`PromotionRule`'s fields), or the
    shipped ``monitoring/promotion.yaml``."""
    file = _RULE_FILE if path is None else Path(path)
    try:
        data = yaml.safe_load(file.read_text("utf-8")) or {}
    except OSError as exc:
        raise InvalidArgument(f"promotion rule {file}: {exc.strerror}") from exc
    if not isinstance(data, dict):
        raise InvalidArgument(f"promotion rule {file}: expected a mapping")
    known = {"auc_margin", "psi_max", "min_bads", "window_months"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InvalidArgument(f"promotion rule {file}: unknown keys {', '.join(unknown)}")
    try:
        rule = PromotionRule(auc_margin=float(data.get("auc_margin", 0.01)),
                             psi_max=float(data.get("psi_max", 0.10)),
                             min_bads=int(data.get("min_bads", 50)),
                             window_months=int(data.get("window_months", 6)),
                             source="shipped:promotion.yaml" if path is None else str(file))
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(f"promotion rule {file}: {exc}") from exc
    if rule.window_months < 1 or rule.min_bads < 1 or rule.psi_max <= 0:
        raise InvalidArgument(f"promotion rule {file}: window_months and min_bads must be "
                              "at least 1 and psi_max positive")
    return rule


@dataclass
class PromotionDecision:
    """The rule's verdict and every figure it was reached on."""

    promoted: bool
    reasons: list[str]
    champion_auc: float
    challenger_auc: float
    auc_margin: float
    psi: float
    n: int
    bads: int
    window_from: str
    window_to: str
    rule: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe (non-finite figures as None)."""
        out = asdict(self)
        for k, v in out.items():
            if isinstance(v, float) and not np.isfinite(v):
                out[k] = None
        return out


def decide_promotion(y: np.ndarray, champion_pd: np.ndarray, challenger_pd: np.ndarray,
                     champion_reference_pd: np.ndarray, rule: PromotionRule, *,
                     window_from: str = "", window_to: str = "") -> PromotionDecision:
    """Apply ``rule`` on the latest matured out-of-time window: ``y`` its outcomes, the two
    models' PDs on it, and the champion's PDs on its development sample."""
    y = np.asarray(y, np.float64)
    champ, chall = np.asarray(champion_pd, np.float64), np.asarray(challenger_pd, np.float64)
    n, bads = int(y.size), int(y.sum())
    both = 0 < bads < n
    a_champ = metrics.auc(y, champ) if both else np.nan
    a_chall = metrics.auc(y, chall) if both else np.nan
    ref = np.asarray(champion_reference_pd, np.float64)
    psi = psi_against(ref, chall) if len(ref) and n else np.nan
    reasons = []
    if bads < rule.min_bads:
        reasons.append(f"too few bads in the window: {bads} < {rule.min_bads}")
    if not (np.isfinite(a_chall) and a_chall >= a_champ + rule.auc_margin):
        reasons.append(f"challenger AUC {a_chall:.4f} is not {rule.auc_margin:.4f} above the "
                       f"champion's {a_champ:.4f}")
    if not (np.isfinite(psi) and psi < rule.psi_max):
        reasons.append(f"PSI against the champion's development PDs {psi:.4f} is not below "
                       f"{rule.psi_max:.4f}")
    promoted = not reasons
    if promoted:
        reasons.append(f"challenger AUC {a_chall:.4f} ≥ champion's {a_champ:.4f} + "
                       f"{rule.auc_margin:.4f}, PSI {psi:.4f} < {rule.psi_max:.4f}, "
                       f"{bads} bads ≥ {rule.min_bads}")
    return PromotionDecision(promoted=promoted, reasons=reasons, champion_auc=float(a_champ),
                             challenger_auc=float(a_chall), auc_margin=rule.auc_margin,
                             psi=float(psi), n=n, bads=bads, window_from=window_from,
                             window_to=window_to, rule=asdict(rule))


def book_performance(loans: pd.DataFrame, monthly: pd.DataFrame,
                     bscore: pd.DataFrame | None = None, *, acard_reference_months: int = 3,
                     bcard_reference_months: set[str] | None = None, window: int = 3
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The A-card's (``loans.a_pd``, against bad within 12 months on book) and the B-card's
    (``bscore.pd``, against 90+ within 6 months) performance for every month of the book, and
    their calibration by band. The A-card's PSI reference is its PD on the loans paid out in
    the book's first ``acard_reference_months`` months (the monitoring's A-card reference),
    the B-card's its PD in ``bcard_reference_months`` (its development months, YYYY-MM)."""
    months = np.unique(month_number(monthly["month"])).astype(np.int64)
    perfs, cals = [], []
    if "a_pd" in loans.columns:
        payout = month_number(loans["booked_on"]).astype(np.int64)
        out = matured_outcomes(monthly, loans["loan_id"].to_numpy(np.int64), payout,
                               window=ACARD_WINDOW)
        a_pd = pd.to_numeric(loans["a_pd"], errors="coerce").to_numpy(np.float64)
        ref = a_pd[(payout < payout.min() + acard_reference_months) & np.isfinite(a_pd)]
        p, c = model_performance(out.assign(pd=a_pd), "a_card", months=months, reference=ref,
                                 window=window)
        perfs.append(p)
        cals.append(c)
    if bscore is not None and not bscore.empty:
        start = month_number(bscore["month"]).astype(np.int64)
        out = matured_outcomes(monthly, bscore["loan_id"].to_numpy(np.int64), start,
                               window=BCARD_HORIZON)
        b_pd = bscore["pd"].to_numpy(np.float64)
        ref = None
        if bcard_reference_months:
            ref = b_pd[np.isin(month_label(start), sorted(bcard_reference_months))]
        p, c = model_performance(out.assign(pd=b_pd), "b_card", months=months, reference=ref,
                                 window=1)
        perfs.append(p)
        cals.append(c)
    perf = (pd.concat([p for p in perfs if not p.empty], ignore_index=True)
            if any(not p.empty for p in perfs) else pd.DataFrame(columns=list(PERFORMANCE_COLUMNS)))
    cal = (pd.concat([c for c in cals if not c.empty], ignore_index=True)
           if any(not c.empty for c in cals) else
           pd.DataFrame(columns=["model", "month", "band", "n", "predicted", "observed", "low",
                                 "high"]))
    return perf, cal
