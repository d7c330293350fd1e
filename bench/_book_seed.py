"""What the loan-book benches share: the test suite's book seeding (written straight into the
tables with the vectorised schedules) and a store of their own for each run."""

from __future__ import annotations

import importlib.util
import uuid
from pathlib import Path

from creditfactory.store import make_engine

__all__ = ["bench_store_url", "seed"]

_SEED = Path(__file__).resolve().parents[1] / "tests/integration/store/servicing_seed.py"
_spec = importlib.util.spec_from_file_location("servicing_seed", _SEED)
assert _spec and _spec.loader
seed = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(seed)


def bench_store_url(db: str, *, fresh_sqlite: bool = False) -> tuple[str, str | None]:
    """The URL a run writes to and its PostgreSQL schema (a new one per run; None on SQLite,
    whose file is removed first with ``fresh_sqlite``)."""
    if not db.startswith("postgresql"):
        if fresh_sqlite and db.startswith("sqlite:///"):
            Path(db.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return db, None
    schema = f"cf_bench_{uuid.uuid4().hex[:8]}"
    with make_engine(db).begin() as c:
        c.exec_driver_sql(f"CREATE SCHEMA {schema}")
    return f"{db}?options=-csearch_path%3D{schema}", schema
