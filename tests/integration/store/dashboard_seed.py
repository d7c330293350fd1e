"""Applications written straight into the store for the dashboard's tests and timing: each
with a case (tier, status), some with staffed tasks (open, claimed, done; on time or late),
the paid-out ones with a loan; spread over ``days`` days before ``now``. Returns the rows
written, so a test can compute the dashboard's figures again in plain Python."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import sqlalchemy as sa

from creditfactory.store.tables import applicants
from creditfactory.store.tables_case import applications, cases, loans, tasks

TIERS = ("auto_approve", "remote_verification", "field_investigation", "reject", "pending")
STATUSES = ("open", "rejected", "declined", "done")
STATIONS = ("phone_verification", "online_verification", "field_investigation")
_CHUNK = 5000


def seed_dashboard(engine: sa.Engine, n: int, now: datetime, *, days: int = 60,
                   seed: int = 1) -> dict[str, list[dict[str, Any]]]:
    """``n`` applications applied over the ``days`` days before ``now``; the rows written."""
    rng = np.random.default_rng(seed)
    applied = [now - timedelta(seconds=float(s)) for s in rng.uniform(60, days * 86400, n)]
    tiers = rng.choice(len(TIERS), n, p=[0.35, 0.3, 0.1, 0.2, 0.05])
    statuses = rng.choice(len(STATUSES), n, p=[0.3, 0.1, 0.1, 0.5])
    out: dict[str, list[dict[str, Any]]] = {"applications": [], "cases": [], "tasks": [],
                                             "loans": []}
    for i in range(n):
        tier, status = TIERS[tiers[i]], STATUSES[statuses[i]]
        if tier == "reject":
            status = "rejected"
        if tier == "pending":
            status = "open"
        at = applied[i]
        aid = i + 1
        out["applications"].append({
            "application_id": aid, "applicant_id": aid, "channel_id": f"IM-{i % 7}",
            "branch": "SZ01", "industry": "C", "amount": Decimal("100000"), "term_months": 12,
            "applied_at": at, "status": status, "phone_hash": "p" * 32,
            "phone_masked": "138****0000", "phone_enc": "v1:p", "bank_card_hash": "b" * 32,
            "bank_card_masked": "6222****0001", "bank_card_enc": "v1:b",
            "contact_phones_masked": "-", "contact_phones_enc": "v1:c", "fields": {},
            "created_by": "am", "created_at": at})
        out["cases"].append({
            "id": aid, "application_id": aid, "tier": tier, "step": "x", "status": status,
            "bank_code": None, "opened_at": at, "updated_at": at})
        if tier in ("remote_verification", "field_investigation"):
            station = STATIONS[int(rng.integers(len(STATIONS)))]
            due = at + timedelta(hours=1)
            state = ("done", "open", "claimed")[int(rng.choice(3, p=[0.8, 0.15, 0.05]))]
            took = timedelta(minutes=float(rng.uniform(1, 120)))
            done_at = min(at + took, now) if state == "done" else None
            out["tasks"].append({
                "case_id": aid, "step": station, "station": station, "role": "verifier",
                "status": state, "assignee": "v" if state != "open" else None,
                "created_at": at, "due_at": due,
                "claimed_at": at if state != "open" else None, "completed_at": done_at})
        if status == "done":
            paid = min(at + timedelta(seconds=float(rng.uniform(5, 3 * 86400))), now)
            out["loans"].append({
                "id": aid, "case_id": aid, "application_id": aid, "bank_code": "B01",
                "contract_no": f"CF-B01-{aid:09d}", "principal": Decimal("100000"),
                "rate": Decimal("0.18"), "term_months": 12, "product": "STANDARD",
                "repayment_method": "equal_instalment", "paid_out_at": paid,
                "servicing_status": "booked"})
    with engine.begin() as c:
        for k in range(0, n, _CHUNK):
            c.execute(sa.insert(applicants), [{
                "id": a["applicant_id"], "resident_id_hash": f"{a['applicant_id']:032d}",
                "resident_id_masked": "1101**1234", "resident_id_enc": "v1:x",
                "created_at": a["applied_at"]} for a in out["applications"][k:k + _CHUNK]])
        for table, name in ((applications, "applications"), (cases, "cases"),
                            (tasks, "tasks"), (loans, "loans")):
            rows = out[name]
            for k in range(0, len(rows), _CHUNK):
                c.execute(sa.insert(table), rows[k:k + _CHUNK])
    return out
