"""The bank file read column-wise judges every cell as the per-row rules of a posting do
(``Decimal``, ``date.fromisoformat``, ``str.isprintable``), and counts lines as csv does."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditfactory.domain.money import round_money
from creditfactory.servicing.bank_file import NO_DAY, read_repayment_file

EPOCH = date(1970, 1, 1).toordinal()
amounts = st.one_of(st.decimals(min_value=-5, max_value=10**9, places=3).map(str),
                    st.sampled_from(["0", "0.00", "1E+2", "1e-2", "+5", "12.", ".5", "NaN",
                                     "Infinity", "", "abc", "1,000", "007.10", "5.5"]))
dates = st.one_of(st.dates(date(2000, 1, 1), date(2030, 12, 31)).map(date.isoformat),
                  st.sampled_from(["2026-02-30", "20260215", "2026-2-15", "15/02/2026", "",
                                   "2026-13-01", "x"]))
refs = st.one_of(st.text(alphabet="AZaz09-_", min_size=0, max_size=70),
                 st.sampled_from(["Ré1", "R\u200b1", "票据-1", "R 1"]))


def _amount(text: str) -> int:
    try:
        a = Decimal(text)
        return int(a * 100) if a.is_finite() and a > 0 and round_money(a) == a else -1
    except InvalidOperation:
        return -1


def _day(text: str) -> int:
    try:
        return date.fromisoformat(text).toordinal() - EPOCH
    except ValueError:
        return NO_DAY


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(refs, dates, amounts), min_size=1, max_size=30))
def test_each_cell_is_judged_as_a_single_posting_would_be(tmp_path: Path, rows: list) -> None:
    file = tmp_path / "f.csv"
    with file.open("w", newline="") as f:
        csv.writer(f).writerows([("reference", "loan", "date", "amount"),
                                 *((r, "C1", d, a) for r, d, a in rows)])
    got = read_repayment_file(file)
    kept = [(n, r, d, a) for n, (r, d, a) in enumerate(rows, start=2)
            if any(x.strip() for x in (r, "C1", d, a))]
    assert got.line.tolist() == [n for n, *_ in kept]
    assert got.fen.tolist() == [_amount(a.strip()) for *_, a in kept]
    assert got.day.tolist() == [_day(d.strip()) for _, _, d, _ in kept]
    assert got.reference_ok.tolist() == [0 < len(r.strip()) <= 64 and r.strip().isprintable()
                                         for _, r, _, _ in kept]


def test_rows_of_another_shape_are_refused_with_their_line_and_blank_rows_skipped(
        tmp_path: Path) -> None:
    file = tmp_path / "f.csv"
    file.write_text('reference,loan,date,amount\nR1,C1,2026-02-15,1.00\n\nR2,C2,2026-02-16\n'
                    'R3,"C,3",2026-02-17,2\n , , , \nR4,C4,x,3,4\nR5,C5,2026-01-01,5\n')
    got = read_repayment_file(file)
    assert got.line.tolist() == [2, 5, 8]
    assert got.contract == ["C1", "C,3", "C5"]
    assert got.fen.tolist() == [100, 200, 500]
    assert got.malformed == [(4, "R2", "expected 4 fields, got 3"),
                             (7, "R4", "expected 4 fields, got 5")]


def test_a_wrong_header_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "f.csv"
    file.write_text("ref,loan,date,amount\nR1,C1,2026-02-15,1.00\n")
    with pytest.raises(ValueError, match="header must be reference,loan,date,amount"):
        read_repayment_file(file)
