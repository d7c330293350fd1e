"""An application's identity record is kept as bytes and read back exactly; one record hashes
and dates exactly as the batch identity table does."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta, timezone

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditfactory.fraud.identity import (
    HASH_COLUMNS,
    PACKED_COLUMNS,
    _hash_one,
    applied_second,
    hash_strings,
    identity_frame,
    pack_identity,
    record_identity,
    unpack_identity,
)

INT64 = st.integers(-(2**63), 2**63 - 1)
UINT64 = st.integers(0, 2**64 - 1)
records = st.fixed_dictionaries(
    {"application_id": st.integers(0, 2**40), "applied_at": INT64,
     **{column: UINT64 for column in HASH_COLUMNS}})


@given(records)
def test_a_packed_record_unpacks_to_the_same_record(record: dict[str, int]) -> None:
    data = pack_identity(record)
    assert len(data) == 1 + 8 * len(PACKED_COLUMNS) and data[0] == 1
    assert unpack_identity(data) == {c: record[c] for c in PACKED_COLUMNS}
    assert all(type(v) is int for v in unpack_identity(data).values())


def test_the_packed_layout_is_little_endian_in_column_order() -> None:
    record = {"applied_at": -2, **{c: n + 1 for n, c in enumerate(HASH_COLUMNS)}}
    data = pack_identity(record)
    assert data[1:9] == (-2).to_bytes(8, "little", signed=True)
    assert data[9:17] == (1).to_bytes(8, "little")  # phone, the first hash column
    assert data[-8:] == len(HASH_COLUMNS).to_bytes(8, "little")  # resident_id, the last


@pytest.mark.parametrize("data", [b"", b"\x02" + bytes(112), b"\x01" + bytes(111)])
def test_bytes_of_another_version_or_length_are_refused(data: bytes) -> None:
    with pytest.raises(ValueError, match="not a packed identity record"):
        unpack_identity(data)


@settings(max_examples=200)
@given(st.text(max_size=30), st.binary(min_size=1, max_size=100),
       st.sampled_from(["phone", "device", "resident_id"]))
def test_one_value_hashes_as_the_identity_table_and_keyed_hmac(value: str, key: bytes,
                                                              namespace: str) -> None:
    expected = int(hash_strings(pd.Series([value]), key, namespace)[0])
    assert _hash_one(key, namespace, value) == expected
    if value:
        digest = hmac.digest(key, f"{namespace}:{value}".encode(), hashlib.sha256)[:8]
        assert expected == (int.from_bytes(digest, "big") or 1)


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, pd.NaT, ""])
def test_a_missing_value_hashes_to_zero(missing: object) -> None:
    assert _hash_one(b"k", "phone", missing) == 0


def _reference_second(value: datetime) -> int:
    ts = pd.Timestamp(value)
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return int(ts.value // 1_000_000_000)


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
       st.one_of(st.none(), st.integers(-14 * 60, 14 * 60)))
def test_applied_second_of_a_datetime_is_the_timestamp_one(naive: datetime,
                                                           offset: int | None) -> None:
    value = naive if offset is None else naive.replace(
        tzinfo=timezone(timedelta(minutes=offset)))
    expected = _reference_second(value)
    assert applied_second(value) == expected
    assert applied_second(pd.Timestamp(value)) == expected
    assert applied_second(value.isoformat()) == expected


def test_applied_second_reads_text_and_aware_values() -> None:
    assert applied_second("2024-01-02T03:04:05") == 1_704_164_645
    assert applied_second(datetime(2024, 1, 2, 11, 4, 5, tzinfo=timezone(timedelta(hours=8)))) \
        == applied_second(datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)) == 1_704_164_645


def test_a_record_is_a_row_of_the_identity_table_and_packs_whole() -> None:
    app = {"applied_at": datetime(2024, 5, 6, 7, 8, 9), "phone": "13800000000",
           "contact_phones": "13900000000,13800000000", "device_id": "d-1", "ip": None,
           "channel_id": "CH1", "resident_id": "440301199001011234"}
    record = record_identity(app, b"key")
    assert record["contact_2"] == record["phone"] != 0 and record["ip"] == 0
    assert record["contact_3"] == 0
    assert unpack_identity(pack_identity(record)) == {c: record[c] for c in PACKED_COLUMNS}


@given(st.lists(records, max_size=20))
def test_many_kept_records_read_at_once_are_each_one_read_alone(recs: list[dict[str, int]]) -> None:
    frame = identity_frame([r["application_id"] for r in recs], [pack_identity(r) for r in recs])
    assert list(frame.columns) == ["application_id", *PACKED_COLUMNS]
    assert frame.to_dict("records") == [{"application_id": r["application_id"],
                                         **unpack_identity(pack_identity(r))} for r in recs]


def test_bytes_that_are_not_kept_records_are_refused() -> None:
    good = pack_identity({"applied_at": 1, **dict.fromkeys(HASH_COLUMNS, 2)})
    for bad in ([good[:-1]], [b"\x02" + good[1:]]):
        with pytest.raises(ValueError, match="not packed identity records"):
            identity_frame([1], bad)
