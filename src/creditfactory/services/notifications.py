"""Reaching a borrower: the port through which a signing code and its contract are delivered.

A real adapter hands the message to an SMS or app-push gateway (opening the borrower's phone
from the vault at the gateway's edge); the simulated borrowers of the demo take it in process.
Nothing here is logged: a code is for the borrower's eyes only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

__all__ = ["BorrowerNotifier", "BorrowerSignature", "SigningBorrowers", "SigningNotice"]


@dataclass(frozen=True)
class SigningNotice:
    """A contract to sign: what the borrower is shown and the one-time code to sign it with."""

    contract_id: int
    contract_no: str
    application_id: int
    phone_masked: str
    digest: str
    text: str
    code: str
    expires_at: datetime


class BorrowerNotifier(Protocol):
    """Delivers a signing notice to the borrower of an application."""

    def send_signing_code(self, notice: SigningNotice) -> None: ...


@dataclass(frozen=True)
class BorrowerSignature:
    """A borrower's answer to a signing notice: the digest they were shown and the code."""

    contract_id: int
    digest: str
    code: str
    channel: str


class SigningBorrowers(BorrowerNotifier, Protocol):
    """Borrowers who receive notices and, in their own time, sign: the simulated ones of the
    demo and the sample run (real borrowers sign through the API instead)."""

    def signatures_due(self, now: datetime) -> list[BorrowerSignature]: ...
