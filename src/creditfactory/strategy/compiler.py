"""Compile a validated strategy once into immutable tables and generated functions."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

import numpy as np

from creditfactory.strategy.conditions import compile_all_hits, compile_first_hit
from creditfactory.strategy.limits import steps_of
from creditfactory.strategy.pricing import Price, annuity_factor, price
from creditfactory.strategy.spec import TIERS, StrategySpec, TierRow

TIER_INDEX = {t: i for i, t in enumerate(TIERS)}
REASON_SCORE_MISSING = "SCORE_MISSING"
REASON_SCORE_CUTOFF = "SCORE_BELOW_CUTOFF"
REASON_NO_PRODUCT = "NO_PRODUCT"
REASON_LIMIT_MINIMUM = "LIMIT_BELOW_MINIMUM"
REASON_DISAGREES = "CHALLENGER_DISAGREES"
REASON_FRAUD_RULES = "FRAUD_RULES_HIT"
REASON_NO_TIER = "NO_TIER_MATCH"


@dataclass(frozen=True, slots=True)
class TierTest:
    """One tier row, pre-resolved to indices and floats."""

    tier: int
    grades: frozenset[int] | None
    bands: frozenset[int] | None
    min_amount: Decimal | None
    max_amount: Decimal | None
    disagreement: bool | None
    reason: str | None

    def matches(self, grade: int, band: int, amount: Decimal, disagree: bool) -> bool:
        return (
            (self.grades is None or grade in self.grades)
            and (self.bands is None or band in self.bands)
            and (self.min_amount is None or amount >= self.min_amount)
            and (self.max_amount is None or amount <= self.max_amount)
            and (self.disagreement is None or disagree == self.disagreement)
        )


@dataclass(frozen=True)
class CompiledStrategy:
    """An immutable, compiled strategy; evaluate with ``decide_one`` or ``decide_frame``."""

    spec: StrategySpec
    source_text: str
    digest: str
    policy_codes: tuple[str, ...]
    policy_hits: Callable[[Mapping[str, Any]], tuple[int, ...]]
    segment_of: Callable[[Mapping[str, Any]], int]
    product_of: Callable[[Mapping[str, Any]], int]
    grade_max_pd: tuple[float, ...]
    band_max: tuple[float, ...]
    unscored_grade: int
    missing_band: int
    prices: tuple[tuple[Price, ...], ...]
    annuity: dict[tuple[int, int, int], Decimal]
    annuity_array: np.ndarray
    tiers: tuple[TierTest, ...]
    input_fields: tuple[str, ...]
    max_steps: tuple[int, ...]
    grade_max_steps: tuple[int, ...]
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def version(self) -> str:
        return self.spec.version

    def grade_index(self, adjusted_pd: float) -> int:
        for i, top in enumerate(self.grade_max_pd):
            if adjusted_pd <= top:
                return i
        return len(self.grade_max_pd) - 1

    def band_index(self, score: float) -> int:
        for i, top in enumerate(self.band_max):
            if score <= top:
                return i
        return len(self.band_max) - 1

    def fraud_rules(self, hits: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(every rule code hit, the hits that reject) for a comma-joined hit string."""
        return _split_hits(hits, tuple(self.spec.fraud.reject_rules))

    def tier_of(self, grade: int, band: int, amount: Decimal, disagree: bool) -> TierTest | None:
        for row in self.tiers:
            if row.matches(grade, band, amount, disagree):
                return row
        return None


@lru_cache(maxsize=4096)
def _split_hits(hits: str, reject_rules: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    codes = tuple(h.strip() for h in hits.split(",") if h.strip())
    return codes, tuple(c for c in reject_rules if c in codes)


def _tier_test(row: TierRow, grades: dict[str, int], bands: dict[str, int]) -> TierTest:
    return TierTest(
        tier=TIER_INDEX[row.tier],
        grades=None if row.grades is None else frozenset(grades[g] for g in row.grades),
        bands=None if row.fraud_bands is None else frozenset(bands[b] for b in row.fraud_bands),
        min_amount=row.min_amount,
        max_amount=row.max_amount,
        disagreement=row.disagreement,
        reason=row.reason,
    )


def compile_strategy(spec: StrategySpec, source_text: str) -> CompiledStrategy:
    """Build every table and generated function a strategy needs at run time."""
    rules = [r for r in spec.policy if r.enabled]
    grades = {g.name: i for i, g in enumerate(spec.grades)}
    bands = {b.name: i for i, b in enumerate(spec.fraud.bands)}
    prices = tuple(tuple(price(spec.pricing, g, p) for g in spec.grades) for p in spec.products)
    max_term = max(p.max_term for p in spec.products)
    annuity: dict[tuple[int, int, int], Decimal] = {}
    table = np.zeros((len(spec.products), len(spec.grades), max_term + 1))
    for pi, product in enumerate(spec.products):
        for gi in range(len(spec.grades)):
            for term in range(product.min_term, product.max_term + 1):
                a = annuity_factor(prices[pi][gi].rate, term)
                annuity[(pi, gi, term)] = a
                table[pi, gi, term] = float(a)
    fields = sorted(
        {c.field for r in rules for c in r.when}
        | {c.field for s in spec.segments for c in s.when}
        | {c.field for p in spec.products for c in p.when}
        | {"application_id", "amount", "term_months", "declared_monthly_revenue", "bureau_debt"}
    )
    return CompiledStrategy(
        spec=spec,
        source_text=source_text,
        digest=hashlib.sha256(source_text.encode()).hexdigest()[:16],
        policy_codes=tuple(r.code for r in rules),
        policy_hits=compile_all_hits([r.when for r in rules]),
        segment_of=compile_first_hit([s.when for s in spec.segments]),
        product_of=compile_first_hit([p.when for p in spec.products]),
        grade_max_pd=tuple(float(g.max_pd) for g in spec.grades),
        band_max=tuple(float(b.max_score) for b in spec.fraud.bands),
        unscored_grade=grades[spec.scoring.unscored_grade],
        missing_band=bands[spec.fraud.missing_band],
        prices=prices,
        annuity=annuity,
        annuity_array=table,
        tiers=tuple(_tier_test(t, grades, bands) for t in spec.tiers),
        input_fields=tuple(fields),
        max_steps=tuple(
            min(steps_of(p.max_limit, spec.limit.step), steps_of(spec.limit.maximum, spec.limit.step))
            for p in spec.products
        ),
        grade_max_steps=tuple(
            steps_of(g.max_limit if g.max_limit is not None else spec.limit.maximum, spec.limit.step)
            for g in spec.grades
        ),
    )
