"""Generate a world chunk by chunk: the skeleton, then applications with their loan lives.

Chunks are independent given the skeleton and each has its own seeded stream, so the output
depends only on the seed and the parameters, never on timing: same seed, same bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from creditfactory.data.schema import APPLICATIONS, CHANNELS, PERFORMANCE, TRUTH
from creditfactory.world._money import fen_to_decimal
from creditfactory.world.applicants import build_chunk
from creditfactory.world.config import WorldConfig
from creditfactory.world.errors import InvalidWorldParameters
from creditfactory.world.macro import Macro, build_macro
from creditfactory.world.performance import STATUS, simulate_lives
from creditfactory.world.plan import Plan, build_plan
from creditfactory.world.vocab import CITIES

MONEY_COLUMNS = {"amount", "declared_monthly_revenue", "bureau_debt", "insurance_annual_premium",
                 "deposit", "due", "paid", "balance", "true_monthly_revenue", "hidden_debt"}
TAIL_MONTHS = 48 + 7 + 24 + 2


@dataclass
class ChunkTables:
    applications: pa.Table
    performance: pa.Table
    truth: pa.Table


def validate_parameters(n_applications: int, months: int, seed: int) -> None:
    """Refuse parameters no world can be built from, naming the parameter."""
    if n_applications < 100:
        raise InvalidWorldParameters(
            f"applications must be at least 100, got {n_applications}")
    if n_applications > 50_000_000:
        raise InvalidWorldParameters(
            f"applications must be at most 50,000,000, got {n_applications}")
    if not 6 <= months <= 120:
        raise InvalidWorldParameters(f"months must be between 6 and 120, got {months}")
    if seed < 0:
        raise InvalidWorldParameters(f"seed must be non-negative, got {seed}")


def prepare(cfg: WorldConfig) -> tuple[Plan, Macro]:
    """Draw the skeleton and the economy shared by every chunk."""
    validate_parameters(cfg.n_applications, cfg.months, cfg.seed)
    plan = build_plan(cfg, TAIL_MONTHS)
    macro = build_macro(cfg.months, cfg.months + TAIL_MONTHS, np.random.default_rng([cfg.seed, 1]),
                        cfg.downturns)
    return plan, macro


def _table(columns: dict, schema: pa.Schema) -> pa.Table:
    arrays = []
    for field in schema:
        col = columns[field.name]
        if field.name in MONEY_COLUMNS:
            arrays.append(fen_to_decimal(np.asarray(col)))
        elif isinstance(col, pa.Array | pa.ChunkedArray):
            arrays.append(col.cast(field.type))
        else:
            arrays.append(pa.array(np.asarray(col)).cast(field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def channels_table(plan: Plan) -> pa.Table:
    """The channels of the world."""
    ch = plan.channels
    city = ch.city_idx
    branch = np.array([f"{CITIES[c][1]}{b:02d}" for c, b in zip(city, ch.branch_no, strict=True)])
    cols = {
        "channel_id": pa.array(ch.channel_id.astype(str)),
        "channel_type": pa.array(np.array(["agent_app", "partner", "intermediary"])[ch.type_idx]),
        "branch": pa.array(branch),
        "city": pa.array(np.array([c[0] for c in CITIES])[city]),
        "deposit": ch.deposit_cny * 100,
        "onboarded_at": ch.onboarded_at.astype("datetime64[s]"),
    }
    return _table(cols, CHANNELS)


def build_chunk_tables(plan: Plan, macro: Macro, k: int) -> ChunkTables:
    """Applications ``k*chunk`` onwards with their performance and truth."""
    cfg = plan.config
    lo = k * cfg.chunk_size
    hi = min(cfg.n_applications, lo + cfg.chunk_size)
    rng = np.random.default_rng([cfg.seed, 2, k])
    chunk = build_chunk(plan, lo, hi, rng)
    cols = chunk.columns
    applied = plan.applied_at[lo:hi]
    cols["applied_at"] = applied.astype("datetime64[s]")
    apps = _table(cols, APPLICATIONS)
    day = (applied.astype("datetime64[s]").astype("datetime64[D]")
           - applied.astype("datetime64[s]").astype("datetime64[M]")).astype(np.int64)
    lives = simulate_lives(
        chunk.amount_cny, chunk.term, plan.month_idx[lo:hi], np.minimum(day, 27),
        chunk.industry_idx, chunk.log_odds, chunk.fraud_kind > 0, chunk.unwilling,
        chunk.prepay_propensity, macro, np.random.default_rng([cfg.seed, 3, k]),
        cfg.reference_rate, cfg.writeoff_tail_months,
    )
    app_id = np.arange(lo, hi, dtype=np.int64) + 1
    month = plan.month_idx[lo:hi][lives.loan] + lives.mob
    month_days = (plan.month_starts[month] // 86_400).astype(np.int32)
    perf = _table({
        "application_id": app_id[lives.loan], "mob": lives.mob,
        "month": pa.array(month_days, pa.int32()).cast(pa.date32()),
        "due": lives.due, "paid": lives.paid, "dpd": lives.dpd, "balance": lives.balance,
        "status": pa.DictionaryArray.from_arrays(
            pa.array(lives.status.astype(np.int32)), pa.array(STATUS)).cast(pa.string()),
    }, PERFORMANCE)
    fraud_name = np.array(["", "ring", "impersonation"])[chunk.fraud_kind]
    fraud_name = np.where((chunk.fraud_kind == 0) & chunk.packaged, "packaged", fraud_name)
    reason = np.where(lives.ever90, np.where(chunk.unwilling | (chunk.fraud_kind > 0),
                                             "unwilling", "unable"), "")
    truth = _table({
        "application_id": app_id, "pd": np.round(lives.pd, 6),
        "is_fraud": chunk.fraud_kind > 0, "fraud_type": pa.array(fraud_name),
        "ring_id": plan.ring_id[lo:hi], "packaged": chunk.packaged,
        "true_monthly_revenue": np.round(chunk.true_revenue * 100).astype(np.int64),
        "hidden_debt": np.round(chunk.hidden_debt * 100).astype(np.int64),
        "default_reason": pa.array(reason),
    }, TRUTH)
    return ChunkTables(apps, perf, truth)


def n_chunks(cfg: WorldConfig) -> int:
    """How many chunks ``cfg`` is written in."""
    return -(-cfg.n_applications // cfg.chunk_size)


def iter_chunks(plan: Plan, macro: Macro) -> Iterator[ChunkTables]:
    """The world's chunks in application order."""
    for k in range(n_chunks(plan.config)):
        yield build_chunk_tables(plan, macro, k)
