"""Shared linkage values: innocent hubs, and the pools a fraud ring's members draw from.

Both make applications share phones, devices, IPs, addresses and companies; only the rings
mean harm. The fraud graph must tell them apart, so the world makes both.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from creditfactory.world import _strings as s
from creditfactory.world import vocab as v
from creditfactory.world._hashing import integers, mix64
from creditfactory.world.people import address_of, people
from creditfactory.world.plan import Channels, Plan


def innocent_hubs(ch: Channels, chan: np.ndarray, ctype: np.ndarray, city: np.ndarray,
                  premises: np.ndarray, device_key: np.ndarray, ip_oct: np.ndarray,
                  contact_keys: np.ndarray, rng: np.random.Generator
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Agents' own phones as devices, carrier NAT and branch Wi-Fi, markets, hotlines."""
    m = len(chan)
    agent_dev = (ctype == 0) & (rng.random(m) < 0.3)
    device_key = np.where(agent_dev, ch.hub_device_key[chan].astype(np.uint64), device_key)
    public_ip = rng.random(m) < 0.15
    hub_ip = city * 8 + rng.integers(0, 5, m)
    ip_oct[public_ip] = np.column_stack([np.full(public_ip.sum(), 58), 20 + hub_ip[public_ip] // 200,
                                         hub_ip[public_ip] % 200, np.full(public_ip.sum(), 1)])
    hotline = rng.random(m) < 0.04
    contact_keys[hotline, 2] = 10**15 + city[hotline]
    market = (premises == 2) & (rng.random(m) < 0.7)
    market_no = rng.integers(0, 3, m)

    return device_key, ip_oct, contact_keys, market, market_no


def share_ring_pools(plan: Plan, rows: np.ndarray, ring: np.ndarray, rng: np.random.Generator,
                cols: dict) -> None:
    """Members of a ring share a pool of devices, IPs, addresses, a company and contacts."""
    rid = plan.ring_id[rows].astype(np.int64)
    rk = np.where(ring, rid, 0) + 7_000_000_000 + plan.key_base
    m = len(rows)
    city = plan.channels.city_idx[plan.channel[rows]]
    slot = rng.integers(0, 3, m)
    share = {k: ring & (rng.random(m) < p) for k, p in (
        ("device", 0.75), ("ip", 0.6), ("home", 0.45), ("baddr", 0.55), ("company", 0.5),
        ("contacts", 0.85), ("card", 0.15))}
    kinds = sum(share[k].astype(int) for k in ("device", "ip", "home", "baddr", "company", "contacts"))
    weak = ring & (kinds < 2)
    share["device"] |= weak
    share["contacts"] |= weak
    cols["device_key"] = np.where(share["device"], mix64(rk * 4 + slot % 2, 930), cols["device_key"])
    ring_ip = np.column_stack([np.full(m, 117), rid % 250, (rid // 250) % 250, 10 + slot % 2])
    cols["ip_oct"] = np.where(share["ip"][:, None], ring_ip, cols["ip_oct"])
    pool_phone = (mix64(rk * 8 + rng.integers(0, 4, m), 940).astype(np.int64) & ((1 << 62) - 1))
    pool_phone2 = (mix64(rk * 8 + rng.integers(0, 4, m), 940).astype(np.int64) & ((1 << 62) - 1))
    ck = cols["contact_keys"]
    ck[:, 0] = np.where(share["contacts"], pool_phone, ck[:, 0])
    ck[:, 1] = np.where(share["contacts"] & (rng.random(m) < 0.6), pool_phone2, ck[:, 1])
    # pools are built for ring rows only, then spread over the chunk with a take
    r_rows = np.flatnonzero(ring)
    pos = np.zeros(m, dtype=np.int64)
    pos[r_rows] = np.arange(len(r_rows))
    take = pa.array(pos)
    pool_key = (rk * 4 + slot % 2)[r_rows]
    ring_home = address_of(pool_key, city[r_rows], 950).take(take)
    ring_biz = address_of(pool_key, city[r_rows], 960).take(take)
    ring_ppl = people(rk[r_rows] * 2, plan.applied_at[rows][r_rows], city[r_rows])
    card_pool = s.bank_cards(v.CARD_BINS[integers(rk[r_rows], 970, len(v.CARD_BINS))],
                             integers(rk[r_rows], 971, 10**12)).take(take)
    company_name = ring_ppl.business_name.take(take)
    company_uscc = ring_ppl.uscc.take(take)
    for key, shared, pool in (("home", "home", ring_home), ("baddr", "baddr", ring_biz),
                              ("bname", "company", company_name),
                              ("uscc", "company", company_uscc), ("card", "card", card_pool)):
        cols[key] = pc.if_else(pa.array(share[shared]), pool, cols[key])
