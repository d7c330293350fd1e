"""Replay a recorded decision with the strategy version and scores it recorded."""

from __future__ import annotations

from dataclasses import fields

from creditfactory.strategy.decide_one import decide_one
from creditfactory.strategy.errors import ReplayMismatch
from creditfactory.strategy.record import DecisionRecord
from creditfactory.strategy.registry import StrategyRegistry


def replay(record: DecisionRecord, registry: StrategyRegistry) -> DecisionRecord:
    """Decide again from the record alone; raise ``ReplayMismatch`` naming any field that differs."""
    strategy = registry.by_digest(record.strategy_digest)
    again = decide_one(
        strategy, record.inputs, record.scores, arm=record.arm, model_versions=record.model_versions
    )
    differ = [f.name for f in fields(record) if f.compare and getattr(record, f.name) != getattr(again, f.name)]
    if differ:
        raise ReplayMismatch(f"decision {record.application_id} replays differently in: {', '.join(differ)}")
    return again
