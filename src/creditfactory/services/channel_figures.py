"""What a channel brings: volume, the decision's approval rate, early defaults on the book, and
the packaging score the models serve with the evidence behind it.

The packaging score and its development evidence come from the served models (the channel
card's features per channel, ``creditfactory.fraud.packaging``); the verification findings
since then are read from the store, the latest answer per application counting, as the
re-scoring reads them (``services/channel_findings.py``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

from creditfactory.fraud.packaging import FEATURES
from creditfactory.services.channel_findings import OVERSTATED_BELOW
from creditfactory.services.channels import READERS
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import RoleNotAllowed
from creditfactory.services.ports import Actor
from creditfactory.store.repo_channel_figures import ChannelFigures
from creditfactory.store.types import utcnow

__all__ = ["EARLY_MONTHS", "EARLY_DPD", "RECENT_DAYS", "FRESH_SECONDS", "channel_figures",
           "STALE_SECONDS", "packaging_evidence", "forget"]

_log = logging.getLogger(__name__)
EARLY_MONTHS = 6
EARLY_DPD = 30
RECENT_DAYS = 30
FRESH_SECONDS = 60.0
STALE_SECONDS = 600.0
"""Every channel's figures are read in one pass over the applications and kept per store:
fresh for ``FRESH_SECONDS``; after that, up to ``STALE_SECONDS``, a page gets the kept figures
at once while one background thread reads them again (the pass costs a few hundred
milliseconds at 100,000 applications; the figures move slowly)."""

Figures = tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]
_kept: dict[int, tuple[float, Figures]] = {}
_reading: set[int] = set()
_lock = threading.Lock()


def forget() -> None:
    """Drop the kept figures (a test that changes the store and reads again at once)."""
    with _lock:
        _kept.clear()


def _read(ctx: ServiceContext) -> Figures:
    with ctx.uow(write=False) as uow:
        q = ChannelFigures(uow.conn)
        figures = (q.volumes(utcnow() - timedelta(days=RECENT_DAYS)),
                   q.early_defaults(EARLY_MONTHS, EARLY_DPD))
    with _lock:
        _kept[id(ctx.engine)] = (time.monotonic(), figures)
    return figures


def _read_again(ctx: ServiceContext) -> None:
    try:
        _read(ctx)
    except Exception:  # the store may be briefly unreachable: the next page tries again
        _log.exception("reading the channel figures failed")
    finally:
        with _lock:
            _reading.discard(id(ctx.engine))


def _all_figures(ctx: ServiceContext) -> Figures:
    key = id(ctx.engine)
    with _lock:
        kept = _kept.get(key)
        age = time.monotonic() - kept[0] if kept else None
        if age is not None and FRESH_SECONDS <= age < STALE_SECONDS and key not in _reading:
            _reading.add(key)
            threading.Thread(target=_read_again, args=(ctx,), name="channel-figures",
                             daemon=True).start()
    if kept is not None and age is not None and age < STALE_SECONDS:
        return kept[1]
    return _read(ctx)


@runtime_checkable
class ServedPackaging(Protocol):
    """The models' served packaging scores (``TrainedModels``): by channel, and for a channel
    without history; ``channel_model`` holds the channel card's features when trained."""

    packaging: Mapping[str, float]
    packaging_default: float
    channel_model: Any


def _allow(actor: Actor) -> None:
    if actor.role not in READERS:
        raise RoleNotAllowed(f"needs one of the roles {', '.join(READERS)}")


def _served(ctx: ServiceContext) -> ServedPackaging | None:
    models = ctx.packaging
    return models if isinstance(models, ServedPackaging) else None


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def channel_figures(ctx: ServiceContext, actor: Actor, channel_ids: list[str]
                    ) -> dict[str, dict[str, Any]]:
    """Per channel of ``channel_ids``: applications (all and the last ``RECENT_DAYS`` days),
    approval rate of the decided, loans paid out, early-default rate (``EARLY_DPD``+ days
    past due within ``EARLY_MONTHS`` months on book, among loans observed that long) and the
    packaging score served (None when the models serve none); see ``STALE_SECONDS``."""
    _allow(actor)
    if not channel_ids:
        return {}
    volumes, early = _all_figures(ctx)
    served = _served(ctx)
    out = {}
    for cid in channel_ids:
        v = volumes.get(cid, {"applications": 0, "recent": 0, "decided": 0, "approved": 0,
                              "paid_out": 0})
        e = early.get(cid, {"observed": 0, "early": 0})
        out[cid] = {
            **v, **e,
            "approval_rate": _rate(v["approved"], v["decided"]),
            "early_default_rate": _rate(e["early"], e["observed"]),
            "packaging_score": None if served is None else float(
                served.packaging.get(cid, served.packaging_default)),
        }
    return out


def _tally(rows: list[Any]) -> list[dict[str, Any]]:
    latest: dict[int, dict[str, bool]] = {}
    for r in rows:
        app = latest.setdefault(int(r["application_id"]), {})
        if r["identity_confirmed"] is not None:
            app["identity_not_confirmed"] = not r["identity_confirmed"]
        if r["business_real"] is not None:
            app["business_not_real"] = not r["business_real"]
        declared = (r["fields"] or {}).get("declared_monthly_revenue")
        if r["verified_monthly_revenue"] is not None and declared is not None:
            app["revenue_overstated"] = (Decimal(str(r["verified_monthly_revenue"]))
                                         < OVERSTATED_BELOW * Decimal(str(declared)))
    out = []
    for key in ("revenue_overstated", "business_not_real", "identity_not_confirmed"):
        answered = [a[key] for a in latest.values() if key in a]
        out.append({"key": key, "label": FEATURES[key], "answered": len(answered),
                    "found": sum(answered), "share": _rate(sum(answered), len(answered))})
    return out


def packaging_evidence(ctx: ServiceContext, actor: Actor, channel_id: str) -> dict[str, Any]:
    """Why the channel has its packaging score: per sign of packaging, the channel's raw share
    and the applications it was measured on at training, the share shrunk towards the
    population's (what the card reads) and the population's; and the verification findings
    recorded since, per application."""
    _allow(actor)
    with ctx.uow(write=False) as uow:
        found = _tally(ChannelFigures(uow.conn).findings(channel_id))
    served = _served(ctx)
    signs: list[dict[str, Any]] = []
    model = None if served is None else served.channel_model
    features = getattr(model, "features", None)
    if features is not None and channel_id in features.index:
        row = features.loc[channel_id]
        base = getattr(model, "base", {}) or {}
        for key, label in FEATURES.items():
            if key not in row.index:
                continue
            share, n = row.get(f"{key}_share"), row.get(f"{key}_n")
            signs.append({
                "key": key, "label": label,
                "share": None if share is None or share != share else float(share),
                "n": 0 if n is None or n != n else int(n),
                "shrunk": float(row[key]),
                "population": base.get(key),
            })
    return {
        "score": None if served is None else float(
            served.packaging.get(channel_id, served.packaging_default)),
        "known": served is not None and channel_id in served.packaging,
        "applications_at_training": (int(features.loc[channel_id, "n_applications"])
                                     if features is not None and channel_id in features.index
                                     and "n_applications" in features.columns else 0),
        "signs": signs,
        "findings": found,
    }
