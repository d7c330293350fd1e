"""The mechanisms that make the world realistic: rings, impersonation, packaging, downturn."""

from __future__ import annotations

import numpy as np
import pandas as pd

LINK_KINDS = ("device_id", "ip", "home_address", "business_address", "uscc", "bank_card")


def _ever90(world) -> pd.Series:
    return world.performance.groupby("application_id")["dpd"].max() > 90


def test_rings_are_groups_of_3_to_30_arriving_in_bursts_through_one_channel(small_world) -> None:
    a = small_world.applications.merge(small_world.truth, on="application_id")
    rings = a[a["ring_id"] >= 0].groupby("ring_id")
    sizes = rings.size()
    assert len(sizes) >= 3
    assert sizes.between(3, 30).all()
    span = rings["applied_at"].agg(lambda s: (s.max() - s.min()).days)
    assert (span <= 120).all()
    assert (rings["channel_id"].nunique() == 1).all()
    share = (a["ring_id"] >= 0).mean()
    assert 0.01 <= share <= 0.02


def test_ring_members_share_several_kinds_of_attribute(small_world) -> None:
    a = small_world.applications.merge(small_world.truth[["application_id", "ring_id"]])
    members = a[a["ring_id"] >= 0]
    phones = members["contact_phones"].str.split(",").explode()
    kinds_shared = []
    for _, g in members.groupby("ring_id"):
        kinds = sum(g[k].duplicated(keep=False).any() for k in LINK_KINDS)
        contacts = g["contact_phones"].str.split(",").explode()
        kinds += contacts.duplicated(keep=False).any()
        kinds_shared.append(kinds)
    assert min(kinds_shared) >= 2
    assert len(phones) == 3 * len(members)


def test_ring_members_mostly_never_pay_the_first_instalment(small_world) -> None:
    p = small_world.performance
    first = p[p["mob"] == 1].set_index("application_id")["paid"]
    t = small_world.truth.set_index("application_id")
    ring = t.index[t["fraud_type"] == "ring"]
    regular = t.index[t["fraud_type"] == ""]
    assert (first.loc[ring] == 0).mean() >= 0.8
    assert (first.loc[regular] == 0).mean() <= 0.05


def test_impersonation_reuses_an_earlier_identity_with_another_phone(small_world) -> None:
    a = small_world.applications.merge(small_world.truth[["application_id", "fraud_type"]])
    imp = a[a["fraud_type"] == "impersonation"]
    assert len(imp) > 0
    seen_before = 0
    for _, row in imp.iterrows():
        earlier = a[(a["resident_id"] == row["resident_id"]) & (a["applied_at"] < row["applied_at"])]
        if len(earlier):
            seen_before += 1
            assert row["phone"] not in set(earlier["phone"])
            assert row["device_id"] not in set(earlier["device_id"])
    assert seen_before >= 1


def test_packaged_applications_inflate_revenue_and_default_more(small_world) -> None:
    t = small_world.truth.set_index("application_id")
    a = small_world.applications.set_index("application_id")
    ratio = a["declared_monthly_revenue"] / t["true_monthly_revenue"]
    pk = t["packaged"]
    assert ratio[pk].median() > 1.4
    assert 0.9 < ratio[~pk].median() < 1.2
    bad = _ever90(small_world)
    assert bad[pk].mean() > 1.5 * bad[~pk & ~t["is_fraud"]].mean()
    assert (t.loc[pk, "hidden_debt"] > 0).mean() > 0.5


def test_packaging_comes_from_a_minority_of_intermediaries(small_world) -> None:
    a = small_world.applications.merge(small_world.truth[["application_id", "packaged"]])
    share = a.groupby("channel_id")["packaged"].mean()
    im = share[share.index.str.startswith("IM")]
    assert 0 < (im > 0.3).mean() < 0.5


def test_innocent_hubs_are_shared_by_many_applicants(small_world) -> None:
    a = small_world.applications
    assert a["business_address"].value_counts().iloc[0] >= 20
    assert a["ip"].value_counts().iloc[0] >= 10
    assert a["device_id"].value_counts().iloc[0] >= 10


def test_the_downturn_industry_deteriorates_inside_the_horizon() -> None:
    from creditfactory.world import generate

    world = generate(20_000, 36, seed=11, chunk_size=5_000)  # one industry needs the numbers
    meta = world.meta["downturn"]
    p = world.performance.merge(world.applications[["application_id", "industry"]])
    start = pd.Timestamp(2019, 1, 1) + pd.DateOffset(months=meta["start_month_index"])
    p["hit"] = p["industry"] == meta["industry"]
    before = p[(p["month"] < start.date()) & (p["month"] >= (start - pd.DateOffset(months=12)).date())]
    during = p[(p["month"] >= (start + pd.DateOffset(months=3)).date())
               & (p["month"] < (start + pd.DateOffset(months=15)).date())]

    def rate(df: pd.DataFrame) -> float:  # share of live loans entering M2 (31-60 DPD)
        live = df[df["status"].isin(["current", "delinquent"])]
        return float(live["dpd"].between(31, 60).mean())

    lift_hit = rate(during[during["hit"]]) / max(rate(before[before["hit"]]), 1e-4)
    lift_rest = rate(during[~during["hit"]]) / max(rate(before[~before["hit"]]), 1e-4)
    assert lift_hit > 1.3 * lift_rest


def test_true_pd_ranks_defaults_better_than_chance(small_world) -> None:
    from sklearn.metrics import roc_auc_score

    bad = _ever90(small_world)
    pd_ = small_world.truth.set_index("application_id")["pd"].loc[bad.index]
    assert roc_auc_score(bad.to_numpy(), pd_.to_numpy()) > 0.8
    assert 0.04 < bad.mean() < 0.14
    assert np.isfinite(pd_).all()
