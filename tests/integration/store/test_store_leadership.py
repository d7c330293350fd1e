"""One runner per database for a background job, with take-over when the holder lets go."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from creditfactory.store import make_engine
from creditfactory.store.leadership import Leadership


def test_only_one_holder_at_a_time_and_the_next_takes_over(empty_db_url: str) -> None:
    first_engine, second_engine = make_engine(empty_db_url), make_engine(empty_db_url)
    first = Leadership(first_engine, "bank-simulator")
    second = Leadership(second_engine, "bank-simulator")
    other_job = Leadership(second_engine, "another-job")
    try:
        assert first.try_lead()
        assert first.try_lead() and first.held
        assert not second.try_lead() and not second.held
        assert other_job.try_lead()
        first.release()
        assert second.try_lead()
        assert not first.try_lead()
    finally:
        for lead in (first, second, other_job):
            lead.release()
        first_engine.dispose()
        second_engine.dispose()


def test_two_databases_each_have_their_own_runner(empty_db_url: str, tmp_path: Path) -> None:
    schema = None
    if empty_db_url.startswith("sqlite"):
        other_url = f"sqlite:///{tmp_path}/other.db"
    else:
        schema = f"cf_lead_{uuid.uuid4().hex[:8]}"
        base = os.environ["CREDITFACTORY_TEST_PG_URL"]
        with make_engine(base).begin() as c:
            c.exec_driver_sql(f"CREATE SCHEMA {schema}")
        other_url = f"{base}?options=-csearch_path%3D{schema}"
    engines = make_engine(empty_db_url), make_engine(other_url)
    leads = [Leadership(e, "bank-simulator") for e in engines]
    try:
        assert all(lead.try_lead() for lead in leads)
    finally:
        for lead in leads:
            lead.release()
        for e in engines:
            e.dispose()
        if schema:
            with make_engine(os.environ["CREDITFACTORY_TEST_PG_URL"]).begin() as c:
                c.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
