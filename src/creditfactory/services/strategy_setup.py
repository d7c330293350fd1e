"""Registering the strategy at setup and building the live decision port at start-up.

The strategy text and its trained models are kept in the store, so a server needs nothing but
the database URL (and the identity key the models were trained with). Setup writes the models
as one bundle (``creditfactory.models.bundle``) into the store and registers its digest
and model versions with the strategy; the server reads the bundle back, checks its digest and
versions, and refuses to start when it is missing or damaged. A strategy registered without
models decides with no scores.
"""

from __future__ import annotations

from typing import Any

from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import DecisionUnavailable
from creditfactory.services.ports import DecisionService
from creditfactory.services.strategy_port import StrategyDecisions
from creditfactory.store import UnitOfWork

__all__ = ["register_default_strategy", "store_models", "train_models", "load_decision_service",
           "start_decisions"]


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
    from creditfactory.models.training import train_lending_models

    return train_lending_models(world)


def store_models(uow: UnitOfWork, models: Any, actor: str) -> dict[str, Any]:
    """Keep trained models in the store as a bundle; what the strategy registers about them."""
    from creditfactory.models.bundle import BUNDLE_NAME, bundle_digest, dump_models

    data = dump_models(models)
    digest = bundle_digest(data)
    uow.models.put(BUNDLE_NAME, digest, data, actor)
    return {
        "bundle": BUNDLE_NAME,
        "digest": digest,
        "size": len(data),
        "versions": models.versions(),
    }


def _stored_models(uow: UnitOfWork, registered: dict[str, Any]) -> Any:
    from creditfactory.models.bundle import ModelBundleInvalid, bundle_digest, load_models

    name, digest = registered.get("bundle"), registered.get("digest")
    if not name or not digest:
        raise DecisionUnavailable(
            "the active strategy registers no model bundle: re-run `creditfactory setup`"
        )
    data = uow.models.get(name, digest)
    if data is None:
        raise DecisionUnavailable(
            f"model bundle {name}@{digest[:12]} is missing from the store: "
            "re-run `creditfactory setup`"
        )
    if bundle_digest(data) != digest:
        raise DecisionUnavailable(
            f"model bundle {name}@{digest[:12]} is corrupt (its digest does not match): "
            "re-run `creditfactory setup`"
        )
    try:
        models = load_models(data)
    except ModelBundleInvalid as exc:
        raise DecisionUnavailable(
            f"model bundle {name}@{digest[:12]} cannot be read: {exc}"
        ) from exc
    if models.versions() != registered.get("versions"):
        raise DecisionUnavailable(
            f"stored models {models.versions()} differ from the registered {registered.get('versions')}"
        )
    return models


def _provider(uow: UnitOfWork, registered: dict[str, Any]) -> Any:
    if not registered:
        from creditfactory.strategy import NoScores

        return NoScores()
    models = _stored_models(uow, registered)
    models.prepare_live()
    return models


def load_decision_service(uow: UnitOfWork) -> DecisionService:
    """The decision port for the active strategy and its stored models."""
    row = uow.strategies.active()
    if row is None:
        raise DecisionUnavailable("no strategy is active: run `creditfactory setup`")
    from creditfactory.strategy import Decider, StrategyRegistry, parse_strategy

    compiled = parse_strategy(row["meta"]["text"], source=row["location"])
    registry = StrategyRegistry()
    registry.release(compiled)
    decider = Decider(
        registry, _provider(uow, row["meta"].get("models") or {}), champion=compiled.name
    )
    return StrategyDecisions(decider, f"{compiled.name}@{compiled.version}")


def start_decisions(ctx: ServiceContext) -> DecisionService:
    """The decision port a process serves with: the active strategy and its stored models,
    with the live fraud graph caught up with every application the store keeps and the
    channel packaging scores refreshed with the store's findings in the background."""
    from creditfactory.services.channel_findings import start_channel_refresh
    from creditfactory.services.fraud_graph import attach_store_source

    with ctx.uow(write=False) as uow:
        decider = load_decision_service(uow)
    attach_store_source(decider, ctx)
    start_channel_refresh(decider, ctx)
    return decider
