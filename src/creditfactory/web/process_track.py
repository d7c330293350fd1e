"""Where a case stands in the process, step by step, for the case page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from creditfactory.factory import Process

__all__ = ["TrackStep", "step_track"]


@dataclass(frozen=True)
class TrackStep:
    """One process step and this case's relation to it."""

    id: str
    name: str
    office: str
    station: str
    state: str  # passed | skipped | here | ended | ahead | unreached


def step_track(process: Process, case: Mapping[str, Any]) -> list[TrackStep]:
    """Every step, marked passed, skipped (by tier), here (waiting), ended (closed here), ahead
    or, after a closed case's last step, unreached."""
    here = process.index(case["step"])
    open_case = case["status"] == "open"
    out = []
    for i, step in enumerate(process.steps):
        skipped = step.waits and step.passes_by(case["tier"], bool(case["exception"]))
        if i == here:
            state = "here" if open_case else "ended"
        elif i > here and not open_case:
            state = "unreached"
        elif skipped:
            state = "skipped"
        else:
            state = "passed" if i < here else "ahead"
        out.append(TrackStep(step.id, step.name, step.office, step.station, state))
    return out
