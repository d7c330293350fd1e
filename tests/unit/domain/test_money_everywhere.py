"""Amounts read at the edges (bureau answers, pages) round half-up to the fen like to_money."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from creditfactory.domain.external_data import BUREAU_FIELDS, BureauReport
from creditfactory.web.formatting import money


def _answer(**money: str) -> dict[str, object]:
    fields: dict[str, object] = dict.fromkeys(BUREAU_FIELDS, 0)
    fields.update(money)
    return {"fields": fields, "report_id": "R1"}


def test_a_bureau_amount_with_a_half_fen_rounds_up() -> None:
    report = BureauReport.from_answer(_answer(bureau_debt="1234.565"), datetime(2030, 1, 1), "test")
    assert report.fields["bureau_debt"] == Decimal("1234.57")


def test_a_bureau_amount_that_is_not_a_number_names_its_field() -> None:
    with pytest.raises(ValueError, match="bureau_debt"):
        BureauReport.from_answer(_answer(bureau_debt="lots"), datetime(2030, 1, 1), "test")


def test_pages_show_money_rounded_half_up() -> None:
    assert money(Decimal("2.675")) == "2.68"
    assert money(0.125) == "0.13"
    assert money(1234567.5) == "1,234,567.50"
    assert money(None) == ""
