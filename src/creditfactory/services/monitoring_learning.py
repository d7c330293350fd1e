"""Learning from the book on a portfolio run: the scorecards' monthly performance against
matured outcomes, and a challenger A-card refitted on the book's matured loans (with reject
inference over the world's declined applications) judged by the declared promotion rule.

The split is out of time and point in time: as of the book's last month, the matured loans
(whose 12-month window had closed) are cut by payout month; the latest ``window_months`` of
them are the judging window, the challenger learns from the matured loans paid out before it
and from the applications declined in those same months. The champion is the A-card that
decided the book (``loans.a_pd``); its development reference is its PD on the book's first
three payout months (the monitoring's A-card reference).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from creditfactory.errors import InvalidArgument
from creditfactory.monitoring import MonitoringResult
from creditfactory.monitoring.frame import month_label, month_number
from creditfactory.monitoring.learning import (
    ACARD_WINDOW,
    PromotionRule,
    book_performance,
    decide_promotion,
    matured_outcomes,
)
from creditfactory.services.monitoring_run import BookTables

__all__ = ["attach_performance", "fraud_like_loans", "judge_challenger", "portfolio_challenger"]


def attach_performance(result: MonitoringResult, tables: BookTables,
                       bscore: pd.DataFrame | None, bcard_train_months: int | None = None
                       ) -> None:
    """Add the A-card's and B-card's performance and calibration to ``result``; the B-card's
    PSI reference is its PD in the book's first ``bcard_train_months`` months (its
    development months)."""
    ref_months = None
    if bscore is not None and bcard_train_months:
        first = int(month_number(tables.monthly["month"]).min())
        ref_months = {str(m) for m in month_label(first + np.arange(bcard_train_months))}
    perf, cal = book_performance(tables.loans, tables.monthly, bscore,
                                 bcard_reference_months=ref_months)
    result.performance, result.calibration = perf, cal


def fraud_like_loans(monthly: pd.DataFrame) -> set[int]:
    """Loans past due at MOB 1 and still at MOB 3 (the first instalment never paid): the
    champion's development sample leaves them out, so the challenger's does too."""
    m = monthly[["loan_id", "mob", "dpd"]]
    m1 = set(m.loc[(m["mob"] == 1) & (m["dpd"] > 0), "loan_id"].to_numpy(np.int64).tolist())
    m3 = m.loc[(m["mob"] == 3) & (m["dpd"] > 0), "loan_id"].to_numpy(np.int64).tolist()
    return {i for i in m3 if i in m1}


def portfolio_challenger(tables: BookTables, world_dir: Path, rule: PromotionRule, *,
                         method: str | None = "parcelling", reject_bad_factor: float = 2.0
                         ) -> dict[str, Any]:
    """Fit the book's challenger A-card (the declined applications read from the world the
    run was played on) and judge it by ``rule``; the decision with every figure and what the
    challenger learnt from."""
    from creditfactory.data.io import read_table

    apps = read_table(world_dir, "applications", "float")
    channels = read_table(world_dir, "channels", "float")
    record, _ = judge_challenger(tables.loans, tables.monthly, apps, channels, rule,
                                 method=method, reject_bad_factor=reject_bad_factor)
    return record


def judge_challenger(loans: pd.DataFrame, monthly: pd.DataFrame, apps: pd.DataFrame,
                     channels: pd.DataFrame, rule: PromotionRule, *,
                     method: str | None = "parcelling", reject_bad_factor: float = 2.0
                     ) -> tuple[dict[str, Any], Any]:
    """The challenger fitted on the book (``loans``: loan_id, application_id, booked_on, a_pd;
    ``monthly``: the month-end rows; ``apps``: every application decided, with its features)
    and the rule's decision: (the record, the fitted ``BookChallenger``)."""
    from creditfactory.models.acard_book import fit_book_challenger

    if "application_id" not in loans.columns or "a_pd" not in loans.columns:
        raise InvalidArgument("the book's loans carry no application_id or a_pd")
    cut = int(month_number(monthly["month"]).max())
    payout = month_number(loans["booked_on"]).astype(np.int64)
    out = matured_outcomes(monthly, loans["loan_id"].to_numpy(np.int64), payout,
                           window=ACARD_WINDOW, as_of=cut)
    full = payout + ACARD_WINDOW <= cut  # the whole window observed, closed early or not
    if not full.any():
        raise InvalidArgument("no loan of the book has a matured 12-month outcome yet")
    last = int(payout[full].max())
    first_window = last - rule.window_months + 1
    window = full & (payout >= first_window)
    train = full & (payout < first_window)
    if not train.any():
        raise InvalidArgument("no matured loan was paid out before the judging window")
    fraudish = loans["loan_id"].isin(fraud_like_loans(monthly)).to_numpy()
    applied = month_number(apps["applied_at"]).astype(np.int64)
    book_ids = set(loans["application_id"].to_numpy(np.int64).tolist())
    train_ids = loans.loc[train & ~fraudish, "application_id"].to_numpy(np.int64)
    lo = int(payout[train].min())
    # payout is the day after the decision: applications of the training months not booked
    declined = (~apps["application_id"].isin(book_ids).to_numpy()
                & (applied >= lo - 1) & (applied < first_window - 1))
    keep = apps["application_id"].isin(train_ids).to_numpy() | declined
    train_apps = apps[keep].reset_index(drop=True)
    bad_of = pd.Series(out["bad"].to_numpy(), index=loans["application_id"].to_numpy(np.int64))
    booked = train_apps["application_id"].isin(train_ids).to_numpy()
    bad = bad_of.reindex(train_apps["application_id"]).fillna(0).to_numpy()
    challenger = fit_book_challenger(train_apps, channels, booked, bad, method=method,
                                     reject_bad_factor=reject_bad_factor)
    judged = loans[window].reset_index(drop=True)
    judged_apps = apps.set_index("application_id").loc[
        judged["application_id"].to_numpy(np.int64)].reset_index()
    chall_pd = challenger.predict_pd(judged_apps)
    a_pd = pd.to_numeric(loans["a_pd"], errors="coerce").to_numpy(np.float64)
    ref = a_pd[(payout < payout.min() + 3) & np.isfinite(a_pd)]
    scored = np.isfinite(a_pd[window])
    decision = decide_promotion(out["bad"].to_numpy()[window][scored], a_pd[window][scored],
                                chall_pd[scored], ref, rule,
                                window_from=str(month_label(first_window)),
                                window_to=str(month_label(last)))
    record = {**asdict(decision), "challenger_version": challenger.version,
              "booked_rows": challenger.booked_rows, "booked_bads": challenger.booked_bads,
              "rejected_rows": challenger.rejected_rows, "method": challenger.method,
              "reject_bad_factor": reject_bad_factor,
              "trained_on": f"{month_label(lo)} to {month_label(first_window - 1)}",
              "as_of": str(month_label(cut))}
    return record, challenger


CHALLENGER_ARTIFACT = "a-card-book-challenger"
"""The model registry's name for a promoted challenger A-card (its card file as JSON)."""


def _store_apps(rows: list[dict[str, Any]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    fields = pd.DataFrame([r["fields"] for r in rows])
    fields["application_id"] = [int(r["application_id"]) for r in rows]
    fields["applied_at"] = pd.to_datetime([r["applied_at"] for r in rows], utc=True
                                          ).tz_localize(None)
    fields["channel_id"] = [r["channel_id"] for r in rows]
    fields["channel_type"] = [r["channel_type"] for r in rows]  # the channel's, not as declared
    for c in fields.columns:
        if fields[c].dtype == object and c not in ("applied_at",):
            converted = pd.to_numeric(fields[c], errors="coerce")
            if converted.notna().sum() == fields[c].notna().sum() and fields[c].notna().any():
                fields[c] = converted
    from creditfactory.models.acard import RAW_NUMERIC

    for c in RAW_NUMERIC:  # a field an older form did not ask for reads as missing
        if c not in fields.columns:
            fields[c] = np.nan
    for c in ("city", "product_requested", "purpose", "education", "marital_status",
              "home_ownership", "premises", "industry"):
        if c not in fields.columns:
            fields[c] = None
    kinds = fields[["channel_id", "channel_type"]].drop_duplicates("channel_id")
    return fields, kinds.reset_index(drop=True)


def store_challenger(engine: Any, month: str, *, rule: Path | None = None,
                     decided_by: str = "cli", method: str | None = "parcelling",
                     reject_bad_factor: float = 2.0) -> dict[str, Any]:
    """Refit the challenger A-card on the store's book as recorded up to ``month`` (its
    month-end states, from ``monitor --db``), judge it by the promotion rule and record the
    decision (``model_promotions``); a promoted card goes into the model registry as
    :data:`CHALLENGER_ARTIFACT`. The record."""
    import json
    from datetime import UTC, datetime

    from creditfactory.monitoring.learning import load_promotion_rule
    from creditfactory.scorecard import card_to_dict
    from creditfactory.services.monitoring_store import _month, _tables
    from creditfactory.store import UnitOfWork
    from creditfactory.store.repo_learning import LearningRepository
    from creditfactory.store.repo_monitoring import MonitoringRepository

    label = _month(month).strftime("%Y-%m")
    declared = load_promotion_rule(rule)
    with UnitOfWork(engine) as uow:
        repo = MonitoringRepository(uow.conn)
        book = repo.book()
        states = repo.states(label)
        kept = LearningRepository(uow.conn).applications()
    if not states:
        raise InvalidArgument(f"no month-end state is recorded up to {label}: run "
                              "`monitor --db` first")
    tables = _tables(book, states)
    loans = tables.loans.assign(application_id=[int(r["application_id"]) for r in book])
    apps, channels = _store_apps(kept)
    now = datetime.now(UTC)
    try:
        record, challenger = judge_challenger(loans, tables.monthly, apps, channels, declared,
                                              method=method, reject_bad_factor=reject_bad_factor)
    except InvalidArgument as exc:  # a book too young or too clean to fit on: refused, recorded
        record = {"promoted": False, "reasons": [f"no challenger could be fitted: {exc}"],
                  "champion_auc": np.nan, "challenger_auc": np.nan, "psi": np.nan, "n": 0,
                  "bads": 0, "window_from": "", "window_to": "", "rule": asdict(declared),
                  "challenger_version": "none", "booked_rows": 0, "booked_bads": 0,
                  "rejected_rows": 0, "method": method or "none",
                  "reject_bad_factor": reject_bad_factor, "trained_on": "", "as_of": label}
        challenger = None
    figures = {k: record[k] for k in ("booked_rows", "booked_bads", "rejected_rows", "method",
                                      "reject_bad_factor", "trained_on")}
    with UnitOfWork(engine) as uow:
        if record["promoted"] and challenger is not None:
            content = json.dumps(card_to_dict(challenger.card, {
                "version": challenger.version, "promoted_at": now.isoformat()})).encode()
            digest = uow.models.keep(CHALLENGER_ARTIFACT, content, decided_by)
            figures["registry"] = {"name": CHALLENGER_ARTIFACT, "digest": digest}
        clean = {k: (None if isinstance(v, float) and not np.isfinite(v) else v)
                 for k, v in record.items()}
        record["id"] = LearningRepository(uow.conn).add_promotion({
            "decided_at": now, "as_of": label, "model": "a_card",
            "champion": "the A-card that decided the book (decisions.score)",
            "challenger": record["challenger_version"], "promoted": bool(record["promoted"]),
            "champion_auc": clean["champion_auc"], "challenger_auc": clean["challenger_auc"],
            "psi": clean["psi"], "n": record["n"], "bads": record["bads"],
            "window_from": record["window_from"], "window_to": record["window_to"],
            "rule": record["rule"], "reasons": record["reasons"], "figures": figures,
            "decided_by": decided_by})
        uow.commit()
    record["figures"] = figures
    return record
