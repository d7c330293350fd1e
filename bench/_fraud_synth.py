"""A synthetic hashed identity table with rings and hubs, for the fraud-graph benchmark.

Values are random uint64 "hashes" drawn from pools sized so that links look like a lending
book: most values unique, contacts sometimes other applicants, markets sharing a business
address, public IPs, agents' devices, and rings of 3-30 sharing several values in a burst.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

COLUMNS = ("phone", "contact_1", "contact_2", "contact_3", "device", "ip", "bank_card",
           "home_address", "business_address", "uscc", "business_name", "channel", "resident_id")


def synthetic_identity(n: int, seed: int = 0, months: int = 36) -> tuple[pd.DataFrame, np.ndarray]:
    """(identity table sorted by time, ring id per row or -1)."""
    rng = np.random.default_rng(seed)
    t0 = np.datetime64("2019-01-01T00:00:00").astype(np.int64)
    times = np.sort(t0 + rng.integers(0, months * 30 * 86_400, n))

    def fresh(size: int) -> np.ndarray:
        return rng.integers(1, 2**63, size, dtype=np.int64).astype(np.uint64)

    phone = fresh(n)
    cols = {"phone": phone}
    for c in ("contact_1", "contact_2", "contact_3"):
        contact = fresh(n)
        other = rng.random(n) < 0.05
        contact[other] = phone[rng.integers(0, n, other.sum())]
        cols[c] = contact
    agents = fresh(max(1, n // 200))
    channel_idx = rng.integers(0, len(agents), n)
    device = fresh(n)
    via_agent = rng.random(n) < 0.2
    device[via_agent] = agents[channel_idx[via_agent]] ^ np.uint64(7)
    cols["device"] = device
    ip = fresh(n)
    public = rng.random(n) < 0.3
    ip[public] = fresh(max(1, n // 5000))[rng.integers(0, max(1, n // 5000), public.sum())]
    cols["ip"] = ip
    cols["bank_card"] = fresh(n)
    cols["home_address"] = fresh(n)
    biz = fresh(n)
    market = rng.random(n) < 0.1
    biz[market] = fresh(max(1, n // 100))[rng.integers(0, max(1, n // 100), market.sum())]
    cols["business_address"] = biz
    cols["uscc"] = fresh(n)
    cols["business_name"] = fresh(n)
    cols["channel"] = agents[channel_idx]
    cols["resident_id"] = fresh(n)

    ring = np.full(n, -1, np.int64)
    n_ring_members = int(n * 0.015)
    start = 0
    rid = 0
    order = np.argsort(rng.random(n))
    while start < n_ring_members:
        size = int(rng.integers(3, 31))
        members = order[start : start + size]
        # burst: move members' times to within 10 days of the first
        base = times[members].min()
        times[members] = base + rng.integers(0, 10 * 86_400, len(members))
        shared = fresh(4)
        for k, c in enumerate(("device", "home_address", "business_address", "contact_1")):
            take = rng.random(len(members)) < 0.7
            cols[c][members[take]] = shared[k]
        cols["channel"][members] = agents[rng.integers(0, len(agents))]
        ring[members] = rid
        rid += 1
        start += size
    order = np.argsort(times, kind="stable")
    frame = pd.DataFrame({"application_id": np.arange(1, n + 1, dtype=np.int64),
                          "applied_at": times[order], "channel_id": ""})
    for c in COLUMNS:
        frame[c] = cols[c][order]
    return frame, ring[order]
