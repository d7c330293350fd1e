"""The simulated banks answer their due packages in batches: a few reads for the whole batch,
one transaction, so a crash answers none of a batch and the next run answers each package
exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from creditfactory.factory import load_banks
from creditfactory.services import bank_answers
from creditfactory.services.bank_answers import answer, simulate_bank_answers
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import AlreadyAnswered
from creditfactory.services.ports import Actor
from creditfactory.store import PersonalDataVault, UnitOfWork, make_engine, upgrade_head
from creditfactory.store.types import utcnow

from .test_store_bank_month_counts import _assert_counts_match_the_submissions, _case, _send

BANKS = load_banks()


def _setup(engine: sa.Engine, approve_rate: float) -> None:
    now = utcnow()
    with UnitOfWork(engine) as uow:
        uow.channels.add_branch("SZ01", "Shenzhen", "Futian")
        uow.channels.add(channel_id="IM-T", channel_type="intermediary", branch="SZ01",
                         city="Shenzhen", status="active", deposit=0, onboarded_at=now)
        for bank in BANKS:
            uow.banks.upsert(bank.code, bank.name, {**bank.as_json(), "approve_rate": approve_rate})
        uow.commit()


def _due_packages(engine: sa.Engine, n: int, first: int = 0) -> None:
    """``n`` cases sent to a bank yesterday, so their answers are due."""
    with UnitOfWork(engine) as uow:
        for i in range(first, first + n):
            assert _send(uow, _case(uow, i), utcnow() - timedelta(days=1))
        uow.commit()


def _ctx(url: str, approve_rate: float) -> ServiceContext:
    engine = make_engine(url)
    upgrade_head(url, engine)
    _setup(engine, approve_rate)
    return ServiceContext(engine, PersonalDataVault("k" * 40), None, simulated_banks=BANKS)


@pytest.fixture
def mixed(empty_db_url: str) -> Iterator[ServiceContext]:
    ctx = _ctx(empty_db_url, 0.5)
    yield ctx
    ctx.engine.dispose()


@pytest.fixture
def approving(empty_db_url: str) -> Iterator[ServiceContext]:
    ctx = _ctx(empty_db_url, 1.0)
    yield ctx
    ctx.engine.dispose()


def _state(engine: sa.Engine) -> dict[str, Any]:
    with engine.connect() as c:
        return {
            "subs": c.execute(sa.text(
                "SELECT id, status FROM bank_submissions ORDER BY id")).all(),
            "counts": c.execute(sa.text(
                "SELECT bank_code, month, submitted FROM bank_month_counts ORDER BY 1, 2")).all(),
            "cases": c.execute(sa.text("SELECT id, step, status, bank_code FROM cases")).all(),
            "audit": c.execute(sa.text("SELECT count(*) FROM audit_log")).scalar_one(),
            "loans": c.execute(sa.text("SELECT count(*) FROM loans")).scalar_one(),
        }


def test_a_crash_in_a_batch_answers_none_and_the_next_runs_answer_each_once(
    mixed: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    _due_packages(mixed.engine, 12)
    before = _state(mixed.engine)
    calls = []

    def crash(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return advance(*args, **kwargs)

    advance = bank_answers.advance
    monkeypatch.setattr(bank_answers, "advance", crash)
    with pytest.raises(RuntimeError):
        simulate_bank_answers(mixed, limit=50)
    assert _state(mixed.engine) == before
    monkeypatch.setattr(bank_answers, "advance", advance)
    # each run an hour later: the packages re-routed after a decline are due at the next one
    hours = iter(range(1, 1000))
    mixed.clock = lambda: utcnow() + timedelta(hours=next(hours))  # the banks' business clock

    answered = 0
    while n := simulate_bank_answers(mixed, limit=5):
        answered += n
    assert simulate_bank_answers(mixed) == 0
    with mixed.engine.connect() as c:
        subs = c.execute(sa.text("SELECT id, case_id, status FROM bank_submissions")).all()
        audit = Counter(c.execute(sa.text(
            "SELECT entity_id, action FROM audit_log WHERE action LIKE 'bank.%'")).all())
        cases = c.execute(sa.text("SELECT status, step, hold FROM cases")).all()
        contracts = c.execute(sa.text("SELECT count(*) FROM contracts")).scalar_one()
    assert answered == sum(1 for s in subs if s.status != "pending") > 12
    assert {s.status for s in subs} <= {"approved", "declined"}
    per_case = Counter(s.case_id for s in subs)
    # one bank.submitted per package, one answer per package, and nothing twice
    assert all(audit[(str(case), "bank.submitted")] == n for case, n in per_case.items())
    answers = sum(n for (_, action), n in audit.items() if action != "bank.submitted")
    assert answers == len(subs)
    approved = sum(1 for s in subs if s.status == "approved")
    # an approved case has its contract and waits for the borrower's signature
    at_contract = [c for c in cases if (c.step, c.hold) == ("contract", "awaiting_signature")]
    assert contracts == approved == len(at_contract)
    assert all(c.status == "declined" for c in cases if c not in at_contract)
    _assert_counts_match_the_submissions(mixed.engine)


def _selects_for_a_batch(ctx: ServiceContext, n: int, first: int) -> int:
    _due_packages(ctx.engine, n, first)
    seen: list[str] = []

    def count(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement.lstrip().split()[0].upper())

    event.listen(ctx.engine, "before_cursor_execute", count)
    try:
        assert simulate_bank_answers(ctx, limit=50) == n
    finally:
        event.remove(ctx.engine, "before_cursor_execute", count)
    return seen.count("SELECT")


def test_a_batch_reads_what_its_answers_need_a_fixed_number_of_times(
    approving: ServiceContext,
) -> None:
    # the due packages, locking them, the cases with their applications and decisions, then
    # the approved ones' borrowers for their contracts
    assert _selects_for_a_batch(approving, 2, 0) == _selects_for_a_batch(approving, 12, 100) == 4


def test_an_officer_and_the_simulator_racing_answer_each_package_once(
    approving: ServiceContext,
) -> None:
    _due_packages(approving.engine, 24)
    with approving.uow(write=False) as uow:
        bank_of = {s.id: s.bank_code
                   for s in uow.submissions.pending(bank_codes=None, due_before=None, limit=99)}
    ids = list(bank_of)
    start = threading.Barrier(2)
    errors: list[BaseException] = []
    by_officer: list[int] = []

    def officer() -> None:
        start.wait()
        for sub_id in reversed(ids):
            try:
                officer = Actor("root", "bank_officer", bank_of[sub_id])
                answer(approving, officer, sub_id, True, "by hand")
                by_officer.append(sub_id)
            except AlreadyAnswered:
                pass
            except BaseException as exc:  # reported below
                errors.append(exc)

    def simulator() -> None:
        start.wait()
        try:
            while simulate_bank_answers(approving, limit=3):
                pass
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=officer), threading.Thread(target=simulator)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with approving.engine.connect() as c:
        answers = Counter(c.execute(sa.text(
            "SELECT entity_id FROM audit_log WHERE action = 'bank.approved'")).scalars())
        by = dict(c.execute(sa.text("SELECT id, answered_by FROM bank_submissions")).all())
        contracts = c.execute(sa.text("SELECT count(*) FROM contracts")).scalar_one()
    assert len(answers) == 24 and set(answers.values()) == {1} and contracts == 24
    assert {i for i, who in by.items() if who == "root"} == set(by_officer)
