"""A bank file import killed (``kill -9``) inside its transaction on SQLite and PostgreSQL, then
run again with the real command: no repayment lost or doubled, every loan equal to its
statement and reconciled, the reconciliation's money per day equal to the file's."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from creditfactory.services.context import ServiceContext
from creditfactory.services.servicing_close import close_business
from creditfactory.services.servicing_files import import_bank_file, reconcile

from .servicing_seed import seed_loans, service_context
from .test_store_servicing_book import START, _same_as_statement

pytestmark = pytest.mark.slow  # a long file: it starts first (tests/conftest.py)

ctx = pytest.fixture(name="ctx")(service_context)
DAYS = (date(2026, 3, 10), date(2026, 3, 15), date(2026, 4, 2), date(2026, 4, 15))
"""The file's value dates: two before the business date (caught up inline), two after."""
BUSINESS_DATE = date(2026, 3, 31)


def _in_transaction(ctx: ServiceContext) -> bool:
    """True while another connection holds the store's write transaction (the import's)."""
    url = ctx.engine.url
    if url.get_backend_name() == "sqlite":
        probe = sqlite3.connect(str(url.database), timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()
    with ctx.engine.connect() as c:
        try:
            c.exec_driver_sql("SELECT 1 FROM servicing_calendar WHERE id = 1 FOR UPDATE NOWAIT")
            return False
        except sa.exc.OperationalError:
            return True
        finally:
            c.rollback()


def test_an_import_killed_mid_transaction_then_rerun_posts_each_row_once(
        ctx: ServiceContext, empty_db_url: str, tmp_path: Path) -> None:
    ids = seed_loans(ctx.engine, [Decimal(f"{100000 + 700 * k}.00") for k in range(100)],
                     start=START, term=24)
    close_business(ctx.engine, BUSINESS_DATE)
    rows = [(f"K{r:06d}", f"CF-B01-{ids[r % len(ids)]:09d}", DAYS[r % 4].isoformat(),
             f"{10 + r % 500}.{r % 100:02d}") for r in range(20_000)]
    file = tmp_path / "b01.csv"
    with file.open("w", newline="") as f:
        csv.writer(f).writerows([("reference", "loan", "date", "amount"), *rows])
    cmd = [sys.executable, "-m", "creditfactory", "servicing", "import", str(file), "--bank",
           "B01", "--db", empty_db_url]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not _in_transaction(ctx) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL, "the import finished before it could be killed"
    with ctx.engine.connect() as c:
        after_kill = c.execute(sa.text("SELECT count(*) FROM loan_transactions")).scalar()
    assert after_kill in (0, len(rows))  # all or nothing (nothing unless the commit won)

    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    posted = len(rows) - (after_kill or 0)
    assert f"posted {posted}, refused {len(rows) - posted}" in " ".join(done.stdout.split())
    again = import_bank_file(ctx.engine, file, "B01", tmp_path / "again.csv")
    assert (again.posted, again.refused) == (0, len(rows))
    with ctx.engine.connect() as c:
        stored = Counter(r for (r,) in c.execute(sa.text(
            "SELECT reference FROM loan_transactions")))
    assert stored == Counter(r for r, *_ in rows)

    end = DAYS[-1] + timedelta(days=1)
    close_business(ctx.engine, end)
    for loan_id in ids[:10]:
        _same_as_statement(ctx, loan_id, end)
    file_sums: dict[str, Decimal] = defaultdict(Decimal)
    for _, _, on, amount in rows:
        file_sums[on] += Decimal(amount)
    for day in DAYS:
        out = tmp_path / f"rec-{day}.csv"
        assert reconcile(ctx.engine, "B01", day, out) == (len(ids), len(ids))
        with out.open() as f:
            received = sum((Decimal(r["received"]) for r in csv.DictReader(f)), Decimal(0))
        assert received == file_sums[day.isoformat()]
    assert os.path.exists(file.with_suffix(".report.csv"))
