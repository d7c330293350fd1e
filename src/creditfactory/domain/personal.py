"""Personal fields and who needs them: the masked forms each role reads, the clear values a
task's role may reveal on the case it was assigned.

Every other field of an application (amounts, bureau data, the business' registry code) is
not personal and is read as it is; these nine are kept only sealed (keyed hash, mask,
ciphertext) and shown by this table. A role not named reads no case at all.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "APPLICANT_FIELDS",
    "APPLICATION_FIELDS",
    "MASKED_FOR",
    "PERSONAL_FIELDS",
    "REVEALED_FOR",
    "masked_fields",
    "revealed_fields",
]

APPLICANT_FIELDS = ("resident_id", "name")
"""Sealed on the applicant (one per resident ID)."""
APPLICATION_FIELDS = (
    "phone",
    "bank_card",
    "contact_phones",
    "home_address",
    "business_address",
    "device_id",
    "ip",
)
"""Sealed on each application."""
PERSONAL_FIELDS = APPLICANT_FIELDS + APPLICATION_FIELDS

_WHO = ("name", "resident_id")
MASKED_FOR: dict[str, frozenset[str]] = {
    # knows the customer, arranges documents and payout; no fraud-check signals
    "account_manager": frozenset(
        (*_WHO, "phone", "bank_card", "home_address", "business_address")
    ),
    # calls the applicant and the contacts, checks the business online
    "verifier": frozenset(
        (*_WHO, "phone", "bank_card", "contact_phones", "home_address", "business_address")
    ),
    # visits home and business
    "investigator": frozenset(
        (*_WHO, "phone", "contact_phones", "home_address", "business_address")
    ),
    # decides on the credit: who and where, not how to reach them
    "approver": frozenset((*_WHO, "home_address", "business_address")),
    # studies fraud and risk patterns: every field, masked
    "risk_analyst": frozenset(PERSONAL_FIELDS),
    # its own bank's cases: who borrows, where the business is, the payout card
    "bank_officer": frozenset((*_WHO, "bank_card", "business_address")),
    "admin": frozenset(PERSONAL_FIELDS),
    # works delinquent accounts: who owes, how to reach them, where the business is
    "collector": frozenset((*_WHO, "phone", "business_address")),
}
"""Role -> the personal fields it reads, masked (the rest it does not see at all)."""

REVEALED_FOR: dict[str, frozenset[str]] = {
    "verifier": frozenset((*_WHO, "phone", "contact_phones", "business_address")),
    "investigator": frozenset((*_WHO, "phone", "home_address", "business_address")),
}
"""Role of a task -> the clear values whoever holds or completed it may reveal on its case."""


def masked_fields(role: str) -> frozenset[str]:
    """The personal fields ``role`` reads masked (none for a role not in the table)."""
    return MASKED_FOR.get(role, frozenset())


def revealed_fields(task_roles: Iterable[str]) -> frozenset[str]:
    """The clear values the tasks of these roles, assigned to one user on a case, open."""
    out: frozenset[str] = frozenset()
    for role in task_roles:
        out |= REVEALED_FOR.get(role, frozenset())
    return out
