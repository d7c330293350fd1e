"""Registering the strategy at setup and building the live decision port at start-up.

The strategy text (and, when trained, the model files as JSON) is kept in the store, so a
server needs nothing but the database URL. Until trained models exist the strategy decides
with no scores (every score missing), which its own file turns into a conservative tier.
"""

from __future__ import annotations

from typing import Any

from creditfactory.services.errors import DecisionUnavailable
from creditfactory.services.ports import DecisionService
from creditfactory.services.strategy_port import StrategyDecisions
from creditfactory.store import UnitOfWork

__all__ = ["register_default_strategy", "load_decision_service"]


def register_default_strategy(uow: UnitOfWork, models: dict[str, Any] | None = None) -> str:
    """Register the shipped ``default`` strategy (with its models) and make it the active one."""
    from creditfactory.strategy import load_strategy
    from creditfactory.strategy.loader import shipped_text

    compiled = load_strategy("default")
    meta = {"text": shipped_text("default"), "digest": compiled.digest, "models": models or {}}
    uow.strategies.register(compiled.name, compiled.version, "shipped:default", meta)
    uow.strategies.activate(compiled.name, compiled.version)
    return f"{compiled.name}@{compiled.version}"


def _provider(models: dict[str, Any]) -> Any:
    if models:
        from creditfactory.strategy import model_scores  # type: ignore[attr-defined]

        return model_scores.from_json(models)
    from creditfactory.strategy import NoScores

    return NoScores()


def load_decision_service(uow: UnitOfWork) -> DecisionService:
    """The decision port for the active strategy in the store."""
    row = uow.strategies.active()
    if row is None:
        raise DecisionUnavailable("no strategy is active: run `creditfactory setup`")
    from creditfactory.strategy import Decider, StrategyRegistry, parse_strategy

    compiled = parse_strategy(row["meta"]["text"], source=row["location"])
    registry = StrategyRegistry()
    registry.release(compiled)
    decider = Decider(registry, _provider(row["meta"].get("models") or {}), champion=compiled.name)
    return StrategyDecisions(decider, f"{compiled.name}@{compiled.version}")
