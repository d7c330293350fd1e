"""Findings from verification and investigation fed back into the channel packaging score.

Per application, the latest answer to each question counts: an identity not confirmed, a
business not real, a verified monthly revenue below ``OVERSTATED_BELOW`` of the declared one.
The trained models re-score every channel with these shares (shrunk towards the population,
``creditfactory.fraud.packaging``) and serve the new scores from then on. A refresher re-reads
the findings every ``REFRESH_SECONDS`` in the background, off the request path;
:func:`refresh_channel_scores` does it on demand.
"""

from __future__ import annotations

import logging
import threading
from decimal import Decimal
from typing import Any

import pandas as pd

from creditfactory.services.context import ServiceContext
from creditfactory.store import UnitOfWork
from creditfactory.store.repo_channel_findings import ChannelFindings

__all__ = ["OVERSTATED_BELOW", "REFRESH_SECONDS", "ChannelScoreRefresher", "channel_findings",
           "refresh_channel_scores", "start_channel_refresh"]

OVERSTATED_BELOW = Decimal("0.9")
REFRESH_SECONDS = 300.0
_COLUMNS = ("channel_id", "revenue_overstated", "business_not_real", "identity_not_confirmed")
_log = logging.getLogger(__name__)


def _no(value: bool | None) -> float:
    return float("nan") if value is None else float(not value)


def _overstated(verified: Any, declared: Any) -> float:
    if verified is None or declared is None:
        return float("nan")
    return float(Decimal(str(verified)) < OVERSTATED_BELOW * Decimal(str(declared)))


def channel_findings(uow: UnitOfWork) -> pd.DataFrame:
    """One row per application with findings: ``channel_id`` and 1/0 per finding (NaN where
    no finding answered the question), the latest answer winning."""
    latest: dict[int, dict[str, Any]] = {}
    for row in ChannelFindings(uow.conn).all():
        app = latest.setdefault(int(row["application_id"]), {"channel_id": row["channel_id"]})
        if row["identity_confirmed"] is not None:
            app["identity_not_confirmed"] = _no(row["identity_confirmed"])
        if row["business_real"] is not None:
            app["business_not_real"] = _no(row["business_real"])
        if row["verified_monthly_revenue"] is not None:
            declared = (row["fields"] or {}).get("declared_monthly_revenue")
            app["revenue_overstated"] = _overstated(row["verified_monthly_revenue"], declared)
    return pd.DataFrame(list(latest.values()), columns=list(_COLUMNS)).astype(
        {k: float for k in _COLUMNS[1:]})


def refresh_channel_scores(ctx: ServiceContext) -> dict[str, float] | None:
    """Re-score channels with the findings in ``ctx``'s store and serve the new scores; the
    scores by channel, ``None`` when the models have no channel packaging scores."""
    packaging = ctx.packaging
    if packaging is None:
        return None
    with ctx.uow(write=False) as uow:
        found = channel_findings(uow)
    return dict(packaging.refresh_packaging(found))


class ChannelScoreRefresher:
    """A daemon thread that refreshes the channel scores at once and then every
    ``interval`` seconds until stopped; a failed refresh is logged and retried next time."""

    def __init__(self, ctx: ServiceContext, interval: float = REFRESH_SECONDS):
        self._ctx, self._interval = ctx, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="channel-score-refresh",
                                        daemon=True)

    def start(self) -> ChannelScoreRefresher:
        self._thread.start()
        return self

    def stop(self, timeout: float | None = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                refresh_channel_scores(self._ctx)
            except Exception:  # the store may be briefly unreachable; keep serving old scores
                _log.exception("channel score refresh failed")
            self._stop.wait(self._interval)


def start_channel_refresh(ctx: ServiceContext,
                          interval: float = REFRESH_SECONDS) -> ChannelScoreRefresher | None:
    """Start refreshing the channel scores in the background; ``None`` when the models have
    no channel packaging scores."""
    if ctx.packaging is None:
        return None
    return ChannelScoreRefresher(ctx, interval).start()
