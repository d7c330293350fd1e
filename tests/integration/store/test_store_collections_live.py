"""Live collections on SQLite and PostgreSQL: the nightly assignment after a close (the
strategy's treatment, capacity, idempotent per date), promises kept or broken at the close of
their due day, a restructure posted through the servicing engine (statement, stored state and
reconciliation one), and who may do what."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa

from creditfactory.collections.live_assignment import BUCKET_CURE, PER_COLLECTOR
from creditfactory.collections.strategy import (
    BANDS,
    BUCKETS,
    REASONS,
    TREATMENTS,
    band_of,
    load_collections_strategy,
)
from creditfactory.services.collections_assign import assign_collections
from creditfactory.services.collections_restructure import (
    decide_restructure,
    propose_restructure,
)
from creditfactory.services.collections_roles import AccountNotFound
from creditfactory.services.collections_work import (
    account_view,
    dashboard,
    queue_view,
    record_contact,
    record_promise,
)
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import Conflict, InvalidInput, RoleNotAllowed
from creditfactory.services.ports import Actor
from creditfactory.services.servicing_book import post_repayment
from creditfactory.services.servicing_close import close_business
from creditfactory.services.servicing_files import reconcile
from creditfactory.services.servicing_state import PRODUCT, money, schedule_of, transaction_of
from creditfactory.servicing.close import loan_state
from creditfactory.store import UnitOfWork

from .servicing_seed import seed_loans, service_context

START = date(2026, 1, 15)
BANK = Actor("b01-sys", "bank_system", "B01")
COLLECTOR = Actor("cathy", "collector")
ANALYST = Actor("rita", "risk_analyst")

ctx = pytest.fixture(name="ctx")(service_context)


def _close_and_assign(ctx: ServiceContext, day: date) -> Any:
    close_business(ctx.engine, day)
    return assign_collections(ctx.engine, day)


def _rows(ctx: ServiceContext, sql: str) -> list[Any]:
    with ctx.engine.connect() as c:
        return list(c.execute(sa.text(sql)).all())


CALL_EVERYONE = """
name: calls
version: 1
bands: {A: 0.6, B: 0.25, C: 0.0}
priority: dpd
rules:
  - {bucket: [M1], treatment: call, frequency: 2}
  - {treatment: visit, frequency: 1}
fallback: {visit: call, call: sms}
"""


def test_assignment_applies_the_strategy_within_capacity_and_once_per_date(
        ctx: ServiceContext, tmp_path: Path) -> None:
    ids = seed_loans(ctx.engine, [Decimal("100000.00")] * 80, start=START)
    for loan_id in ids[:10]:  # these pay the first instalment: current, not assigned
        post_repayment(ctx, BANK, loan_id, {"reference": f"P-{loan_id}",
                                            "value_date": "2026-02-15", "amount": "9168.00"})
    day = date(2026, 2, 25)  # 10 days past the first due day: M1
    done = _close_and_assign(ctx, day)
    assert done.accounts == 70 and done.score_source == "bucket_rule"
    rows = _rows(ctx, "SELECT loan_id, bucket, band, reason, strategy_treatment, treatment, "
                      "team, cure_probability, rank FROM collections_assignments")
    assert {r.loan_id for r in rows} == set(ids[10:])
    strategy = load_collections_strategy("default")
    reasons = (*REASONS, "unknown")
    for r in rows:  # the first night in the bucket: the rule's own treatment, no escalation
        cell = (BUCKETS.index(r.bucket), BANDS.index(r.band), reasons.index(r.reason))
        assert r.strategy_treatment == TREATMENTS[strategy.treatment[cell]]
        assert r.cure_probability == pytest.approx(BUCKET_CURE[0])  # no C-card: the bucket rule
    band = band_of(np.array([BUCKET_CURE[0]]), strategy.band_cuts)[0]
    assert {r.band for r in rows} == {BANDS[band]}
    # a strategy that calls everyone twice: the phone team (one collector's worth, none on
    # record) takes its capacity by priority, the rest fall back to an sms
    calls = tmp_path / "calls.yaml"
    calls.write_text(CALL_EVERYONE, encoding="utf-8")
    close_business(ctx.engine, date(2026, 2, 26))
    done = assign_collections(ctx.engine, date(2026, 2, 26), strategy=str(calls))
    assert done.strategy == "calls@1"
    rows = _rows(ctx, "SELECT loan_id, dpd, strategy_treatment, treatment, attempts, team, rank "
                      "FROM collections_assignments WHERE business_date = '2026-02-26'")
    assert {r.strategy_treatment for r in rows} == {"call"}
    called = [r for r in rows if r.treatment == "call"]
    assert sum(r.attempts for r in called) == PER_COLLECTOR["call"]
    assert {r.treatment for r in rows if r not in called} == {"sms"}
    assert min(r.dpd for r in called) >= max(r.dpd for r in rows if r not in called)
    assert sorted(r.rank for r in called) == list(range(1, len(called) + 1))
    before = _rows(ctx, "SELECT * FROM collections_assignments ORDER BY loan_id, business_date")
    again = assign_collections(ctx.engine, date(2026, 2, 26))
    assert again.already
    assert _rows(ctx, "SELECT * FROM collections_assignments ORDER BY loan_id, "
                      "business_date") == before
    with pytest.raises(InvalidInput, match="business date"):
        assign_collections(ctx.engine, date(2026, 3, 25))


def test_a_promise_is_kept_when_paid_by_its_day_and_broken_at_the_close_after_it(
        ctx: ServiceContext) -> None:
    ids = seed_loans(ctx.engine, [Decimal("100000.00")] * 3, start=START)
    day = date(2026, 2, 20)
    _close_and_assign(ctx, day)
    kept = record_promise(ctx, COLLECTOR, ids[0], "9168.00", day + timedelta(days=5))
    broken = record_promise(ctx, COLLECTOR, ids[1], "9168.00", day + timedelta(days=5))
    with pytest.raises(InvalidInput) as bad:
        record_promise(ctx, COLLECTOR, ids[2], "-1", day + timedelta(days=90))
    assert {f for f, _ in bad.value.errors} == {"amount", "due_on"}
    waiting = queue_view(ctx, ANALYST)
    treatment = {r["loan_id"]: r["treatment"] for r in waiting["data"]}
    assert treatment[ids[0]] != "none"  # promises made today: tonight's work already dealt
    post_repayment(ctx, BANK, ids[0], {"reference": "K-1", "value_date": "2026-02-23",
                                       "amount": "9300.00"})  # with the penalty: cured
    _close_and_assign(ctx, day + timedelta(days=1))
    states = {r.id: r.status for r in _rows(ctx, "SELECT id, status FROM collections_promises")}
    assert states == {kept["id"]: "open", broken["id"]: "open"}
    assign = {r.loan_id: r.treatment for r in _rows(
        ctx, "SELECT loan_id, treatment FROM collections_assignments "
             "WHERE business_date = '2026-02-21'")}
    assert assign[ids[1]] == "none"  # waiting on its promise
    _close_and_assign(ctx, day + timedelta(days=5))  # the close of the promises' due day
    states = {r.id: (r.status, str(r.settled_on)[:10]) for r in _rows(
        ctx, "SELECT id, status, settled_on FROM collections_promises")}
    assert states == {kept["id"]: ("kept", "2026-02-25"), broken["id"]: ("broken", "2026-02-25")}
    episode = _rows(ctx, f"SELECT broken, broken_in_bucket FROM collections_accounts "
                         f"WHERE loan_id = {ids[1]}")[0]
    assert tuple(episode) == (1, 1)
    history = [h["action"] for h in account_view(ctx, COLLECTOR, ids[1])["history"]]
    assert "promise_broken" in history and "promise" in history
    assert "episode_ended" in [h["action"] for h in account_view(ctx, ANALYST, ids[0])["history"]]


def _statement_equals_store(ctx: ServiceContext, loan_id: int, as_of: date) -> Any:
    with UnitOfWork(ctx.engine, write=False) as uow:
        a = uow.servicing.account(loan_id)
        assert a is not None
        schedule = schedule_of(a, uow.servicing.schedule(loan_id))
        txns = [transaction_of(t) for t in uow.servicing.transactions(loan_id)]
    ref = loan_state(schedule, txns, as_of, PRODUCT)
    assert (a["dpd"], a["bucket"]) == (ref.dpd, ref.bucket)
    assert money(a["principal_outstanding_fen"]) == ref.principal_outstanding
    assert money(a["overdue_principal_fen"]) == ref.overdue_principal
    assert money(a["penalty_accrued_fen"]) == ref.penalty_accrued
    return a


def test_a_restructure_is_approved_by_a_risk_analyst_and_posted_through_servicing(
        ctx: ServiceContext, tmp_path: Path) -> None:
    ids = seed_loans(ctx.engine, [Decimal("100000.00"), Decimal("50000.00")], start=START)
    day = date(2026, 3, 20)
    _close_and_assign(ctx, day)
    with pytest.raises(InvalidInput, match="lower the instalment"):
        propose_restructure(ctx, COLLECTOR, ids[0], 6, "cash shortfall")
    with pytest.raises(RoleNotAllowed):
        propose_restructure(ctx, ANALYST, ids[0], 24, "cash shortfall")
    proposal = propose_restructure(ctx, COLLECTOR, ids[0], 24, "cash shortfall, shop reopening")
    assert Decimal(proposal["instalment"]) < Decimal(proposal["old_instalment"])
    with pytest.raises(Conflict):
        propose_restructure(ctx, COLLECTOR, ids[0], 30, "again")
    with pytest.raises(RoleNotAllowed):
        decide_restructure(ctx, COLLECTOR, proposal["id"], True)
    approved = decide_restructure(ctx, ANALYST, proposal["id"], True, "affordable")
    assert approved["status"] == "approved" and approved["effective_on"] == "2026-03-21"
    with pytest.raises(Conflict):
        decide_restructure(ctx, ANALYST, proposal["id"], True)
    with pytest.raises(InvalidInput, match="cannot reverse it"):  # the lender's, not the bank's
        post_repayment(ctx, BANK, ids[0], {
            "reference": "R-1", "value_date": "2026-03-21", "amount": "0.01", "kind": "reversal",
            "reverses": f"collections-restructure-{proposal['id']}"})
    end = date(2026, 4, 20)  # closed over several days in one run: the loan restated daily
    close_business(ctx.engine, end)
    a = _statement_equals_store(ctx, ids[0], end)
    assert a["dpd"] == 0 and a["status"] == "active"  # cured: nothing due before 2026-04-21
    view = account_view(ctx, COLLECTOR, ids[0])
    left = view["instalments_left"]
    assert len(left) == 24 and left[0]["due_date"] == "2026-04-21"
    assert abs(Decimal(left[1]["total"]) - Decimal(proposal["instalment"])) <= Decimal("0.01")
    # the borrower pays the new instalments (the penalty from before, still owed, first), and
    # the loan goes on being closed
    first = Decimal(left[0]["total"]) + Decimal(view["penalty_owed"])
    for k, (on, amount) in enumerate((("2026-04-21", first), ("2026-05-21", left[1]["total"]))):
        post_repayment(ctx, BANK, ids[0], {"reference": f"N-{k}", "value_date": on,
                                           "amount": str(amount)})
    close_business(ctx.engine, date(2026, 6, 10))
    a = _statement_equals_store(ctx, ids[0], date(2026, 6, 10))
    assert a["dpd"] == 0
    _statement_equals_store(ctx, ids[1], date(2026, 6, 10))
    out = tmp_path / "rec.csv"
    loans, ok = reconcile(ctx.engine, "B01", date(2026, 6, 10), out)
    assert (loans, ok) == (2, 2)
    with out.open() as f:
        rows = {r["loan_id"]: r for r in csv.DictReader(f)}
    r0 = rows[str(ids[0])]
    assert Decimal(r0["principal_repaid"]) + Decimal(r0["principal_outstanding"]) + Decimal(
        r0["written_off"]) == Decimal("100000.00")
    history = [h["action"] for h in account_view(ctx, COLLECTOR, ids[0])["history"]]
    assert {"restructure_proposed", "restructure_approved"} <= set(history)
    loans, ok = reconcile(ctx.engine, "B01", date(2026, 3, 21), out)  # the effective day
    assert (loans, ok) == (2, 2)
    with out.open() as f:  # a restructure moves no money: nothing received that day
        assert {r["received"] for r in csv.DictReader(f)} == {"0.00"}


def test_collectors_work_accounts_and_only_their_banks_read_them(ctx: ServiceContext) -> None:
    ids = seed_loans(ctx.engine, [Decimal("100000.00")] * 2, start=START)
    day = date(2026, 2, 25)
    _close_and_assign(ctx, day)
    with pytest.raises(RoleNotAllowed):
        record_contact(ctx, ANALYST, ids[0], "call", "reached")
    with pytest.raises(InvalidInput) as bad:
        record_contact(ctx, COLLECTOR, ids[0], "pigeon", "maybe")
    assert {f for f, _ in bad.value.errors} == {"channel", "outcome"}
    record_contact(ctx, COLLECTOR, ids[0], "call", "reached", "will pay Friday")
    view = account_view(ctx, COLLECTOR, ids[0])
    assert view["contacts"][0]["outcome"] == "reached"
    assert view["history"][0]["detail"] == "call: reached - will pay Friday"
    assert view["episode"]["attempts"] == 1 and view["episode"]["reached"] == 1
    assert view["borrower"] == "" or "*" in view["borrower"]
    assert account_view(ctx, Actor("b1", "bank_officer", "B01"), ids[0])["loan_id"] == ids[0]
    with pytest.raises(AccountNotFound):
        account_view(ctx, Actor("b2", "bank_officer", "B02"), ids[0])
    with pytest.raises(RoleNotAllowed):
        account_view(ctx, Actor("am", "account_manager"), ids[0])
    assert queue_view(ctx, Actor("b2", "bank_officer", "B02"))["count"] == 0
    mine = queue_view(ctx, COLLECTOR)
    assert mine["team"] == "phone" or mine["count"] == 0
    board = dashboard(ctx, COLLECTOR)
    assert board["to"] == day.isoformat()
    with pytest.raises(RoleNotAllowed):
        dashboard(ctx, Actor("b1", "bank_officer", "B01"))


def test_a_c_card_kept_in_the_registry_scores_the_night_with_its_reasons(
        ctx: ServiceContext) -> None:
    import pandas as pd

    from creditfactory.models.ccard import FEATURES, CollectionScorecard
    from creditfactory.services.collections_assign import store_ccard

    rng = np.random.default_rng(3)
    x = pd.DataFrame({f: rng.normal(size=3000) for f in FEATURES})
    x["bucket"] = rng.integers(1, 4, 3000).astype(float)
    x["paid_share"] = rng.random(3000)
    logit = 1.5 - 1.2 * x["bucket"] + 2.0 * x["paid_share"]
    y = (rng.random(3000) < 1 / (1 + np.exp(-logit))).astype(int)
    card = CollectionScorecard(objective="logistic").fit(x, y)
    with UnitOfWork(ctx.engine) as uow:
        store_ccard(uow, card, "tester")
        uow.commit()
    seed_loans(ctx.engine, [Decimal("100000.00")] * 5, start=START)
    done = _close_and_assign(ctx, date(2026, 4, 1))
    assert done.score_source == f"ccard:logistic:{card.version_}"
    rows = _rows(ctx, "SELECT loan_id, score_source, score_reasons, cure_probability "
                      "FROM collections_assignments ORDER BY loan_id")
    assert len(rows) == 5 and {r.score_source for r in rows} == {done.score_source}
    assert all(0.0 < r.cure_probability < 1.0 for r in rows)
    assert any(r.score_reasons for r in rows)
    view = account_view(ctx, COLLECTOR, rows[0].loan_id)
    assert view["assignment"]["score_reasons"] == [
        c for c in rows[0].score_reasons.split(";") if c]


def test_the_night_reads_the_ring_links_the_month_end_sweep_found(ctx: ServiceContext) -> None:
    from datetime import UTC, datetime

    from creditfactory.fraud.identity import HASH_COLUMNS, pack_identity
    from creditfactory.services.fraud_graph import sweep_ring_links

    ids = seed_loans(ctx.engine, [Decimal("100000.00")] * 5, start=START)
    jan = int(datetime(2026, 1, 14, tzinfo=UTC).timestamp())
    feb = int(datetime(2026, 2, 3, tzinfo=UTC).timestamp())

    def record(at: int, k: int, **shared: int) -> bytes:
        return pack_identity({"applied_at": at + k, **{c: 1000 * k + j for j, c in enumerate(HASH_COLUMNS)},
                              **shared})

    # the first two share a device and a home address (a ring's pair); the third shares only a
    # phone with them; the fourth was kept before identity records were; the fifth's mate
    # applied in February, after January's sweep
    packed = [record(jan, 1, device=7, home_address=8, phone=9), record(jan, 2, device=7, home_address=8),
              record(jan, 3, phone=9), None, record(jan, 5, device=70, home_address=80)]
    with ctx.engine.begin() as c:
        for loan_id, p in zip(ids, packed, strict=True):
            c.execute(sa.text("UPDATE applications SET fraud_identity = :p WHERE application_id = "
                              "(SELECT application_id FROM loans WHERE id = :l)"), {"p": p, "l": loan_id})
    close_business(ctx.engine, date(2026, 2, 24))
    assert assign_collections(ctx.engine, date(2026, 2, 24)).accounts == 5
    before = dict(_rows(ctx, "SELECT loan_id, ring_linked FROM collections_entries"))
    assert set(before.values()) == {None}  # no sweep yet: not known
    mate = seed_loans(ctx.engine, [Decimal("100000.00")], start=date(2026, 2, 3), first_id=ids[-1] + 1)
    with ctx.engine.begin() as c:
        c.execute(sa.text("UPDATE applications SET fraud_identity = :p WHERE application_id = "
                          "(SELECT application_id FROM loans WHERE id = :l)"),
                  {"p": record(feb, 6, device=70, home_address=80), "l": mate[0]})
    with UnitOfWork(ctx.engine) as uow:
        assert sweep_ring_links(uow, "2026-01", datetime.now(UTC)) == 2
        assert sweep_ring_links(uow, "2026-01", datetime.now(UTC)) == 0  # a rerun finds none new
        uow.commit()
    sweeps = _rows(ctx, "SELECT month, applications, linked FROM ring_sweeps")
    assert [tuple(r) for r in sweeps] == [("2026-01", 4, 2)]  # four records kept by January's end
    # episodes begin anew after a payment: the loans enter M1 again on 25 February
    for loan_id in ids:
        post_repayment(ctx, BANK, loan_id, {"reference": f"P-{loan_id}", "value_date": "2026-02-24",
                                            "amount": "9168.00"})
    day = date(2026, 3, 25)
    close_business(ctx.engine, day)
    assign_collections(ctx.engine, day)
    rows = dict(_rows(ctx, f"SELECT loan_id, ring_linked FROM collections_entries WHERE entered_on = '{day}'"))
    # January's sweep read the first five; the fifth's mate came later: not linked as of January
    assert [rows[i] for i in ids] == [1.0, 1.0, 0.0, None, 0.0]
    assert rows[mate[0]] is None  # applied in February: January's sweep never read it
    fraud = dict(_rows(ctx, f"SELECT loan_id, p_fraud FROM collections_assignments WHERE business_date = '{day}'"))
    assert fraud[ids[0]] == pytest.approx(fraud[ids[1]]) and fraud[ids[0]] > 2 * fraud[ids[2]]
    assert fraud[ids[2]] == pytest.approx(fraud[ids[3]])
