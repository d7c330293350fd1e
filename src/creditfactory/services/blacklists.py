"""Blacklists as managed data: risk analysts add and remove entries, the decision matches them.

An entry's value is never kept: only its keyed hash (the vault's, under the application field
the kind is read from) and its masked form. Every change is audited with the masked form.
The live decision asks :class:`StoreBlacklist` which kinds of an application's identifiers are
on the list; the strategy's blacklist rule reads the answer as the ``blacklisted`` field.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from creditfactory.domain.blacklist import KINDS, identifiers, normalise
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import (
    AlreadyBlacklisted,
    BlacklistEntryNotFound,
    InvalidInput,
    RoleNotAllowed,
)
from creditfactory.services.ports import SYSTEM, Actor
from creditfactory.store import PersonalDataVault, UnitOfWork
from creditfactory.store.types import utcnow

__all__ = [
    "MANAGERS",
    "READERS",
    "SHIPPED",
    "StoreBlacklist",
    "add_entry",
    "list_entries",
    "remove_entry",
    "seed_entries",
]

MANAGERS = ("risk_analyst",)
READERS = (*MANAGERS, "admin")
SHIPPED = (
    ("phone", "13800000000", "on the internal blacklist of the shipped strategy"),
    ("phone", "13900000000", "on the internal blacklist of the shipped strategy"),
)
"""The entries ``creditfactory setup`` starts the list with (the shipped strategy's list)."""


def _allow(actor: Actor, roles: tuple[str, ...]) -> None:
    if actor.role not in roles:
        raise RoleNotAllowed(f"needs one of the roles {', '.join(roles)}")


def entry_view(row: Any) -> dict[str, Any]:
    """An entry as the API and the pages show it (the masked value only)."""
    out = {k: row[k] for k in ("id", "kind", "value_masked", "reason", "added_by", "added_at",
                               "removed_by", "removed_at", "removal_reason")}
    out["live"] = row["removed_at"] is None
    return out


def _sealed(vault: PersonalDataVault, kind: str, value: str) -> tuple[str, str]:
    """(keyed hash, masked form) of a checked value; ``InvalidInput`` naming the field."""
    if kind not in KINDS:
        raise InvalidInput([("kind", f"one of {', '.join(KINDS)}")])
    clean = normalise(kind, value)
    if clean is None:
        raise InvalidInput([("value", f"not {KINDS[kind].describe}")])
    spec = KINDS[kind]
    return vault.hash(clean, spec.field), spec.mask(clean)


def _add(uow: UnitOfWork, vault: PersonalDataVault, actor: Actor, kind: str, value: str,
         reason: str, at: datetime) -> dict[str, Any]:
    value_hash, masked = _sealed(vault, kind, value)
    if uow.blacklists.live(kind, value_hash) is not None:
        raise AlreadyBlacklisted(f"this {kind} is already on the blacklist")
    entry_id = uow.blacklists.add(kind=kind, value_hash=value_hash, value_masked=masked,
                                  reason=reason, added_by=actor.username, added_at=at)
    uow.audit.append(actor.username, "blacklist.add", "blacklist_entry", entry_id, at=at,
                     detail={"kind": kind, "value": masked, "reason": reason})
    row = uow.blacklists.get(entry_id)
    assert row is not None
    return entry_view(row)


def add_entry(ctx: ServiceContext, actor: Actor, kind: str, value: str,
              reason: str) -> dict[str, Any]:
    """Put one identifier on the blacklist; applications carrying it are knocked out."""
    _allow(actor, MANAGERS)
    with ctx.uow() as uow:
        view = _add(uow, ctx.vault, actor, kind, value, reason, utcnow())
        uow.commit()
    return view


def remove_entry(ctx: ServiceContext, actor: Actor, entry_id: int,
                 reason: str) -> dict[str, Any]:
    """Take an entry off the list (it stays on record, stamped removed)."""
    _allow(actor, MANAGERS)
    at = utcnow()
    with ctx.uow() as uow:
        row = uow.blacklists.get(entry_id)
        if row is None:
            raise BlacklistEntryNotFound(f"no blacklist entry {entry_id}")
        if not uow.blacklists.remove(entry_id, actor.username, at, reason):
            raise BlacklistEntryNotFound(f"blacklist entry {entry_id} was already removed")
        uow.audit.append(actor.username, "blacklist.remove", "blacklist_entry", entry_id, at=at,
                         detail={"kind": row["kind"], "value": row["value_masked"],
                                 "reason": reason})
        removed = uow.blacklists.get(entry_id)
        uow.commit()
    return entry_view(removed)


def list_entries(ctx: ServiceContext, actor: Actor, kind: str | None = None,
                 include_removed: bool = False, offset: int = 0,
                 limit: int = 100) -> tuple[list[dict[str, Any]], int]:
    """Entries newest first (live only unless ``include_removed``), and how many there are."""
    _allow(actor, READERS)
    if kind is not None and kind not in KINDS:
        raise InvalidInput([("kind", f"one of {', '.join(KINDS)}")])
    with ctx.uow(write=False) as uow:
        rows = uow.blacklists.find(kind=kind, include_removed=include_removed, offset=offset,
                                   limit=limit)
        count = uow.blacklists.count(kind=kind, include_removed=include_removed)
    return [entry_view(r) for r in rows], count


def seed_entries(uow: UnitOfWork, vault: PersonalDataVault,
                 entries: Iterable[tuple[str, str, str]] = SHIPPED) -> int:
    """Add ``(kind, value, reason)`` entries not already live, as the system; how many."""
    added = 0
    at = utcnow()
    for kind, value, reason in entries:
        value_hash, _ = _sealed(vault, kind, value)
        if uow.blacklists.live(kind, value_hash) is None:
            _add(uow, vault, SYSTEM, kind, value, reason, at)
            added += 1
    return added


class StoreBlacklist:
    """The live blacklist check: which kinds of an application's identifiers are listed.

    The live entries' hashes are held in memory and read again when the list changed (a
    cheap aggregate tells), at most once per ``refresh_every`` seconds: 0 checks before every
    decision, so an entry counts from its commit; a server passes its catch-up interval, so
    an entry made by another process counts at most that much later.
    """

    def __init__(self, engine: Engine, vault: PersonalDataVault, *,
                 refresh_every: float = 0.0) -> None:
        self._engine = engine
        self._vault = vault
        self._refresh_every = refresh_every
        self._lock = threading.Lock()
        self._live: frozenset[tuple[str, str]] = frozenset()
        self._version: tuple[int, int, str] | None = None
        self._read_at = -math.inf

    def _entries(self) -> frozenset[tuple[str, str]]:
        with self._lock:
            now = time.monotonic()
            if now - self._read_at >= self._refresh_every:
                with UnitOfWork(self._engine, write=False) as uow:
                    version = uow.blacklists.version()
                    if version != self._version:
                        self._live, self._version = uow.blacklists.live_pairs(), version
                self._read_at = now
            return self._live

    def __call__(self, application: Mapping[str, Any]) -> tuple[str, ...]:
        pairs = identifiers(application)
        if not pairs:
            return ()
        live = self._entries()
        return tuple(sorted({kind for kind, value in pairs
                             if (kind, self._vault.hash(value, KINDS[kind].field)) in live}))
