"""The book's figures on a hand-made book whose answers are worked out by hand: roll and flow
rates between buckets, the five-category mix and NPL ratio, vintages by MOB, by dimension."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from creditfactory.monitoring import early_delinquency, mix, prepare, roll_rates, vintages

LOANS = pd.DataFrame({
    "loan_id": [1, 2, 3],
    "booked_on": ["2024-01-05", "2024-01-20", "2024-02-10"],
    "principal": [100.0, 200.0, 300.0],
    "branch": ["B1", "B1", "B2"], "product": ["P", "P", "P"], "industry": ["C18", "F52", "C18"],
    "channel_id": ["AG1", "AG2", "AG1"], "bank": ["X", "X", "Y"],
})
#          loan 1: M0 M1 M2   loan 2: M0 M0 M1 (cured? no)   loan 3: -, M0, M4 (substandard)
ROWS = [
    (1, "2024-01", 0, 0, "M0", "normal", 100.0, "current"),
    (1, "2024-02", 1, 10, "M1", "special_mention", 90.0, "delinquent"),
    (1, "2024-03", 2, 40, "M2", "special_mention", 90.0, "delinquent"),
    (2, "2024-01", 0, 0, "M0", "normal", 200.0, "current"),
    (2, "2024-02", 1, 0, "M0", "normal", 180.0, "current"),
    (2, "2024-03", 2, 5, "M1", "special_mention", 180.0, "delinquent"),
    (3, "2024-02", 0, 0, "M0", "normal", 300.0, "current"),
    (3, "2024-03", 1, 95, "M4", "substandard", 300.0, "delinquent"),
]
MONTHLY = pd.DataFrame(ROWS, columns=["loan_id", "month", "mob", "dpd", "bucket", "class5",
                                      "principal_outstanding", "status"])


@pytest.fixture
def book():  # type: ignore[no-untyped-def]
    return prepare(LOANS, MONTHLY)


def _one(frame: pd.DataFrame, **where: object) -> pd.Series:
    rows = frame
    for k, v in where.items():
        rows = rows[rows[k] == v]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_roll_rate_is_the_share_of_the_bucket_balance_moving_one_bucket_on(book) -> None:  # type: ignore[no-untyped-def]
    r = roll_rates(book)
    # Feb -> Mar: M0 held 180 (loan 2) + 300 (loan 3); loan 2 (180) rolled to M1
    m0 = _one(r, month="2024-03", dimension="all", kind="roll", source="M0")
    assert m0["target"] == "M1" and m0["balance"] == 480.0 and m0["rate"] == pytest.approx(180 / 480)
    # M1 held loan 1 (90) and it rolled to M2
    assert _one(r, month="2024-03", dimension="all", kind="roll", source="M1")["rate"] == 1.0
    # Jan -> Feb: M0 300 of which loan 1's 100 (balance at the source month) went to M1
    assert _one(r, month="2024-02", dimension="all", kind="roll", source="M0")["rate"] == pytest.approx(100 / 300)
    # the transition matrix holds the jump M0 -> M4 of loan 3, by its branch and bank
    jump = _one(r, month="2024-03", dimension="branch", value="B2", kind="transition", source="M0")
    assert jump["target"] == "M4" and jump["rate"] == 1.0 and jump["loans"] == 1
    assert _one(r, month="2024-03", dimension="bank", value="Y", kind="roll", source="M0")["rate"] == 0.0


def test_flow_rate_compares_bucket_balances_a_month_apart(book) -> None:  # type: ignore[no-untyped-def]
    f = roll_rates(book)
    f = f[f["kind"] == "flow"]
    # M1 balance in March (loan 2: 180) over M0 balance in February (180 + 300)
    assert _one(f, month="2024-03", dimension="all", source="M0")["rate"] == pytest.approx(180 / 480)
    # M2 in March (90) over M1 in February (90)
    assert _one(f, month="2024-03", dimension="all", source="M1")["rate"] == 1.0


def test_mix_gives_the_five_category_balances_and_the_npl_ratio(book) -> None:  # type: ignore[no-untyped-def]
    m = mix(book)
    march = _one(m, month="2024-03", dimension="all")
    assert march["loans"] == 3 and march["balance"] == 570.0
    assert march["balance_substandard"] == 300.0 and march["balance_special_mention"] == 270.0
    assert march["npl_ratio"] == pytest.approx(300 / 570)
    assert march["dpd30_ratio"] == pytest.approx(390 / 570)
    assert march["dpd90_ratio"] == pytest.approx(300 / 570)
    c18 = _one(m, month="2024-03", dimension="industry", value="C18")
    assert c18["balance"] == 390.0 and c18["npl_ratio"] == pytest.approx(300 / 390)
    assert set(m["dimension"]) == {"all", "branch", "product", "industry", "channel", "bank"}


def test_closed_and_written_off_loans_are_off_the_book() -> None:
    monthly = MONTHLY.copy()
    monthly.loc[monthly.index[-1], "status"] = "written_off"
    m = mix(prepare(LOANS, monthly))
    assert _one(m, month="2024-03", dimension="all")["balance"] == 270.0


def test_vintage_rate_is_bad_balance_over_principal_paid_out(book) -> None:  # type: ignore[no-untyped-def]
    v = vintages(book)
    jan = v[(v["dimension"] == "all") & (v["vintage"] == "2024-01")].set_index("mob")
    assert jan["principal"].tolist() == [300.0] * 3 and jan["loans"].tolist() == [2] * 3
    assert jan["rate_30plus"].tolist() == pytest.approx([0.0, 0.0, 90 / 300])
    assert jan["rate_90plus"].sum() == 0.0
    feb = _one(v, dimension="all", vintage="2024-02", mob=1)
    assert feb["rate_90plus"] == 1.0 and feb["balance_90plus"] == 300.0


def test_early_delinquency_reads_the_young_book_by_channel(book) -> None:  # type: ignore[no-untyped-def]
    e = early_delinquency(book)
    ag1 = _one(e, month="2024-03", dimension="channel", value="AG1")
    assert ag1["early_dpd30_ratio"] == pytest.approx(390 / 390)
    assert _one(e, month="2024-03", dimension="channel", value="AG2")["early_dpd30_ratio"] == 0.0


def test_monthly_rows_of_an_unknown_loan_are_refused() -> None:
    bad = MONTHLY.assign(loan_id=np.where(MONTHLY["loan_id"] == 3, 9, MONTHLY["loan_id"]))
    with pytest.raises(ValueError, match="not in the loans table"):
        prepare(LOANS, bad)
