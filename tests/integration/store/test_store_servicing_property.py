"""Property, on SQLite: whatever payments a bank sends (on time, late, back-dated, early, as
prepayments, some reversed) and however the closes of business fall between them, the loan
on the store ends equal to its statement replayed from its transactions."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditfactory.services.context import ServiceContext
from creditfactory.services.servicing_book import post_repayment
from creditfactory.services.servicing_close import close_business
from creditfactory.store import PersonalDataVault, UnitOfWork, make_engine, upgrade_head

from .servicing_seed import seed_loans
from .test_store_servicing_book import BANK, _same_as_statement

_STATE: dict[str, object] = {}

events = st.lists(st.tuples(
    st.sampled_from(["repayment", "repayment", "prepayment", "reversal", "close"]),
    st.integers(1, 240),                                  # days after payout
    st.integers(1, 4_000_000)), min_size=1, max_size=12)  # fen


def _ctx(tmp: Path) -> ServiceContext:
    if "ctx" not in _STATE:
        url = f"sqlite:///{tmp}/property.db"
        engine = make_engine(url)
        upgrade_head(url, engine)
        _STATE["ctx"] = ServiceContext(engine, PersonalDataVault("k" * 40))
        _STATE["next"] = 1
    return _STATE["ctx"]  # type: ignore[return-value]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lag=st.integers(0, 40), amount=st.integers(5_000, 50_000), script=events)
def test_the_stored_loan_equals_its_statement_whatever_arrives(
        tmp_path_factory: object, lag: int, amount: int, script: list[tuple[str, int, int]]
) -> None:
    ctx = _ctx(tmp_path_factory.mktemp("prop"))  # type: ignore[attr-defined]
    with UnitOfWork(ctx.engine, write=False) as uow:
        today = uow.servicing.business_date() or date(2026, 1, 1)
    start = today - timedelta(days=lag)  # a loan paid out earlier may be booked late
    first = int(_STATE["next"])  # type: ignore[call-overload]
    _STATE["next"] = first + 1
    (loan_id,) = seed_loans(ctx.engine, [Decimal(amount) * 10], start=start, term=6,
                            first_id=first)
    posted: list[str] = []
    for k, (kind, after, fen) in enumerate(script):
        on = start + timedelta(days=after)
        if kind == "close":
            close_business(ctx.engine, on)
            continue
        ref = f"L{loan_id}-{k}"
        body = {"reference": ref, "kind": kind, "value_date": on.isoformat()}
        if kind == "reversal":
            if not posted:
                continue
            body["reverses"] = posted.pop(0)
        else:
            body["amount"] = str(Decimal(fen).scaleb(-2))
        post_repayment(ctx, BANK, loan_id, body)
        if kind != "reversal":
            posted.append(ref)
    with UnitOfWork(ctx.engine, write=False) as uow:
        now = uow.servicing.business_date() or start
    end = max(now, start) + timedelta(days=7)
    close_business(ctx.engine, end)
    _same_as_statement(ctx, loan_id, end)
