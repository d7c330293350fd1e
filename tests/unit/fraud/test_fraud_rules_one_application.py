"""The rules judged for one live application in plain numbers fire exactly as the array judge."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta, timezone
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from creditfactory.fraud.rules import (
    OneEvidence,
    RuleEvidence,
    age_evidence,
    judge,
    judge_one,
    one_age_evidence,
)


def one_application_age(resident_id: Any, applied_at: Any, declared_age: Any) -> RuleEvidence:
    """The array way: the age evidence of a one-row table, through :func:`age_evidence`."""
    ev = RuleEvidence.neutral(np.zeros(1, np.int64))
    ts = pd.Timestamp(applied_at)
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    ev.birth_ok, ev.id_age = age_evidence([resident_id], np.array([ts.to_datetime64()], "M8[D]"))
    missing = declared_age is None or declared_age is pd.NA or declared_age != declared_age
    ev.declared_age[0] = np.nan if missing else float(declared_age)
    return ev


def _pairs(hits: list[tuple[np.ndarray, str, list[str]]]) -> list[tuple[str, str]]:
    return [(code, text) for rows, code, texts in hits if len(rows) for text in texts]


def _same_evidence(one: OneEvidence, table: Any) -> bool:
    other = OneEvidence(**{name: getattr(table, name)[0].item() for name in OneEvidence.__slots__})
    return all(
        getattr(one, name) == getattr(other, name)
        or (math.isnan(getattr(one, name)) and math.isnan(getattr(other, name)))
        for name in OneEvidence.__slots__
    )


evidence = st.builds(
    OneEvidence,
    id_earlier=st.integers(0, 4),
    id_kept=st.booleans(),
    id_bad=st.booleans(),
    id_bad_example=st.integers(0, 10**9),
    contact_bad=st.integers(0, 3),
    contact_example=st.integers(0, 10**9),
    black_bad=st.integers(0, 3),
    black_example=st.integers(0, 10**9),
    black_mask=st.integers(0, 1023),
    velocity_7d=st.sampled_from([0.0, 1.0, 2.0, 3.0, 7.0]),
    birth_ok=st.booleans(),
    id_age=st.integers(0, 90),
    declared_age=st.one_of(st.just(math.nan), st.integers(0, 90).map(float),
                           st.floats(0, 90, allow_nan=False)),
)


@settings(max_examples=300)
@given(evidence, st.integers(0, 10**6), st.integers(1, 5))
def test_judging_one_application_equals_judging_its_row(ev: OneEvidence, row: int,
                                                        velocity: int) -> None:
    assert judge_one(ev, velocity) == _pairs(judge(ev.table(row), velocity))


birth_parts = st.one_of(
    st.dates(min_value=date(1600, 1, 1), max_value=date(2300, 12, 31)).map(
        lambda d: f"{d.year:04d}{d.month:02d}{d.day:02d}"),
    st.text(alphabet="0123456789", min_size=8, max_size=8),  # 20230231, 19991301, ...
    st.text(max_size=8),
)
resident_ids = st.one_of(
    st.tuples(st.text(alphabet="0123456789", min_size=6, max_size=6), birth_parts,
              st.text(alphabet="0123456789X", max_size=4)).map("".join),
    st.none(), st.integers(0, 10**18),
)
moments = st.datetimes(min_value=datetime(1700, 1, 1), max_value=datetime(2250, 1, 1))
applied = st.one_of(
    moments,
    st.tuples(moments, st.integers(-14 * 60, 14 * 60)).map(
        lambda m: m[0].replace(tzinfo=timezone(timedelta(minutes=m[1])))),
    moments.map(pd.Timestamp),
    moments.map(lambda m: m.isoformat()),
)
declared = st.one_of(st.none(), st.just(float("nan")), st.just(pd.NA), st.integers(0, 120),
                     st.floats(0, 120, allow_nan=False))


@settings(max_examples=300)
@given(resident_ids, applied, declared)
def test_the_age_evidence_of_one_application_equals_the_array_one(
        resident_id: Any, applied_at: Any, age: Any) -> None:
    one = one_age_evidence(resident_id, applied_at, age)
    table = one_application_age(resident_id, applied_at, age)
    assert _same_evidence(one, table)
    assert judge_one(one) == _pairs(judge(table))


def test_an_impossible_birth_date_and_a_wrong_age_are_told_apart() -> None:
    at = datetime(2024, 3, 1, 23, 30, tzinfo=timezone(timedelta(hours=8)))
    assert judge_one(one_age_evidence("440301202302301234", at, 30)) == [
        ("IMP_AGE_MISMATCH", "resident ID has no valid birth date")]
    assert judge_one(one_age_evidence("440301199003021234", at, 30)) == [
        ("IMP_AGE_MISMATCH", "declared age 30, resident ID gives 33")]
    assert judge_one(one_age_evidence("440301199003011234", at, 34)) == []
    assert judge_one(one_age_evidence("440301199003011234", at, None)) == []
