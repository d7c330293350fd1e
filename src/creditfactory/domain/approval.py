"""A person's approval verdict against the machine's: what an approver may decide alone, and
when the case goes to the committee instead.

An approver (at ``investigation_review``) approves at the terms the engine decided, approves
with a changed limit or rate, declines with reason codes, or refers the case to the committee.
Declining, a lower limit and a higher rate are within an approver's authority: they only make
the loan safer. Anything the engine would not do itself, approving what it declines, a limit
above its limit or a rate below its rate, is not overruled in silence either way: the case
goes to the committee (``committee_approval``, worked by another approver than the one who
reviewed it), whose verdict is final. Pure: no store, no services.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = [
    "APPROVAL_STEPS",
    "COMMITTEE_STEP",
    "DECLINE_REASONS",
    "RATE_CAP",
    "RATE_FLOOR",
    "REVIEW_STEP",
    "Terms",
    "Verdict",
    "committee_reasons",
    "parse_verdict",
]

REVIEW_STEP = "investigation_review"
COMMITTEE_STEP = "committee_approval"
APPROVAL_STEPS = (REVIEW_STEP, COMMITTEE_STEP)
KINDS = ("approve", "approve_changed", "decline", "refer")
COMMITTEE_KINDS = ("approve", "approve_changed", "decline")
RATE_FLOOR = Decimal("0.0300")
"""The lowest yearly rate any person may set (below the platform's cost of funds)."""
RATE_CAP = Decimal("0.2400")
"""The highest yearly rate any person may set: the 24 % a year ceiling on lending platforms'
annualised cost."""
DECLINE_REASONS = (
    "HUMAN_IDENTITY_DOUBT",
    "HUMAN_BUSINESS_DOUBT",
    "HUMAN_PURPOSE_DOUBT",
    "HUMAN_HIDDEN_DEBT",
    "HUMAN_REPAYMENT_CAPACITY",
    "HUMAN_FRAUD_SUSPICION",
    "HUMAN_DOCUMENTS",
    "HUMAN_OTHER",
)
"""Reason codes a person declines with (kept with the decision like the engine's)."""


@dataclass(frozen=True)
class Terms:
    """What a decision offers: its tier (``reject`` when it declines), limit and yearly rate."""

    tier: str
    limit: Decimal
    rate: Decimal

    @property
    def declines(self) -> bool:
        return self.tier == "reject"


@dataclass(frozen=True)
class Verdict:
    """A person's verdict: ``kind`` one of :data:`KINDS`; ``limit`` and ``rate`` the terms of
    an ``approve_changed`` (a plain ``approve`` takes the machine's final terms, whatever the
    findings make them); ``reasons`` the decline codes."""

    kind: str
    limit: Decimal | None = None
    rate: Decimal | None = None
    reasons: tuple[str, ...] = ()
    note: str | None = None

    @property
    def approves(self) -> bool:
        return self.kind in ("approve", "approve_changed")

    def as_outcome(self) -> dict[str, Any]:
        """The verdict as a task's stored outcome (JSON: amounts as strings)."""
        out: dict[str, Any] = {"verdict": self.kind}
        if self.limit is not None:
            out["limit"] = str(self.limit)
        if self.rate is not None:
            out["rate"] = str(self.rate)
        if self.reasons:
            out["reasons"] = list(self.reasons)
        if self.note:
            out["note"] = self.note
        return out

    @classmethod
    def from_outcome(cls, outcome: dict[str, Any]) -> Verdict:
        """The verdict stored by :meth:`as_outcome` (a plain checklist ``pass``/``reject``
        reads as approve/decline)."""
        kind = {"pass": "approve", "reject": "decline"}.get(
            str(outcome.get("verdict")), str(outcome.get("verdict")))
        return cls(
            kind,
            _decimal(outcome.get("limit")),
            _decimal(outcome.get("rate")),
            tuple(outcome.get("reasons") or ()),
            outcome.get("note"),
        )


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def parse_verdict(
    values: dict[str, Any], decided: Terms, requested: Decimal, *, committee: bool
) -> tuple[Verdict | None, list[tuple[str, str]]]:
    """Check a person's verdict against what anyone may decide: a known kind (the committee
    cannot refer onwards), a limit above zero and at most the amount asked, a rate between
    :data:`RATE_FLOOR` and :data:`RATE_CAP`, at least one known reason to decline, a note to
    refer. Returns the verdict (None when refused) and the refusals as (field, message)."""
    kind = str(values.get("verdict") or "")
    kinds = COMMITTEE_KINDS if committee else KINDS
    errors: list[tuple[str, str]] = []
    if kind not in kinds:
        return None, [("verdict", f"must be one of {', '.join(kinds)}")]
    note = str(values.get("note") or "").strip() or None
    if note is not None and len(note) > 2000:
        errors.append(("note", "at most 2000 characters"))
    if kind == "decline":
        reasons = tuple(str(r) for r in values.get("reasons") or ())
        if not reasons:
            errors.append(("reasons", "choose at least one reason"))
        elif any(r not in DECLINE_REASONS for r in reasons):
            errors.append(("reasons", "unknown reason"))
        return (None if errors else Verdict(kind, reasons=reasons, note=note)), errors
    if kind == "refer":
        if note is None:
            errors.append(("note", "say what the committee should decide"))
        return (None if errors else Verdict(kind, note=note)), errors
    if kind == "approve":
        if decided.declines:
            errors.append(("verdict", "the decision declines: approve with a limit and a rate"))
        return (None if errors else Verdict(kind, note=note)), errors
    limit = _decimal(values.get("limit"))
    rate_percent = _decimal(values.get("rate_percent"))
    if limit is None or not limit.is_finite():
        errors.append(("limit", "enter an amount"))
    elif not Decimal(0) < limit <= requested:
        errors.append(("limit", f"must be above 0 and at most the amount asked ({requested})"))
    elif limit != limit.quantize(Decimal("0.01")):
        errors.append(("limit", "at most two decimal places"))
    rate = None if rate_percent is None or not rate_percent.is_finite() else rate_percent / 100
    if rate is None:
        errors.append(("rate_percent", "enter a yearly rate in per cent"))
    elif not RATE_FLOOR <= rate <= RATE_CAP:
        errors.append(("rate_percent", f"must be between {RATE_FLOOR * 100:.2f} % and "
                                       f"{RATE_CAP * 100:.2f} % a year"))
    if errors:
        return None, errors
    assert limit is not None and rate is not None
    return Verdict(kind, limit, rate.quantize(Decimal("0.000001")), note=note), errors


def committee_reasons(verdict: Verdict, machine: Terms) -> tuple[str, ...]:
    """Why an approver's verdict needs the committee against the machine's final terms (empty:
    within the approver's authority). A decline never does."""
    if verdict.kind == "refer":
        return ("referred_by_approver",)
    if not verdict.approves:
        return ()
    if machine.declines:
        return ("approved_what_the_machine_declines",)
    out = []
    if verdict.limit is not None and verdict.limit > machine.limit:
        out.append("limit_above_the_machine")
    if verdict.rate is not None and verdict.rate < machine.rate:
        out.append("rate_below_the_machine")
    return tuple(out)
