"""The decision record: everything needed to audit a decision and to replay it exactly."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

DECISION_COLUMNS: tuple[str, ...] = (
    "application_id",
    "decision",
    "tier",
    "reasons",
    "policy_hits",
    "segment",
    "grade",
    "disagreement",
    "fraud_band",
    "product",
    "term_months",
    "rate",
    "limit",
)


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """One decision with its inputs, every engine's output, versions and timings."""

    application_id: int
    strategy: str
    strategy_version: str
    strategy_digest: str
    arm: str
    decision: str
    tier: str
    reasons: tuple[str, ...]
    policy_hits: tuple[str, ...]
    segment: str | None
    grade: str | None
    adjusted_pd: float | None
    disagreement: bool | None
    fraud_band: str | None
    fraud_rules: tuple[str, ...]
    product: str | None
    term_months: int | None
    rate: Decimal | None
    rate_parts: dict[str, str] | None
    limit: Decimal | None
    limit_parts: dict[str, str] | None
    inputs: dict[str, Any]
    scores: dict[str, Any]
    model_versions: dict[str, str]
    timings_ns: dict[str, int] = field(compare=False)

    def outcome(self) -> dict[str, Any]:
        """The decision fields shared with the batch evaluator's frame (reasons joined by ';')."""
        return {
            "application_id": self.application_id,
            "decision": self.decision,
            "tier": self.tier,
            "reasons": ";".join(self.reasons),
            "policy_hits": ";".join(self.policy_hits),
            "segment": self.segment,
            "grade": self.grade,
            "disagreement": self.disagreement,
            "fraud_band": self.fraud_band,
            "product": self.product,
            "term_months": self.term_months,
            "rate": self.rate,
            "limit": self.limit,
        }

    def to_json(self) -> str:
        """JSON that ``from_json`` turns back into an equal record (Decimals and floats exact)."""
        return json.dumps(self.to_plain(), sort_keys=True, ensure_ascii=False)

    def to_plain(self) -> dict[str, Any]:
        """What ``json.loads(record.to_json())`` gives, without writing and parsing the text.

        A decision is stored as this document (the store's JSON column serialises it once).
        """
        out = {name: _plain(getattr(self, name)) for name in _FIELD_NAMES}
        return {key: out[key] for key in sorted(out)}

    @classmethod
    def from_json(cls, text: str) -> DecisionRecord:
        raw = json.loads(text, object_hook=_untag)
        for key in ("reasons", "policy_hits", "fraud_rules"):
            raw[key] = tuple(raw[key])
        return cls(**raw)


def _tag(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, float) and value != value:
        return {"$float": "nan"}
    if isinstance(value, dict):
        return {k: _tag(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_tag(v) for v in value]
    if hasattr(value, "isoformat"):
        return {"$time": value.isoformat()}
    if hasattr(value, "item"):
        return value.item()
    return value


_FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(DecisionRecord))
_SCALARS = frozenset((str, int, bool, type(None)))


def _plain(value: Any) -> Any:
    """``json.loads(json.dumps(_tag(value), sort_keys=True))`` for the types a record holds."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is float:
        return value if value == value else {"$float": "nan"}
    if kind is Decimal:
        return {"$decimal": str(value)}
    if kind is dict and all(type(k) is str for k in value):
        return {k: _plain(value[k]) for k in sorted(value)}
    if kind is list or kind is tuple:
        return [_plain(v) for v in value]
    return json.loads(json.dumps(_tag(value), sort_keys=True, ensure_ascii=False))


def _untag(obj: dict[str, Any]) -> Any:
    if obj.keys() == {"$decimal"}:
        return Decimal(obj["$decimal"])
    if obj.keys() == {"$float"}:
        return float(obj["$float"])
    if obj.keys() == {"$time"}:
        import pandas as pd

        return pd.Timestamp(obj["$time"])
    return obj
