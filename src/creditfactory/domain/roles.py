"""The staff roles of the credit factory; every permission check names these.

Two families are kept apart from case work. A bank role acts for one partner bank only: its
account carries the bank's code, and it sees and answers that bank's packages and no other's
(``bank_officer`` for a person, ``bank_system`` for the bank's own system answering through
the API). An administrator manages users and settings and works no case: whoever can change
who may do what does not also decide in the factory.
"""

from __future__ import annotations

from typing import Literal, get_args

Role = Literal[
    "account_manager",
    "verifier",
    "investigator",
    "approver",
    "risk_analyst",
    "channel_manager",
    "bank_officer",
    "bank_system",
    "admin",
    "collector",
]
ROLES: tuple[str, ...] = get_args(Role)
BANK_ROLES: tuple[str, ...] = ("bank_officer", "bank_system")
"""Roles that act for the one bank whose code their account carries."""
NO_CASE_WORK: tuple[str, ...] = ("admin",)
"""Roles that manage the factory and may not submit, work a task or answer for a bank."""
OVERSEERS: tuple[str, ...] = ("admin", "risk_analyst")
"""Roles that read every station's and every bank's queue (and work none of them)."""
