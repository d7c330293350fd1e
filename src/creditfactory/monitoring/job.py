"""The monthly monitoring job: from the book's tables (and the B-card's scores, when there are
some) to every figure, the stability of both scorecards, the industry outlook and the alerts.

Whoever calls it -- the portfolio-run command or the store's service -- hands the same
tables; the job reads no file and no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from creditfactory.monitoring.figures import early_delinquency, mix, roll_rates, vintages
from creditfactory.monitoring.frame import MonitoringBook, month_label, month_number, prepare
from creditfactory.monitoring.outlook import industry_outlook
from creditfactory.monitoring.rules import Rule, evaluate, load_outlook, load_rules
from creditfactory.monitoring.stability import PSI_ACT, PSI_WATCH, monthly_csi, monthly_psi

__all__ = ["ACARD_CHARACTERISTICS", "MonitoringResult", "ScoreSample", "metrics_table",
           "run_monthly"]

ACARD_CHARACTERISTICS = ("principal", "rate", "term_months", "product", "industry", "bank")
"""What the loans table holds of each application at its decision: the A-card's CSI reads
these (the application's own features stay with the application)."""


@dataclass(frozen=True)
class ScoreSample:
    """A score's development sample and what is monitored against it: ``reference`` and
    ``current`` hold ``month``, the ``score`` column and the characteristics."""

    reference: pd.DataFrame
    current: pd.DataFrame
    score: str
    characteristics: tuple[str, ...] = ()


@dataclass
class MonitoringResult:
    """Every table of the month's monitoring."""

    book: MonitoringBook
    mix: pd.DataFrame
    vintages: pd.DataFrame
    roll_rates: pd.DataFrame
    early: pd.DataFrame
    stability: dict[str, Any]
    psi: pd.DataFrame
    outlook: pd.DataFrame | None
    metrics: pd.DataFrame
    alerts: pd.DataFrame
    csi: pd.DataFrame = field(default_factory=pd.DataFrame)
    performance: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The scorecards against matured outcomes (``monitoring.learning.book_performance``)."""
    calibration: pd.DataFrame = field(default_factory=pd.DataFrame)
    promotion: dict[str, Any] | None = None
    """The challenger A-card's promotion decision with its figures, when one was judged."""


def _stability(samples: dict[str, ScoreSample], months: set[str]
               ) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    out: dict[str, Any] = {"thresholds": {"watch": PSI_WATCH, "act": PSI_ACT},
                           "method": "PSI = sum (A% - E%) ln(A% / E%) over the development "
                                     "sample's 10 equal-count bands, shares floored at 1e-4"}
    psis, csis = [], []
    for name, s in samples.items():
        cur = s.current[s.current["month"].isin(months)]
        if cur.empty or s.reference.empty:
            continue
        p = monthly_psi(s.reference[s.score], cur[s.score], cur["month"])
        c = monthly_csi(s.reference, cur, cur["month"], list(s.characteristics))
        psis.append(p.assign(model=name))
        csis.append(c.assign(model=name))
        latest = c[c["month"] == p["month"].max()]
        out[name] = {"score": s.score, "reference_rows": len(s.reference),
                     "psi": p.to_dict("records"),
                     "csi_latest": latest.sort_values("csi", ascending=False).to_dict("records")}
    return out, _concat(psis), _concat(csis)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def metrics_table(mix_table: pd.DataFrame, rolls: pd.DataFrame, early: pd.DataFrame,
                  psi: pd.DataFrame, outlook: pd.DataFrame | None) -> pd.DataFrame:
    """The long table the rules read: ``month``, ``dimension``, ``value``, ``metric``,
    ``observed``, ``volume`` (loans behind the figure)."""
    keys = ["month", "dimension", "value"]
    frames = [mix_table[keys + [m, "loans"]].rename(columns={m: "observed", "loans": "volume"})
              .assign(metric=m) for m in ("npl_ratio", "dpd30_ratio", "dpd90_ratio")]
    frames.append(early[keys + ["early_dpd30_ratio", "loans"]].rename(
        columns={"early_dpd30_ratio": "observed", "loans": "volume"}).assign(
        metric="early_dpd30_ratio"))
    roll = rolls[(rolls["kind"] == "roll") & rolls["source"].isin(["M0", "M1"])]
    volume = mix_table.set_index(keys)["loans"]
    frames.append(pd.DataFrame({
        **{k: roll[k].to_numpy() for k in keys},
        "observed": roll["rate"].to_numpy(),
        "volume": volume.reindex(pd.MultiIndex.from_frame(roll[keys])).fillna(0).to_numpy(),
        "metric": ("roll_" + roll["source"] + "_" + roll["target"]).to_numpy()}))
    if not psi.empty:
        frames.append(pd.DataFrame({"month": psi["month"], "dimension": "model",
                                    "value": psi["model"], "observed": psi["psi"],
                                    "volume": psi["n"], "metric": "psi"}))
    if outlook is not None and not outlook.empty:
        for metric, values in (("outlook_flagged", outlook["flagged"].astype(float)),
                               ("outlook_ratio", outlook["forecast_90plus_6m"]
                                / outlook["baseline"])):
            frames.append(pd.DataFrame({"month": outlook["month"], "dimension": "industry",
                                        "value": outlook["industry"], "observed": values,
                                        "volume": outlook["loans"], "metric": metric}))
    out = pd.concat(frames, ignore_index=True)
    return out[["month", "dimension", "value", "metric", "observed", "volume"]]


def run_monthly(loans: pd.DataFrame, monthly: pd.DataFrame, *, bscore: pd.DataFrame | None = None,
                samples: dict[str, ScoreSample] | None = None,
                industry_index: pd.DataFrame | None = None, rules: list[Rule] | None = None,
                outlook_settings: dict[str, float] | None = None,
                acard_reference_months: int = 3, engine: str = "pandas",
                spark: Any = None) -> MonitoringResult:
    """Run the monitoring over the book ``loans`` + ``monthly`` (portfolio-run columns).

    ``samples`` names each score's development sample; without an ``a_card`` entry the A-card
    (``loans.a_pd``) is judged against the loans paid out in the book's first
    ``acard_reference_months`` months. ``bscore`` (loan_id, month, score, pd) feeds the
    industry outlook. ``engine="spark"`` computes the group-bys on Spark (``spark``: a session,
    or a local one for the call), with the same results."""
    book = prepare(loans, monthly)
    cubes = None
    if engine == "spark":
        from creditfactory.monitoring.spark import spark_cubes

        cubes = spark_cubes(book, spark)
    elif engine != "pandas":
        raise ValueError(f"engine must be pandas or spark, got {engine!r}")
    mix_table = mix(book, cubes)
    rolls = roll_rates(book, mix_table, cubes)
    early = early_delinquency(book, cubes)
    samples = dict(samples or {})
    if "a_card" not in samples and "a_pd" in loans.columns:
        samples["a_card"] = _acard_sample(loans, acard_reference_months)
    months = set(mix_table["month"].unique())
    stability, psi, csi = _stability(samples, months)
    settings = load_outlook() if outlook_settings is None else outlook_settings
    outlook = (industry_outlook(book, bscore, industry_index, **settings)  # type: ignore[arg-type]
               if bscore is not None and not bscore.empty else None)
    metrics = metrics_table(mix_table, rolls, early, psi, outlook)
    alerts = evaluate(metrics, rules if rules is not None else load_rules())
    return MonitoringResult(book=book, mix=mix_table, vintages=vintages(book, cubes),
                            roll_rates=rolls,
                            early=early, stability=stability, psi=psi, outlook=outlook,
                            metrics=metrics, alerts=alerts, csi=csi)


def _acard_sample(loans: pd.DataFrame, reference_months: int) -> ScoreSample:
    """The A-card's PD at each decision by payout month, its reference the first months."""
    frame = loans[[c for c in ACARD_CHARACTERISTICS if c in loans.columns]].copy()
    for c in ("principal", "rate"):
        if c in frame.columns:
            frame[c] = np.asarray(frame[c], dtype=np.float64)
    frame["a_pd"] = loans["a_pd"].to_numpy(np.float64)
    booked = month_number(loans["booked_on"])
    frame["month"] = month_label(booked)  # one loan a row: a few hundred thousand at most
    ref = frame[booked < booked.min() + reference_months]
    chars = tuple(c for c in ACARD_CHARACTERISTICS if c in frame.columns)
    return ScoreSample(reference=ref, current=frame, score="a_pd", characteristics=chars)
