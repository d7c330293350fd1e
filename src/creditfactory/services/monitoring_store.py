"""The monthly monitoring on the store's loan book, and the reads of its stored results.

The loan book keeps each loan's state at the business date only, so ``monitor --db --month M``
first records every loan's state as it stands (its month-end state when the business date is
M's last day) under month M, then hands the book's loans and every recorded month up to M to
the same monitoring job as a portfolio run, and keeps M's alerts and industry outlook for the
warning page and the alerts API. History (roll rates, vintages, σ-rules) grows one month per
run; the B-card is fitted once the recorded months cover its training window.

Each run also learns from the book: the A-card's and B-card's performance against the
outcomes matured by M (``monitoring.learning``) is kept per month, and the loans that
defaulted early (over 90 DPD within their first six months on book) or were written off
without a payment become known bads of the fraud graph (``book_known_bads``), from the start
of the month after the one they were seen in: later applications linked to them (a shared
device, phone, bank card...) score higher, earlier ones never see it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from creditfactory.domain.roles import OVERSEERS
from creditfactory.monitoring import load_rules, run_monthly
from creditfactory.monitoring.outputs import write_outputs
from creditfactory.monitoring.rules import load_outlook
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import InvalidInput, RoleNotAllowed
from creditfactory.services.fraud_graph import sweep_ring_links
from creditfactory.services.monitoring_run import BookTables, MonitorRun, score_with_bcard
from creditfactory.services.ports import Actor
from creditfactory.store import UnitOfWork
from creditfactory.store.repo_learning import LearningRepository
from creditfactory.store.repo_monitoring import MonitoringRepository

__all__ = ["EARLY_DEFAULT_MOB", "LEVELS", "list_alerts", "monitor_store", "record_book_bads",
           "warning_view"]

LEVELS = ("amber", "red")
_BCARD_MONTHS = 18
EARLY_DEFAULT_MOB = 6
"""A loan over 90 DPD at this many months on book or fewer is an early default: a borrower
who never meant to (or never could) pay, which is what the fraud graph's known bads mark."""
_PERFORMANCE_KEYS = ("window_from", "window_to", "n", "bads", "bad_rate", "mean_pd", "auc",
                     "ks", "psi", "calibration_ratio", "max_band_gap")


def _month(text: str) -> pd.Period:
    if not isinstance(text, str) or not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        raise InvalidInput([("month", f"must be YYYY-MM, got {text!r}")])
    return pd.Period(text, freq="M")


def _status(stored: pd.Series, dpd: pd.Series) -> np.ndarray:
    """The loan book's status as the portfolio tables name it."""
    s, d = stored.to_numpy(), dpd.to_numpy()
    return np.where(s == "written_off", "written_off",
                    np.where(s == "active", np.where(d > 0, "delinquent", "current"), "paid_off"))


def _tables(book: list[dict[str, Any]], states: list[dict[str, Any]]) -> BookTables:
    loans = pd.DataFrame(book)
    loans = loans.assign(principal=loans["principal"].astype(float),
                         rate=loans["rate"].astype(float), booked_on=loans["start_date"],
                         a_pd=pd.to_numeric(loans["a_pd"], errors="coerce"))
    h = pd.DataFrame(states)
    monthly = pd.DataFrame({
        "loan_id": h["loan_id"].to_numpy(np.int64),
        "month": pd.PeriodIndex(h["month"], freq="M").to_timestamp(),
        "mob": h["mob"].to_numpy(np.int32), "dpd": h["dpd"].to_numpy(np.int32),
        "bucket": h["bucket"], "class5": h["five_class"],
        "principal_outstanding": h["principal_outstanding_fen"].to_numpy(np.float64) / 100,
        "status": h["status"]})
    return BookTables(loans=loans, monthly=monthly)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def record_book_bads(repo: LearningRepository, until: str, now: datetime) -> int:
    """Record as fraud-graph known bads the book's early defaults seen in the month-end states
    up to ``until`` and its write-offs never paid; how many were added."""
    rows = []
    for r in repo.early_defaults(until, EARLY_DEFAULT_MOB, 90):
        after = pd.Period(r["month"], freq="M").end_time.date() + timedelta(days=1)
        rows.append({"application_id": r["application_id"], "loan_id": r["loan_id"],
                     "reason": "early_default", "known_at": _midnight(after), "recorded_at": now})
    seen = {r["application_id"] for r in rows}
    for r in repo.unpaid_write_offs():
        if r["application_id"] not in seen and r["written_off_on"] is not None:
            rows.append({"application_id": r["application_id"], "loan_id": r["loan_id"],
                         "reason": "written_off_unpaid",
                         "known_at": _midnight(r["written_off_on"] + timedelta(days=1)),
                         "recorded_at": now})
    repo.add_known_bads(rows)
    return len(rows)


def monitor_store(engine: Any, month: str, out: Path, *, rules: Path | None = None,
                  compute: str = "pandas") -> MonitorRun:
    """Record the book's state under ``month``, run the monitoring over the recorded months
    and keep the month's alerts and outlook (a rerun of a month replaces them); ``compute``
    is the monitoring job's engine (pandas or spark)."""
    period = _month(month)
    label = period.strftime("%Y-%m")
    notes: list[str] = []
    with UnitOfWork(engine) as uow:
        repo = MonitoringRepository(uow.conn)
        business_date = uow.servicing.business_date()
        book = [r for r in repo.book() if r["start_date"] <= period.end_time.date()]
        if not book:
            raise InvalidInput([("month", f"the loan book holds no loan paid out by the end of {label}")])
        frame = pd.DataFrame(book)
        start = pd.PeriodIndex(pd.to_datetime(frame["start_date"]), freq="M")
        rows = pd.DataFrame({
            "loan_id": frame["loan_id"].astype(np.int64),
            "mob": (period.ordinal - start.asi8).astype(np.int64),
            "dpd": frame["dpd"].astype(np.int64), "bucket": frame["bucket"],
            "five_class": frame["five_class"],
            "principal_outstanding_fen": frame["principal_outstanding_fen"].astype(np.int64),
            "status": _status(frame["status"], frame["dpd"])})
        repo.save_states(label, [{str(k): v for k, v in r.items()}
                                 for r in rows.to_dict("records")])
        states = repo.states(label)
        book_bads = record_book_bads(LearningRepository(uow.conn), label, datetime.now(UTC))
        ring_links = sweep_ring_links(uow, label, datetime.now(UTC))
        uow.commit()
    if book_bads:
        notes.append(f"{book_bads} early default(s) or unpaid write-off(s) of the book are now "
                     "known bads of the fraud graph")
    if ring_links:
        notes.append(f"{ring_links} application(s) newly found sharing two kinds of identity value "
                     "with another (ring links, read by collections)")
    if business_date != period.end_time.date():
        notes.append(f"the book's state at the business date {business_date} is recorded as "
                     f"{label}'s month-end")
    tables = _tables(book, states)
    months = tables.monthly["month"].nunique()
    bscore, samples = None, {}
    if months >= _BCARD_MONTHS + 6:
        bscore, samples["b_card"], version = score_with_bcard(tables, _BCARD_MONTHS)
        notes.append(f"B-card {version} fitted on the first {_BCARD_MONTHS} recorded months")
    else:
        notes.append(f"{months} recorded month(s): the B-card and the industry outlook need "
                     f"{_BCARD_MONTHS + 6}")
    result = run_monthly(tables.loans, tables.monthly, bscore=bscore, samples=samples,
                         rules=load_rules(rules), outlook_settings=load_outlook(rules),
                         engine=compute)
    from creditfactory.services.monitoring_learning import attach_performance

    attach_performance(result, tables, bscore, _BCARD_MONTHS if bscore is not None else None)
    performance = result.performance[result.performance["month"] == label]
    perf_rows = [{k: (None if isinstance(r[k], float) and not np.isfinite(r[k]) else r[k])
                  for k in ("model", *_PERFORMANCE_KEYS)} for r in performance.to_dict("records")]
    result.stability["notes"] = notes
    files = write_outputs(result, Path(out), bscore)
    alerts = result.alerts[result.alerts["month"] == label]
    outlook = ([] if result.outlook is None else
               result.outlook[result.outlook["month"] == label].to_dict("records"))
    keep = ("dimension", "value", "metric", "level", "action", "owner", "rule", "observed",
            "bound", "volume")
    alert_rows = [{k: (None if k == "bound" and not np.isfinite(r[k]) else r[k]) for k in keep}
                  for r in alerts.to_dict("records")]
    outlook_rows = [{k: r[k] for k in ("industry", "loans", "forecast_90plus_6m", "low", "high",
                                       "flagged")} for r in outlook]
    with UnitOfWork(engine) as uow:
        MonitoringRepository(uow.conn).replace_results(label, alert_rows, outlook_rows, {
            "loans": len(book), "alerts": len(alert_rows),
            "red": int((alerts["level"] == "red").sum()), "ran_at": datetime.now(UTC)})
        learning = LearningRepository(uow.conn)
        learning.replace_performance(label, perf_rows)
        if bscore is not None:
            now = bscore[bscore["month"].dt.strftime("%Y-%m") == label]
            learning.replace_bcard(label, [
                {"loan_id": int(i), "score": float(sc), "pd": float(p), "reasons": str(r)[:200]}
                for i, sc, p, r in zip(now["loan_id"], now["score"], now["pd"], now["reasons"],
                                       strict=True)])
        uow.commit()
    return MonitorRun(result=result, bscore=bscore, files=files, notes=notes)


def _overseer(actor: Actor) -> None:
    if actor.role not in OVERSEERS:
        raise RoleNotAllowed("early-warning alerts are read by risk analysts and administrators")


def list_alerts(ctx: ServiceContext, actor: Actor, month: str | None = None,
                level: str | None = None, dimension: str | None = None, offset: int = 0,
                limit: int = 100) -> tuple[list[dict[str, Any]], int]:
    """The stored alerts that match, red first, and how many match."""
    _overseer(actor)
    if month is not None:
        month = _month(month).strftime("%Y-%m")
    if level is not None and level not in LEVELS:
        raise InvalidInput([("level", f"must be one of {', '.join(LEVELS)}, got {level!r}")])
    with ctx.uow(write=False) as uow:
        return MonitoringRepository(uow.conn).alerts(month, level, dimension, offset, limit)


TREND_MONTHS = 12
"""Month-ends of the book's trend on the warning dashboard."""


def warning_view(ctx: ServiceContext, actor: Actor, month: str | None = None) -> dict[str, Any]:
    """The warning dashboard: the monitored months, one month's alerts and industry outlook,
    and the book's NPL and 30+ ratios over the twelve month-ends up to it."""
    _overseer(actor)
    with ctx.uow(write=False) as uow:
        repo = MonitoringRepository(uow.conn)
        runs = repo.runs()
        chosen = _month(month).strftime("%Y-%m") if month else (runs[0]["month"] if runs else None)
        alerts, count = repo.alerts(chosen, limit=500) if chosen else ([], 0)
        outlook = repo.outlook(chosen) if chosen else []
        since = (_month(chosen) - (TREND_MONTHS - 1)).strftime("%Y-%m") if chosen else None
        trend = repo.book_trend(since, chosen) if since and chosen else []
        learning = LearningRepository(uow.conn)
        performance = learning.performance(chosen) if chosen else []
        promotions = learning.promotions(5)
        bcard, riskiest = learning.bcard(chosen) if chosen else ({"loans": 0}, [])
    latest = {}
    for r in performance:  # each model's row of the chosen month, else its latest before
        latest[r["model"]] = r
    return {"runs": runs, "month": chosen, "alerts": alerts, "count": count, "outlook": outlook,
            "performance": list(latest.values()), "promotions": promotions, "bcard": bcard,
            "riskiest": riskiest,
            "trend": [{"month": r["month"], "on_book_fen": r["on_book_fen"],
                       "npl_ratio": r["npl_fen"] / r["on_book_fen"] if r["on_book_fen"] else 0.0,
                       "dpd30_ratio": r["dpd30_fen"] / r["on_book_fen"] if r["on_book_fen"] else 0.0}
                      for r in trend]}
