"""Registering the strategy, its trained models and its challenger at setup.

The strategy text and its trained models are kept in the store, so a server needs nothing but
the database URL (and the identity key the models were trained with). Setup writes the models
as one bundle (``creditfactory.models.bundle``) into the store and registers its digest
and model versions with the strategy; ``services/bootstrap.py`` reads them back at start-up.

Champion/challenger is part of the active strategy's setting: :func:`set_challenger` keeps the
challenger's text, its share of applications and the split's salt in the active row, and
:func:`live_strategy` builds the decider that splits applications between the two arms.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from creditfactory.errors import InvalidArgument
from creditfactory.services.blacklists import seed_entries
from creditfactory.services.errors import DecisionUnavailable
from creditfactory.services.strategy_port import Blacklist, StrategyDecisions
from creditfactory.store import PersonalDataVault, UnitOfWork
from creditfactory.strategy import (
    ChampionChallenger,
    CompiledStrategy,
    Decider,
    StrategyRegistry,
    parse_strategy,
)

__all__ = ["calibrated_default", "clear_challenger", "live_strategy", "register_default_strategy",
           "set_challenger", "store_models", "train_models"]

CHALLENGER = "challenger"
"""The key of the active strategy's setting that holds its challenger."""


def calibrated_default(data: Any, models: Any) -> str:
    """The shipped ``default`` strategy's text with the cut-off and limits its appetite chooses
    on ``data``'s development window with ``models``, exactly as the back-test chooses them."""
    from creditfactory.strategy import load_strategy
    from creditfactory.strategy.appetite import calibrate, needs_calibration
    from creditfactory.strategy.backtest_run import judged_from

    strategy = load_strategy("default")
    if models is None or not needs_calibration(strategy):
        return strategy.source_text
    as_of = judged_from(data.applications, 12, models.versions())
    return calibrate(strategy, data, models, train_months=12, as_of=as_of).source_text


def register_default_strategy(uow: UnitOfWork, models: dict[str, Any] | None = None,
                              vault: PersonalDataVault | None = None, text: str | None = None) -> str:
    """Register the shipped ``default`` strategy (with its models; ``text``: its calibrated
    text, see :func:`calibrated_default`) and make it the active one.

    A challenger set on the strategy active before is kept. With ``vault``, the shipped
    blacklist entries (``services.blacklists.SHIPPED``) are added when not already listed.
    """
    from creditfactory.strategy.loader import shipped_text

    text = text or shipped_text("default")
    compiled = parse_strategy(text, source="default.yaml")
    meta: dict[str, Any] = {"text": text, "digest": compiled.digest,
                            "models": models or {}}
    before = uow.strategies.active()
    kept = None if before is None else before["meta"].get(CHALLENGER)
    if kept and (kept["name"], kept["version"]) != (compiled.name, compiled.version):
        meta[CHALLENGER] = kept
    uow.strategies.register(compiled.name, compiled.version, "shipped:default", meta)
    uow.strategies.activate(compiled.name, compiled.version)
    if vault is not None:
        seed_entries(uow, vault)
    return f"{compiled.name}@{compiled.version}"


def _active(uow: UnitOfWork) -> Any:
    row = uow.strategies.active()
    if row is None:
        raise DecisionUnavailable("no strategy is active: run `creditfactory setup`")
    return row


def _rewrite_active(uow: UnitOfWork, row: Any, meta: dict[str, Any]) -> None:
    uow.strategies.register(row["name"], row["version"], row["location"], meta)
    uow.strategies.activate(row["name"], row["version"])


def set_challenger(uow: UnitOfWork, actor: str, text: str, location: str, share: float,
                   salt: str = "cc-1") -> str:
    """Make the strategy in ``text`` the active strategy's challenger, deciding ``share`` of the
    applications (a stable split on ``salt``); its ``name@version``. Servers read it at start."""
    if not 0 < share < 1:
        raise InvalidArgument(f"share: the challenger's share must be between 0 and 1, not {share}")
    compiled = parse_strategy(text, source=location)
    row = _active(uow)
    if (compiled.name, compiled.version) == (row["name"], row["version"]):
        raise InvalidArgument(f"the challenger must differ from the champion "
                              f"{row['name']}@{row['version']} in name or version")
    uow.strategies.register(compiled.name, compiled.version, location,
                            {"text": text, "digest": compiled.digest, "role": CHALLENGER})
    setting = {"name": compiled.name, "version": compiled.version, "location": location,
               "text": text, "digest": compiled.digest, "share": share, "salt": salt}
    _rewrite_active(uow, row, {**row["meta"], CHALLENGER: setting})
    uow.audit.append(actor, "strategy.challenger", "strategy", f"{row['name']}@{row['version']}",
                     detail={"challenger": f"{compiled.name}@{compiled.version}",
                             "digest": compiled.digest, "share": share, "salt": salt})
    return f"{compiled.name}@{compiled.version}"


def clear_challenger(uow: UnitOfWork, actor: str) -> None:
    """End the experiment: the champion decides every application (from the next start)."""
    row = _active(uow)
    meta = {k: v for k, v in row["meta"].items() if k != CHALLENGER}
    _rewrite_active(uow, row, meta)
    uow.audit.append(actor, "strategy.challenger_cleared", "strategy",
                     f"{row['name']}@{row['version']}", detail={})


def live_strategy(setting: Mapping[str, Any], champion: CompiledStrategy,
                  model_versions: Mapping[str, str], *, blacklist: Blacklist | None = None,
                  applicant_key: Callable[[str], str] | None = None) -> StrategyDecisions:
    """The strategy port of the active ``setting`` (its stored ``meta``): ``champion`` alone, or
    with the challenger it names taking its share of applications."""
    registry = StrategyRegistry()
    registry.release(champion, as_name="champion")
    chosen = setting.get(CHALLENGER)
    routing = None
    if chosen:
        registry.release(parse_strategy(chosen["text"], source=chosen["location"]),
                         as_name=CHALLENGER)
        routing = ChampionChallenger(share=float(chosen["share"]), salt=str(chosen["salt"]))
    decider = Decider(registry, champion="champion", challenger=CHALLENGER if chosen else None,
                      routing=routing, model_versions=model_versions)
    return StrategyDecisions(decider, f"{champion.name}@{champion.version}",
                             blacklist=blacklist, applicant_key=applicant_key)


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
