"""A partner bank's files on SQLite and PostgreSQL: good rows post, bad rows are reported with
line and reason and nothing is half-posted; the reconciliation balances every loan; a close
killed mid-run and run again ends where an uninterrupted one does."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from creditfactory.services import servicing_files
from creditfactory.services.context import ServiceContext
from creditfactory.services.servicing_close import close_business
from creditfactory.services.servicing_files import import_bank_file, reconcile

from .servicing_seed import seed_loans, service_context
from .test_store_servicing_book import START, _same_as_statement

pytestmark = pytest.mark.slow  # a long file: it starts first (tests/conftest.py)

ctx = pytest.fixture(name="ctx")(service_context)


def _write(path: Path, rows: list[tuple[str, ...]]) -> Path:
    with path.open("w", newline="") as f:
        csv.writer(f).writerows([("reference", "loan", "date", "amount"), *rows])
    return path


def _count(ctx: ServiceContext, sql: str) -> int:
    with ctx.engine.connect() as c:
        return int(c.execute(sa.text(sql)).scalar() or 0)


def test_good_rows_post_and_each_bad_row_is_reported_with_line_and_reason(
        ctx: ServiceContext, tmp_path: Path) -> None:
    a, b = seed_loans(ctx.engine, [Decimal("100000.00")] * 2, start=START)
    seed_loans(ctx.engine, [Decimal("100000.00")], start=START, bank="B02", first_id=10)
    close_business(ctx.engine, date(2026, 3, 1))
    file = _write(tmp_path / "b01.csv", [
        ("R1", f"CF-B01-{a:09d}", "2026-02-15", "9168.00"),   # back-dated: restated now
        ("R2", f"CF-B01-{b:09d}", "2026-03-02", "100.50"),    # waits for its close
        ("R3", "CF-B01-000000999", "2026-03-02", "1.00"),
        ("R1", f"CF-B01-{b:09d}", "2026-03-02", "1.00"),
        ("R4", f"CF-B01-{b:09d}", "2026-03-02", "0"),
        ("R5", f"CF-B01-{b:09d}", "2026-03-02", "-3.00"),
        ("R6", f"CF-B01-{b:09d}", "02/03/2026", "1.00"),
        ("R7", "CF-B02-000000010", "2026-03-02", "1.00"),
    ])
    s = import_bank_file(ctx.engine, file, "B01", tmp_path / "report.csv")
    assert (s.posted, s.refused, s.restated) == (2, 6, 1)
    with (tmp_path / "report.csv").open() as f:
        report = list(csv.DictReader(f))
    reasons = {int(r["line"]): r["reason"] for r in report}
    assert sorted(reasons) == [4, 5, 6, 7, 8, 9]
    assert "unknown contract" in reasons[4] and "repeated" in reasons[5]
    assert "amount" in reasons[6] and "amount" in reasons[7] and "value_date" in reasons[8]
    assert "another bank" in reasons[9]
    assert _count(ctx, "SELECT count(*) FROM loan_transactions") == 2
    _same_as_statement(ctx, a, date(2026, 3, 1))
    again = import_bank_file(ctx.engine, file, "B01", tmp_path / "report2.csv")
    assert again.posted == 0 and again.refused == 8
    assert _count(ctx, "SELECT count(*) FROM loan_transactions") == 2


def test_a_failure_midway_posts_nothing_of_the_file(ctx: ServiceContext, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (a,) = seed_loans(ctx.engine, [Decimal("100000.00")], start=START)
    close_business(ctx.engine, date(2026, 3, 1))
    file = _write(tmp_path / "b01.csv", [("R1", f"CF-B01-{a:09d}", "2026-02-15", "9168.00"),
                                         ("R2", f"CF-B01-{a:09d}", "2026-03-05", "10.00")])

    def broken(*args: object) -> None:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(servicing_files, "catch_up", broken)
    with pytest.raises(RuntimeError):
        import_bank_file(ctx.engine, file, "B01", tmp_path / "report.csv")
    assert _count(ctx, "SELECT count(*) FROM loan_transactions") == 0
    assert not (tmp_path / "report.csv").exists()


def test_the_reconciliation_balances_every_loan_and_shows_the_days_movements(
        ctx: ServiceContext, tmp_path: Path) -> None:
    ids = seed_loans(ctx.engine, [Decimal("100000.00"), Decimal("120000.00"),
                                  Decimal("90000.00")], start=START)
    file = _write(tmp_path / "b01.csv", [
        ("R1", f"CF-B01-{ids[0]:09d}", "2026-02-15", "9168.00"),
        ("R2", f"CF-B01-{ids[1]:09d}", "2026-02-15", "5000.00")])
    import_bank_file(ctx.engine, file, "B01", tmp_path / "report.csv")
    close_business(ctx.engine, date(2026, 9, 1))
    day = date(2026, 2, 15)
    loans, ok = reconcile(ctx.engine, "B01", day, tmp_path / "rec.csv")
    assert (loans, ok) == (3, 3)
    with (tmp_path / "rec.csv").open() as f:
        rows = {r["loan_id"]: r for r in csv.DictReader(f)}
    first = rows[str(ids[0])]
    assert (first["received"], first["interest_paid"], first["principal_paid"]) == (
        "9168.00", "1500.00", "7668.00")
    assert rows[str(ids[2])]["received"] == "0.00"
    assert reconcile(ctx.engine, "B01", date(2026, 9, 1), tmp_path / "end.csv") == (3, 3)
    with (tmp_path / "end.csv").open() as f:
        end = {r["loan_id"]: r for r in csv.DictReader(f)}
    assert Decimal(end[str(ids[2])]["written_off"]) > 0  # 199 DPD: written off
    with pytest.raises(ValueError, match="business date"):
        reconcile(ctx.engine, "B01", date(2026, 9, 2), tmp_path / "late.csv")


def test_a_close_killed_mid_run_resumes_without_posting_twice(
        ctx: ServiceContext, empty_db_url: str, tmp_path: Path) -> None:
    ids = seed_loans(ctx.engine, [Decimal(f"{100000 + 500 * k}.00") for k in range(30)],
                     start=START, term=36)
    file = _write(tmp_path / "b01.csv", [
        (f"R{k}", f"CF-B01-{i:09d}", f"2026-{2 + k % 9:02d}-15", "9168.00")
        for k, i in enumerate(ids[:20])])
    import_bank_file(ctx.engine, file, "B01", tmp_path / "report.csv")
    end = date(2029, 1, 20)
    cmd = [sys.executable, "-m", "creditfactory", "servicing", "close", "--db", empty_db_url,
           "--date", end.isoformat()]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ})
    deadline = time.monotonic() + 60
    while _count(ctx, "SELECT count(*) FROM close_runs") < 30 and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed_at = _count(ctx, "SELECT count(*) FROM close_runs")
    total = (end - START).days + 1
    assert 30 <= killed_at < total, "the close finished before it could be killed"
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert _count(ctx, "SELECT count(*) FROM close_runs") == total
    assert _count(ctx, "SELECT count(DISTINCT business_date) FROM close_runs") == total
    for loan_id in ids:
        _same_as_statement(ctx, loan_id, end)


def test_the_commands_import_a_file_and_reconcile_the_day(
        ctx: ServiceContext, empty_db_url: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from creditfactory.cli import _register, app

    _register()
    (a,) = seed_loans(ctx.engine, [Decimal("100000.00")], start=START)
    file = _write(tmp_path / "b01.csv", [("R1", f"CF-B01-{a:09d}", "2026-02-15", "9168.00"),
                                         ("R2", "nope", "2026-02-15", "1.00")])
    run = CliRunner().invoke(app, ["servicing", "import", str(file), "--bank", "B01",
                                   "--db", empty_db_url])
    assert run.exit_code == 0, run.output
    assert "posted 1, refused 1" in run.output
    assert (tmp_path / "b01.report.csv").read_text().count("\n") == 2
    run = CliRunner().invoke(app, ["servicing", "close", "--db", empty_db_url,
                                   "--date", "2026-02-15"])
    assert run.exit_code == 0 and "closed 32 day(s)" in run.output, run.output
    run = CliRunner().invoke(app, ["servicing", "reconcile", "--bank", "B01", "--date",
                                   "2026-02-15", "--out", str(tmp_path / "rec.csv"),
                                   "--db", empty_db_url])
    assert run.exit_code == 0 and "1 loans, 1 reconciled" in run.output, run.output
    bad = CliRunner().invoke(app, ["servicing", "close", "--db", empty_db_url,
                                   "--date", "15/02/2026"])
    assert bad.exit_code != 0 and "--date must be a date" in str(bad.exception)
