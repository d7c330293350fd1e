"""One chunk of applications: applicant, business, bureau and linkage attributes, and risk.

Observables are drawn around a latent credit quality ``q`` (higher is riskier) so that the
bureau and business fields carry most of the signal a scorecard can find; the rest of the
true risk stays hidden (hidden debts, true revenue, a residual), which puts a ceiling on any
model's AUC. Packaging intermediaries inflate declared revenue and hide debts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from creditfactory.world import _strings as s
from creditfactory.world import vocab as v
from creditfactory.world._hashing import mix64
from creditfactory.world.linkage import innocent_hubs, share_ring_pools
from creditfactory.world.people import People, people, phone_of
from creditfactory.world.plan import KIND_IMPERSONATION, KIND_REGULAR, KIND_RING, Plan

REVENUE_THRESHOLDS = np.array([30_000, 50_000, 80_000, 100_000, 150_000, 200_000, 300_000])
_IND_RISK = np.array([i[3] for i in v.INDUSTRIES])
_IND_REV = np.array([i[5] for i in v.INDUSTRIES], dtype=np.float64)
_CITY_RISK = np.array([c[4] for c in v.CITIES])


@dataclass
class Chunk:
    """Columns of one chunk plus what the performance simulation and truth need."""

    columns: dict[str, pa.Array | np.ndarray]
    log_odds: np.ndarray
    industry_idx: np.ndarray
    amount_cny: np.ndarray
    term: np.ndarray
    fraud_kind: np.ndarray  # 0 none, 1 ring, 2 impersonation
    packaged: np.ndarray
    unwilling: np.ndarray
    true_revenue: np.ndarray
    hidden_debt: np.ndarray
    prepay_propensity: np.ndarray


def _identity(plan: Plan, rows: np.ndarray) -> tuple[People, People | None]:
    n = plan.config.n_applications
    key = plan.person_key[rows]
    anchor = np.where(key <= n, key - 1, rows)
    city = plan.channels.city_idx[plan.channel[anchor]]
    who = people(key + plan.key_base, plan.applied_at[anchor], city)
    fresh_needed = plan.is_repeat[rows] | (plan.kind[rows] == KIND_IMPERSONATION)
    if not fresh_needed.any():
        return who, None
    sub = rows[fresh_needed]
    own_city = plan.channels.city_idx[plan.channel[sub]]
    fresh = people(2 * n + 1 + sub + plan.key_base, plan.applied_at[sub], own_city)
    pos = np.zeros(len(rows), dtype=np.int64)
    pos[fresh_needed] = np.arange(len(sub))
    return who, fresh.take(pos)


def _pick(base: pa.Array, other: pa.Array | None, use_other: np.ndarray) -> pa.Array:
    if other is None or not use_other.any():
        return base
    return pc.if_else(pa.array(use_other), other, base)


def build_chunk(plan: Plan, lo: int, hi: int, rng: np.random.Generator) -> Chunk:
    """Draw the attributes of applications ``lo`` to ``hi - 1`` (zero-based rows)."""
    rows = np.arange(lo, hi)
    m = len(rows)
    ch = plan.channels
    chan = plan.channel[rows]
    ctype = ch.type_idx[chan]
    city = ch.city_idx[chan]
    kind = plan.kind[rows]
    ring = kind == KIND_RING
    imp = kind == KIND_IMPERSONATION
    repeat = plan.is_repeat[rows]
    packaged = ch.packager[chan] & (rng.random(m) < plan.config.packaged_within_packager) & (
        kind == KIND_REGULAR)
    who, fresh = _identity(plan, rows)

    # repeat customers keep most of their identity; impersonators keep only the stolen ID
    keep_phone = ~(imp | (repeat & (rng.random(m) < 0.1)))
    keep_card = ~(imp | (repeat & (rng.random(m) < 0.3)))
    keep_home = ~(imp | (repeat & (rng.random(m) < 0.2)))
    keep_biz = ~(imp | (repeat & (rng.random(m) < 0.1)))
    phone = _pick(who.phone, fresh.phone if fresh else None, ~keep_phone)
    card = _pick(who.bank_card, fresh.bank_card if fresh else None, ~keep_card)
    home = _pick(who.home_address, fresh.home_address if fresh else None, ~keep_home)
    bname = _pick(who.business_name, fresh.business_name if fresh else None, ~keep_biz)
    uscc = _pick(who.uscc, fresh.uscc if fresh else None, ~keep_biz)
    baddr = _pick(who.business_address, fresh.business_address if fresh else None, ~keep_biz)
    industry = who.industry_idx.copy()
    if fresh is not None:
        industry = np.where(keep_biz, industry, fresh.industry_idx)

    applied = plan.applied_at[rows]
    age = ((applied - who.birth_unix) // int(365.25 * 86_400)).astype(np.int64)
    lie = imp & (rng.random(m) < 0.5)
    age = np.where(lie, np.clip(age + rng.choice([-1, 1], m) * rng.integers(3, 15, m), 22, 65), age)

    q = rng.normal(0.0, 1.0, m) + np.where(packaged, 0.4, 0.0)
    edu = np.clip(np.round(2.6 - 0.45 * q + rng.normal(0, 1.1, m)), 0, 5).astype(np.int64)
    marital = rng.choice(4, m, p=[0.14, 0.74, 0.10, 0.02])
    marital = np.where((age < 28) & (rng.random(m) < 0.5), 0, marital)
    local = who.local
    yic = np.where(local, np.maximum(age - 18 - rng.integers(0, 8, m), 1),
                   np.clip(rng.exponential(7.0, m), 0, age - 18)).astype(np.int64)
    has_mortgage = rng.random(m) < 1 / (1 + np.exp(-(-1.1 + 0.03 * (age - 35) + 0.5 * local - 0.25 * q)))
    has_car = rng.random(m) < 1 / (1 + np.exp(-(-1.2 - 0.2 * q)))
    has_ins = rng.random(m) < 1 / (1 + np.exp(-(-0.7 - 0.3 * q + 0.1 * edu)))
    home_own = np.where(has_mortgage, 1, rng.choice([0, 2, 3], m, p=[0.35, 0.5, 0.15]))
    premium = np.where(has_ins, np.round(rng.lognormal(np.log(9_000), 0.6, m), -1), 0)

    yib = np.clip(rng.gamma(2.2, 2.8, m) - 0.4 * q, 0.5, 35).astype(np.int64)
    employees = np.clip(np.round(rng.lognormal(1.3, 0.8, m)), 1, 200).astype(np.int64)
    premises = rng.choice(len(v.PREMISES), m, p=[0.12, 0.40, 0.16, 0.12, 0.10, 0.10])
    true_rev = _IND_REV[industry] * rng.lognormal(-0.15, 0.55, m) * (employees / 4.0) ** 0.35
    true_rev = np.round(true_rev, -2)
    declared = true_rev * np.exp(rng.normal(0.04, 0.10, m))
    inflate = true_rev * rng.uniform(1.6, 3.0, m)
    th_idx = np.searchsorted(REVENUE_THRESHOLDS, inflate)
    bunch = REVENUE_THRESHOLDS[np.minimum(th_idx, len(REVENUE_THRESHOLDS) - 1)] * rng.uniform(1.0, 1.04, m)
    inflated = np.where(rng.random(m) < 0.7, np.maximum(inflate, bunch), inflate)
    declared = np.round(np.where(packaged, inflated, declared), -2)

    cards = rng.poisson(2.2 + 0.3 * edu)
    util = np.clip(rng.beta(2.0, 3.2, m) + 0.16 * q, 0, 1.5)
    loans = rng.poisson(0.8 + 0.4 * (q > 1)) + has_mortgage + has_car
    mortgage_bal = np.where(has_mortgage, rng.lognormal(np.log(700_000), 0.5, m), 0)
    car_bal = np.where(has_car, rng.lognormal(np.log(90_000), 0.5, m), 0)
    other_debt = (loans - has_mortgage - has_car) * rng.lognormal(np.log(60_000), 0.7, m)
    card_debt = util * cards * rng.lognormal(np.log(25_000), 0.4, m)
    bureau_debt = np.round(mortgage_bal + car_bal + other_debt + card_debt, 2)
    hidden = np.where(packaged & (rng.random(m) < 0.7), rng.uniform(100_000, 600_000, m),
                      np.where(rng.random(m) < 0.08, rng.uniform(20_000, 200_000, m), 0))
    hidden = np.round(hidden, -2)
    od24 = rng.poisson(np.exp(-1.2 + 0.9 * q))
    od12 = rng.binomial(od24, 0.55)
    od6 = rng.binomial(od12, 0.5)
    mdpd_levels = np.array([0, 10, 30, 60, 90, 120, 180])
    mdpd_i = np.where(od24 > 0, np.clip(np.round(rng.exponential(0.9 + 0.3 * np.maximum(q, 0), m)) + 1, 1, 6),
                      np.where(rng.random(m) < 0.08, 1, 0)).astype(np.int64)
    max_dpd = mdpd_levels[mdpd_i]
    inq6 = rng.poisson(np.exp(0.6 + 0.45 * q + 0.4 * packaged))
    inq3 = rng.binomial(inq6, 0.6)
    inq1 = rng.binomial(inq3, 0.45)

    # ring members present synthetic, clean-looking files; impersonators show the victim's
    od24 = np.where(ring, 0, od24)
    od12 = np.where(ring, 0, od12)
    od6 = np.where(ring, 0, od6)
    max_dpd = np.where(ring, 0, max_dpd)

    ask = declared * rng.uniform(0.7, 3.0, m) * np.where(packaged | ring, 1.5, 1.0)
    amount = np.clip(np.round(ask / 10_000) * 10_000, 100_000, 500_000).astype(np.int64)
    term = rng.choice([12, 24, 36, 48], m, p=[0.05, 0.15, 0.72, 0.08])
    purpose = rng.choice(len(v.PURPOSES), m, p=[0.42, 0.22, 0.12, 0.1, 0.1, 0.04])
    product = np.where(repeat & (rng.random(m) < 0.8), 3,
                       np.where(has_ins & (rng.random(m) < 0.6), 1,
                                np.where(has_mortgage & (rng.random(m) < 0.6), 2, 0)))
    gender = np.where(who.gender_male, "M", "F")

    burden = (bureau_debt - mortgage_bal + hidden + amount) / (12.0 * np.maximum(true_rev, 1.0))
    log_odds = (
        plan.config.base_log_odds + 0.20 * q + rng.normal(0.0, 0.35, m)
        + 0.30 * np.minimum(od12, 5) + 0.40 * np.minimum(od6, 3)
        + 0.40 * (max_dpd > 30) + 0.35 * (max_dpd > 60)
        + 0.14 * np.minimum(inq3, 10) + 1.2 * (util - 0.4)
        - 0.50 * has_mortgage - 0.45 * has_ins - 0.15 * has_car
        - 0.04 * np.minimum(yib, 20) + 0.60 * np.log(np.clip(burden, 0.05, 20.0))
        + v.EDUCATION_RISK[edu] + v.MARITAL_RISK[marital] + v.HOME_RISK[home_own]
        + v.PREMISES_RISK[premises] + _IND_RISK[industry] + _CITY_RISK[city]
        + 0.0012 * (age - 38) ** 2 - 0.012 * np.minimum(yic, 20)
        + ch.quality[chan] + 0.25 * (ctype == 2) - 0.4 * repeat + 0.45 * packaged
    )
    unwilling = rng.random(m) < np.where(packaged, 0.45, 0.25)

    device_key = mix64(rows + 1 + plan.key_base, 901)
    ip_oct = np.column_stack([rng.integers(1, 223, m), rng.integers(0, 256, m),
                              rng.integers(0, 256, m), rng.integers(1, 255, m)])
    contact_keys = np.column_stack([mix64(rows + 1 + plan.key_base, 910 + j).astype(np.int64) & ((1 << 62) - 1)
                                    for j in range(3)])
    device_key, ip_oct, contact_keys, market, market_no = innocent_hubs(
        ch, chan, ctype, city, premises, device_key, ip_oct, contact_keys, rng)

    link: dict = {
        "device_key": device_key, "ip_oct": ip_oct, "contact_keys": contact_keys,
        "home": home, "baddr": baddr, "bname": bname, "uscc": uscc, "card": card,
    }
    if ring.any():
        share_ring_pools(plan, rows, ring, rng, link)

    market_addr = s.join(s.take([c[0] + "市" for c in v.CITIES], city),
                         s.take(v.MARKETS, (city + market_no) % len(v.MARKETS)))
    baddr = pc.if_else(pa.array(market & ~ring), market_addr, link["baddr"])
    contacts = s.join(*[phone_of(link["contact_keys"][:, j].astype(np.int64)) for j in range(3)],
                      sep=",")
    branch = s.join(s.take([c[1] for c in v.CITIES], city),
                    pc.utf8_lpad(s.int_str(ch.branch_no[chan]), 2, "0"))
    columns = {
        "application_id": rows + 1,
        "applied_at": applied,
        "channel_id": pa.array(ch.channel_id[chan].astype(str)),
        "branch": branch,
        "city": s.take([c[0] for c in v.CITIES], city),
        "product_requested": s.take(v.PRODUCTS, product),
        "amount": amount * 100,
        "term_months": term,
        "purpose": s.take(v.PURPOSES, purpose),
        "resident_id": who.resident_id,
        "name": who.name,
        "phone": phone,
        "age": age,
        "gender": pa.array(gender),
        "education": s.take(v.EDUCATION, edu),
        "marital_status": s.take(v.MARITAL, marital),
        "years_in_city": yic,
        "home_ownership": s.take(v.HOME, home_own),
        "business_name": link["bname"],
        "uscc": link["uscc"],
        "industry": s.take([i[0] for i in v.INDUSTRIES], industry),
        "years_in_business": yib,
        "employees": employees,
        "premises": s.take(v.PREMISES, premises),
        "declared_monthly_revenue": np.round(declared * 100).astype(np.int64),
        "bureau_cards": cards,
        "bureau_utilisation": np.round(util, 4),
        "bureau_loans": loans,
        "bureau_debt": np.round(bureau_debt * 100).astype(np.int64),
        "overdue_count_6m": od6,
        "overdue_count_12m": od12,
        "overdue_count_24m": od24,
        "max_dpd_ever": max_dpd,
        "inquiries_1m": inq1,
        "inquiries_3m": inq3,
        "inquiries_6m": inq6,
        "has_mortgage": has_mortgage,
        "has_car_loan": has_car,
        "has_insurance_policy": has_ins,
        "insurance_annual_premium": (premium * 100).astype(np.int64),
        "device_id": s.hex_ids(link["device_key"], 16, "dv"),
        "ip": s.ipv4(link["ip_oct"]),
        "contact_phones": contacts,
        "bank_card": link["card"],
        "home_address": link["home"],
        "business_address": baddr,
    }
    fraud_kind = np.where(ring, 1, np.where(imp, 2, 0))
    prepay = rng.lognormal(0.0, 0.5, m) * np.exp(-0.2 * q)
    return Chunk(columns, log_odds, industry, amount, term, fraud_kind, packaged, unwilling,
                 true_rev, hidden, prepay)
