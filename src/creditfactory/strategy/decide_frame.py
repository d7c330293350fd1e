"""The batch evaluator: the same decisions as ``decide_one`` for a whole frame, vectorised.

Every engine is computed for every row with NumPy, then each row keeps the outputs of the
stages it reached, exactly as the per-application evaluator stops at the first rejecting stage.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from creditfactory.strategy import compiler as c
from creditfactory.strategy.compiler import CompiledStrategy
from creditfactory.strategy.conditions import FrameColumns, first_hit_index, mask_of
from creditfactory.strategy.decide_one import _limit
from creditfactory.strategy.limits import capacity_steps_vector, fen_vector
from creditfactory.strategy.record import DECISION_COLUMNS
from creditfactory.strategy.spec import TIERS

POLICY, SEGMENT, SCORE_MISSING, GRADE, FRAUD, PRODUCT, LIMIT, DONE = range(8)


def _float(frame: pd.DataFrame, col: str) -> np.ndarray:
    if col not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _lookup(codes: np.ndarray, table: Callable[[int], Any]) -> np.ndarray:
    uniq, inverse = np.unique(codes, return_inverse=True)
    values = np.empty(len(uniq), dtype=object)
    values[:] = [table(int(u)) for u in uniq]
    return values[inverse]


def decide_frame(s: CompiledStrategy, apps: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """Decide every row of ``apps`` (aligned row by row with ``scores``).

    Columns: ``DECISION_COLUMNS``, plus ``adjusted_pd`` (the PD the grade read) when scoring.
    """
    spec = s.spec
    n = len(apps)
    cols = FrameColumns(apps)
    stage = np.full(n, DONE, dtype=np.int8)
    reason = np.full(n, None, dtype=object)

    def fail(mask: np.ndarray, k: int, why: np.ndarray | str) -> None:
        hit = mask & (stage == DONE)
        stage[hit] = k
        reason[hit] = why[hit] if isinstance(why, np.ndarray) else why

    bits = np.zeros(n, dtype=np.int64)
    rules = [r for r in spec.policy if r.enabled]
    for i, rule in enumerate(rules):
        bits |= mask_of(rule.when, cols).astype(np.int64) << i
    hits_text = _lookup(bits, lambda b: ";".join(s.policy_codes[i] for i in range(len(rules)) if b >> i & 1))
    fail(bits != 0, POLICY, hits_text)
    seg = first_hit_index([sg.when for sg in spec.segments], cols)
    fail(seg < 0, SEGMENT, "NO_SEGMENT")
    segc = np.maximum(seg, 0)
    a_pd = _float(scores, "a_pd")
    miss = np.isnan(a_pd)
    disagree = np.zeros(n, dtype=bool)
    grade = np.full(n, s.unscored_grade, dtype=np.int64)
    if spec.scoring.enabled:
        if spec.scoring.on_missing == "reject":
            fail(miss, SCORE_MISSING, c.REASON_SCORE_MISSING)
        mult = np.array([float(sg.pd_multiplier) for sg in spec.segments])[segc]
        margin = np.array([float(sg.challenger_margin) for sg in spec.segments])[segc]
        weight = np.array([float(sg.packaging_weight) for sg in spec.segments])[segc]
        pkg = _float(scores, "packaging_score")
        adj = np.minimum(1.0, a_pd * mult * (1.0 + weight * np.where(np.isnan(pkg), 1.0, pkg)))
        scored = np.minimum(np.searchsorted(np.array(s.grade_max_pd), adj, side="left"), len(s.grade_max_pd) - 1)
        grade = np.where(miss, s.unscored_grade, scored)
        ch = _float(scores, "challenger_pd")
        with np.errstate(invalid="ignore"):
            disagree = np.where(np.isnan(ch), spec.scoring.challenger_missing_disagrees, np.abs(ch - a_pd) > margin)
        disagree &= ~miss
        decline = np.array([g.decline for g in spec.grades])[grade] & ~miss
        fail(decline, GRADE, c.REASON_SCORE_CUTOFF)
    else:
        miss = np.zeros(n, dtype=bool)
    band = np.zeros(n, dtype=np.int64)
    fraud_hit = np.zeros(n, dtype=bool)
    if spec.fraud.enabled:
        fs = _float(scores, "fraud_score")
        scored_band = np.minimum(np.searchsorted(np.array(s.band_max), fs, side="left"), len(s.band_max) - 1)
        band = np.where(np.isnan(fs), s.missing_band, scored_band)
        raw = scores["fraud_rule_hits"] if "fraud_rule_hits" in scores.columns else pd.Series([""] * n)
        texts = np.array([v if isinstance(v, str) else "" for v in raw.to_numpy(dtype=object)], dtype=object)
        codes, uniq = pd.factorize(texts)
        parsed = [s.fraud_rules(u) for u in uniq]
        fraud_hit = np.array([bool(p[0]) for p in parsed] + [False], dtype=bool)[codes]
        rejecting = np.array([";".join(p[1]) for p in parsed] + [""], dtype=object)[codes]
        if spec.fraud.escalate_on_hit:
            band = np.where(fraud_hit, np.minimum(band + 1, len(s.band_max) - 1), band)
        fail(rejecting != "", FRAUD, rejecting)
        band_reject = np.array([b.reject for b in spec.fraud.bands])[band]
        band_reason = np.array([f"FRAUD_BAND_{b.name.upper()}" for b in spec.fraud.bands], dtype=object)[band]
        fail(band_reject, FRAUD, band_reason)
    prod = first_hit_index([p.when for p in spec.products], cols)
    fail(prod < 0, PRODUCT, c.REASON_NO_PRODUCT)
    pc = np.maximum(prod, 0)
    min_term = np.array([p.min_term for p in spec.products])[pc]
    max_term = np.array([p.max_term for p in spec.products])[pc]
    asked = _float(apps, "term_months")
    term = np.where(np.isnan(asked), min_term, np.clip(np.nan_to_num(asked).astype(np.int64), min_term, max_term))
    limit_steps = _limit_steps(s, apps, scores, pc, grade, term, stage)
    step = spec.limit.step
    limit_f = limit_steps.astype(float) * float(step)
    need = np.array([float(max(spec.limit.minimum, p.min_limit)) for p in spec.products])[pc]
    fail(limit_f < need, LIMIT, c.REASON_LIMIT_MINIMUM)
    tier_row = np.full(n, -1, dtype=np.int64)
    for k in range(len(s.tiers) - 1, -1, -1):
        t = s.tiers[k]
        m = np.ones(n, dtype=bool)
        if t.grades is not None:
            m &= np.isin(grade, list(t.grades))
        if t.bands is not None:
            m &= np.isin(band, list(t.bands))
        if t.min_amount is not None:
            m &= limit_f >= float(t.min_amount)
        if t.max_amount is not None:
            m &= limit_f <= float(t.max_amount)
        if t.disagreement is not None:
            m &= disagree == t.disagreement
        tier_row[m] = k
    row_tier = np.array([t.tier for t in s.tiers] + [c.TIER_INDEX["reject"]])[tier_row]
    tier = np.where(miss, np.maximum(row_tier, c.TIER_INDEX["field_investigation"]), row_tier)
    info_key = miss.astype(np.int64) + 2 * disagree + 4 * fraud_hit + 8 * (tier_row + 1)
    done = stage == DONE
    reason[done] = _lookup(info_key[done], lambda key: _info_reasons(s, key))
    tier_name = np.array(TIERS, dtype=object)[np.where(done, tier, c.TIER_INDEX["reject"])]
    frame = _assemble(s, apps, stage, reason, hits_text, seg, grade, disagree, band, prod, term, limit_steps, tier_name)
    if spec.scoring.enabled:
        frame["adjusted_pd"] = np.where((stage >= GRADE) & ~miss, adj, np.nan)
    return frame


def _info_reasons(s: CompiledStrategy, key: int) -> str:
    flags = ((key & 1, c.REASON_SCORE_MISSING), (key & 2, c.REASON_DISAGREES), (key & 4, c.REASON_FRAUD_RULES))
    row = (key >> 3) - 1
    reason = c.REASON_NO_TIER if row < 0 else s.tiers[row].reason
    return ";".join([code for flag, code in flags if flag] + ([reason] if reason else []))


def _limit_steps(
    s: CompiledStrategy, apps: pd.DataFrame, scores: pd.DataFrame,
    pc: np.ndarray, grade: np.ndarray, term: np.ndarray, stage: np.ndarray,
) -> np.ndarray:
    spec = s.spec
    step = float(spec.limit.step)
    revenue = np.nan_to_num(fen_vector(_float(apps, "declared_monthly_revenue")))
    debt = np.nan_to_num(fen_vector(_float(apps, "bureau_debt")))
    amount = np.nan_to_num(fen_vector(_float(apps, "amount")))
    pkg = _float(scores, "packaging_score")
    pkg = np.where(np.isnan(pkg), 1.0, pkg)
    factor = np.array([float(g.limit_factor) for g in spec.grades])[grade]
    annuity = s.annuity_array[pc, grade, np.minimum(term, s.annuity_array.shape[2] - 1)]
    live = stage == DONE
    records = apps.iloc
    score_rows = scores.iloc

    def exact(row: int) -> int:
        limit, _ = _limit(s, _row(records[row]), _row(score_rows[row]), int(pc[row]), int(grade[row]), int(term[row]))
        return int(limit / spec.limit.step)

    cap_steps = capacity_steps_vector(spec.limit, revenue, pkg, debt, annuity, factor, exact, live)
    prod_steps = np.array([int(p.max_limit // spec.limit.step) for p in spec.products])[pc]
    amount_steps = np.floor(amount / step).astype(np.int64)
    top = int(spec.limit.maximum // spec.limit.step)
    steps = np.minimum(np.minimum(cap_steps, amount_steps), np.minimum(prod_steps, top))
    steps = np.minimum(steps, np.array(s.grade_max_steps, dtype=np.int64)[grade])
    return np.maximum(steps, 0)


def _row(series: pd.Series) -> dict[str, Any]:
    return {str(k): v for k, v in series.items()}


def _assemble(
    s: CompiledStrategy, apps: pd.DataFrame, stage: np.ndarray, reason: np.ndarray, hits_text: np.ndarray,
    seg: np.ndarray, grade: np.ndarray, disagree: np.ndarray, band: np.ndarray, prod: np.ndarray,
    term: np.ndarray, limit_steps: np.ndarray, tier_name: np.ndarray,
) -> pd.DataFrame:
    spec = s.spec

    def names(values: list[str], idx: np.ndarray, visible: np.ndarray) -> np.ndarray:
        out = np.array(values + [None], dtype=object)[np.where(visible, idx, len(values))]
        return out

    seg_names = [x.name for x in spec.segments]
    grade_names = [g.name for g in spec.grades]
    band_names = [b.name for b in spec.fraud.bands]
    prod_names = [p.code for p in spec.products]
    has_prod = stage >= LIMIT
    rates = np.array([[p.rate for p in row] for row in s.prices] + [[None] * len(spec.grades)], dtype=object)
    rate = rates[np.where(has_prod, np.maximum(prod, 0), len(s.prices)), grade]
    step = spec.limit.step
    limit = _lookup(np.where(stage == DONE, limit_steps, -1), lambda k: None if k < 0 else step * k)
    ids = apps["application_id"].to_numpy() if "application_id" in apps.columns else np.zeros(len(apps), dtype=np.int64)
    frame = pd.DataFrame(
        {
            "application_id": ids.astype(np.int64),
            "decision": np.where(tier_name == "reject", "reject", "approve").astype(object),
            "tier": tier_name,
            "reasons": reason,
            "policy_hits": hits_text,
            "segment": names(seg_names, np.maximum(seg, 0), stage >= SCORE_MISSING),
            "grade": names(grade_names, grade, stage >= GRADE),
            "disagreement": pd.array(np.where(stage >= GRADE, disagree, False), dtype="boolean"),
            "fraud_band": names(band_names, band, stage >= FRAUD),
            "product": names(prod_names, np.maximum(prod, 0), has_prod),
            "term_months": pd.array(np.where(has_prod, term, 0), dtype="Int64"),
            "rate": rate,
            "limit": limit,
        }
    )
    frame.loc[stage < GRADE, "disagreement"] = pd.NA
    frame.loc[~has_prod, "term_months"] = pd.NA
    return frame[list(DECISION_COLUMNS)]


__all__ = ["decide_frame", "Decimal"]
