"""Each fraud rule fires on the case it describes and says why, using only the past."""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditfactory.fraud import IdentityGraph, identity_table, rule_hits

NEVER = np.iinfo(np.int64).max


def base(n: int) -> pd.DataFrame:
    days = pd.Timestamp("2021-03-01") + pd.to_timedelta(np.arange(n) * 10, unit="D")
    return pd.DataFrame({
        "application_id": np.arange(1, n + 1),
        "applied_at": days,
        "channel_id": "AG1",
        "phone": [f"1380000{i:04d}" for i in range(n)],
        "contact_phones": [f"1500000{i:04d},1510000{i:04d},1520000{i:04d}" for i in range(n)],
        "device_id": [f"dv{i}" for i in range(n)],
        "ip": [f"10.0.0.{i}" for i in range(n)],
        "bank_card": [f"62220000{i:08d}" for i in range(n)],
        "home_address": [f"home {i}" for i in range(n)],
        "business_address": [f"shop {i}" for i in range(n)],
        "uscc": [f"uscc{i}" for i in range(n)],
        "business_name": [f"name {i}" for i in range(n)],
        "resident_id": [f"11010119800101{i:04d}" for i in range(n)],
        "age": 41,
    })


def hits_of(apps: pd.DataFrame, bad: np.ndarray | None = None) -> pd.DataFrame:
    graph = IdentityGraph.build(identity_table(apps, b"k"), bad)
    return rule_hits(graph, apps)


def test_clean_applications_hit_nothing() -> None:
    assert hits_of(base(4)).empty


def test_impersonation_id_seen_before_with_other_phone_and_device() -> None:
    apps = base(3)
    apps.loc[2, "resident_id"] = apps.loc[0, "resident_id"]
    h = hits_of(apps)
    assert h["code"].tolist() == ["IMP_ID_REUSED"] and h["row"].tolist() == [2]
    assert h["reason"].iat[0] == (
        "resident ID used on 1 earlier application(s), none with this phone, device, bank card,"
        " home address or company")


def test_a_returning_customer_keeping_a_card_or_phone_is_no_impersonation() -> None:
    for column in ("phone", "device_id", "bank_card", "home_address", "uscc"):
        apps = base(3)
        apps.loc[2, "resident_id"] = apps.loc[0, "resident_id"]
        apps.loc[2, column] = apps.loc[0, column]
        assert "IMP_ID_REUSED" not in hits_of(apps)["code"].tolist(), column


def test_declared_age_against_the_birth_date_in_the_id() -> None:
    apps = base(2)
    apps.loc[1, "age"] = 30  # born 1980-01-01, applying in 2021: 41
    h = hits_of(apps)
    assert h["code"].tolist() == ["IMP_AGE_MISMATCH"]
    assert h["reason"].iat[0] == "declared age 30, resident ID gives 41"


def test_a_contact_phone_of_a_known_bad() -> None:
    apps = base(3)
    apps.loc[2, "contact_phones"] = f"{apps.loc[0, 'phone']},15999999999,15888888888"
    t = pd.to_datetime(apps["applied_at"]).to_numpy().astype("datetime64[s]").astype(np.int64)
    bad = np.array([t[1], NEVER, NEVER])  # known bad before application 3
    h = hits_of(apps, bad)
    assert h["code"].tolist() == ["CONTACT_KNOWN_BAD"] and h["row"].tolist() == [2]
    assert h["reason"].iat[0] == "contact phone shared with 1 known-bad application(s), e.g. #1"
    assert hits_of(apps).empty  # the same link without a known bad is no hit


def test_blacklisted_device_phone_and_resident_id() -> None:
    apps = base(4)
    apps.loc[1, "device_id"] = apps.loc[0, "device_id"]
    apps.loc[2, "phone"] = apps.loc[0, "phone"]
    apps.loc[3, ["resident_id", "phone"]] = apps.loc[0, ["resident_id", "phone"]].to_numpy()
    t = pd.to_datetime(apps["applied_at"]).to_numpy().astype("datetime64[s]").astype(np.int64)
    h = hits_of(apps, np.array([t[1] - 1, NEVER, NEVER, NEVER]))
    black = h[h["code"] == "BLACKLIST"]
    assert black["row"].tolist() == [1, 2, 3]
    assert black["reason"].tolist() == [
        "device shared with 1 known-bad application(s), e.g. #1",
        "phone shared with 1 known-bad application(s), e.g. #1",
        "resident ID of known-bad application #1",
    ]


def test_a_returning_customer_is_not_linked_to_himself() -> None:
    apps = base(2)
    apps.loc[1, ["resident_id", "phone", "bank_card"]] = apps.loc[
        0, ["resident_id", "phone", "bank_card"]].to_numpy()
    graph = IdentityGraph.build(identity_table(apps, b"k"))
    assert graph.features["n_linked_1hop"].tolist() == [0, 0]


def test_velocity_of_linked_applications_in_seven_days() -> None:
    apps = base(5)
    apps["applied_at"] = pd.Timestamp("2021-03-01") + pd.to_timedelta(np.arange(5), unit="D")
    apps["device_id"] = "shared"
    h = hits_of(apps)
    v = h[h["code"] == "VELOCITY"]
    assert v["row"].tolist() == [3, 4]
    assert v["reason"].tolist() == ["linked to 3 applications in the last 7 days",
                                    "linked to 4 applications in the last 7 days"]
