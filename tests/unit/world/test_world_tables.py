"""The world's tables: columns, types, ranges and identifiers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from creditfactory.data import load, read_table
from creditfactory.data.schema import PERFORMANCE_STATUSES, TABLES
from creditfactory.domain.identity import (
    is_valid_bank_card,
    is_valid_phone,
    is_valid_resident_id,
    is_valid_uscc,
)
from creditfactory.world import WorldConfig, write_world


@pytest.fixture(scope="module")
def world_dir(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("w") / "world"
    write_world(WorldConfig(3_000, 24, 5, chunk_size=1_000), out)
    return out


def test_every_table_has_the_schema_columns_and_types(world_dir) -> None:
    for name, schema in TABLES.items():
        on_disk = pq.read_schema(world_dir / f"{name}.parquet")
        assert on_disk.names == schema.names
        for field in schema:
            assert on_disk.field(field.name).type == field.type, (name, field.name)


def test_money_reads_back_as_decimal_to_the_fen(world_dir) -> None:
    apps = read_table(world_dir, "applications", money="decimal")
    amounts = apps["amount"].tolist()
    assert all(a.as_tuple().exponent == -2 for a in amounts[:50])
    assert {str(a)[-3:] for a in amounts} == {".00"}


def test_identifiers_pass_their_national_checksums(small_world) -> None:
    a = small_world.applications
    assert all(map(is_valid_resident_id, a["resident_id"]))
    assert all(map(is_valid_uscc, a["uscc"]))
    assert all(map(is_valid_bank_card, a["bank_card"]))
    assert all(map(is_valid_phone, a["phone"]))
    contacts = a["contact_phones"].str.split(",")
    assert (contacts.str.len() == 3).all()
    assert all(is_valid_phone(p) for trio in contacts for p in trio)


def test_application_fields_stay_in_business_ranges(small_world) -> None:
    a = small_world.applications
    assert a["amount"].between(100_000, 500_000).all()
    assert (a["amount"] % 10_000 == 0).all()
    assert set(a["term_months"].unique()) <= {12, 24, 36, 48}
    assert a["age"].between(18, 70).all()
    assert a["bureau_utilisation"].between(0, 1.5).all()
    assert (a["declared_monthly_revenue"] > 0).all()
    for col in ("overdue_count_6m", "overdue_count_12m", "overdue_count_24m", "inquiries_1m"):
        assert (a[col] >= 0).all()
    assert (a["overdue_count_6m"] <= a["overdue_count_12m"]).all()
    assert (a["overdue_count_12m"] <= a["overdue_count_24m"]).all()
    assert (a["inquiries_1m"] <= a["inquiries_3m"]).all()
    assert (a["inquiries_3m"] <= a["inquiries_6m"]).all()
    assert set(small_world.channels["channel_type"]) == {"agent_app", "partner", "intermediary"}
    ch = small_world.channels.set_index("channel_id")
    assert (ch.loc[ch["channel_type"] == "intermediary", "deposit"] > 0).all()
    assert (ch.loc[ch["channel_type"] != "intermediary", "deposit"] == 0).all()


def test_applications_arrive_in_point_in_time_order(small_world) -> None:
    a = small_world.applications
    assert a["applied_at"].is_monotonic_increasing
    assert (a["application_id"].to_numpy() == np.arange(1, len(a) + 1)).all()
    ch = small_world.channels.set_index("channel_id")["onboarded_at"]
    assert (a["applied_at"].to_numpy() >= ch.loc[a["channel_id"]].to_numpy()).all()


def test_performance_rows_are_contiguous_and_consistent(small_world) -> None:
    p = small_world.performance
    assert set(p["status"].unique()) <= set(PERFORMANCE_STATUSES)
    assert (p[["due", "paid", "balance"]] >= 0).all().all()
    assert (p["dpd"] >= 0).all()
    g = p.groupby("application_id")["mob"]
    assert (g.min() == 1).all()
    assert (g.max() == g.count()).all()  # no gaps
    assert p["application_id"].nunique() == len(small_world.applications)
    assert (p.loc[p["dpd"] == 0, "status"] != "delinquent").all()
    ended = p[p["status"].isin(["paid_off", "prepaid", "recovered"])]
    assert (ended["balance"] == 0).all()
    apps = small_world.applications.set_index("application_id")
    first = p[p["mob"] == 1].set_index("application_id")
    assert (first["balance"] < apps.loc[first.index, "amount"] + 0.001).all()


def test_truth_is_one_row_per_application_with_known_labels(small_world) -> None:
    t = small_world.truth
    assert len(t) == len(small_world.applications)
    assert t["pd"].between(0, 1).all()
    assert set(t["fraud_type"]) <= {"", "ring", "impersonation", "packaged"}
    assert set(t["default_reason"]) <= {"", "unable", "unwilling"}
    assert (t["is_fraud"] == t["fraud_type"].isin(["ring", "impersonation"])).all()
    assert ((t["ring_id"] >= 0) == (t["fraud_type"] == "ring")).all()


def test_csv_round_trip_gives_the_same_tables(tmp_path) -> None:
    cfg = WorldConfig(800, 12, 3)
    write_world(cfg, tmp_path / "p")
    write_world(cfg, tmp_path / "c", "csv")
    for name in TABLES:
        a = read_table(tmp_path / "p", name, money="float")
        b = read_table(tmp_path / "c", name, money="float")
        pd.testing.assert_frame_equal(a, b, check_dtype=False)
    w = load(tmp_path / "c")
    assert w.meta["applications"] == 800
