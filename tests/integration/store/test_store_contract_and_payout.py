"""The contract and a safe payout, on SQLite and PostgreSQL: the contract is written from the
decision and the case waits for the borrower's signature (the code hashed, expiring, limited
attempts, a signature on another digest refused); the payout is re-checked in the live fraud
graph, a tie holds it for an investigator whose pass pays out once and whose reject closes it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from creditfactory.fraud._features import FEATURES
from creditfactory.fraud.identity import pack_identity
from creditfactory.fraud.live import LiveFraud, Recheck, RecheckPolicy, Tie
from creditfactory.services.bank_answers import simulate_bank_answers
from creditfactory.services.context import ServiceContext
from creditfactory.services.contract_signing import (
    case_contract,
    contract_view,
    send_signing_code,
    sign_contract,
)
from creditfactory.services.contracts import (
    ContractNotSignable,
    SignatureRefused,
    SigningLocked,
)
from creditfactory.services.notifications import SigningNotice
from creditfactory.services.ports import Actor
from creditfactory.services.tasks import complete_task
from creditfactory.store import PersonalDataVault, UnitOfWork, make_engine, upgrade_head
from creditfactory.store.types import utcnow

from .test_store_bank_answers_batch import BANKS, _due_packages, _setup
from .test_store_bank_month_counts import _case

STAFF = Actor("am", "account_manager")
INVESTIGATOR = Actor("ivy", "investigator")


class Inbox:
    """The borrowers' phones: every signing notice delivered."""

    def __init__(self) -> None:
        self.notices: list[SigningNotice] = []

    def send_signing_code(self, notice: SigningNotice) -> None:
        self.notices.append(notice)


class FakeGraph:
    """A live fraud graph whose re-check finds the ties it is given (less those cleared)."""

    def __init__(self) -> None:
        self.ties: list[str] = []
        self.cleared_seen: list[set[str]] = []

    def catch_up_position(self) -> tuple[int, int]:
        return 2**62, 2**62  # nothing to read

    def book_position(self) -> int:
        return 2**62

    def take(self, batch: Any) -> int:
        return 0

    def recheck(self, application_id: int, policy: RecheckPolicy,
                cleared: Collection[str] = (), at: int | None = None) -> Recheck:
        self.cleared_seen.append(set(cleared))
        ties = tuple(Tie(k, "ring_score", "phone,device", 1, 0.99, 0)
                     for k in self.ties if k not in cleared)
        return Recheck(application_id, ties, 1 + len(self.ties))


@pytest.fixture
def ctx(empty_db_url: str) -> Iterator[ServiceContext]:
    engine = make_engine(empty_db_url)
    upgrade_head(empty_db_url, engine)
    _setup(engine, 1.0)
    yield ServiceContext(engine, PersonalDataVault("k" * 40), None, simulated_banks=BANKS,
                         fraud=FakeGraph(), borrowers=Inbox())  # type: ignore[arg-type]
    engine.dispose()


def _at_contract(ctx: ServiceContext) -> tuple[int, SigningNotice]:
    """One case approved by its bank, now at the contract step; its case id and notice."""
    _due_packages(ctx.engine, 1)
    assert simulate_bank_answers(ctx, limit=10) == 1
    inbox: Inbox = ctx.borrowers  # type: ignore[assignment]
    (notice,) = inbox.notices
    with UnitOfWork(ctx.engine, write=False) as uow:
        (case,) = uow.cases.find(status=None, bank_code=None, offset=0, limit=5)
    return case.id, notice


def _rows(ctx: ServiceContext, sql: str) -> list[Any]:
    with ctx.engine.connect() as c:
        return list(c.execute(sa.text(sql)).all())


def test_the_case_waits_at_the_contract_until_the_borrower_signs_then_is_paid_out(
        ctx: ServiceContext) -> None:
    case_id, notice = _at_contract(ctx)
    ((step, hold, status),) = _rows(ctx, f"SELECT step, hold, status FROM cases WHERE id={case_id}")
    assert (step, hold, status) == ("contract", "awaiting_signature", "open")
    assert _rows(ctx, "SELECT count(*) FROM loans") == [(0,)]
    view = case_contract(ctx, STAFF, case_id)
    doc = view["document"]
    ((text,),) = _rows(ctx, "SELECT document FROM contracts")
    assert view["digest"] == hashlib.sha256(text.encode()).hexdigest() == notice.digest
    assert json.loads(text) == doc
    assert {"borrower", "amount", "term_months", "annual_rate", "purpose",
            "repayment_method", "schedule"} <= set(doc)
    assert doc["borrower"]["resident_id"] == "1101**********1234" and "v1:" not in text
    assert (Decimal(doc["amount"]), doc["term_months"], doc["annual_rate"]) == (
        Decimal("150000.00"), 12, "0.180000")
    rows = doc["schedule"]["instalments"]
    assert len(rows) == 12 and sum(Decimal(r["principal"]) for r in rows) == Decimal(doc["amount"])
    assert notice.code not in json.dumps(_rows(ctx, "SELECT * FROM contracts"), default=str)
    assert "Document digest (SHA-256): " + notice.digest in contract_view(
        ctx, STAFF, view["contract_id"], "text")  # type: ignore[operator]

    other = hashlib.sha256(b"another document").hexdigest()
    with pytest.raises(SignatureRefused, match="digest"):
        sign_contract(ctx, notice.contract_id, other, notice.code, "app")
    wrong = f"{(int(notice.code) + 1) % 10**6:06d}"
    with pytest.raises(SignatureRefused, match="code"):
        sign_contract(ctx, notice.contract_id, notice.digest, wrong, "app")
    assert _rows(ctx, "SELECT code_attempts, status FROM contracts") == [(2, "awaiting_signature")]

    done = sign_contract(ctx, notice.contract_id, notice.digest, notice.code, "app")
    assert (done["case_status"], done["case_step"]) == ("done", "booking_and_enrolment")
    assert _rows(ctx, "SELECT count(*) FROM loans") == [(1,)]
    ((signed_digest, channel),) = _rows(ctx, "SELECT signed_digest, signature_channel "
                                             "FROM contracts")
    assert (signed_digest, channel) == (notice.digest, "app")
    assert _rows(ctx, "SELECT outcome FROM payout_checks") == [("clear",)]
    actions = [a for (a,) in _rows(ctx, "SELECT action FROM audit_log ORDER BY id")]
    assert actions.count("contract.signature_refused") == 2
    assert {"contract.generated", "contract.code_sent", "contract.signed"} <= set(actions)
    ((actor,),) = _rows(ctx, "SELECT actor FROM audit_log WHERE action = 'contract.signed'")
    assert actor.startswith("borrower:")
    with pytest.raises(ContractNotSignable):
        sign_contract(ctx, notice.contract_id, notice.digest, notice.code, "app")


def test_the_code_expires_and_locks_after_too_many_attempts(ctx: ServiceContext) -> None:
    _, notice = _at_contract(ctx)
    with ctx.engine.begin() as c:
        c.execute(sa.text("UPDATE contracts SET code_expires_at = :t"),
                  {"t": utcnow() - timedelta(minutes=1)})
    with pytest.raises(ContractNotSignable, match="expired"):
        sign_contract(ctx, notice.contract_id, notice.digest, notice.code, "app")
    with pytest.raises(Exception, match="account manager"):
        send_signing_code(ctx, Actor("bo", "bank_officer", "B01"), notice.contract_id)
    send_signing_code(ctx, STAFF, notice.contract_id)
    fresh = ctx.borrowers.notices[-1]  # type: ignore[union-attr]
    wrong = f"{(int(fresh.code) + 1) % 10**6:06d}"
    for _ in range(5):
        with pytest.raises(SignatureRefused):
            sign_contract(ctx, notice.contract_id, notice.digest, wrong, "sms_link")
    with pytest.raises(SigningLocked):
        sign_contract(ctx, notice.contract_id, notice.digest, fresh.code, "sms_link")


def _held_task(ctx: ServiceContext, case_id: int) -> int:
    ((hold, step),) = _rows(ctx, f"SELECT hold, step FROM cases WHERE id={case_id}")
    assert (hold, step) == ("payout_fraud_review", "payout")
    ((task_id, role),) = _rows(ctx, "SELECT id, role FROM tasks WHERE status = 'open' "
                                    "AND station = 'payout_fraud_review'")
    assert role == "investigator"
    return int(task_id)


def test_a_fraud_tie_holds_the_payout_and_a_pass_pays_out_without_holding_again(
        ctx: ServiceContext) -> None:
    case_id, notice = _at_contract(ctx)
    graph: FakeGraph = ctx.fraud  # type: ignore[assignment]
    graph.ties = ["store:99"]
    signed = sign_contract(ctx, notice.contract_id, notice.digest, notice.code, "app")
    assert (signed["case_step"], signed["case_hold"]) == ("payout", "payout_fraud_review")
    assert _rows(ctx, "SELECT count(*) FROM loans") == [(0,)]
    ((outcome, evidence),) = _rows(ctx, "SELECT outcome, evidence FROM payout_checks")
    evidence = evidence if isinstance(evidence, dict) else json.loads(evidence)
    assert outcome == "held" and evidence["ties"][0]["key"] == "store:99"
    task = _held_task(ctx, case_id)

    graph.ties = ["store:99", "store:120"]  # a new ring-mate arrived meanwhile
    view = complete_task(ctx, INVESTIGATOR, task, {"verdict": "pass", "note": "known family"})
    assert view["case_step"] == "payout" and _rows(ctx, "SELECT count(*) FROM loans") == [(0,)]
    assert graph.cleared_seen[-1] == {"store:99"}
    task = _held_task(ctx, case_id)

    view = complete_task(ctx, INVESTIGATOR, task, {"verdict": "pass"})
    assert (view["case_status"], view["case_step"]) == ("done", "booking_and_enrolment")
    assert graph.cleared_seen[-1] == {"store:99", "store:120"}
    assert _rows(ctx, "SELECT count(*) FROM loans") == [(1,)]
    assert _rows(ctx, "SELECT outcome, cleared_by FROM payout_checks ORDER BY id") == [
        ("cleared", "ivy"), ("cleared", "ivy"), ("clear", None)]


def test_a_reject_verdict_on_the_held_payout_closes_the_case_unpaid(ctx: ServiceContext) -> None:
    case_id, notice = _at_contract(ctx)
    ctx.fraud.ties = ["store:7"]  # type: ignore[union-attr]
    sign_contract(ctx, notice.contract_id, notice.digest, notice.code, "app")
    view = complete_task(ctx, INVESTIGATOR, _held_task(ctx, case_id), {"verdict": "reject"})
    assert view["case_status"] == "rejected"
    assert _rows(ctx, f"SELECT status, hold FROM cases WHERE id={case_id}") == [("rejected", None)]
    assert _rows(ctx, "SELECT count(*) FROM loans") == [(0,)]


def test_the_live_graph_ties_the_case_to_a_ring_mate_kept_since_and_holds_its_payout(
        ctx: ServiceContext) -> None:
    strong = FEATURES.index("n_strong_1hop")
    live = LiveFraud(lambda row: row[strong], FEATURES, [0.5], b"payout-recheck-key")
    live.background_refresh = False
    ctx.fraud = live  # scores 1.0 (the rejecting band) when strongly linked on arrival
    case_id, notice = _at_contract(ctx)
    with UnitOfWork(ctx.engine) as uow:
        mate = _case(uow, 77)  # a later applicant with the same phone and device
        uow.commit()
    t = utcnow()
    for app_id, hours in ((notice.application_id, 2), (mate.application_id, 1)):
        record = live.identity_of({"applied_at": t - timedelta(hours=hours),
                                   "phone": "13900000001", "device_id": "dev-ring-1",
                                   "channel_id": "IM-T"})
        with ctx.engine.begin() as c:
            c.execute(sa.text("UPDATE applications SET fraud_identity = :f "
                              "WHERE application_id = :a"),
                      {"f": pack_identity(record), "a": app_id})
    signed = sign_contract(ctx, notice.contract_id, notice.digest, notice.code, "app")
    assert (signed["case_step"], signed["case_hold"]) == ("payout", "payout_fraud_review")
    ((evidence,),) = _rows(ctx, "SELECT evidence FROM payout_checks")
    evidence = evidence if isinstance(evidence, dict) else json.loads(evidence)
    (tie,) = evidence["ties"]
    assert (tie["key"], tie["reason"], tie["score"]) == (
        f"store:{mate.application_id}", "ring_score", 1.0)
    assert set(tie["kinds"].split(",")) == {"phone", "device"}
    view = complete_task(ctx, INVESTIGATOR, _held_task(ctx, case_id), {"verdict": "pass"})
    assert view["case_status"] == "done"
    assert [o for (o,) in _rows(ctx, "SELECT outcome FROM payout_checks ORDER BY id")] == [
        "cleared", "clear"]
