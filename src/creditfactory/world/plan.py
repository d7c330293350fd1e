"""The world's skeleton, drawn once before any chunk: who applies when, through whom.

Every application gets its time, channel and kind (regular, ring member, impersonation,
repeat customer) here, so that chunks written later agree on shared identities and rings
without holding the whole world in memory. Arrays are O(N) integers only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from creditfactory.world.config import WorldConfig
from creditfactory.world.vocab import CITIES

SECONDS_PER_DAY = 86_400
KIND_REGULAR, KIND_RING, KIND_IMPERSONATION = 0, 1, 2
TYPE_CODES = ("agent_app", "partner", "intermediary")


@dataclass
class Channels:
    """Channel attributes, index-aligned; ``packager`` and ``quality`` are hidden truth."""

    channel_id: np.ndarray  # object array of str
    type_idx: np.ndarray
    city_idx: np.ndarray
    branch_no: np.ndarray
    deposit_cny: np.ndarray
    onboarded_at: np.ndarray  # unix seconds
    packager: np.ndarray
    quality: np.ndarray  # channel random effect on risk
    weight: np.ndarray
    hub_device_key: np.ndarray  # agents submit on their own phone


@dataclass
class Plan:
    """Per-application skeleton, sorted by ``applied_at``; index i is application_id i+1."""

    config: WorldConfig
    month_starts: np.ndarray  # unix seconds of each calendar month start (horizon + tail)
    applied_at: np.ndarray
    month_idx: np.ndarray
    channel: np.ndarray
    kind: np.ndarray
    ring_id: np.ndarray
    person_key: np.ndarray  # identity shown (victim's for impersonation, earlier for repeat)
    is_repeat: np.ndarray
    channels: Channels
    ring_channel: np.ndarray  # per ring

    @property
    def key_base(self) -> int:
        """Offset of this world's person and linkage keys: other seeds, other people."""
        return self.config.seed * 10**12


def month_starts(total_months: int, year: int, month: int) -> np.ndarray:
    """Unix seconds at 00:00 UTC of each month start."""
    m = np.arange(total_months) + (month - 1)
    dates = np.array(
        [f"{year + mm // 12:04d}-{mm % 12 + 1:02d}-01" for mm in m], dtype="datetime64[s]"
    )
    return dates.astype(np.int64)


def build_channels(cfg: WorldConfig, rng: np.random.Generator, t0: int) -> Channels:
    """Draw agents, partners and intermediaries with Zipf-like volumes per type."""
    n = cfg.n_applications
    counts = [
        int(np.clip(n / 120, 40, 12_000)),
        int(np.clip(n / 2_500, 12, 600)),
        int(np.clip(n / 4_000, 20, 400)),
    ]
    shares = [cfg.share_agent_app, cfg.share_partner, cfg.share_intermediary]
    prefixes = ("AG", "PA", "IM")
    pack_share = (cfg.packaging_agent_share, cfg.packaging_partner_share,
                  cfg.packaging_intermediary_share)
    city_w = np.array([c[3] for c in CITIES])
    city_w = city_w / city_w.sum()
    parts: dict[str, list[np.ndarray]] = {k: [] for k in (
        "id", "type", "city", "branch", "deposit", "packager", "quality", "weight")}
    for t, (cnt, share, prefix, ps) in enumerate(zip(counts, shares, prefixes, pack_share,
                                                     strict=True)):
        w = rng.pareto(1.6, cnt) + 1.0
        parts["weight"].append(share * w / w.sum())
        parts["id"].append(np.array([f"{prefix}{i + 1:05d}" for i in range(cnt)], dtype=object))
        parts["type"].append(np.full(cnt, t))
        parts["city"].append(rng.choice(len(CITIES), cnt, p=city_w))
        parts["branch"].append(np.ones(cnt, dtype=np.int64))
        packager = rng.random(cnt) < ps
        if t == 2:  # make sure there are packaging intermediaries to find
            packager[rng.choice(cnt, max(2, int(round(cnt * ps))), replace=False)] = True
        parts["packager"].append(packager)
        dep = np.where(t == 2, np.round(rng.uniform(2, 20, cnt)) * 100_000, 0)
        parts["deposit"].append(dep)
        parts["quality"].append(rng.normal(0, 0.15 if t == 0 else 0.1, cnt))
    cat = {k: np.concatenate(v) for k, v in parts.items()}
    big = np.isin(cat["city"], [0, 1, 2, 3])  # the four largest cities run two branches
    cat["branch"] = np.where(big & (rng.random(len(big)) < 0.4), 2, 1)
    total = len(cat["id"])
    return Channels(
        channel_id=cat["id"], type_idx=cat["type"], city_idx=cat["city"],
        branch_no=cat["branch"], deposit_cny=cat["deposit"].astype(np.int64),
        onboarded_at=np.full(total, t0, dtype=np.int64), packager=cat["packager"],
        quality=cat["quality"], weight=cat["weight"] / cat["weight"].sum(),
        hub_device_key=rng.integers(1, 2**62, total),
    )


def _ring_plan(cfg: WorldConfig, rng: np.random.Generator, ch: Channels, horizon: tuple[int, int]
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ring member times, ring ids and each ring's channel; rings arrive in bursts."""
    target = int(round(cfg.n_applications * cfg.ring_share))
    sizes: list[int] = []
    while sum(sizes) < target:
        sizes.append(int(np.clip(3 + rng.exponential(6.0), 3, 30)))
    if sizes and sum(sizes) > target and target >= 3:
        sizes[-1] = max(3, sizes[-1] - (sum(sizes) - target))
    n_rings = len(sizes)
    # rings come through a few compromised channels: some agents, the packaging intermediaries
    agents = np.flatnonzero(ch.type_idx == 0)
    k = max(3, len(agents) // 40)
    pool = np.concatenate([rng.choice(agents, k, replace=False),
                           np.flatnonzero(ch.packager & (ch.type_idx > 0))])
    ring_channel = rng.choice(pool, n_rings)
    lo, hi = horizon
    starts = rng.uniform(lo + 60 * SECONDS_PER_DAY, hi - 20 * SECONDS_PER_DAY, n_rings)
    times, ids = [], []
    for r, size in enumerate(sizes):
        gaps = rng.exponential(1.5 * SECONDS_PER_DAY, size)
        times.append(starts[r] + np.cumsum(gaps))
        ids.append(np.full(size, r))
    if not times:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), ring_channel
    return (np.minimum(np.concatenate(times), hi - 1).astype(np.int64),
            np.concatenate(ids), ring_channel)


def build_plan(cfg: WorldConfig, tail_months: int) -> Plan:
    """Draw the skeleton of a world deterministically from ``cfg.seed``."""
    rng = np.random.default_rng([cfg.seed, 0])
    from creditfactory.world.config import START_MONTH, START_YEAR

    starts = month_starts(cfg.months + tail_months + 1, START_YEAR, START_MONTH)
    lo, hi = int(starts[0]), int(starts[cfg.months])
    ch = build_channels(cfg, rng, lo)
    ring_t, ring_ids, ring_channel = _ring_plan(cfg, rng, ch, (lo, hi))
    n_reg = cfg.n_applications - len(ring_t)
    # volume grows over the horizon and dips in February (Spring Festival)
    m = np.arange(cfg.months)
    cal_month = (m + START_MONTH - 1) % 12
    w = (1.0 + 1.5 * m / max(cfg.months - 1, 1)) * np.where(cal_month == 1, 0.6, 1.0)
    per_month = rng.multinomial(n_reg, w / w.sum())
    month_of = np.repeat(m, per_month)
    span = (starts[month_of + 1] - starts[month_of]).astype(np.float64)
    reg_t = starts[month_of] + (rng.random(n_reg) * span).astype(np.int64)
    reg_channel = rng.choice(len(ch.channel_id), n_reg, p=ch.weight)
    t_all = np.concatenate([reg_t, ring_t])
    order = np.argsort(t_all, kind="stable")
    applied_at = t_all[order]
    kind = np.concatenate([np.zeros(n_reg, np.int8), np.ones(len(ring_t), np.int8)])[order]
    ring_id = np.concatenate([np.full(n_reg, -1), ring_ids])[order].astype(np.int32)
    channel = np.concatenate([reg_channel, ring_channel[ring_ids]])[order]
    n = cfg.n_applications
    idx = np.arange(n)
    person_key = idx + 1
    is_repeat = np.zeros(n, bool)
    regular = kind == KIND_REGULAR
    # repeat customers come back at least ~6 months later as the same person
    cand = np.flatnonzero(regular & (rng.random(n) < cfg.repeat_share))
    earlier = (cand * rng.uniform(0.0, 0.8, len(cand))).astype(np.int64)
    ok = (applied_at[cand] - applied_at[earlier] > 180 * SECONDS_PER_DAY) & regular[earlier]
    person_key[cand[ok]] = person_key[earlier[ok]]
    is_repeat[cand[ok]] = True
    # impersonation: someone applies with another person's identity
    imp = np.flatnonzero(regular & ~is_repeat & (rng.random(n) < cfg.impersonation_share))
    kind[imp] = KIND_IMPERSONATION
    seen = rng.random(len(imp)) < 0.7  # 70 % steal an identity that has applied before
    victim = (imp * rng.uniform(0.0, 0.9, len(imp))).astype(np.int64)
    stolen = seen & (victim < imp) & regular[victim]
    person_key[imp[stolen]] = person_key[victim[stolen]]
    person_key[imp[~stolen]] = n + 1 + imp[~stolen]  # a person who never applied
    # channels were onboarded before their first application
    first = np.full(len(ch.channel_id), hi, dtype=np.int64)
    np.minimum.at(first, channel, applied_at)
    ch.onboarded_at = np.maximum(first - rng.integers(7, 180, len(first)) * SECONDS_PER_DAY,
                                 lo - 365 * SECONDS_PER_DAY)
    month_idx = np.searchsorted(starts, applied_at, side="right") - 1
    return Plan(cfg, starts, applied_at, month_idx, channel, kind, ring_id, person_key,
                is_repeat, ch, ring_channel)
