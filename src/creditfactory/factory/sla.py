"""The SLA clock: when a step is due and whether a waiting task is on time."""

from __future__ import annotations

from datetime import datetime, timedelta

from creditfactory.factory.process import Step

__all__ = ["due_at", "sla_state"]

AT_RISK_SHARE = 0.8


def due_at(step: Step, started: datetime) -> datetime:
    """When ``step`` must be done if it started at ``started``."""
    return started + timedelta(minutes=step.sla_minutes)


def sla_state(started: datetime, due: datetime, now: datetime, done: datetime | None = None) -> str:
    """``on_time``, ``at_risk`` (80 % of the time used) or ``breached``; judged at ``done`` if done."""
    at = done or now
    if at > due:
        return "breached"
    if done is None and (at - started) >= (due - started) * AT_RISK_SHARE:
        return "at_risk"
    return "on_time"
