"""The strategy port backed by ``creditfactory.strategy``: the compiled strategy's decider.

The strategy's record keeps the inputs it read; personal values among them are masked before
the record is stored. The platform score banks see is the A-card score when there is one, else
the strategy's adjusted PD on the same scale (600 points at 50:1 good:bad, 20 points to double).

Before deciding, the port asks the blacklist (when wired) which of the application's
identifiers are listed and hands the answer to the strategy as ``blacklisted``. With a
challenger, the arm follows a stable hash of the split key (:func:`split_number`): the key
given, else the applicant's keyed resident-ID hash, else the application id; with none the
champion decides. The record names the arm, the strategy and version that decided, and how
the arm was chosen.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from creditfactory.domain.identity import mask_bank_card, mask_phone, mask_resident_id
from creditfactory.services.ports import Decision
from creditfactory.strategy import Decider

__all__ = ["StrategyDecisions", "platform_score", "split_number"]

_MASKS = {"resident_id": mask_resident_id, "phone": mask_phone, "bank_card": mask_bank_card}
_FACTOR = 20 / math.log(2)
Blacklist = Callable[[Mapping[str, Any]], tuple[str, ...]]


def platform_score(a_score: Any, adjusted_pd: Any) -> float | None:
    """The score shown to banks (higher is safer)."""
    if a_score is not None and a_score == a_score:
        return round(float(a_score), 1)
    if adjusted_pd is None or adjusted_pd != adjusted_pd or not 0 < adjusted_pd < 1:
        return None
    return round(600 + _FACTOR * math.log((1 - adjusted_pd) / adjusted_pd / 50), 1)


def split_number(key: str | int) -> int:
    """The number a split key is routed by: an int as it is (the batch back-test routes
    application ids the same way), text by its SHA-256."""
    if isinstance(key, int):
        return key
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")


def _mask_inputs(record: dict[str, Any]) -> dict[str, Any]:
    inputs = dict(record.get("inputs") or {})
    for key, mask in _MASKS.items():
        if isinstance(inputs.get(key), str):
            inputs[key] = mask(inputs[key])
    if isinstance(inputs.get("contact_phones"), str):
        inputs["contact_phones"] = ",".join(
            mask_phone(p) for p in inputs["contact_phones"].split(",")
        )
    return {**record, "inputs": inputs}


class StrategyDecisions:
    """Adapt a ``creditfactory.strategy.Decider`` to the :class:`DecisionStrategy` port.

    ``blacklist``: which kinds of the application's identifiers are listed (none wired: the
    blacklist rule never fires). ``applicant_key``: the keyed hash of a resident ID, the
    split key when none is given.
    """

    def __init__(self, decider: Decider, version: str, *, blacklist: Blacklist | None = None,
                 applicant_key: Callable[[str], str] | None = None) -> None:
        self._decider = decider
        self._version = version
        self._blacklist = blacklist
        self._applicant_key = applicant_key

    @property
    def version(self) -> str:
        return self._version

    def _split(self, application: Mapping[str, Any],
               split_key: str | int | None) -> tuple[int | None, str]:
        if split_key is not None:
            return split_number(split_key), "given"
        resident = application.get("resident_id")
        if self._applicant_key is not None and isinstance(resident, str) and resident:
            return split_number(self._applicant_key(resident)), "applicant"
        app_id = int(application.get("application_id") or 0)
        return (app_id, "application_id") if app_id else (None, "none")

    def decide(self, application: Mapping[str, Any], scores: Mapping[str, Any], *,
               split_key: str | int | None = None) -> Decision:
        """Decide; ``split_key`` chooses the arm when there is a challenger (see the module)."""
        hits: tuple[str, ...] = ()
        if self._blacklist is not None:
            hits = self._blacklist(application)
            application = {**application, "blacklisted": bool(hits)}
        key, basis = self._split(application, split_key)
        rec = self._decider.decide(application, scores, split_key=key)
        record = _mask_inputs(rec.to_plain())
        record["versions"] = {
            "strategy": f"{rec.strategy}@{rec.strategy_version}",
            "strategy_digest": rec.strategy_digest,
            **rec.model_versions,
        }
        routing = self._decider.routing
        record["split"] = {
            "arm": rec.arm,
            "strategy": f"{rec.strategy}@{rec.strategy_version}",
            "key": basis,
            "challenger_share": routing.share if routing and self._decider.challenger else 0.0,
        }
        record["blacklist_hits"] = list(hits)
        return Decision(
            tier=rec.tier,
            limit=rec.limit if rec.limit is not None else Decimal("0.00"),
            rate=rec.rate if rec.rate is not None else Decimal("0"),
            product=rec.product or "none",
            reasons=tuple(rec.reasons),
            score=platform_score(rec.scores.get("a_score"), rec.adjusted_pd),
            record=record,
        )
