"""Registering the strategy and its trained models at setup.

The strategy text and its trained models are kept in the store, so a server needs nothing but
the database URL (and the identity key the models were trained with). Setup writes the models
as one bundle (``creditfactory.models.bundle``) into the store and registers its digest
and model versions with the strategy; ``services/bootstrap.py`` reads them back at start-up.
"""

from __future__ import annotations

from typing import Any

from creditfactory.errors import InvalidArgument
from creditfactory.store import UnitOfWork

__all__ = ["register_default_strategy", "store_models", "train_models"]


def register_default_strategy(uow: UnitOfWork, models: dict[str, Any] | None = None) -> str:
    """Register the shipped ``default`` strategy (with its models) and make it the active one."""
    from creditfactory.strategy import load_strategy
    from creditfactory.strategy.loader import shipped_text

    compiled = load_strategy("default")
    meta = {"text": shipped_text("default"), "digest": compiled.digest, "models": models or {}}
    uow.strategies.register(compiled.name, compiled.version, "shipped:default", meta)
    uow.strategies.activate(compiled.name, compiled.version)
    return f"{compiled.name}@{compiled.version}"


def train_models(world: Any, key: bytes | None) -> Any:
    """Train the strategy's models on ``world`` (``key``: the identity key, from settings)."""
    if key is None:
        raise InvalidArgument("training the models needs the identity key (Settings.identity_key)")
    from creditfactory.models.training import train_lending_models

    return train_lending_models(world, key=key)


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
