"""A contract paid out days after it was signed, on SQLite and PostgreSQL: the signed document
stays as signed (its text and digest), and the drawdown -- the payout date and the schedule as
booked, due dates from the payout -- is shown beside it in every view."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from creditfactory.services.context import ServiceContext
from creditfactory.services.contract_signing import case_contract, contract_view, sign_contract
from creditfactory.services.tasks import complete_task
from creditfactory.servicing import repayment_schedule

from .test_store_contract_and_payout import (  # noqa: F401  (ctx: the fixture)
    INVESTIGATOR,
    STAFF,
    _at_contract,
    _held_task,
    ctx,
)


def test_a_later_payout_shows_the_booked_schedule_beside_the_contract_as_signed(
        ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    case_id, notice = _at_contract(ctx)
    before = case_contract(ctx, STAFF, case_id)
    signed_text = contract_view(ctx, STAFF, before["contract_id"], "text")
    assert before["drawdown"] is None
    doc = before["document"]
    dated = date.fromisoformat(doc["dated"])
    ctx.fraud.ties = ["store:99"]  # type: ignore[union-attr]  # the payout is held for review
    signed = sign_contract(ctx, notice.contract_id, notice.digest, notice.code, "app")
    assert signed["case_hold"] == "payout_fraud_review"
    later = ctx.clock() + timedelta(days=9)  # the investigator passes it nine days on
    monkeypatch.setattr("creditfactory.services.tasks.utcnow", lambda: later)
    done = complete_task(ctx, INVESTIGATOR, _held_task(ctx, case_id), {"verdict": "pass"})
    assert done["case_step"] == "booking_and_enrolment"

    view = case_contract(ctx, STAFF, case_id)
    assert view["document"] == doc and view["digest"] == before["digest"] == notice.digest
    drawdown = view["drawdown"]
    paid_out = later.date()
    assert drawdown["paid_out_on"] == paid_out.isoformat() and drawdown["days_after_contract"] == (paid_out - dated).days
    expected = repayment_schedule(Decimal(doc["amount"]), Decimal(doc["annual_rate"]), doc["term_months"],
                                  start=paid_out).as_dict()
    booked = drawdown["schedule"]
    assert booked["start"] == paid_out.isoformat() and booked["instalments"] == expected["instalments"]
    assert [i["due_date"] for i in booked["instalments"]] != [i["due_date"] for i in doc["schedule"]["instalments"]]
    assert booked["instalments"][0]["due_date"] == expected["instalments"][0]["due_date"] > doc["schedule"]["instalments"][0]["due_date"]

    text = contract_view(ctx, STAFF, view["contract_id"], "text")
    assert isinstance(text, str) and isinstance(signed_text, str)
    assert text.startswith(signed_text)  # what was signed, unchanged, then the drawdown
    assert f"Paid out on {paid_out.isoformat()}" in text and expected["instalments"][-1]["due_date"] in text
    page = contract_view(ctx, STAFF, view["contract_id"], "html")
    assert isinstance(page, str) and f"Drawdown {paid_out.isoformat()}" in page
    assert page.index("Document digest") < page.index(f"Drawdown {paid_out.isoformat()}")
