"""The per-bank monthly counts that bank routing reads for the quota: the migration's backfill,
and the counts kept in step with submissions, declines and re-routes (also under concurrent
submitters), always equal to counting the submissions."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditfactory.domain.application import Application, RecordedDecision
from creditfactory.domain.bank import BankSubmission
from creditfactory.domain.case import Case
from creditfactory.domain.route import route_of
from creditfactory.factory import load_banks, load_process
from creditfactory.services.bank_answers import answer, simulate_bank_answers
from creditfactory.services.bank_routing import submit_to_bank
from creditfactory.services.context import ServiceContext
from creditfactory.services.ports import Actor
from creditfactory.store import PersonalDataVault, UnitOfWork
from creditfactory.store.migrate import current_revision, migrate
from creditfactory.store.repo_banks import month_of
from creditfactory.store.tables_case import bank_month_counts, bank_submissions
from creditfactory.store.types import utcnow

BANKS = load_banks()
STEPS_OF_PROCESS = route_of(load_process().steps)
MONTH_STARTS = [datetime(2026, m, 1, tzinfo=UTC) for m in (1, 2, 3, 4)]


def _reference_data(uow: UnitOfWork) -> None:
    uow.channels.add_branch("SZ01", "Shenzhen", "Futian")
    uow.channels.add(channel_id="IM-T", channel_type="intermediary", branch="SZ01",
                     city="Shenzhen", status="active", deposit=Decimal("0"),
                     onboarded_at=utcnow())
    for bank in BANKS:
        uow.banks.upsert(bank.code, bank.name, bank.as_json())


def _case(uow: UnitOfWork, n: int, amount: str = "150000") -> Case:
    """An application with one decision and its open case, waiting for a bank."""
    now = utcnow()
    applicant = uow.applications.add_applicant(
        resident_id_hash=f"{n:032d}", resident_id_masked="1101**********1234",
        resident_id_enc="v1:x", name_masked="L*****", created_at=now)
    app_id = uow.applications.add(Application(
        applicant_id=applicant, channel_id="IM-T", branch="SZ01", industry="C",
        amount=Decimal(amount), term_months=12, applied_at=now, status="in_process",
        phone_hash="p" * 32, phone_masked="138****0000", phone_enc="v1:p",
        bank_card_hash="b" * 32, bank_card_masked="6222********0001", bank_card_enc="v1:b",
        contact_phones_masked="139****0000", contact_phones_enc="v1:c",
        fields={}, created_by="am", created_at=now))
    uow.applications.add_decision(RecordedDecision(
        application_id=app_id, seq=1, basis="application", tier="auto_approve",
        limit_amount=Decimal(amount), rate=Decimal("0.18"), product="STANDARD", score=700.0,
        record={"reasons": []}, created_at=now))
    case = Case(app_id, "auto_approve", "bank_package", "open", None, False, now, now)
    uow.cases.add(case)
    return case


def _old_schema_rows(engine: sa.Engine, cases: int) -> list[int]:
    """Reference data and ``cases`` open cases written through the tables as the database has
    them (reflected), so that the rows fit the schema of an old revision; the case ids."""
    old = sa.MetaData()
    old.reflect(engine)
    t = old.tables
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(sa.insert(t["branches"]).values(code="SZ01", city="Shenzhen", name="Futian"))
        conn.execute(sa.insert(t["channels"]).values(
            channel_id="IM-T", channel_type="intermediary", branch="SZ01", city="Shenzhen",
            status="active", deposit="0", onboarded_at=now))
        for bank in BANKS:
            conn.execute(sa.insert(t["partner_banks"]).values(
                code=bank.code, name=bank.name, policy=bank.as_json(), active=True))
        ids = []
        for n in range(cases):
            applicant = conn.execute(sa.insert(t["applicants"]).values(
                resident_id_hash=f"{n:032d}", resident_id_masked="1101**********1234",
                resident_id_enc="v1:x", name="L*", created_at=now)).inserted_primary_key[0]
            app_id = conn.execute(sa.insert(t["applications"]).values(
                applicant_id=applicant, channel_id="IM-T", branch="SZ01", industry="C",
                amount="150000", term_months=12, applied_at=now, status="in_process",
                phone_hash="p" * 32, phone_masked="138****0000", phone_enc="v1:p",
                bank_card_hash="b" * 32, bank_card_masked="6222********0001",
                bank_card_enc="v1:b", contact_phones_masked="139****0000",
                contact_phones_enc="v1:c", fields={}, created_by="am", created_at=now,
            )).inserted_primary_key[0]
            ids.append(conn.execute(sa.insert(t["cases"]).values(
                application_id=app_id, tier="auto_approve", step="bank_approval",
                status="open", exception=False, opened_at=now, updated_at=now,
            )).inserted_primary_key[0])
    return ids


def _send(uow: UnitOfWork, case: Case, at: datetime) -> str | None:
    """Route ``case`` to a bank and leave it waiting for the answer."""
    bank = submit_to_bank(uow, case, at, exclude=set(), steps=STEPS_OF_PROCESS)
    if bank:
        case.move_on(STEPS_OF_PROCESS)
        case.updated_at = at
        uow.cases.save(case)
    return bank


def _counted_by_query(uow: UnitOfWork, since: datetime) -> dict[str, int]:
    """What routing used before the counts existed: a count over the month's submissions."""
    q = (
        sa.select(bank_submissions.c.bank_code, sa.func.count())
        .where(bank_submissions.c.submitted_at >= since, bank_submissions.c.status != "declined")
        .group_by(bank_submissions.c.bank_code)
    )
    return {code: int(n) for code, n in uow.conn.execute(q)}


def _assert_counts_match_the_submissions(engine: sa.Engine) -> None:
    with UnitOfWork(engine, write=False) as uow:
        for start in [*MONTH_STARTS, utcnow().replace(day=1, hour=0, minute=0, second=0,
                                                      microsecond=0)]:
            assert uow.submissions.used_since(month_of(start)) == _counted_by_query(uow, start)
        subs = uow.conn.execute(sa.select(bank_submissions)).mappings().all()
        rows = uow.conn.execute(sa.select(bank_month_counts)).mappings().all()
    truth = Counter((s["bank_code"], month_of(s["submitted_at"]))
                    for s in subs if s["status"] != "declined")
    assert {(r["bank_code"], r["month"]): r["submitted"] for r in rows if r["submitted"]} == truth


# times around the month ends, in UTC and in UTC+8 (the quota month is the UTC one)
CN = timezone(timedelta(hours=8))
SUBMITTED = [
    (datetime(2026, 1, 31, 23, 59, 59, 999999, tzinfo=UTC), "pending"),
    (datetime(2026, 2, 1, 0, 0, tzinfo=UTC), "approved"),
    (datetime(2026, 3, 1, 7, 0, tzinfo=CN), "pending"),  # still February in UTC
    (datetime(2026, 3, 1, 8, 0, tzinfo=CN), "declined"),
    (datetime(2026, 3, 15, 12, 0, tzinfo=UTC), "approved"),
    (datetime(2026, 4, 2, 1, 0, tzinfo=UTC), "declined"),
]


def test_migration_0003_backfills_the_counts_the_old_query_gives_and_downgrades(
    empty_db_url: str, empty_engine: sa.Engine
) -> None:
    engine = empty_engine
    migrate(empty_db_url, "0002", engine)
    cases = _old_schema_rows(engine, 3)
    with engine.begin() as conn:
        for n, (at, status) in enumerate(SUBMITTED * 3):
            conn.execute(sa.insert(bank_submissions).values(
                case_id=cases[n % 3], bank_code=BANKS[n % len(BANKS)].code,
                status=status, package={}, submitted_at=at, answer_due_at=at))
    migrate(empty_db_url, "0003", engine)
    assert current_revision(engine) == "0003"
    _assert_counts_match_the_submissions(engine)
    with UnitOfWork(engine, write=False) as uow:
        feb = uow.submissions.used_since("2026-02")
        assert sum(feb.values()) == 3 * 3 and uow.submissions.used_since("2026-05") == {}
    migrate(empty_db_url, "0002", engine, down=True)
    assert current_revision(engine) == "0002"
    assert "bank_month_counts" not in sa.inspect(engine).get_table_names()
    migrate(empty_db_url, "head", engine)
    _assert_counts_match_the_submissions(engine)


@pytest.fixture
def ctx(migrated_engine: sa.Engine) -> ServiceContext:
    with UnitOfWork(migrated_engine) as uow:
        _reference_data(uow)
        uow.commit()
    return ServiceContext(
        migrated_engine, PersonalDataVault("k" * 40), None, simulated_banks=BANKS[:2]
    )


def _officer_of(sub: BankSubmission) -> Actor:
    """An officer of the bank the package went to (only its own bank's accounts answer)."""
    return Actor(f"officer_{sub.bank_code}", "bank_officer", sub.bank_code)


_SERIAL = iter(range(10**6, 10**9))
# (submit a new case in month m | an officer answers the n-th pending package: approve or
# decline | the simulated banks answer up to n of theirs)
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("submit"), st.integers(0, len(MONTH_STARTS) - 1), st.integers(0, 3)),
        st.tuples(st.sampled_from(["approve", "decline"]), st.integers(0, 20), st.integers(0, 3)),
        st.tuples(st.just("simulate"), st.integers(1, 4), st.integers(0, 3)),
    ),
    min_size=1,
    max_size=14,
)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=STEPS)
def test_counts_follow_submissions_declines_and_reroutes(
    ctx: ServiceContext, steps: list[tuple[str, int, int]]
) -> None:
    for kind, a, b in steps:
        if kind == "submit":
            at = MONTH_STARTS[a] + timedelta(days=27, hours=b * 7)  # some cross into next month
            with ctx.uow() as uow:
                _send(uow, _case(uow, next(_SERIAL)), at)
                uow.commit()
            continue
        if kind == "simulate":
            simulate_bank_answers(ctx, limit=a)
            continue
        with ctx.uow(write=False) as uow:
            pending = uow.submissions.pending(bank_codes=None, due_before=None, limit=50)
        if pending:
            sub = pending[a % len(pending)]
            answer(ctx, _officer_of(sub), sub.id, kind == "approve", "test")
    _assert_counts_match_the_submissions(ctx.engine)


def test_counts_stay_exact_under_concurrent_submitters(ctx: ServiceContext) -> None:
    with ctx.uow() as uow:
        cases = [_case(uow, 5000 + n) for n in range(40)]
        uow.commit()
    at = datetime(2031, 7, 1, tzinfo=UTC)  # a month no row exists for yet: all race to add it
    bank = BANKS[0].code
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def submit(mine: list[Case]) -> None:
        try:
            start.wait()
            for case in mine:
                with ctx.uow() as uow:
                    uow.submissions.add(BankSubmission.send(case.id, bank, {}, at, at))
                    uow.commit()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=submit, args=(cases[w::4],)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with ctx.uow(write=False) as uow:
        assert uow.submissions.used_since("2031-07") == {bank: 40}
    _assert_counts_match_the_submissions(ctx.engine)


def test_a_full_bank_takes_no_more_this_month_until_it_declines_one(
    ctx: ServiceContext,
) -> None:
    with ctx.uow() as uow:
        for bank in BANKS:
            uow.banks.upsert(bank.code, bank.name, {**bank.as_json(), "monthly_quota": 1})
        uow.commit()
    now = utcnow()
    last_month = now.replace(day=1) - timedelta(days=1)

    def send(at: datetime) -> str | None:
        with ctx.uow() as uow:
            bank = _send(uow, _case(uow, next(_SERIAL)), at)
            uow.commit()
        return bank

    assert all(send(last_month) for _ in BANKS)  # last month's packages use no quota now
    sent = [send(now) for _ in BANKS]
    assert sorted(sent) == sorted(b.code for b in BANKS)  # type: ignore[type-var]
    assert send(now) is None
    with ctx.uow(write=False) as uow:
        first = uow.submissions.pending(bank_codes=[BANKS[0].code], due_before=None, limit=9)
    this_month = [s for s in first if month_of(s.submitted_at) == month_of(now)]
    declined = answer(ctx, _officer_of(this_month[0]), this_month[0].id, False, "no")
    assert declined["case_status"] == "declined"  # every other bank is full
    assert send(now) == BANKS[0].code  # the decline gave its place back
    _assert_counts_match_the_submissions(ctx.engine)
