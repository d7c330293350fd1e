"""Per-channel figures (volume, approval, early defaults on the book, packaging score and its
evidence) equal the same figures computed in plain Python from the rows written."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pandas as pd
import pytest
import sqlalchemy as sa

from creditfactory.fraud.packaging import FEATURES
from creditfactory.services.channel_figures import channel_figures, forget, packaging_evidence
from creditfactory.services.context import ServiceContext
from creditfactory.services.errors import RoleNotAllowed
from creditfactory.services.ports import Actor
from creditfactory.store import PersonalDataVault
from creditfactory.store.tables_case import applications, findings
from creditfactory.store.tables_monitoring import monitoring_loan_months

from .dashboard_seed import seed_dashboard

NOW = datetime(2026, 12, 7, 3, 30, tzinfo=UTC)
RISK = Actor("risk", "risk_analyst")


def test_channel_figures_match_an_independent_computation(migrated_engine: sa.Engine) -> None:
    rows = seed_dashboard(migrated_engine, 1500, NOW, days=400, seed=9)
    channel = {a["application_id"]: a["channel_id"] for a in rows["applications"]}
    months = []
    for k, ln in enumerate(rows["loans"]):  # loan k: observed for k % 9 months, 30+ at mob k % 5
        for mob in range(1, k % 9 + 1):
            months.append({"month": f"2026-{mob:02d}", "loan_id": ln["id"], "mob": mob,
                           "dpd": 45 if mob == k % 5 else 0, "bucket": "M0", "five_class": "normal",
                           "principal_outstanding_fen": 1, "status": "active"})
    with migrated_engine.begin() as c:
        c.execute(sa.insert(monitoring_loan_months), months)
    ctx = ServiceContext(migrated_engine, PersonalDataVault("k" * 40))
    forget()
    ids = sorted(set(channel.values())) + ["IM-NONE"]
    got = channel_figures(ctx, RISK, ids)

    tier = {c["id"]: c["tier"] for c in rows["cases"]}
    status = {c["id"]: c["status"] for c in rows["cases"]}
    since = datetime.now(UTC) - timedelta(days=30)
    for cid in ids:
        mine = [a for a in rows["applications"] if a["channel_id"] == cid]
        decided = [a for a in mine if tier[a["application_id"]] != "pending"]
        approved = [a for a in decided if tier[a["application_id"]] != "reject"]
        f = got[cid]
        assert f["applications"] == len(mine)
        assert f["recent"] == sum(a["applied_at"] >= since for a in mine)
        assert f["paid_out"] == sum(status[a["application_id"]] == "done" for a in mine)
        assert f["approval_rate"] == (pytest.approx(len(approved) / len(decided)) if decided else None)
        loans = [(k, ln) for k, ln in enumerate(rows["loans"]) if channel[ln["application_id"]] == cid]
        observed = [k for k, _ln in loans if k % 9 >= 6]
        early = [k for k in observed if 1 <= k % 5 <= 6 and k % 5 <= k % 9]
        assert (f["observed"], f["early"]) == (len(observed), len(early))
        assert f["packaging_score"] is None
    assert got["IM-NONE"]["applications"] == 0 and got["IM-NONE"]["approval_rate"] is None
    assert sum(f["observed"] for f in got.values()) > 0 and sum(f["early"] for f in got.values()) > 0
    with pytest.raises(RoleNotAllowed):
        channel_figures(ctx, Actor("am", "account_manager"), ids)


def test_packaging_evidence_shows_the_served_score_training_signs_and_findings(
        migrated_engine: sa.Engine) -> None:
    rows = seed_dashboard(migrated_engine, 40, NOW, days=10, seed=2)
    mine = [a for a in rows["applications"] if a["channel_id"] == "IM-1"][:4]
    with migrated_engine.begin() as c:
        c.execute(sa.update(applications)
                  .where(applications.c.application_id.in_([a["application_id"] for a in mine]))
                  .values(fields={"declared_monthly_revenue": "100000"}))
        answers = [(True, True, "95000"), (False, True, "50000"), (True, False, None), (None, None, "80000")]
        c.execute(sa.insert(findings), [
            {"application_id": a["application_id"], "channel_id": "IM-1", "step": "phone_verification",
             "identity_confirmed": i, "business_real": b,
             "verified_monthly_revenue": None if r is None else Decimal(r),
             "recorded_by": "v", "recorded_at": NOW} for a, (i, b, r) in zip(mine, answers, strict=True)])
    features = pd.DataFrame({"n_applications": [120], "template": [0.05], "template_share": [0.2],
                             "template_n": [120]}, index=pd.Index(["IM-1"], name="channel_id"))
    served = SimpleNamespace(packaging={"IM-1": 0.83}, packaging_default=0.5,
                             channel_model=SimpleNamespace(features=features, base={"template": 0.04}),
                             refresh_packaging=lambda f: {})
    ctx = ServiceContext(migrated_engine, PersonalDataVault("k" * 40), packaging=served)
    forget()
    ev = packaging_evidence(ctx, RISK, "IM-1")
    assert ev["score"] == 0.83 and ev["known"] and ev["applications_at_training"] == 120
    assert ev["signs"] == [{"key": "template", "label": FEATURES["template"],
                            "share": 0.2, "n": 120, "shrunk": 0.05, "population": 0.04}]
    found = {f["key"]: (f["found"], f["answered"]) for f in ev["findings"]}
    assert found == {"revenue_overstated": (2, 3), "business_not_real": (1, 3),
                     "identity_not_confirmed": (1, 3)}
    other = packaging_evidence(ctx, RISK, "IM-NEW")
    assert other["score"] == 0.5 and not other["known"] and other["signs"] == []
    assert channel_figures(ctx, RISK, ["IM-1"])["IM-1"]["packaging_score"] == 0.83
    assert Counter(f["found"] for f in other["findings"]) == Counter({0: 3})


def test_stale_figures_are_shown_at_once_and_read_again_behind_the_page(
        migrated_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from creditfactory.services import channel_figures as module
    from creditfactory.store.tables_case import cases

    seed_dashboard(migrated_engine, 200, NOW, days=10, seed=4)
    ctx = ServiceContext(migrated_engine, PersonalDataVault("k" * 40))
    forget()
    before = channel_figures(ctx, RISK, ["IM-0"])["IM-0"]
    with migrated_engine.begin() as c:
        c.execute(sa.update(cases).values(tier="reject"))
    assert channel_figures(ctx, RISK, ["IM-0"])["IM-0"] == before  # fresh: kept
    real = time.monotonic
    monkeypatch.setattr(module.time, "monotonic", lambda: real() + module.FRESH_SECONDS + 1)
    assert channel_figures(ctx, RISK, ["IM-0"])["IM-0"] == before  # stale: shown, read behind
    deadline = real() + 10
    while real() < deadline and channel_figures(ctx, RISK, ["IM-0"])["IM-0"]["approved"]:
        time.sleep(0.05)
    assert channel_figures(ctx, RISK, ["IM-0"])["IM-0"]["approved"] == 0 < before["approved"]
    monkeypatch.setattr(module.time, "monotonic", lambda: real() + module.STALE_SECONDS + 100)
    with migrated_engine.begin() as c:
        c.execute(sa.update(cases).values(tier="auto_approve"))
    assert channel_figures(ctx, RISK, ["IM-0"])["IM-0"]["approved"] == before["applications"]
