"""Who does what in live collections, and the checks every collections service starts with.

Collectors work accounts (record contacts and promises, propose restructures); a risk analyst
approves or rejects a restructure (never its proposer: a collector cannot approve); risk
analysts and administrators read everything; a bank's own accounts read their bank's
delinquent accounts only (another bank's loan is not found, as on the loan pages).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from creditfactory.domain.roles import BANK_ROLES, OVERSEERS
from creditfactory.services.errors import NotFound, RoleNotAllowed
from creditfactory.services.ports import Actor

__all__ = ["APPROVERS", "READERS", "WORKERS", "AccountNotFound", "bank_scope", "must_be",
           "readable"]

WORKERS = ("collector",)
APPROVERS = ("risk_analyst",)
READERS = (*WORKERS, *OVERSEERS, *BANK_ROLES)


class AccountNotFound(NotFound):
    """No delinquent account of that loan that the actor may read."""


def must_be(actor: Actor, roles: tuple[str, ...], what: str) -> None:
    """Refuse ``actor`` unless its role is one of ``roles``."""
    if actor.role not in roles:
        raise RoleNotAllowed(f"only {', '.join(roles)} {what}")


def bank_scope(actor: Actor) -> str | None:
    """The bank whose accounts ``actor`` reads (``None``: every bank's)."""
    must_be(actor, READERS, "read collections")
    if actor.role in BANK_ROLES:
        if not actor.bank_code:
            raise RoleNotAllowed(f"a {actor.role} account without a bank reads no loans")
        return actor.bank_code
    return None


def readable(actor: Actor, loan: Mapping[str, Any] | None, loan_id: int) -> Mapping[str, Any]:
    """The loan's account if ``actor`` may read it; another bank's is not found."""
    bank = bank_scope(actor)
    if loan is None or (bank is not None and loan["bank_code"] != bank):
        raise AccountNotFound(f"no loan {loan_id} in collections")
    return loan
