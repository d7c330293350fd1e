"""The shape of a strategy file (pydantic), checked field by field; unknown fields are errors."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Code = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]*$", max_length=48)]
Name = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=48)]
Rate = Annotated[Decimal, Field(ge=0, le=1)]
Scalar = bool | int | float | str
Op = Literal["<", "<=", ">", ">=", "==", "!=", "in", "not_in"]
Tier = Literal["auto_approve", "remote_verification", "field_investigation", "reject"]
TIERS: tuple[str, ...] = ("auto_approve", "remote_verification", "field_investigation", "reject")


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class Condition(_Spec):
    """``field op value``; a missing input makes the condition ``if_missing``."""

    field: Name
    op: Op
    value: Scalar | list[Scalar]
    if_missing: bool = False

    @model_validator(mode="after")
    def _value_fits_op(self) -> Condition:
        is_list = isinstance(self.value, list)
        if self.op in ("in", "not_in") and not is_list:
            raise ValueError(f"op '{self.op}' needs a list value")
        if self.op not in ("in", "not_in") and is_list:
            raise ValueError(f"op '{self.op}' needs a single value, not a list")
        return self


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, dict) else value


class _Conditional(_Spec):
    when: list[Condition] = []

    _listify = field_validator("when", mode="before")(_as_list)


class PolicyRule(_Conditional):
    """A knock-out: every condition true means reject with ``code``."""

    code: Code
    reason: str
    enabled: bool = True


class Segment(_Conditional):
    """Applicants sharing a scorecard set and its settings; the first matching segment wins.

    The grade reads ``a_pd x pd_multiplier x (1 + packaging_weight x packaging_score)``.
    """

    name: Name
    a_card: str = "a_card"
    challenger: str | None = None
    pd_multiplier: Annotated[Decimal, Field(gt=0, le=10)] = Decimal(1)
    packaging_weight: Annotated[Decimal, Field(ge=0, le=10)] = Decimal(0)
    challenger_margin: Rate = Decimal("0.05")


class Grade(_Spec):
    """A risk grade: adjusted PD up to ``max_pd``; priced at ``pricing_pd``; its capacity
    scaled by ``limit_factor`` and its limit never above ``max_limit`` (when set), so the
    riskier grades carry less of the book."""

    name: Name
    max_pd: Rate
    pricing_pd: Rate
    limit_factor: Annotated[Decimal, Field(ge=0, le=2)] = Decimal(1)
    max_limit: Annotated[Decimal, Field(gt=0)] | None = None
    decline: bool = False


class Scoring(_Spec):
    """The scoring engine: off for a policy-only strategy."""

    enabled: bool = True
    on_missing: Literal["field_investigation", "reject"] = "field_investigation"
    unscored_grade: Name
    challenger_missing_disagrees: bool = True


class FraudBand(_Spec):
    name: Name
    max_score: Rate
    reject: bool = False


class FraudEngine(_Spec):
    """Fraud-score bands, hard rules that reject, and escalation of the band on any rule hit."""

    enabled: bool = True
    bands: Annotated[list[FraudBand], Field(min_length=1)]
    missing_band: Name
    reject_rules: list[Code] = []
    escalate_on_hit: bool = True


class LimitEngine(_Spec):
    """Repayment capacity -> limit; money in CNY."""

    minimum: Annotated[Decimal, Field(gt=0)] = Decimal(100000)
    maximum: Annotated[Decimal, Field(gt=0)] = Decimal(500000)
    step: Annotated[Decimal, Field(gt=0)] = Decimal(10000)
    income_margin: Rate
    packaging_haircut: Rate
    debt_service_cap: Rate
    existing_debt_monthly_rate: Rate

    @model_validator(mode="after")
    def _bounds(self) -> LimitEngine:
        if self.minimum > self.maximum:
            raise ValueError("minimum is above maximum")
        return self


class Product(_Conditional):
    """A sub-product with its own limit, term and price; earlier products are preferred."""

    code: Code
    name: str
    min_limit: Annotated[Decimal, Field(gt=0)]
    max_limit: Annotated[Decimal, Field(gt=0)]
    min_term: Annotated[int, Field(ge=1, le=120)]
    max_term: Annotated[int, Field(ge=1, le=120)]
    rate_adjustment: Annotated[Decimal, Field(ge=-1, le=1)] = Decimal(0)


class Pricing(_Spec):
    """Rate = expected loss + cost of funds + operating cost + margin, kept within floor..cap."""

    lgd: Rate
    cost_of_funds: Rate
    operating_cost: Rate
    margin: Rate
    floor: Rate = Decimal("0.18")
    cap: Rate = Decimal("0.24")


class TierRow(_Spec):
    """One row of the tier table; ``None`` means any; the first matching row wins."""

    tier: Tier
    grades: list[Name] | None = None
    fraud_bands: list[Name] | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    disagreement: bool | None = None
    reason: Code | None = None

    @model_validator(mode="after")
    def _reject_has_reason(self) -> TierRow:
        if self.tier == "reject" and self.reason is None:
            raise ValueError("a reject row needs a reason code")
        return self


class Appetite(_Spec):
    """The risk appetite the cut-offs and limits are chosen from on the development window
    (``creditfactory.strategy.appetite``): the best projected profit with the projected
    cumulative NPL at most ``target_npl``; or, with ``target_approval``, the cut-off approving
    that share and the limits giving the best profit there, ``target_npl`` then being the
    ceiling it may not pass."""

    target_npl: Annotated[Decimal, Field(gt=0, le=1)]
    target_approval: Annotated[Decimal, Field(gt=0, le=1)] | None = None
    cutoff_grid: Annotated[list[Rate], Field(min_length=1)] = [
        Decimal(f"0.{k:03d}") for k in range(10, 62, 2)]
    limit_scales: Annotated[list[Annotated[Decimal, Field(gt=0, le=3)]], Field(min_length=1)] = [
        Decimal(x) for x in ("0.8", "1", "1.2", "1.4", "1.6", "1.8", "2")]


class Calibration(_Spec):
    """What the appetite chose on the development window, kept with the strategy version:
    the grade table (cut-off and limits), the products' limit caps, the window, the models and
    the figures."""

    cutoff_pd: Rate
    limit_scale: Annotated[Decimal, Field(gt=0, le=3)]
    grades: Annotated[list[Grade], Field(min_length=1)]
    product_max_limits: dict[str, Annotated[Decimal, Field(gt=0)]] = {}
    window: dict[str, str]
    models: dict[str, str] = {}
    figures: dict[str, float] = {}


class StrategySpec(_Spec):
    """A whole strategy file (with ``calibration``, its grade table is the calibrated one)."""

    name: Name
    version: Annotated[str, Field(min_length=1, max_length=32)]
    description: str = ""
    policy: list[PolicyRule] = []
    segments: Annotated[list[Segment], Field(min_length=1)]
    scoring: Scoring
    grades: Annotated[list[Grade], Field(min_length=1)]
    fraud: FraudEngine
    limit: LimitEngine
    products: Annotated[list[Product], Field(min_length=1)]
    pricing: Pricing
    tiers: Annotated[list[TierRow], Field(min_length=1)]
    process_cost: dict[Tier, Annotated[Decimal, Field(ge=0)]] = {}
    appetite: Appetite | None = None
    calibration: Calibration | None = None
