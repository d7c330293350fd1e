"""The wiring, in one place: the service context every entry point serves with.

It builds, once per process, the store's engine, the personal-data vault, the process and the
simulated partner banks, and the decision pipeline's ports: the active strategy (compiled from
the text kept in the store), the trained models (read back from their bundle in the store,
checked against the digest and versions the strategy registered) and the live fraud graph
(seeded with the models' history and caught up with every application the store keeps),
and the HTTP clients of the counterparts the platform fetches data from (the credit bureau at
``bureau_url``, the business registry at ``external_data_url`` or the bureau's server).
The API, the pages, the CLI, the benchmarks and the tests' fixtures all start here.

A server needs nothing but the database URL (and the identity key the models were trained
with); it refuses to start when the models are missing or damaged. A strategy registered
without models decides with no scores.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from creditfactory.adapters import HttpCreditBureau, HttpExternalData, RetryPolicy
from creditfactory.factory import BankPolicy, load_banks, load_process
from creditfactory.fraud.live import LiveFraud
from creditfactory.models import ModelBundleInvalid, TrainedModels, bundle_digest, load_models
from creditfactory.services.blacklists import StoreBlacklist
from creditfactory.services.channel_findings import start_channel_refresh
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import DecisionUnavailable
from creditfactory.services.fraud_graph import catch_up
from creditfactory.services.personal_sealing import seal_pending_personal
from creditfactory.services.ports import ChannelRescoring, DecisionStrategy, ModelScores
from creditfactory.services.strategy_setup import live_strategy
from creditfactory.settings import Settings
from creditfactory.store import PersonalDataVault, UnitOfWork, make_engine
from creditfactory.strategy import NoScores, parse_strategy

__all__ = ["DecisionPorts", "bootstrap", "load_decision_ports", "store_context",
           "with_counterparts", "with_decisions"]


@dataclass(frozen=True)
class DecisionPorts:
    """The active strategy and the models it decides with, as the service context holds them."""

    strategy: DecisionStrategy
    models: ModelScores
    fraud: LiveFraud | None
    packaging: ChannelRescoring | None


def store_context(settings: Settings,
                  banks: tuple[BankPolicy, ...] | None = None) -> ServiceContext:
    """The store, the vault, the process, the simulated partner banks (``banks``, default:
    the shipped ones) and the counterparts' clients, without decisions: for setup and user
    administration."""
    ctx = ServiceContext(make_engine(settings.db_url), PersonalDataVault(settings.secret_key),
                         process=load_process(),
                         simulated_banks=load_banks() if banks is None else banks)
    return with_counterparts(ctx, settings)


def with_counterparts(ctx: ServiceContext, settings: Settings) -> ServiceContext:
    """``ctx`` with HTTP clients of the bureau and the registry the settings name (none when
    ``bureau_url`` is unset: submissions then wait at bureau_pull)."""
    if not settings.bureau_url:
        return ctx
    policy = RetryPolicy(timeout=settings.fetch_timeout_ms / 1000,
                         budget=settings.fetch_budget_ms / 1000)
    return replace(ctx, bureau=HttpCreditBureau(settings.bureau_url, policy),
                   external=HttpExternalData(settings.external_data_url or settings.bureau_url,
                                             policy))


def bootstrap(settings: Settings, *, strategy: DecisionStrategy | None = None,
              catch_up_every: float = 0.0,
              banks: tuple[BankPolicy, ...] | None = None) -> ServiceContext:
    """The service context a process serves with.

    ``strategy`` (a test's fake) replaces the stored strategy and its models; otherwise see
    :func:`with_decisions`, which ``catch_up_every`` is passed to. ``banks``: the partner banks
    the simulator answers for (default: the shipped ones).
    """
    ctx = store_context(settings, banks)
    if strategy is not None:
        return replace(ctx, strategy=strategy)
    return with_decisions(ctx, settings.identity_key, catch_up_every=catch_up_every)


def with_decisions(ctx: ServiceContext, key: bytes, *,
                   catch_up_every: float = 0.0) -> ServiceContext:
    """``ctx`` with the active strategy and its stored models, the live fraud graph caught up
    with every application the store keeps and the channel packaging scores refreshed with the
    store's findings in the background.

    ``catch_up_every`` (seconds): a score reads what other processes kept once per interval
    rather than before every score (they reach this graph at most this late).
    """
    seal_pending_personal(ctx)
    with ctx.uow(write=False) as uow:
        blacklist = StoreBlacklist(ctx.engine, ctx.vault, refresh_every=catch_up_every)
        ports = load_decision_ports(uow, key, ctx.vault, blacklist)
    wired = replace(ctx, strategy=ports.strategy, models=ports.models, fraud=ports.fraud,
                    packaging=ports.packaging)
    if ports.fraud is not None:
        ports.fraud.ensure_seeded()
        catch_up(wired)
        ports.fraud.catch_up_every = catch_up_every
    start_channel_refresh(wired)
    return wired


def load_decision_ports(uow: UnitOfWork, key: bytes, vault: PersonalDataVault | None = None,
                        blacklist: StoreBlacklist | None = None) -> DecisionPorts:
    """The active strategy (with its challenger, if set) and its stored models (``key``: the
    identity key, from settings); ``vault`` keys the champion/challenger split by applicant,
    ``blacklist`` is what the strategy's blacklist rule reads."""
    row = uow.strategies.active()
    if row is None:
        raise DecisionUnavailable("no strategy is active: run `creditfactory setup`")
    compiled = parse_strategy(row["meta"]["text"], source=row["location"])
    registered = row["meta"].get("models") or {}
    trained = _stored_models(uow, registered, key) if registered else None
    models: ModelScores = NoScores() if trained is None else trained
    applicant_key = None if vault is None else (lambda r: vault.hash(r, "resident_id"))
    strategy = live_strategy(row["meta"], compiled, models.versions(), blacklist=blacklist,
                             applicant_key=applicant_key)
    if trained is None:
        return DecisionPorts(strategy, models, None, None)
    fraud = trained.fraud_model.live(key) if trained.fraud_model is not None else None
    return DecisionPorts(strategy, models, fraud, trained)


def _stored_models(uow: UnitOfWork, registered: dict[str, Any], key: bytes) -> TrainedModels:
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
        models = load_models(data, key)
    except ModelBundleInvalid as exc:
        raise DecisionUnavailable(
            f"model bundle {name}@{digest[:12]} cannot be read: {exc}"
        ) from exc
    if models.versions() != registered.get("versions"):
        raise DecisionUnavailable(
            f"stored models {models.versions()} differ from the registered {registered.get('versions')}"
        )
    return models
