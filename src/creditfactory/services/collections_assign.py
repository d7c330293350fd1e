"""The nightly collections assignment on the store, run after each close of business.

For the business date, in one transaction: promises to pay falling due are followed up (kept
when the loan received the promised amount since it was made, broken when the due day passed
without it), episodes of loans no longer past due are ended (a cure within 30 days of the
first missed day counts as a fast cure), and every active loan past due is scored by the
C-card kept in the model registry under :data:`CCARD_MODEL` (none fitted: the bucket rule,
named as the score's source), its reason of default inferred, given the declarative
strategy's treatment within the teams' capacity, a priority, a rank in its team and a
collector of the team. The accounts that entered a bucket tonight (or began an episode) are
kept as bucket entries with tonight's C-card inputs, and an episode ended back to current
labels its entries cured that day: the lender's own history to fit the C-card on
(:mod:`.collections_fit`). A date is assigned once: a second run for it changes nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from creditfactory.collections.live_assignment import (
    BUCKET_CURE,
    BUCKET_RULE,
    REASON_NAMES,
    TEAMS,
    Night,
    bucket_index,
    features,
    plan_night,
)
from creditfactory.collections.reasons import (
    ReasonModel,
    load_reason_model,
    reason_model_from_dict,
    reason_model_to_dict,
)
from creditfactory.collections.strategy import (
    BANDS,
    BUCKETS,
    TREATMENTS,
    CompiledCollections,
    load_collections_strategy,
)
from creditfactory.models.ccard import FEATURES, CollectionScorecard
from creditfactory.services.errors import InvalidInput
from creditfactory.store import UnitOfWork
from creditfactory.store.repo_collections import DELINQUENT_COLUMNS
from creditfactory.store.repo_learning import LearningRepository
from creditfactory.store.tables_collections import ENTRY_EVIDENCE, ENTRY_FEATURES
from creditfactory.store.types import utcnow

__all__ = ["CCARD_MODEL", "REASONS_MODEL", "AssignSummary", "assign_collections", "ccard_source",
           "load_ccard", "load_reasons", "store_ccard", "store_reasons"]

CCARD_MODEL = "collections-ccard"
"""The model registry's name of the live C-card (the newest kept is used)."""
REASONS_MODEL = "collections-reasons"
"""The model registry's name of the reason model learnt on the book (the newest kept is used)."""
_COL = {name: k for k, name in enumerate(DELINQUENT_COLUMNS)}
_FAST_DAYS = 30


@dataclass
class AssignSummary:
    """What a night's assignment did (``already``: the date had been assigned)."""

    business_date: date | None
    accounts: int = 0
    score_source: str = ""
    strategy: str = ""
    kept: int = 0
    broken: int = 0
    cured: int = 0
    seconds: float = 0.0
    already: bool = False
    by_team: dict[str, int] | None = None


@lru_cache(maxsize=4)
def _strategy(name: str) -> CompiledCollections:
    return load_collections_strategy(name)


@lru_cache(maxsize=4)
def _reason_model(digest: str, content: bytes) -> ReasonModel:
    return reason_model_from_dict(json.loads(content))


def load_reasons(uow: UnitOfWork) -> ReasonModel:
    """The newest reason model learnt on the book and kept in the registry, else the lender's
    declared beliefs (``collections/reasons.yaml``)."""
    kept = uow.models.latest(REASONS_MODEL)
    return load_reason_model() if kept is None else _reason_model(*kept)


def store_reasons(uow: UnitOfWork, model: ReasonModel, by: str) -> str:
    """Keep a reason model learnt on the book in the model registry (JSON); its digest."""
    return uow.models.keep(REASONS_MODEL, json.dumps(reason_model_to_dict(model), sort_keys=True).encode(), by)


@lru_cache(maxsize=4)
def _card(digest: str, content: bytes) -> CollectionScorecard:
    return CollectionScorecard.from_dict(json.loads(content))


def ccard_source(card: CollectionScorecard) -> str:
    """The score source naming a fitted C-card on the night's assignment rows."""
    return f"ccard:{card.objective}:{card.version_}"[:80]


def load_ccard(uow: UnitOfWork) -> tuple[CollectionScorecard | None, str]:
    """The newest C-card kept in the registry and the score source naming it."""
    kept = uow.models.latest(CCARD_MODEL)
    if kept is None:
        return None, BUCKET_RULE
    card = _card(*kept)
    return card, ccard_source(card)


def store_ccard(uow: UnitOfWork, card: CollectionScorecard, by: str) -> str:
    """Keep a fitted C-card in the model registry (JSON); its digest."""
    return uow.models.keep(CCARD_MODEL, json.dumps(card.to_dict(), sort_keys=True).encode(), by)


_BUCKET_AT = {b: k for k, b in enumerate(BUCKETS)}


class _Cols:
    """The delinquent rows column by column."""

    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        self.n = len(rows)
        self.cols = dict(zip(DELINQUENT_COLUMNS, zip(*rows, strict=True), strict=True))

    def __getitem__(self, name: str) -> tuple[Any, ...]:
        return self.cols[name]

    def ints(self, name: str) -> np.ndarray:
        """Whole numbers (a missing one 0)."""
        return np.nan_to_num(np.array(self.cols[name], dtype=float)).astype(np.int64)

    def days(self, name: str) -> np.ndarray:
        """Day numbers (a missing date far in the past)."""
        d = np.array(self.cols[name], dtype="datetime64[D]")
        return np.where(np.isnat(d), np.int64(-(2**40)), d.astype(np.int64))

    def packed(self, name: str) -> np.ndarray:
        return np.frombuffer(b"".join(self.cols[name]), np.int32)


def _night(c: _Cols, day: date, promised: set[int]) -> tuple[Night, dict[str, np.ndarray]]:
    """The accounts' arrays and their episodes as they will be stored tonight."""
    n = c.n
    today = np.datetime64(day, "D").astype(np.int64)
    loan, dpd, received = c.ints("loan_id"), c.ints("dpd"), c.ints("received_fen")
    cont = np.fromiter((bool(v) for v in c["open"]), bool, n)  # an open episode goes on
    bucket = bucket_index(dpd)
    old_bucket = np.fromiter((_BUCKET_AT.get(b, -1) for b in c["bucket"]), np.int64, n)
    moved = ~cont | (old_bucket != bucket)
    since = np.where(moved, today, c.days("bucket_since"))
    start = np.where(cont, c.days("episode_start"), today - dpd + 1)
    ep = {}
    for name in ("attempts", "reached", "promises", "kept", "broken", "partials", "max_dpd"):
        ep[name] = np.where(cont, c.ints(name), 0)
    ep["broken_in_bucket"] = np.where(moved, 0, c.ints("broken_in_bucket"))
    base = np.where(cont, c.ints("c_received_fen"), received)
    ep["partials"] = ep["partials"] + (cont & (received > base))
    ep["max_dpd"] = np.maximum(ep["max_dpd"], dpd)
    episodes = c.ints("episodes")
    ep["episodes"] = np.where(cont, episodes, episodes + 1)
    ep["fast_cures"] = c.ints("fast_cures")
    ep.update(loan=loan, dpd=dpd, received=received, bucket=bucket, since=since, start=start,
              entered=moved)
    lengths = np.fromiter(map(len, c["dues"]), np.int64, n) // 4
    owner = np.repeat(np.arange(n), lengths)
    dues = c.packed("dues")
    left = c.packed("principal_left").astype(np.int64) + c.packed("interest_left")
    due_now = dues <= today
    n_due = np.bincount(owner, due_now, minlength=n)
    n_paid = np.bincount(owner, due_now & (left == 0), minlength=n)
    remaining = np.bincount(owner, ~due_now & (left > 0), minlength=n)
    principal = np.array(c["principal"], dtype=float)
    rate = np.array(c["rate"], dtype=float) / 12.0
    term = c.ints("term_months").astype(float)
    instalment = np.where(rate > 0, principal * rate / (1.0 - (1.0 + rate) ** -term),
                          principal / np.maximum(term, 1.0))
    night = Night(
        loan_id=loan, dpd=dpd, balance=c.ints("principal_outstanding_fen") / 100.0,
        instalment=instalment, remaining_months=np.maximum(remaining, 1),
        mob=(today - c.days("start_date")) // 30, paid_share=n_paid / np.maximum(n_due, 1),
        first_payment_default=(received == 0).astype(float),
        prior_episodes=ep["episodes"] - 1, prior_fast_cures=ep["fast_cures"],
        attempts=ep["attempts"], reached=ep["reached"], promises=ep["promises"],
        kept=ep["kept"], broken=ep["broken"], partials=ep["partials"],
        days_in_bucket=today - since, broken_in_bucket=ep["broken_in_bucket"],
        waiting=np.isin(loan, np.fromiter(promised, np.int64, len(promised))))
    return night, ep


def _follow_up_promises(uow: UnitOfWork, day: date, at: datetime) -> tuple[int, int, set[int]]:
    """Settle promises (kept / broken); the counts and the loans still waiting on one."""
    settled, waiting = [], set()
    for p in uow.collections.due_promises(day):
        paid = int(p["received_fen"]) - int(p["received_fen_at"])
        if paid >= int(p["amount"] * 100):
            settled.append({"id": p["id"], "loan_id": p["loan_id"], "status": "kept"})
        elif p["due_on"] <= day:
            settled.append({"id": p["id"], "loan_id": p["loan_id"], "status": "broken"})
        else:
            waiting.add(int(p["loan_id"]))
    uow.collections.settle_promises(settled, day)
    for s in settled:
        uow.collections.count_promise(s["loan_id"], s["status"])
    uow.collections.add_history_many([
        {"loan_id": s["loan_id"], "business_date": day, "action": f"promise_{s['status']}",
         "actor": "system", "detail": f"promise {s['id']}", "at": at} for s in settled])
    kept = sum(1 for s in settled if s["status"] == "kept")
    return kept, len(settled) - kept, waiting


def _end_episodes(uow: UnitOfWork, day: date, at: datetime) -> int:
    """End the episodes of loans no longer past due; those not written off (paid up or paid
    off) are back to current: their bucket entries are cured today."""
    done = uow.collections.cured()
    ended = [{"loan_id": r["loan_id"], "cured_on": day,
              "fast": r["status"] != "written_off"
              and (day - r["episode_start"]).days <= _FAST_DAYS} for r in done]
    uow.collections.end_episodes(ended)
    uow.collections.cure_entries([(r["loan_id"], r["episode_start"]) for r in done
                                  if r["status"] != "written_off"], day)
    uow.collections.add_history_many([
        {"loan_id": r["loan_id"], "business_date": day, "action": "episode_ended",
         "actor": "system", "detail": "cured" if r["fast"] else "left collections", "at": at}
        for r in ended])
    return len(ended)


def _ring_linked(uow: UnitOfWork, c: _Cols, day: date) -> np.ndarray:
    """1 where the month-end sweeps found the loan's application strongly linked to another
    by ``day`` (:func:`~creditfactory.services.fraud_graph.sweep_ring_links`), 0 where the
    last sweep read it (made before that month's end) and found no link, NaN where no sweep
    has read it."""
    sweep = LearningRepository(uow.conn).last_ring_sweep()
    linked = pd.to_datetime(pd.Series(c["ring_linked_at"], dtype=object), utc=True).lt(
        pd.Timestamp(day + timedelta(days=1), tz=UTC))
    swept = (pd.Timestamp(pd.Period(sweep["month"], freq="M").end_time.normalize() + pd.Timedelta(days=1),
                          tz=UTC) if sweep is not None else pd.Timestamp.min.tz_localize(UTC))
    read = pd.to_datetime(pd.Series(c["applied_at"], dtype=object), utc=True).lt(swept)
    return np.where(linked.to_numpy(bool), 1.0, np.where(read.to_numpy(bool), 0.0, np.nan))


def _score(card: CollectionScorecard | None, x: pd.DataFrame, bucket: np.ndarray
           ) -> tuple[np.ndarray, list[str]]:
    if card is None:
        return BUCKET_CURE[bucket], [""] * len(x)
    for name in FEATURES:  # an input the store does not hold is missing for the card
        if name not in x:
            x[name] = np.nan
    return card.predict_proba(x)[:, 1], card.reasons(x, n=3).tolist()


def _dealt(team_codes: list[str], rank: np.ndarray, people: dict[str, list[str]]
           ) -> list[str | None]:
    out: list[str | None] = []
    for team, r in zip(team_codes, rank.tolist(), strict=True):
        names = people.get(team)
        out.append(names[(r - 1) % len(names)] if names else None)
    return out


def assign_collections(engine: Engine, day: date | None = None, *, strategy: str = "default",
                       clock: Callable[[], datetime] = utcnow) -> AssignSummary:
    """Assign the business date's delinquent accounts (see the module); ``day`` must be the
    business date (the accounts' state is at it)."""
    t0 = time.perf_counter()
    compiled = _strategy(strategy)
    at = clock()
    with UnitOfWork(engine) as uow:
        business_date = uow.servicing.business_date()
        day = day or business_date
        if day is None or day != business_date:
            raise InvalidInput([("date", f"must be the business date {business_date} (the "
                                         f"accounts' state is at it): close up to it first")])
        known = uow.collections.run(day)
        if known is not None:
            return AssignSummary(day, known["accounts"], known["score_source"],
                                 known["strategy"], already=True)
        kept, broken, waiting = _follow_up_promises(uow, day, at)
        cured = _end_episodes(uow, day, at)
        rows = uow.collections.delinquent()
        card, source = load_ccard(uow)
        people = uow.collections.collectors()
        summary = AssignSummary(day, len(rows), source, f"{compiled.name}@{compiled.version}",
                                kept, broken, cured)
        if rows:
            cols = _Cols(rows)
            night, ep = _night(cols, day, waiting)
            x = features(night)
            x["ring_linked"] = _ring_linked(uow, cols, day)
            cure, codes = _score(card, x, ep["bucket"])
            plan = plan_night(night, x, cure, compiled, load_reasons(uow),
                              {t: len(v) for t, v in people.items()})
            _write(uow, cols, day, ep, plan, cure, codes, source, people)
            _record_entries(uow, ep, x)
            teams = [TEAMS[TREATMENTS[t]] for t in plan.treatment.tolist()]
            summary.by_team = {str(k): int(v) for k, v in pd.Series(teams).value_counts().sort_index().items()}
        summary.seconds = time.perf_counter() - t0
        uow.collections.record_run(business_date=day, accounts=len(rows), score_source=source,
                                   strategy=summary.strategy, seconds=summary.seconds, ran_at=at)
        uow.commit()
    return summary


def _iso_days(days: np.ndarray) -> list[str]:
    return np.datetime_as_string(days.astype("datetime64[D]")).tolist()


def _record_entries(uow: UnitOfWork, ep: dict[str, np.ndarray], x: pd.DataFrame) -> None:
    """Keep tonight's bucket entries (accounts whose bucket or episode began tonight) with the
    C-card inputs ``x`` they were scored on; an input no account has tonight is left NULL."""
    rows = np.flatnonzero(ep["entered"])
    if not len(rows):
        return
    names, values = [], []
    for name in (*ENTRY_FEATURES, *ENTRY_EVIDENCE):
        if name == "bucket" or name not in x:  # the bucket is the entry's own column
            continue
        v = x[name].to_numpy(float)[rows]
        gap = np.isnan(v)
        if gap.all():
            continue
        names.append(name)
        if gap.any():  # NULL, not NaN (PostgreSQL keeps a NaN as a number)
            obj = v.astype(object)
            obj[gap] = None
            values.append(obj.tolist())
        else:
            values.append(v.tolist())
    columns = ("loan_id", "episode_start", "bucket", "entered_on", *names)
    uow.collections.add_entries(columns, list(zip(
        ep["loan"][rows].tolist(), _iso_days(ep["start"][rows]),
        np.asarray(BUCKETS, dtype=object)[ep["bucket"][rows]].tolist(),
        _iso_days(ep["since"][rows]), *values, strict=True)))


def _write(uow: UnitOfWork, c: _Cols, day: date, ep: dict[str, np.ndarray], plan: Any,
           cure: np.ndarray, codes: list[str], source: str,
           people: dict[str, list[str]]) -> None:
    n, today = c.n, day.isoformat()
    bank = c["bank_code"]
    bucket = np.asarray(BUCKETS)[ep["bucket"]].tolist()
    counts = [ep[k].tolist() for k in ("attempts", "reached", "promises", "kept", "broken",
                                       "broken_in_bucket", "partials", "received")]
    uow.collections.replace_accounts(list(zip(
        ep["loan"].tolist(), bank, _iso_days(ep["start"]), ep["episodes"].tolist(),
        ep["fast_cures"].tolist(), bucket, _iso_days(ep["since"]), ep["max_dpd"].tolist(),
        *counts, [True] * n, [None] * n, [today] * n, strict=True)))
    names = np.asarray(TREATMENTS, dtype=object)[plan.treatment]
    teams = [TEAMS[t] for t in names.tolist()]
    probs = plan.probabilities.round(6).T.tolist()
    uow.collections.add_assignments(list(zip(
        ep["loan"].tolist(), [today] * n, bank, ep["dpd"].tolist(), bucket,
        c["principal_outstanding_fen"], np.round(cure, 6).tolist(), [source] * n,
        [x[:200] for x in codes], np.asarray(BANDS, dtype=object)[plan.band].tolist(),
        np.asarray(REASON_NAMES, dtype=object)[plan.reason].tolist(), *probs,
        np.asarray(TREATMENTS, dtype=object)[plan.strategy_treatment].tolist(),
        names.tolist(), plan.attempts.tolist(), teams, _dealt(teams, plan.rank, people),
        np.round(plan.priority, 2).tolist(), plan.rank.tolist(), strict=True)))
