"""Registering the strategy at setup and building the live decision port at start-up.

The strategy text is kept in the store, so a server needs nothing but the database URL. The
models (``creditfactory.strategy.model_scores``) have no file format yet, so what is registered
is their training recipe — the world (directory, or the built-in parameters) and the trainer —
plus the versions setup obtained; the server retrains deterministically at start and refuses
to start if the versions differ. Without a recipe the strategy decides with no scores.
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


def train_models(world: Any) -> Any:
    """Train the strategy's models on ``world``."""
    from creditfactory.strategy.model_scores import train_world_models

    return train_world_models(world)


def models_recipe(
    world_dir: str | None, builtin: dict[str, int], versions: dict[str, str]
) -> dict[str, Any]:
    """What setup registers about the models: how to rebuild them and what they must be."""
    return {
        "trainer": "creditfactory.strategy.model_scores.train_world_models",
        "world_dir": world_dir,
        "builtin_world": builtin,
        "versions": versions,
    }


def _provider(models: dict[str, Any], trained: Any = None) -> Any:
    if not models:
        from creditfactory.strategy import NoScores

        return NoScores()
    if trained is None:
        from creditfactory.world import generate, load

        world = (
            load(models["world_dir"], money="float")
            if models["world_dir"]
            else generate(**models["builtin_world"])
        )
        trained = train_models(world)
    if trained.versions() != models["versions"]:
        raise DecisionUnavailable(
            f"retrained models {trained.versions()} differ from the registered {models['versions']}"
        )
    trained.prepare_live()
    return trained


def load_decision_service(uow: UnitOfWork, trained: Any = None) -> DecisionService:
    """The decision port for the active strategy in the store.

    ``trained`` models stand in for retraining from the registered recipe; their versions must
    still match the registered ones.
    """
    row = uow.strategies.active()
    if row is None:
        raise DecisionUnavailable("no strategy is active: run `creditfactory setup`")
    from creditfactory.strategy import Decider, StrategyRegistry, parse_strategy

    compiled = parse_strategy(row["meta"]["text"], source=row["location"])
    registry = StrategyRegistry()
    registry.release(compiled)
    decider = Decider(registry, _provider(row["meta"].get("models") or {}, trained), champion=compiled.name)
    return StrategyDecisions(decider, f"{compiled.name}@{compiled.version}")
