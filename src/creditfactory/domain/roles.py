"""The staff roles of the credit factory; every permission check names these."""

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
    "admin",
]
ROLES: tuple[str, ...] = get_args(Role)
