"""What the loan-book benches share: the test suite's book seeding (written straight into the
tables with the vectorised schedules) and a store of their own for each run."""

from __future__ import annotations

import importlib.util
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import Engine

from creditfactory.store import make_engine, upgrade_head

__all__ = ["bench_store", "seed"]

_SEED = Path(__file__).resolve().parents[1] / "tests/integration/store/servicing_seed.py"
_spec = importlib.util.spec_from_file_location("servicing_seed", _SEED)
assert _spec and _spec.loader
seed = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(seed)


@contextmanager
def bench_store(db: str, *, keep: bool = False, fresh_sqlite: bool = False) -> Iterator[Engine]:
    """An engine on a store of the run's own, migrated to the head: on PostgreSQL a new
    schema, dropped afterwards unless ``keep``; on SQLite the file named (removed first with
    ``fresh_sqlite``)."""
    schema = None
    url = db
    if not db.startswith("postgresql"):
        if fresh_sqlite and db.startswith("sqlite:///"):
            Path(db.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        schema = f"cf_bench_{uuid.uuid4().hex[:8]}"
        with make_engine(db).begin() as c:
            c.exec_driver_sql(f"CREATE SCHEMA {schema}")
        url = f"{db}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    try:
        upgrade_head(url, engine)
        yield engine
    finally:
        engine.dispose()
        if schema and not keep:
            with make_engine(db).begin() as c:
                c.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
