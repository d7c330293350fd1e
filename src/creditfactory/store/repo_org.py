"""Repositories for the organisation: branches, channels and deposits, users, banks, strategies."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from creditfactory.store.reference import ReferenceCache
from creditfactory.store.tables import (
    branches,
    channels,
    deposit_movements,
    partner_banks,
    strategies,
    users,
)
from creditfactory.store.types import utcnow

_CHANNEL = sa.select(channels).where(channels.c.channel_id == sa.bindparam("c"))
_CHANNEL_LOCKED = _CHANNEL.with_for_update()
_ACTIVE_BANKS = (
    sa.select(partner_banks).where(partner_banks.c.active).order_by(partner_banks.c.code)
)


class ChannelRepository:
    """Branches, intermediaries and the deposits they post."""

    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def add_branch(self, code: str, city: str, name: str) -> None:
        self._c.execute(sa.insert(branches).values(code=code, city=city, name=name))

    def branch_codes(self) -> set[str]:
        return set(self._c.execute(sa.select(branches.c.code)).scalars())

    def add(self, **values: Any) -> None:
        self._c.execute(sa.insert(channels).values(**values))

    def add_many(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self._c.execute(sa.insert(channels), rows)

    def get(self, channel_id: str, *, for_update: bool = False) -> RowMapping | None:
        q = _CHANNEL_LOCKED if for_update else _CHANNEL
        return self._c.execute(q, {"c": channel_id}).mappings().first()

    def find(self, *, status: str | None, offset: int, limit: int) -> list[RowMapping]:
        q = sa.select(channels).order_by(channels.c.channel_id).offset(offset).limit(limit)
        if status:
            q = q.where(channels.c.status == status)
        return list(self._c.execute(q).mappings())

    def count(self) -> int:
        return int(self._c.execute(sa.select(sa.func.count()).select_from(channels)).scalar_one())

    def set_status(self, channel_id: str, status: str, reason: str | None) -> None:
        self._c.execute(
            sa.update(channels)
            .where(channels.c.channel_id == channel_id)
            .values(status=status, status_reason=reason)
        )

    def set_deposit(self, channel_id: str, balance: Decimal) -> None:
        self._c.execute(
            sa.update(channels).where(channels.c.channel_id == channel_id).values(deposit=balance)
        )

    def add_movement(self, **values: Any) -> int:
        return int(
            self._c.execute(
                sa.insert(deposit_movements).values(**values).returning(deposit_movements.c.id)
            ).scalar_one()
        )

    def movements(self, channel_id: str) -> list[RowMapping]:
        q = (
            sa.select(deposit_movements)
            .where(deposit_movements.c.channel_id == channel_id)
            .order_by(deposit_movements.c.id)
        )
        return list(self._c.execute(q).mappings())


class UserRepository:
    """Staff accounts with one role each (bank officers also carry their bank)."""

    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def add(self, username: str, password_hash: str, role: str, bank_code: str | None) -> int:
        q = sa.insert(users).values(
            username=username,
            password_hash=password_hash,
            role=role,
            bank_code=bank_code,
            active=True,
            created_at=utcnow(),
        )
        return int(self._c.execute(q.returning(users.c.id)).scalar_one())

    def by_name(self, username: str) -> RowMapping | None:
        return (
            self._c.execute(sa.select(users).where(users.c.username == username)).mappings().first()
        )

    def set_password(self, username: str, password_hash: str) -> None:
        self._c.execute(
            sa.update(users).where(users.c.username == username).values(password_hash=password_hash)
        )

    def all(self) -> list[RowMapping]:
        """Every account by name (without password hashes)."""
        q = sa.select(*(c for c in users.c if c.name != "password_hash")).order_by(users.c.username)
        return list(self._c.execute(q).mappings())

    def set_active(self, username: str, active: bool) -> None:
        self._c.execute(sa.update(users).where(users.c.username == username).values(active=active))

    def set_role(self, username: str, role: str, bank_code: str | None) -> None:
        self._c.execute(
            sa.update(users)
            .where(users.c.username == username)
            .values(role=role, bank_code=bank_code)
        )

    def set_language(self, username: str, language: str | None) -> None:
        self._c.execute(
            sa.update(users).where(users.c.username == username).values(language=language)
        )

    def active_admins(self) -> int:
        q = sa.select(sa.func.count()).where(users.c.role == "admin", users.c.active)
        return int(self._c.execute(q).scalar_one())


class BankRepository:
    """Partner banks with their policies (the quota used is kept with the submissions)."""

    def __init__(self, conn: Connection, reference: ReferenceCache) -> None:
        self._c = conn
        self._ref = reference

    def upsert(self, code: str, name: str, policy: dict[str, Any]) -> None:
        self._ref.clear()
        exists = self._c.execute(
            sa.select(partner_banks.c.code).where(partner_banks.c.code == code)
        ).first()
        if exists:
            self._c.execute(
                sa.update(partner_banks)
                .where(partner_banks.c.code == code)
                .values(name=name, policy=policy, active=True)
            )
        else:
            self._c.execute(
                sa.insert(partner_banks).values(code=code, name=name, policy=policy, active=True)
            )

    def active(self) -> list[RowMapping]:
        """Active banks by code (kept briefly: only setup changes them)."""
        return list(self._ref.get("active_banks", self._load_active))

    def _load_active(self) -> tuple[RowMapping, ...]:
        return tuple(self._c.execute(_ACTIVE_BANKS).mappings())

    def get(self, code: str) -> RowMapping | None:
        q = sa.select(partner_banks).where(partner_banks.c.code == code)
        return self._c.execute(q).mappings().first()


class StrategyRepository:
    """Registered strategies; exactly one is active."""

    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def register(self, name: str, version: str, location: str, meta: dict[str, Any]) -> None:
        self._c.execute(
            sa.delete(strategies).where(strategies.c.name == name, strategies.c.version == version)
        )
        self._c.execute(
            sa.insert(strategies).values(
                name=name,
                version=version,
                location=location,
                meta=meta,
                active=False,
                created_at=utcnow(),
            )
        )

    def activate(self, name: str, version: str) -> None:
        self._c.execute(sa.update(strategies).values(active=False))
        self._c.execute(
            sa.update(strategies)
            .where(strategies.c.name == name, strategies.c.version == version)
            .values(active=True)
        )

    def active(self) -> RowMapping | None:
        return self._c.execute(sa.select(strategies).where(strategies.c.active)).mappings().first()
