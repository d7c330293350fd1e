"""Channel management: intermediaries' status (suspend, reactivate) and their deposits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import ChannelNotFound, InvalidInput, RoleNotAllowed
from creditfactory.services.ports import Actor
from creditfactory.store.types import utcnow

MANAGERS = ("channel_manager", "admin")
READERS = (*MANAGERS, "risk_analyst")
MOVEMENTS = {"post": 1, "top_up": 1, "refund": -1, "deduct": -1}

__all__ = [
    "list_channels",
    "get_channel",
    "set_channel_status",
    "move_deposit",
    "deposit_movements",
]


def _allow(actor: Actor, roles: tuple[str, ...]) -> None:
    if actor.role not in roles:
        raise RoleNotAllowed(f"needs one of the roles {', '.join(roles)}")


def channel_view(row: Any) -> dict[str, Any]:
    """A channel as the API shows it."""
    return {
        k: row[k]
        for k in (
            "channel_id",
            "channel_type",
            "branch",
            "city",
            "status",
            "status_reason",
            "deposit",
            "onboarded_at",
        )
    }


def list_channels(
    ctx: ServiceContext, actor: Actor, status: str | None, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    _allow(actor, READERS)
    with ctx.uow(write=False) as uow:
        rows = uow.channels.find(status=status, offset=offset, limit=limit)
        return [channel_view(r) for r in rows], uow.channels.count()


def get_channel(ctx: ServiceContext, actor: Actor, channel_id: str) -> dict[str, Any]:
    _allow(actor, READERS)
    with ctx.uow(write=False) as uow:
        row = uow.channels.get(channel_id)
    if row is None:
        raise ChannelNotFound(f"no channel {channel_id!r}")
    return channel_view(row)


def set_channel_status(
    ctx: ServiceContext, actor: Actor, channel_id: str, status: str, reason: str
) -> dict[str, Any]:
    """Suspend or reactivate a channel; a suspended channel's referrals are refused."""
    _allow(actor, MANAGERS)
    with ctx.uow() as uow:
        row = uow.channels.get(channel_id, for_update=True)
        if row is None:
            raise ChannelNotFound(f"no channel {channel_id!r}")
        uow.channels.set_status(channel_id, status, reason)
        uow.audit.append(
            actor.username,
            f"channel.{status}",
            "channel",
            channel_id,
            detail={"reason": reason, "was": row["status"]},
        )
        view = channel_view(uow.channels.get(channel_id))
        uow.commit()
        return view


def move_deposit(
    ctx: ServiceContext, actor: Actor, channel_id: str, kind: str, amount: Decimal, reason: str
) -> dict[str, Any]:
    """Post, top up, refund or deduct from a channel's deposit; it may not go below zero."""
    _allow(actor, MANAGERS)
    if kind not in MOVEMENTS:
        raise InvalidInput([("kind", f"must be one of {sorted(MOVEMENTS)}")])
    if amount <= 0:
        raise InvalidInput([("amount", "must be positive")])
    now = utcnow()
    with ctx.uow() as uow:
        row = uow.channels.get(channel_id, for_update=True)
        if row is None:
            raise ChannelNotFound(f"no channel {channel_id!r}")
        balance = row["deposit"] + MOVEMENTS[kind] * amount
        if balance < 0:
            raise InvalidInput([("amount", f"the deposit holds only {row['deposit']}")])
        uow.channels.set_deposit(channel_id, balance)
        mid = uow.channels.add_movement(
            channel_id=channel_id,
            kind=kind,
            amount=amount,
            balance_after=balance,
            reason=reason,
            created_by=actor.username,
            created_at=now,
        )
        uow.audit.append(
            actor.username,
            "channel.deposit",
            "channel",
            channel_id,
            detail={"kind": kind, "amount": str(amount), "balance": str(balance)},
            at=now,
        )
        uow.commit()
    return {
        "movement_id": mid,
        "channel_id": channel_id,
        "kind": kind,
        "amount": amount,
        "balance_after": balance,
        "reason": reason,
        "created_at": now,
    }


def deposit_movements(ctx: ServiceContext, actor: Actor, channel_id: str) -> list[dict[str, Any]]:
    _allow(actor, READERS)
    with ctx.uow(write=False) as uow:
        if uow.channels.get(channel_id) is None:
            raise ChannelNotFound(f"no channel {channel_id!r}")
        return [
            {
                "movement_id": r["id"],
                "channel_id": r["channel_id"],
                "kind": r["kind"],
                "amount": r["amount"],
                "balance_after": r["balance_after"],
                "reason": r["reason"],
                "created_at": r["created_at"],
            }
            for r in uow.channels.movements(channel_id)
        ]
