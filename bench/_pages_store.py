"""A store of N applications for timing the staff pages: a real factory's rows, multiplied.

The sample is the demo's SQLite factory (`creditfactory demo`: new people played through the
services for months — decisions, cases, tasks, banks, contracts, loans, the book, the early
warning). Its application rows are copied in SQL (`INSERT ... SELECT`) until the store holds
N applications: every id shifted by a multiple of a stride, the unique values suffixed, each
copy's fraud-graph identity hashes salted (so copies do not all link to each other; the
channel is kept), the sample's case times moved so its last application is an hour old (each
copy has the sample's spread over the played months; the loan book keeps its dates).
The store is migrated to this tree's head first, then gets the sample's rows (read from the
SQLite file through the tables, every column the sample has).
"""

from __future__ import annotations

import struct
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from creditfactory.fraud.identity import PACKED_COLUMNS
from creditfactory.store import make_engine, upgrade_head
from creditfactory.store.tables import metadata
from creditfactory.store.types import UTCDateTime

STRIDE = 10_000_000
CLONED = ("applicants", "applications", "bureau_consents", "bureau_pulls", "external_records",
          "data_checks", "decisions", "cases", "tasks", "findings", "audit_log",
          "bank_submissions", "contracts", "payout_checks", "loans", "loan_accounts",
          "loan_schedule", "loan_transactions", "monitoring_loan_months")
ID_COLUMNS = ("id", "application_id", "applicant_id", "case_id", "loan_id")
UNIQUE_TEXT = {"applicants": ("resident_id_hash",), "contracts": ("contract_no",),
               "loans": ("contract_no",), "loan_accounts": ("contract_no",),
               "loan_transactions": ("reference",)}
BOOK = ("loan_accounts", "loan_schedule", "loan_transactions", "monitoring_loan_months")
_PACK = struct.Struct("<Bq" + "Q" * (len(PACKED_COLUMNS) - 1))
_KEEP = {1, PACKED_COLUMNS.index("channel") + 1}  # applied_at and the channel stay


def _tables() -> dict[str, sa.Table]:
    import importlib
    import pkgutil

    import creditfactory.store as store

    for m in pkgutil.iter_modules(store.__path__):
        if m.name.startswith("tables"):
            importlib.import_module(f"creditfactory.store.{m.name}")
    return {t.name: t for t in metadata.sorted_tables}


def _salted(data: bytes, k: int) -> bytes:
    values = list(_PACK.unpack(data))
    salt = (k * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    for i in range(1, len(values)):
        if i not in _KEEP and values[i]:
            values[i] ^= salt
    return _PACK.pack(*values)


def _shifted(col: Any, seconds: int, dialect: str) -> Any:
    if dialect == "sqlite":
        return sa.func.datetime(col, f"{seconds:+d} seconds")
    return col + sa.text(f"interval '{seconds} seconds'")


def _is_time(col: Any) -> bool:
    return isinstance(col.type, UTCDateTime)


def _shift_sample(engine: sa.Engine) -> int:
    """Move the sample's case times so its last application is an hour ago (the played
    world's calendar is years back; the pages' "today" and "30 days" need recent cases); the
    loan book keeps its own business dates. The audit rows of the sample itself cannot be
    changed (the store forbids it) and keep their times; the copies' are shifted."""
    tables = _tables()
    dialect = engine.dialect.name
    with engine.begin() as c:
        last = c.execute(sa.select(sa.func.max(tables["applications"].c.applied_at))).scalar()
        if last is None:
            raise SystemExit("the store holds no application to clone")
        if isinstance(last, str):
            last = datetime.fromisoformat(last)
        if last.tzinfo is None:
            last = last.replace(tzinfo=UTC)
        seconds = int((datetime.now(UTC) - timedelta(hours=1) - last).total_seconds())
        for name in CLONED:
            t = tables.get(name)
            if t is None or name in BOOK or name == "audit_log":
                continue
            times = {col.name: _shifted(col, seconds, dialect) for col in t.columns
                     if _is_time(col)}
            if times:
                c.execute(sa.update(t).values(**times))
    return seconds


def _clone(engine: sa.Engine, copies: int, seconds: int) -> None:
    tables = _tables()
    dialect = engine.dialect.name
    with engine.begin() as c:
        for k in range(1, copies + 1):
            for name in CLONED:
                t = tables.get(name)
                if t is None:
                    continue
                cols = []
                for col in t.columns:
                    expr: Any = col
                    if col.name in ID_COLUMNS and isinstance(col.type, sa.Integer):
                        expr = col + k * STRIDE
                    elif col.name in UNIQUE_TEXT.get(name, ()):
                        tail = f"-{k}"
                        keep = (getattr(col.type, "length", None) or 64) - len(tail)
                        expr = sa.func.substr(col, 1, keep) + sa.literal(tail)
                    elif name == "audit_log" and _is_time(col):
                        expr = _shifted(col, seconds, dialect)
                    cols.append(expr.label(col.name) if expr is not col else col)
                first = next(c for c in t.primary_key.columns)
                where = (first < STRIDE) if isinstance(first.type, sa.Integer) else sa.true()
                if name == "monitoring_loan_months":
                    where = t.c.loan_id < STRIDE
                c.execute(sa.insert(t).from_select([x.name for x in t.columns],
                                                   sa.select(*cols).where(where)))
        apps = tables["applications"]
        rows = c.execute(sa.select(apps.c.application_id, apps.c.fraud_identity)
                         .where(apps.c.application_id >= STRIDE,
                                apps.c.fraud_identity.is_not(None))).all()
        upd = (sa.update(apps).where(apps.c.application_id == sa.bindparam("aid"))
               .values(fraud_identity=sa.bindparam("fi")))
        batch = [{"aid": aid, "fi": _salted(bytes(fi), aid // STRIDE)} for aid, fi in rows]
        for i in range(0, len(batch), 5000):
            c.execute(upd, batch[i:i + 5000])


def _copy_rows(sample_url: str, engine: sa.Engine) -> None:
    """The sample's rows into the empty store at ``engine`` (migrated to this tree's head):
    every table and column the sample has, read and written through the tables' types."""
    tables = _tables()
    src = make_engine(sample_url)
    have = sa.inspect(src)
    with src.connect() as s, engine.begin() as d:
        if engine.dialect.name == "postgresql":
            names = ", ".join(t.name for t in metadata.sorted_tables)
            d.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
            d.exec_driver_sql(f"TRUNCATE {names} CASCADE")
            d.exec_driver_sql("ALTER TABLE audit_log ENABLE TRIGGER USER")
        else:
            for t in reversed(metadata.sorted_tables):
                if t.name != "audit_log":
                    d.execute(sa.delete(t))
        for t in tables.values():
            if not have.has_table(t.name):
                continue
            common = {c["name"] for c in have.get_columns(t.name)}
            cols = [c for c in t.columns if c.name in common]
            rows = [dict(r) for r in s.execute(sa.select(*cols)).mappings()]
            for i in range(0, len(rows), 5000):
                d.execute(sa.insert(t), rows[i:i + 5000])
            if (engine.dialect.name == "postgresql" and rows and "id" in t.c
                    and isinstance(t.c.id.type, sa.Integer)):
                d.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{t.name}', 'id'), "
                                  f"(SELECT max(id) FROM {t.name}))")
    src.dispose()


def sample_count(url: str) -> int:
    eng = make_engine(url)
    with eng.connect() as c:
        n = int(c.exec_driver_sql("SELECT count(*) FROM applications").scalar_one())
    eng.dispose()
    return n


def build(kind: str, sample_db: Path, applications: int, where: str) -> str:
    """A store of about ``applications`` applications (``kind``: sqlite or postgresql;
    ``where``: the SQLite file or the PostgreSQL URL of an existing database); its URL."""
    t0 = time.perf_counter()
    sample_url = f"sqlite:///{sample_db}"
    n = sample_count(sample_url)
    copies = max(0, -(-applications // n) - 1)
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(where + suffix).unlink(missing_ok=True)
        url = f"sqlite:///{where}"
        engine = make_engine(url)
    else:
        url = where
        engine = make_engine(url)
        with engine.begin() as c:
            c.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            c.exec_driver_sql("CREATE SCHEMA public")
    upgrade_head(url, engine)
    _copy_rows(sample_url, engine)
    seconds = _shift_sample(engine)
    _clone(engine, copies, seconds)
    with engine.begin() as c:
        c.exec_driver_sql("ANALYZE")
    engine.dispose()
    total = sample_count(url)
    print(f"[{kind}] store of {total:,} applications ({n:,} played, {copies} copies) "
          f"in {time.perf_counter() - t0:.1f} s", flush=True)
    return url
