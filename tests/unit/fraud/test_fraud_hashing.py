"""Identity values are stored only as keyed hashes."""

from __future__ import annotations

import hmac
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from creditfactory.domain.identity import keyed_hash
from creditfactory.fraud import IdentityGraph, identity_table
from creditfactory.fraud.identity import _hash_one, hash_strings

PHONES = ["13812345678", "13912345678", "13712345678"]
IDS = ["110101198001011234", "110101198502021235", "110101199003031236"]


def applications() -> pd.DataFrame:
    return pd.DataFrame({
        "application_id": [1, 2, 3],
        "applied_at": pd.to_datetime(["2021-01-01", "2021-01-02", "2021-01-03"]),
        "channel_id": ["AG1", "AG1", "IM2"],
        "phone": PHONES,
        "contact_phones": [f"{PHONES[1]},15000000001,15000000002",
                           "15000000003,15000000004,15000000005",
                           "15000000006,15000000007,15000000008"],
        "device_id": ["dvA", "dvA", "dvB"], "ip": ["1.1.1.1", "2.2.2.2", "3.3.3.3"],
        "bank_card": ["6222000011112222333", "6222000011112222444", "6222000011112222555"],
        "home_address": ["上海市一路1号", "上海市二路2号", "上海市三路3号"],
        "business_address": ["上海市商场", "上海市商场", "上海市四路4号"],
        "uscc": ["91310000MA1FL00001", "91310000MA1FL00002", "91310000MA1FL00003"],
        "business_name": ["一号商店", "二号商店", "三号商店"],
        "resident_id": IDS,
    })


def test_hashes_are_the_first_64_bits_of_the_domain_keyed_hash() -> None:
    got = hash_strings(np.array(PHONES, dtype=object), b"secret", "phone")
    want = [int(keyed_hash(p, b"secret", "phone")[:16], 16) for p in PHONES]
    assert got.tolist() == want


def test_a_contact_who_is_another_applicant_links_them() -> None:
    g = IdentityGraph.build(identity_table(applications(), b"k"))
    assert g.features["n_link_contact"].tolist() == [0, 1, 0]
    assert g.features["n_link_device"].tolist() == [0, 1, 0]


def test_no_raw_phone_id_or_card_in_any_stored_graph_file(tmp_path: Path) -> None:
    apps = applications()
    IdentityGraph.build(identity_table(apps, b"k")).save(tmp_path)
    files = list(tmp_path.glob("*.parquet"))
    assert {f.name for f in files} == {"identity.parquet", "links.parquet", "features.parquet",
                                       "hubs.parquet"}
    raw = [*PHONES, *IDS, *apps["bank_card"], "dvA", "1.1.1.1", "91310000MA1FL00001"]
    for f in files:
        blob = f.read_bytes()
        text = pd.read_parquet(f).to_csv()
        for value in raw:
            assert value.encode() not in blob and value not in text, (f.name, value)



@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.one_of(st.none(), st.text(max_size=90), st.integers(-10**6, 10**6)),
                       max_size=40),
       key=st.binary(min_size=1, max_size=100), namespace=st.sampled_from(["phone", "home_address"]))
def test_the_batch_hashes_are_the_keyed_hash_of_each_value(
        values: list[object], key: bytes, namespace: str) -> None:
    """The compiled batch HMAC equals ``hmac`` value by value: any text (multi-block and
    multi-byte included), keys longer than a block, numbers as their text, missing and empty
    as 0."""
    got = hash_strings(np.array(values, dtype=object), key, namespace)
    assert got.tolist() == [_hash_one(key, namespace, v) for v in values]  # one application's
    want = [0 if v is None or v == "" or v == 0 else
            int.from_bytes(hmac.digest(key, f"{namespace}:{v}".encode(), "sha256")[:8], "big") or 1
            for v in values]
    assert got.tolist() == want
