"""One runner per database for a background job, with take-over when the holder lets go."""

from __future__ import annotations

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
