"""The contract step: the contract generated from the decision, signed by the borrower.

At ``contract`` the case's contract is written once (:mod:`.contract_document`: canonical
JSON and its SHA-256 digest), a one-time signing code goes to the borrower through the
notification port (``ctx.borrowers``), and the case waits at the step, held in the
``awaiting_signature`` queue. The borrower -- never a staff account -- signs with the digest
they were shown and the code (:func:`sign_contract`): the code is kept only as a keyed hash,
expires, and allows :data:`MAX_ATTEMPTS` tries; a signature on another digest is refused
(:mod:`.contract_signing`).
The signature (time, digest, channel) is stored and audited and the case resumes: the step
is done again, finds the contract signed, and the case goes on to payout.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from creditfactory.domain.bank import contract_no
from creditfactory.domain.case import Case
from creditfactory.services import bank_routing
from creditfactory.services.context import ServiceContext
from creditfactory.services.contract_document import (
    canonical,
    contract_document,
    digest_of,
    render_text,
)
from creditfactory.services.errors import Conflict, Forbidden, NotFound, TooManyAttempts
from creditfactory.services.holds import hold_case
from creditfactory.services.notifications import SigningNotice
from creditfactory.store import UnitOfWork
from creditfactory.store.repo_contracts import ContractRepository

__all__ = [
    "AWAITING_SIGNATURE",
    "CODE_VALID",
    "MAX_ATTEMPTS",
    "ContractNotFound",
    "ContractNotSignable",
    "SignatureRefused",
    "SigningLocked",
    "code_hash",
    "contract_step",
    "contract_repo",
    "issue_code",
]

AWAITING_SIGNATURE = "awaiting_signature"
CODE_VALID = timedelta(minutes=30)
MAX_ATTEMPTS = 5


class ContractNotFound(NotFound):
    """No such contract (or not one the caller may see)."""


class SignatureRefused(Forbidden):
    """The signing code is wrong, or the digest is not the contract's."""


class ContractNotSignable(Conflict):
    """The contract is signed already, or its code expired or was never sent."""


class SigningLocked(TooManyAttempts):
    """Too many wrong attempts at the code: a new one must be sent."""


def contract_repo(uow: UnitOfWork) -> ContractRepository:
    """The unit of work's contracts (and payout checks)."""
    return uow.contracts


def code_hash(ctx: ServiceContext, contract_id: int, code: str) -> str:
    return ctx.vault.hash(f"{contract_id}:{code}", "signing_code")


def issue_code(uow: UnitOfWork, ctx: ServiceContext, row: dict[str, Any],
                at: datetime) -> bool:
    """A new code for the contract, sent through ``ctx.borrowers``; False when no channel is
    wired (nothing is stored then)."""
    if ctx.borrowers is None:
        return False
    code = f"{secrets.randbelow(10**6):06d}"
    expires = at + CODE_VALID
    contract_repo(uow).update(row["id"], code_hash=code_hash(ctx, row["id"], code),
                              code_sent_at=at, code_expires_at=expires, code_attempts=0)
    doc = json.loads(row["document"])
    ctx.borrowers.send_signing_code(SigningNotice(
        row["id"], row["contract_no"], row["application_id"], doc["borrower"]["phone"],
        row["digest"], render_text(doc, row["digest"]), code, expires))
    uow.audit.append("system", "contract.code_sent", "contract", row["id"],
                     case_id=row["case_id"], detail={"expires_at": expires.isoformat()}, at=at)
    return True


def contract_step(uow: UnitOfWork, ctx: ServiceContext, case: Case, at: datetime) -> bool:
    """The ``contract`` effect: on to payout once the borrower has signed; otherwise write
    the contract (once), send the code and hold the case for the signature."""
    repo = contract_repo(uow)
    row = repo.of_case(case.id)
    if row is not None and row["status"] == "signed":
        return True
    if row is None:
        terms, decision = bank_routing.case_application(uow, case.application_id)
        number = contract_no(case.id)
        text = canonical(contract_document(case, number, repo.borrower(case.id), terms,
                                           decision, at))
        digest = digest_of(text)
        values = {"case_id": case.id, "application_id": case.application_id,
                  "contract_no": number, "status": AWAITING_SIGNATURE, "document": text,
                  "digest": digest, "created_at": at}
        row = {"id": repo.add(**values), **values}
        uow.audit.append("system", "contract.generated", "contract", row["id"], case_id=case.id,
                         detail={"contract_no": number, "digest": digest,
                                 "bank": case.bank_code}, at=at)
        issue_code(uow, ctx, row, at)
    hold_case(uow, case, AWAITING_SIGNATURE,
              f"waiting for the borrower's signature on contract {row['contract_no']}", at)
    return False
