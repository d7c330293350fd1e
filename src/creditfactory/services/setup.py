"""``setup``: schema, reference data (branches, channels, partner banks), the strategy with its
trained models, first admin."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from creditfactory.data import LendingData
from creditfactory.domain.money import to_money
from creditfactory.factory import load_banks
from creditfactory.services.context import ServiceContext
from creditfactory.services.personal_sealing import seal_pending_personal
from creditfactory.services.ports import SYSTEM
from creditfactory.services.strategy_setup import (
    calibrated_default,
    register_default_strategy,
    store_models,
    train_models,
)
from creditfactory.services.users import add_user, check_account, set_password
from creditfactory.store import upgrade_head
from creditfactory.store.types import utcnow

__all__ = ["SetupReport", "setup_service"]


@dataclass(frozen=True)
class SetupReport:
    """What setup did."""

    revision: str
    channels_added: int
    banks: int
    strategy: str
    admin_created: bool


def _seed_channels(ctx: ServiceContext, channels: Any) -> int:
    with ctx.uow() as uow:
        known = uow.channels.branch_codes()
        for branch, city in channels[["branch", "city"]].drop_duplicates().itertuples(index=False):
            if branch not in known:
                uow.channels.add_branch(branch, city, f"{city} branch {branch}")
        rows = []
        for r in channels.itertuples(index=False):
            if uow.channels.get(r.channel_id) is None:
                rows.append(
                    {
                        "channel_id": r.channel_id,
                        "channel_type": r.channel_type,
                        "branch": r.branch,
                        "city": r.city,
                        "status": "active",
                        "deposit": to_money(Decimal(str(r.deposit))),
                        "onboarded_at": r.onboarded_at.to_pydatetime(),
                    }
                )
        uow.channels.add_many(rows)
        uow.audit.append(
            "system", "setup.channels", "setup", "channels", detail={"added": len(rows)}
        )
        uow.commit()
    return len(rows)


def setup_service(
    ctx: ServiceContext,
    url: str,
    admin_password: str,
    data: LendingData,
    *,
    train: bool = True,
    models: Any = None,
    identity_key: bytes | None = None,
) -> SetupReport:
    """Bring a database from empty (or any earlier state) to ready-to-serve; safe to re-run.

    ``data`` gives the channels and the history the models learn from; ``train=False`` registers the strategy without models (it then decides without scores);
    ``models`` (already trained on that world) saves training them again; ``identity_key``
    (``Settings.identity_key``) hashes the fraud history of models trained here. The trained
    models are kept in the store, where the server reads them.
    """
    # Inputs first, then the long training, and only then the database: a bad password or
    # a failed training leaves the store as it was.
    check_account("admin", admin_password, "admin")
    if train and models is None:
        models = train_models(data, identity_key)
    text = calibrated_default(data, models) if train else None
    revision = upgrade_head(url, ctx.engine)
    seal_pending_personal(ctx)
    added = _seed_channels(ctx, data.channels)
    with ctx.uow() as uow:
        for bank in load_banks():
            uow.banks.upsert(bank.code, bank.name, bank.as_json())
        registered = store_models(uow, models, "system") if train else None
        strategy = register_default_strategy(uow, registered, ctx.vault, text=text)
        uow.audit.append(
            "system",
            "setup.strategy",
            "strategy",
            strategy,
            at=utcnow(),
            detail={"model_bundle": registered["digest"] if registered else None},
        )
        has_admin = uow.users.by_name("admin") is not None
        uow.commit()
    if has_admin:
        set_password(ctx, SYSTEM, "admin", admin_password)
    else:
        add_user(ctx, SYSTEM, "admin", admin_password, "admin")
    return SetupReport(revision, added, len(load_banks()), strategy, not has_admin)
