"""The C-card fitted on the lender's own collections history, kept for the nightly assignment.

Every night the assignment keeps the accounts that entered a bucket with the C-card's inputs
it scored them on (``collections_entries``), and an episode that ends back to current marks
its entries cured that day. An entry is *matured* once 30 days have passed since it entered
(``entered_on`` + 30 days <= the business date); its label is a cure within those 30 days
(``cured_on`` - ``entered_on`` <= 30 days). From the matured entries this module judges the
card out of time (fit on the earlier 70 % by ``entered_on``, AUC of the chance to cure on the
later 30 %), fits it on all of them and keeps it in the model registry under
:data:`~.collections_assign.CCARD_MODEL`: the next night's assignment scores with it.

    summary = fit_ccard_from_book(engine, objective="logistic", by="rita")
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from creditfactory.collections.reasons import (
    EVIDENCE,
    HINDSIGHT,
    evidence,
    fit_reason_model,
    hindsight,
    infer_reasons,
    load_reason_model,
)
from creditfactory.collections.strategy import BUCKETS, REASONS
from creditfactory.errors import InvalidArgument
from creditfactory.models.ccard import FEATURES, OBJECTIVES, CollectionScorecard
from creditfactory.scorecard.errors import ScorecardError
from creditfactory.scorecard.metrics import auc
from creditfactory.services.collections_assign import ccard_source, store_ccard, store_reasons
from creditfactory.services.errors import InvalidInput
from creditfactory.store import UnitOfWork
from creditfactory.store.tables_collections import ENTRY_EVIDENCE

__all__ = ["CURE_DAYS", "HINDSIGHT_DAYS", "MIN_ENTRIES", "OUT_OF_TIME_SHARE", "QUICK_CURE_DAYS",
           "CardFit", "ReasonsFit", "fit_ccard_from_book", "fit_reasons_from_book", "matured_entries"]

CURE_DAYS = 30
"""An entry is judged on a cure within this many days of entering its bucket."""
MIN_ENTRIES = 50
"""Matured entries needed to fit a card at all."""
OUT_OF_TIME_SHARE = 0.3
"""The latest share of matured entries (by ``entered_on``) the out-of-time AUC is taken on."""
_FIELD = "collections_entries"
HINDSIGHT_DAYS = 90
"""The reason model learns from entries this old: by then an entry has cured or reached 90 DPD."""
QUICK_CURE_DAYS = 10
"""A cure within this many days of the entry is a quick one (most who forgot pay this soon)."""


@dataclass
class CardFit:
    """What a fit on the book gave: the matured entries it learnt from, their cure rate, the
    out-of-time AUC (``None`` with ``note`` when a part lacked one of the outcomes), and the
    card kept (its version, the registry digest and the score source the assignment names)."""

    business_date: date
    objective: str
    rows: int
    cured: int
    cure_rate: float
    development_rows: int
    out_of_time_rows: int
    out_of_time_auc: float | None
    version: str
    digest: str
    score_source: str
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe fields (the date as ISO text)."""
        return asdict(self) | {"business_date": self.business_date.isoformat()}


def matured_entries(uow: UnitOfWork, day: date) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The C-card inputs (:data:`FEATURES`, NaN where the store holds none), the cure within
    :data:`CURE_DAYS` (0/1) and the entry day of every entry matured at the business date
    ``day``, by entry day."""
    names, rows = uow.collections.entries_until(day - timedelta(days=CURE_DAYS))
    frame = pd.DataFrame(rows, columns=names)
    entered, waited = _waited(frame)
    cured = (waited <= CURE_DAYS).astype(int)  # NaN: not cured
    return _inputs(frame), cured, entered


def _business_date(uow: UnitOfWork) -> date:
    day = uow.servicing.business_date()
    if day is None:
        raise InvalidInput([("business_date", "no business day closed yet: nothing recorded to "
                                              "learn from")])
    return day


def _waited(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each entry's day and the days from it to its cure (NaN: not cured)."""
    entered = pd.to_datetime(frame["entered_on"]).to_numpy("datetime64[D]")
    cured_on = pd.to_datetime(frame["cured_on"]).to_numpy("datetime64[D]")
    waited = (cured_on - entered).astype("timedelta64[D]")
    return entered, np.where(np.isnat(waited), np.nan, waited.astype(np.int64).astype(float))


def _inputs(frame: pd.DataFrame) -> pd.DataFrame:
    """The C-card inputs and the other evidence of stored entries (NaN where the store holds
    none; bucket 1..6)."""
    x = pd.DataFrame(index=frame.index)
    for name in (*FEATURES, *ENTRY_EVIDENCE):
        x[name] = pd.to_numeric(frame[name], errors="coerce").astype(float) if name in frame \
            else np.nan
    x["bucket"] = frame["bucket"].map({b: k + 1.0 for k, b in enumerate(BUCKETS)}).astype(float)
    return x


def _fit(objective: str, x: pd.DataFrame, cured: np.ndarray) -> CollectionScorecard:
    try:
        return CollectionScorecard(objective=objective).fit(x, cured, recovered=cured)
    except (ScorecardError, InvalidArgument) as exc:
        raise InvalidInput([(_FIELD, f"the C-card cannot be fitted on the matured entries: "
                                     f"{exc}")]) from exc


def _out_of_time(objective: str, x: pd.DataFrame, cured: np.ndarray
                 ) -> tuple[int, float | None, str]:
    """Development rows and the AUC on the later rows (``None`` and why when not measurable)."""
    cut = int(round(len(cured) * (1.0 - OUT_OF_TIME_SHARE)))
    dev, oot = cured[:cut], cured[cut:]
    if len(np.unique(dev)) < 2 or len(np.unique(oot)) < 2:
        return cut, None, ("out-of-time AUC not measured: the earlier or the later part holds "
                           "one outcome only")
    card = _fit(objective, x.iloc[:cut], dev)
    return cut, auc(oot, card.predict_proba(x.iloc[cut:])[:, 1]), ""


def fit_ccard_from_book(engine: Engine, objective: str = "logistic", *, by: str = "system"
                        ) -> CardFit:
    """Fit the C-card on the store's matured bucket entries (see the module), keep it in the
    model registry as ``by`` and say what was fitted; refuses (:class:`InvalidInput`) with
    fewer than :data:`MIN_ENTRIES` matured entries or a single outcome among them."""
    if objective not in OBJECTIVES:
        raise InvalidInput([("objective", f"must be one of {', '.join(OBJECTIVES)}")])
    with UnitOfWork(engine, write=False) as uow:
        day = _business_date(uow)
        x, cured, entered = matured_entries(uow, day)
    n, n_cured = len(cured), int(cured.sum())
    last = day - timedelta(days=CURE_DAYS)
    if n < MIN_ENTRIES:
        raise InvalidInput([(_FIELD, f"{n} matured bucket entries (entered on or before "
                                     f"{last}, 30 days before the business date {day}); the "
                                     f"C-card needs at least {MIN_ENTRIES}")])
    if n_cured in (0, n):
        raise InvalidInput([(_FIELD, f"all {n} matured bucket entries "
                                     f"{'cured' if n_cured else 'stayed uncured'} within "
                                     f"{CURE_DAYS} days: the C-card needs both outcomes")])
    dev_rows, oot_auc, note = _out_of_time(objective, x, cured)
    card = _fit(objective, x, cured)
    with UnitOfWork(engine) as uow:
        digest = store_ccard(uow, card, by)
        uow.commit()
    return CardFit(day, objective, n, n_cured, n_cured / n, dev_rows, n - dev_rows,
                   None if oot_auc is None else float(oot_auc), card.version_, digest,
                   ccard_source(card), note)


@dataclass
class ReasonsFit:
    """What the reason model learnt on the book: the entries it read, how many of them cured
    quickly, slowly (or not) and reached 90 DPD, the shares it now gives an account just past
    due with nothing yet seen, and the registry digest."""

    business_date: date
    rows: int
    hindsight: dict[str, int]
    shares_at_entry: dict[str, float]
    digest: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe fields (the date as ISO text)."""
        return asdict(self) | {"business_date": self.business_date.isoformat()}


def fit_reasons_from_book(engine: Engine, *, by: str = "system") -> ReasonsFit:
    """Learn the reason model on the store's bucket entries at least :data:`HINDSIGHT_DAYS`
    old, as the back-test learns it on its development history: each entry's evidence against
    what followed it (a cure within :data:`QUICK_CURE_DAYS`, a later cure or none, its episode
    reaching M4), M1 entries apart from later ones, the lender's declared beliefs splitting what
    the book cannot tell apart; keep it in the registry for the next night. Refuses
    (:class:`InvalidInput`) below :data:`MIN_ENTRIES` entries."""
    with UnitOfWork(engine, write=False) as uow:
        day = _business_date(uow)
        names, rows = uow.collections.entries_until(day)
    every = pd.DataFrame(rows, columns=names)
    late = every["bucket"].isin(BUCKETS[3:])
    reached_90 = late.groupby([every["loan_id"], every["episode_start"]]).transform("any").to_numpy(bool)
    old = (pd.to_datetime(every["entered_on"]) <= pd.Timestamp(day - timedelta(days=HINDSIGHT_DAYS))).to_numpy()
    frame, reached_90 = every[old].reset_index(drop=True), reached_90[old]
    if len(frame) < MIN_ENTRIES:
        raise InvalidInput([(_FIELD, f"{len(frame)} bucket entries {HINDSIGHT_DAYS} days old "
                                     f"(entered on or before {day - timedelta(days=HINDSIGHT_DAYS)}); "
                                     f"the reason model needs at least {MIN_ENTRIES}")])
    _, waited = _waited(frame)
    past = hindsight(waited <= QUICK_CURE_DAYS, reached_90)
    model = fit_reason_model(load_reason_model(), evidence(_inputs(frame)), past)
    shares = infer_reasons(model, np.zeros((1, len(EVIDENCE)), bool))[0]  # nothing seen yet
    with UnitOfWork(engine) as uow:
        digest = store_reasons(uow, model, by)
        uow.commit()
    counts = np.bincount(past, minlength=len(HINDSIGHT))
    return ReasonsFit(day, len(frame), {h: int(c) for h, c in zip(HINDSIGHT, counts, strict=True)},
                      {r: float(p) for r, p in zip(REASONS, shares, strict=True)}, digest)
