"""The strategy port backed by ``creditfactory.strategy``: the compiled strategy's decider.

The strategy's record keeps the inputs it read; personal values among them are masked before
the record is stored. The platform score banks see is the A-card score when there is one, else
the strategy's adjusted PD on the same scale (600 points at 50:1 good:bad, 20 points to double).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from creditfactory.domain.identity import mask_bank_card, mask_phone, mask_resident_id
from creditfactory.services.ports import Decision
from creditfactory.strategy import Decider

__all__ = ["StrategyDecisions", "platform_score"]

_MASKS = {"resident_id": mask_resident_id, "phone": mask_phone, "bank_card": mask_bank_card}
_FACTOR = 20 / math.log(2)


def platform_score(a_score: Any, adjusted_pd: Any) -> float | None:
    """The score shown to banks (higher is safer)."""
    if a_score is not None and a_score == a_score:
        return round(float(a_score), 1)
    if adjusted_pd is None or adjusted_pd != adjusted_pd or not 0 < adjusted_pd < 1:
        return None
    return round(600 + _FACTOR * math.log((1 - adjusted_pd) / adjusted_pd / 50), 1)


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
    """Adapt a ``creditfactory.strategy.Decider`` to the :class:`DecisionStrategy` port."""

    def __init__(self, decider: Decider, version: str) -> None:
        self._decider = decider
        self._version = version

    @property
    def version(self) -> str:
        return self._version

    def decide(self, application: Mapping[str, Any], scores: Mapping[str, Any]) -> Decision:
        rec = self._decider.decide(application, scores)
        record = _mask_inputs(rec.to_plain())
        record["versions"] = {
            "strategy": f"{rec.strategy}@{rec.strategy_version}",
            "strategy_digest": rec.strategy_digest,
            **rec.model_versions,
        }
        return Decision(
            tier=rec.tier,
            limit=rec.limit if rec.limit is not None else Decimal("0.00"),
            rate=rec.rate if rec.rate is not None else Decimal("0"),
            product=rec.product or "none",
            reasons=tuple(rec.reasons),
            score=platform_score(rec.scores.get("a_score"), rec.adjusted_pd),
            record=record,
        )
