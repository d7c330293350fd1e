"""The C-card learnt from the lender's own collections history, on SQLite and PostgreSQL: the
nightly assignment keeps each bucket entry with the night's C-card inputs (once a date), the
end of an episode back to current labels its entries cured, and with enough matured entries
the fit keeps a card the next night scores with; too few are refused by name."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from creditfactory.cli import _register, app
from creditfactory.models.ccard import FEATURES
from creditfactory.services.collections_assign import assign_collections, load_ccard
from creditfactory.services.collections_fit import MIN_ENTRIES, fit_ccard_from_book
from creditfactory.services.collections_work import record_contact
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import InvalidInput
from creditfactory.services.ports import Actor
from creditfactory.services.servicing_book import post_repayment
from creditfactory.services.servicing_close import close_business
from creditfactory.store import UnitOfWork
from creditfactory.store.tables_collections import ENTRY_FEATURES, collections_entries

from .servicing_seed import seed_loans, service_context

START = date(2026, 1, 15)  # first instalment due 2026-02-15
BANK = Actor("b01-sys", "bank_system", "B01")
COLLECTOR = Actor("cathy", "collector")
INSTALMENT_PER_CNY = 0.015 / (1 - 1.015 ** -12)  # 18 % a year, 12 months

ctx = pytest.fixture(name="ctx")(service_context)


def _close_and_assign(ctx: ServiceContext, day: date) -> Any:
    close_business(ctx.engine, day)
    return assign_collections(ctx.engine, day)


def _entries(ctx: ServiceContext) -> list[Any]:
    with ctx.engine.connect() as c:
        return list(c.execute(sa.select(collections_entries).order_by(
            collections_entries.c.entered_on, collections_entries.c.loan_id)).all())


def _day(value: Any) -> str:
    return str(value)[:10]


def _pay_up(ctx: ServiceContext, loan_id: int, amount: Decimal, on: str) -> None:
    """The first instalment with the penalty accrued since: the loan is current again."""
    due = float(amount) * INSTALMENT_PER_CNY * 1.02
    post_repayment(ctx, BANK, loan_id, {"reference": f"C-{loan_id}-{on}", "value_date": on,
                                        "amount": f"{due:.2f}"})


def test_the_store_keeps_every_c_card_input_as_a_column() -> None:
    assert ENTRY_FEATURES == FEATURES
    names = set(collections_entries.c.keys())
    assert {f for f in FEATURES if f != "bucket"} <= names
    assert {"loan_id", "episode_start", "bucket", "entered_on", "cured_on"} <= names


def test_each_bucket_entry_is_kept_once_with_its_inputs_and_cured_when_the_episode_ends(
        ctx: ServiceContext) -> None:
    amounts = [Decimal("100000.00"), Decimal("60000.00"), Decimal("80000.00")]
    ids = seed_loans(ctx.engine, amounts, start=START)
    with pytest.raises(InvalidInput, match="no business day closed"):
        fit_ccard_from_book(ctx.engine)
    _close_and_assign(ctx, date(2026, 2, 20))  # 5 days past the first due day: M1
    rows = _entries(ctx)
    assert [r.loan_id for r in rows] == ids
    for r, amount in zip(rows, amounts, strict=True):
        assert (r.bucket, _day(r.entered_on), _day(r.episode_start)) == (
            "M1", "2026-02-20", "2026-02-16")
        assert r.instalment == pytest.approx(float(amount) * INSTALMENT_PER_CNY, rel=1e-3)
        assert (r.paid_share, r.first_payment_default, r.prior_episodes, r.attempts) == (
            0.0, 1.0, 0.0, 0.0)
        assert r.a_pd is None and r.cures is None and r.cured_on is None  # not held: NULL
    record_contact(ctx, COLLECTOR, ids[1], "call", "reached", "will pay")
    _close_and_assign(ctx, date(2026, 2, 21))  # the same bucket: no new entry
    again = assign_collections(ctx.engine, date(2026, 2, 21))
    assert again.already
    assert len(_entries(ctx)) == 3
    _pay_up(ctx, ids[0], amounts[0], "2026-02-22")
    done = _close_and_assign(ctx, date(2026, 2, 22))
    assert done.cured == 1
    cured = {r.loan_id: r.cured_on for r in _entries(ctx)}
    assert _day(cured[ids[0]]) == "2026-02-22" and cured[ids[1]] is None
    # 31 days past due: the others enter M2 with the episode so far; the cured loan misses its
    # second instalment and begins a new episode, its earlier fast cure on record
    _close_and_assign(ctx, date(2026, 3, 18))
    later = {(r.loan_id, r.bucket): r for r in _entries(ctx) if _day(r.entered_on) == "2026-03-18"}
    assert set(later) == {(ids[0], "M1"), (ids[1], "M2"), (ids[2], "M2")}
    assert later[(ids[1], "M2")].attempts == 1.0 and later[(ids[1], "M2")].reach_rate == 1.0
    assert later[(ids[2], "M2")].attempts == 0.0
    assert (later[(ids[0], "M1")].prior_episodes, later[(ids[0], "M1")].prior_fast_cures) == (
        1.0, 1.0)
    assert _day(later[(ids[0], "M1")].episode_start) == "2026-03-16"
    assert all(r.cured_on is None for r in later.values())
    # the first entries matured on 2026-03-22: three, far from enough
    close_business(ctx.engine, date(2026, 3, 22))
    with pytest.raises(InvalidInput, match=f"3 matured bucket entries.*at least {MIN_ENTRIES}"):
        fit_ccard_from_book(ctx.engine)
    with pytest.raises(InvalidInput, match="objective"):
        fit_ccard_from_book(ctx.engine, "forest")


def test_matured_entries_of_one_outcome_only_are_refused(ctx: ServiceContext) -> None:
    seed_loans(ctx.engine, [Decimal("100000.00")] * MIN_ENTRIES, start=START)
    _close_and_assign(ctx, date(2026, 2, 18))
    close_business(ctx.engine, date(2026, 3, 20))
    with pytest.raises(InvalidInput, match=f"all {MIN_ENTRIES} matured bucket entries stayed "
                                           f"uncured within 30 days.*both outcomes"):
        fit_ccard_from_book(ctx.engine)
    with UnitOfWork(ctx.engine, write=False) as uow:
        assert load_ccard(uow)[0] is None


def test_a_c_card_fitted_on_the_book_scores_the_next_night(ctx: ServiceContext) -> None:
    rng = np.random.default_rng(11)
    n = 120
    amounts = [Decimal(int(a) * 1000) for a in rng.integers(30, 151, n)]
    ids = seed_loans(ctx.engine, amounts, start=START)
    _close_and_assign(ctx, date(2026, 2, 18))
    assert len(_entries(ctx)) == n
    # the smaller loans mostly pay up within days, the larger mostly not
    small = np.array([float(a) for a in amounts]) < 90_000
    pays = np.where(rng.random(n) < 0.85, small, ~small)
    for loan_id, amount, paid in zip(ids, amounts, pays.tolist(), strict=True):
        if paid:
            _pay_up(ctx, loan_id, amount, "2026-02-25")
    done = _close_and_assign(ctx, date(2026, 2, 25))
    assert done.cured == int(pays.sum())
    close_business(ctx.engine, date(2026, 3, 20))  # the entries of 2026-02-18 matured
    with UnitOfWork(ctx.engine, write=False) as uow:
        assert load_ccard(uow)[0] is None
    fitted = fit_ccard_from_book(ctx.engine, "logistic", by="rita")
    assert (fitted.rows, fitted.cured) == (n, int(pays.sum()))
    assert fitted.cure_rate == pytest.approx(pays.mean())
    assert (fitted.development_rows, fitted.out_of_time_rows) == (84, 36)
    assert fitted.out_of_time_auc is not None and fitted.out_of_time_auc > 0.6
    with UnitOfWork(ctx.engine, write=False) as uow:
        card, source = load_ccard(uow)
    assert card is not None and card.version_ == fitted.version
    assert source == fitted.score_source == f"ccard:logistic:{fitted.version}"
    night = assign_collections(ctx.engine, date(2026, 3, 20))
    assert night.score_source == fitted.score_source
    with ctx.engine.connect() as c:
        sources = c.execute(sa.text("SELECT DISTINCT score_source FROM collections_assignments "
                                    "WHERE business_date = '2026-03-20'")).scalars().all()
    assert sources == [fitted.score_source]
    # the command line fits the challenger on the same book and prints what it kept
    url = ctx.engine.url.render_as_string(hide_password=False)
    _register()
    result = CliRunner().invoke(app, ["collections", "fit", "--db", url, "--objective",
                                      "lightgbm"])
    assert result.exit_code == 0, result.output
    assert f"fitted on {n} matured bucket entries" in result.output
    with UnitOfWork(ctx.engine, write=False) as uow:
        assert load_ccard(uow)[1].startswith("ccard:lightgbm:")


def test_a_reason_model_learnt_on_the_book_infers_the_next_night(ctx: ServiceContext) -> None:
    from creditfactory.collections.reasons import load_reason_model, reason_model_to_dict
    from creditfactory.services.collections_assign import load_reasons
    from creditfactory.services.collections_fit import fit_reasons_from_book

    n = 90
    amounts = [Decimal("100000.00")] * n
    ids = seed_loans(ctx.engine, amounts, start=START)
    _close_and_assign(ctx, date(2026, 2, 18))  # every loan enters M1
    quick, slow = ids[:30], ids[30:60]  # the rest never pay
    for loan_id in quick:
        _pay_up(ctx, loan_id, amounts[0], "2026-02-24")
    _close_and_assign(ctx, date(2026, 2, 24))
    for loan_id in slow:
        _pay_up(ctx, loan_id, amounts[0], "2026-03-10")
    _close_and_assign(ctx, date(2026, 3, 10))
    for day in (date(2026, 3, 20), date(2026, 4, 20)):  # into M2, M3
        _close_and_assign(ctx, day)
    with pytest.raises(InvalidInput, match="0 bucket entries 90 days old.*at least"):
        fit_reasons_from_book(ctx.engine)
    _close_and_assign(ctx, date(2026, 5, 20))  # into M4: the 2026-02-18 entries are 91 days old
    with ctx.engine.connect() as c:
        before = dict(c.execute(sa.text("SELECT loan_id, p_oversight FROM collections_assignments "
                                        "WHERE business_date = '2026-05-20'")).all())
    with UnitOfWork(ctx.engine, write=False) as uow:
        assert reason_model_to_dict(load_reasons(uow)) == reason_model_to_dict(load_reason_model())
    learnt = fit_reasons_from_book(ctx.engine, by="rita")
    assert learnt.rows == n
    assert learnt.hindsight == {"quick_cure": 30, "slow_cure": 30, "defaulted": 30}
    assert sum(learnt.shares_at_entry.values()) == pytest.approx(1.0)
    with UnitOfWork(ctx.engine, write=False) as uow:
        kept = load_reasons(uow)
    assert kept.log_lr_absent is not None  # learnt, not the declared beliefs
    assert reason_model_to_dict(kept) != reason_model_to_dict(load_reason_model())
    _close_and_assign(ctx, date(2026, 5, 21))
    with ctx.engine.connect() as c:
        after = dict(c.execute(sa.text("SELECT loan_id, p_oversight FROM collections_assignments "
                                       "WHERE business_date = '2026-05-21'")).all())
    assert set(after) == set(before) and set(ids[60:]) <= set(after)
    # the same accounts in the same buckets: only the model changed between the two nights
    assert all(after[k] != pytest.approx(before[k]) for k in after)
