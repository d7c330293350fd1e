"""The borrower's signature on a contract, a new signing code, and the contract as staff read it.

The borrower signs through the API with no staff account: the digest they were shown and
the one-time code they received (:mod:`.contracts` issues it). Wrong ones are refused,
counted and audited; the right ones sign once, and the case held at ``contract`` resumes and
goes on to payout (:func:`creditfactory.services.flow.advance`).
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from typing import Any

from creditfactory.services.context import ServiceContext
from creditfactory.services.contract_document import drawdown_view, render_html, render_text
from creditfactory.services.contracts import (
    AWAITING_SIGNATURE,
    CODE_VALID,
    MAX_ATTEMPTS,
    ContractNotFound,
    ContractNotSignable,
    SignatureRefused,
    SigningLocked,
    code_hash,
    contract_repo,
    issue_code,
)
from creditfactory.services.errors import Forbidden, ServiceError
from creditfactory.services.flow import advance
from creditfactory.services.notifications import SigningBorrowers
from creditfactory.services.ports import Actor
from creditfactory.services.servicing_state import schedule_of
from creditfactory.store import UnitOfWork
from creditfactory.store.types import utcnow

__all__ = [
    "CHANNELS",
    "case_contract",
    "contract_view",
    "send_signing_code",
    "sign_contract",
    "resend_pending_codes",
    "sign_due",
    "signing_loop",
]

log = logging.getLogger(__name__)

CHANNELS = ("app", "sms_link", "branch_tablet")
"""Where a borrower signs: the borrower app, a link sent by SMS, a tablet at the branch."""
READERS = ("account_manager", "approver", "risk_analyst", "bank_officer", "bank_system", "admin")


def _borrower(row: dict[str, Any]) -> Actor:
    applicant = json.loads(row["document"])["borrower"]["applicant_id"]
    return Actor(f"borrower:{applicant}", "borrower")


def sign_contract(ctx: ServiceContext, contract_id: int, digest: str, code: str,
                  channel: str) -> dict[str, Any]:
    """The borrower signs: the digest they were shown and the code they received. A wrong
    code or digest is refused, counted and audited; the right ones sign once and move the
    case on to payout."""
    if channel not in CHANNELS:
        raise SignatureRefused(f"channel must be one of {CHANNELS}")
    now = ctx.clock()
    refusal: Exception | None = None
    with ctx.uow() as uow:
        repo = contract_repo(uow)
        row = repo.get(contract_id, for_update=True)
        if row is None:
            raise ContractNotFound(f"no contract {contract_id}")
        who = _borrower(row)
        if row["status"] == "signed":
            raise ContractNotSignable(f"contract {row['contract_no']} is already signed")
        if row["code_hash"] is None or row["code_expires_at"] is None:
            raise ContractNotSignable("no signing code was sent: ask for a new one")
        if row["code_attempts"] >= MAX_ATTEMPTS:
            raise SigningLocked("too many wrong attempts: ask for a new code")
        if now > row["code_expires_at"]:
            raise ContractNotSignable("the signing code expired: ask for a new one")
        if not hmac.compare_digest(digest, row["digest"]):
            refusal = SignatureRefused("the digest signed is not this contract's")
        elif not hmac.compare_digest(code_hash(ctx, contract_id, code), row["code_hash"]):
            refusal = SignatureRefused("the signing code is wrong")
        if refusal is not None:
            repo.count_attempt(contract_id)
            uow.audit.append(who.username, "contract.signature_refused", "contract",
                             contract_id, case_id=row["case_id"],
                             detail={"reason": str(refusal), "digest": digest,
                                     "channel": channel}, at=now)
            uow.commit()
            raise refusal
        repo.update(contract_id, status="signed", signed_at=now, signed_digest=digest,
                    signature_channel=channel, code_hash=None)
        uow.audit.append(who.username, "contract.signed", "contract", contract_id,
                         case_id=row["case_id"],
                         detail={"contract_no": row["contract_no"], "digest": digest,
                                 "channel": channel}, at=now)
        case = uow.cases.get(row["case_id"], for_update=True)
        assert case is not None
        if case.is_open and case.hold == AWAITING_SIGNATURE:
            case = advance(uow, ctx, case, "contract", who, now)
        uow.commit()
    return {"contract_id": contract_id, "status": "signed", "signed_at": now,
            "case_id": case.id, "case_status": case.status, "case_step": case.step,
            "case_hold": case.hold}


def send_signing_code(ctx: ServiceContext, actor: Actor, contract_id: int) -> dict[str, Any]:
    """Send the borrower a new code (the last one expired or was used up): staff who work
    the case ask for it; the code itself goes only to the borrower."""
    if actor.role not in ("account_manager", "system"):  # an admin works no case
        raise Forbidden("an account manager asks for a new signing code")
    now = utcnow()
    with ctx.uow() as uow:
        row = contract_repo(uow).get(contract_id, for_update=True)
        if row is None:
            raise ContractNotFound(f"no contract {contract_id}")
        if row["status"] == "signed":
            raise ContractNotSignable(f"contract {row['contract_no']} is already signed")
        if not issue_code(uow, ctx, row, now):
            raise ContractNotSignable("no channel to the borrowers is configured")
        uow.commit()
    return {"contract_id": contract_id, "code_sent_at": now,
            "code_expires_at": now + CODE_VALID}


def contract_view(ctx: ServiceContext, actor: Actor, contract_id: int,
                  fmt: str = "json") -> dict[str, Any] | str:
    """The contract as stored (document, digest, signature) for staff who read cases;
    ``fmt`` ``text`` or ``html`` renders it. A bank reads only its own banks' contracts."""
    if actor.role not in READERS:
        raise Forbidden(f"a {actor.role} does not read contracts")
    with ctx.uow(write=False) as uow:
        row = contract_repo(uow).get(contract_id)
        if row is None:
            raise ContractNotFound(f"no contract {contract_id}")
        doc = json.loads(row["document"])
        if actor.role in ("bank_officer", "bank_system") and doc["bank"] != actor.bank_code:
            raise ContractNotFound(f"no contract {contract_id}")
        drawdown = _drawdown(uow, doc, int(row["case_id"]))
    if fmt == "text":
        return render_text(doc, row["digest"], drawdown)
    if fmt == "html":
        return render_html(doc, row["digest"], drawdown)
    return {"contract_id": row["id"], "case_id": row["case_id"],
            "contract_no": row["contract_no"], "status": row["status"],
            "digest": row["digest"], "document": doc, "created_at": row["created_at"],
            "signed_at": row["signed_at"], "signature_channel": row["signature_channel"],
            "drawdown": drawdown}


def _drawdown(uow: UnitOfWork, doc: dict[str, Any], case_id: int) -> dict[str, Any] | None:
    """The case's loan as booked at payout beside its signed contract; ``None`` before."""
    loan = uow.submissions.loan_of_case(case_id)
    account = None if loan is None else uow.servicing.account(loan.id)
    if loan is None or account is None:
        return None
    booked = schedule_of(account, uow.servicing.schedule(loan.id))
    return drawdown_view(doc, account["start_date"], booked)


def case_contract(ctx: ServiceContext, actor: Actor, case_id: int) -> dict[str, Any]:
    """The contract of a case, as :func:`contract_view` shows it."""
    with ctx.uow(write=False) as uow:
        row = contract_repo(uow).of_case(case_id)
    if row is None:
        raise ContractNotFound(f"case {case_id} has no contract")
    view = contract_view(ctx, actor, int(row["id"]))
    assert isinstance(view, dict)
    return view


def sign_due(ctx: ServiceContext, borrowers: SigningBorrowers) -> tuple[int, list[str]]:
    """The simulated borrowers ready to sign sign now, through :func:`sign_contract`; how many
    signed and the names of the refusals (a code that expired meanwhile, say)."""
    signed, refused = 0, []
    for s in borrowers.signatures_due(ctx.clock()):
        try:
            sign_contract(ctx, s.contract_id, s.digest, s.code, s.channel)
            signed += 1
        except ServiceError as exc:
            refused.append(type(exc).__name__)
    return signed, refused


def signing_loop(ctx: ServiceContext, borrowers: SigningBorrowers, stop: threading.Event,
                 every: float = 0.25) -> None:
    """Let simulated borrowers sign until ``stop`` (``serve --simulate-banks``: the borrowers
    of the simulated world sign what the simulated banks approve). Each server process runs
    one: a notice reaches the borrowers of the process that wrote the contract, and a
    contract written where no channel to the borrowers was wired gets its code here."""
    while not stop.wait(every):
        try:
            resend_pending_codes(ctx, unsent=True)
            sign_due(ctx, borrowers)
        except Exception:  # the simulator must never take the server down
            log.exception("simulated borrowers failed to sign; retrying")


def resend_pending_codes(ctx: ServiceContext, limit: int = 10_000, *,
                         unsent: bool = False) -> int:
    """Send a new code for every contract still awaiting its signature (``unsent``: only
    those written where no channel to the borrowers was wired); how many were sent. A
    borrower channel that lost what it was sent is caught up: simulated borrowers live in
    the server process, so a restart loses their notices."""
    now = ctx.clock()
    with ctx.uow(write=False) as uow:
        if not contract_repo(uow).awaiting_signature(1, unsent=unsent):
            return 0
    with ctx.uow() as uow:
        pending = contract_repo(uow).awaiting_signature(limit, unsent=unsent)
        sent = sum(issue_code(uow, ctx, row, now) for row in pending)
        uow.commit()
    return sent
