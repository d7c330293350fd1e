"""Partner banks, their own lending policies, and the routing rule that picks one.

The platform recommends; a bank books only what its policy allows (amount cap, excluded
industries, minimum platform score, monthly quota). Routing sends a case to the eligible bank
with the largest share of its monthly quota left, so volume spreads across partners.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import yaml

from creditfactory.factory.errors import BankPolicyInvalid, NoEligibleBank

__all__ = ["BankPolicy", "load_banks", "parse_banks", "refusals", "route"]


@dataclass(frozen=True)
class BankPolicy:
    """One partner bank's lending policy and (for the demo) its simulated behaviour."""

    code: str
    name: str
    amount_cap: Decimal
    min_score: float
    monthly_quota: int
    excluded_industries: tuple[str, ...]
    answer_seconds: tuple[float, float] = (0.5, 2.0)
    approve_rate: float = 0.95

    def as_json(self) -> dict[str, Any]:
        """The policy in the form kept in the store."""
        return {
            "amount_cap": str(self.amount_cap),
            "min_score": self.min_score,
            "monthly_quota": self.monthly_quota,
            "excluded_industries": list(self.excluded_industries),
            "answer_seconds": list(self.answer_seconds),
            "approve_rate": self.approve_rate,
        }

    @classmethod
    def from_json(cls, code: str, name: str, policy: dict[str, Any]) -> BankPolicy:
        """Rebuild a policy read back from the store."""
        return cls(
            code=code,
            name=name,
            amount_cap=Decimal(str(policy["amount_cap"])),
            min_score=float(policy["min_score"]),
            monthly_quota=int(policy["monthly_quota"]),
            excluded_industries=tuple(policy["excluded_industries"]),
            answer_seconds=(float(policy["answer_seconds"][0]), float(policy["answer_seconds"][1])),
            approve_rate=float(policy["approve_rate"]),
        )


def refusals(
    bank: BankPolicy, amount: Decimal, industry: str, score: float | None, used: int
) -> list[str]:
    """Why ``bank`` would not take the case (empty when it would)."""
    out = []
    if amount > bank.amount_cap:
        out.append("AMOUNT_OVER_CAP")
    if any(
        industry == x or (len(x) == 1 and industry.startswith(x)) for x in bank.excluded_industries
    ):
        out.append("INDUSTRY_EXCLUDED")
    if score is None or score < bank.min_score:
        out.append("SCORE_BELOW_MINIMUM")
    if used >= bank.monthly_quota:
        out.append("QUOTA_EXHAUSTED")
    return out


def route(
    banks: list[BankPolicy],
    amount: Decimal,
    industry: str,
    score: float | None,
    used: dict[str, int],
) -> BankPolicy:
    """The eligible bank with the largest share of monthly quota left (ties: by code)."""
    eligible = [b for b in banks if not refusals(b, amount, industry, score, used.get(b.code, 0))]
    if not eligible:
        raise NoEligibleBank(f"no partner bank accepts {amount} CNY in industry {industry}")
    return min(eligible, key=lambda b: (used.get(b.code, 0) / b.monthly_quota, b.code))


def parse_banks(text: str) -> list[BankPolicy]:
    """Parse and check a partner-bank file."""
    raw = yaml.safe_load(text)
    if not isinstance(raw, dict) or not isinstance(raw.get("banks"), list) or not raw["banks"]:
        raise BankPolicyInvalid("a bank file needs a non-empty 'banks' list")
    if raw.get("routing", "most_quota_left") != "most_quota_left":
        raise BankPolicyInvalid("routing must be 'most_quota_left'")
    out = []
    for n, b in enumerate(raw["banks"], 1):
        try:
            bank = BankPolicy(
                code=str(b["code"]),
                name=str(b["name"]),
                amount_cap=Decimal(str(b["amount_cap"])),
                min_score=float(b["min_score"]),
                monthly_quota=int(b["monthly_quota"]),
                excluded_industries=tuple(str(x) for x in b.get("excluded_industries", ())),
                answer_seconds=tuple(float(x) for x in b.get("answer_seconds", (0.5, 2.0))),  # type: ignore[arg-type]
                approve_rate=float(b.get("approve_rate", 0.95)),
            )
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise BankPolicyInvalid(f"bank {n}: {exc!r}") from exc
        if bank.monthly_quota <= 0 or bank.amount_cap <= 0:
            raise BankPolicyInvalid(f"bank {bank.code}: quota and cap must be positive")
        out.append(bank)
    if len({b.code for b in out}) != len(out):
        raise BankPolicyInvalid("bank codes must be unique")
    return out


@cache
def load_banks() -> tuple[BankPolicy, ...]:
    """The partner banks shipped with the package (``setup`` copies them into the store)."""
    text = (resources.files("creditfactory.factory") / "banks.yaml").read_text("utf-8")
    return tuple(parse_banks(text))
