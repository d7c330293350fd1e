"""``creditfactory servicing schedule`` writes a loan's schedule as CSV or Parquet."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from creditfactory.cli import main

ARGS = ["servicing", "schedule", "--amount", "1383", "--rate", "12.23", "--term", "24",
        "--start", "2025-03-28"]


def run(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["creditfactory", *args])
    main()


def test_half_even_parquet_is_fineracts_schedule(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "s.parquet"
    run([*ARGS, "--rounding", "half-even", "--loan-id", "L-1", "--out", str(out)], monkeypatch)
    t = pq.read_table(out).to_pylist()
    assert list(t[0]) == ["loan_id", "instalment", "due_on", "principal_due", "interest_due",
                          "instalment_due", "opening_balance", "closing_balance"]
    assert len(t) == 24 and {r["loan_id"] for r in t} == {"L-1"}
    assert (t[0]["interest_due"], t[0]["principal_due"]) == (Decimal("14.10"), Decimal("51.15"))
    assert t[-1]["instalment_due"] == Decimal("65.30") and t[-1]["closing_balance"] == 0
    assert sum(r["principal_due"] for r in t) == Decimal("1383.00")
    assert sum(r["interest_due"] for r in t) == Decimal("183.05")


def test_csv_of_equal_principal(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "s.csv"
    run([*ARGS, "--method", "equal-principal", "--out", str(out)], monkeypatch)
    t = pacsv.read_csv(out).to_pylist()
    assert len(t) == 24 and "loan_id" not in t[0]
    assert {r["principal_due"] for r in t[:-1]} == {57.63}


@pytest.mark.parametrize(("change", "field"), [
    (["--term", "0"], "--term"), (["--rate", "abc"], "--rate"),
    (["--start", "2025-13-01"], "--start"), (["--method", "balloon"], "method"),
    (["--out", "s.xlsx"], "out")])
def test_bad_options_exit_2_naming_the_field(tmp_path: Path, monkeypatch, capsys, change,
                                             field) -> None:
    args = [*ARGS, "--out", str(tmp_path / "s.csv")]
    i = args.index(change[0]) if change[0] in args else len(args)
    args[i:i + 2] = change
    if change[0] == "--out":
        args[-1] = str(tmp_path / change[1])
    with pytest.raises(SystemExit) as exc:
        run(args, monkeypatch)
    assert exc.value.code == 2
    assert field in capsys.readouterr().err
