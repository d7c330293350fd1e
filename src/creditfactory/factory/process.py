"""The 24-step process read from ``process.yaml`` and the rule that walks a case through it.

A case at a step either passes it at once (intake, automatic, skipped by its tier, or an
``only_if: exception`` step for a case that is no exception) or stops there: staffed steps
wait for a task, bank steps for the bank's answer. A waiting step may bar the people who did
earlier steps of the same case (``not_by``: four eyes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from creditfactory.domain.roles import ROLES
from creditfactory.factory.errors import ProcessInvalid

MODES = ("intake", "automatic", "staffed", "bank")
TIERS = ("auto_approve", "remote_verification", "field_investigation", "reject")

__all__ = ["Step", "Process", "load_process", "parse_process", "MODES", "TIERS", "ROLES"]


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the process and who does it."""

    id: str
    name: str
    office: str
    station: str
    mode: str
    sla_minutes: int
    role: str | None = None
    skip_tiers: frozenset[str] = field(default_factory=frozenset)
    only_if: str | None = None
    not_by: tuple[str, ...] = ()

    def passes_by(self, tier: str, exception: bool) -> bool:
        """True when a case of ``tier`` does not stop here at all."""
        if tier in self.skip_tiers:
            return True
        return self.only_if == "exception" and not exception

    @property
    def waits(self) -> bool:
        """True for steps that wait on a person or a bank."""
        return self.mode in ("staffed", "bank")


@dataclass(frozen=True)
class Process:
    """The ordered steps, with look-ups by id."""

    version: int
    steps: tuple[Step, ...]

    def index(self, step_id: str) -> int:
        for i, step in enumerate(self.steps):
            if step.id == step_id:
                return i
        raise ProcessInvalid(f"unknown step {step_id!r}")

    def step(self, step_id: str) -> Step:
        return self.steps[self.index(step_id)]

    def next_stop(
        self, after: str | None, tier: str, exception: bool
    ) -> tuple[list[Step], Step | None]:
        """Steps passed at once after ``after`` and the step the case stops at (None: the end)."""
        start = 0 if after is None else self.index(after) + 1
        passed: list[Step] = []
        for step in self.steps[start:]:
            if step.waits and not step.passes_by(tier, exception):
                return passed, step
            passed.append(step)
        return passed, None

    def stations(self) -> dict[str, str | None]:
        """Each staffed or bank station with the role that works it."""
        return {s.station: s.role for s in self.steps if s.waits}

    def roles_of(self, mode: str) -> frozenset[str]:
        """The roles that do the steps of ``mode`` (``intake``: who may submit)."""
        return frozenset(s.role for s in self.steps if s.mode == mode and s.role is not None)


def _step(raw: dict[str, Any], n: int) -> Step:
    where = f"step {n} ({raw.get('id', '?')})"
    unknown = set(raw) - {f.name for f in Step.__dataclass_fields__.values()}
    if unknown:
        raise ProcessInvalid(f"{where}: unknown fields {sorted(unknown)}")
    for key in ("id", "name", "office", "station", "mode", "sla_minutes"):
        if key not in raw:
            raise ProcessInvalid(f"{where}: missing {key!r}")
    if raw["mode"] not in MODES:
        raise ProcessInvalid(f"{where}: mode must be one of {MODES}, got {raw['mode']!r}")
    role = raw.get("role")
    if raw["mode"] in ("staffed", "bank", "intake") and role not in ROLES:
        raise ProcessInvalid(f"{where}: a {raw['mode']} step needs a role from {ROLES}")
    skip = frozenset(raw.get("skip_tiers", ()))
    if not skip <= set(TIERS):
        raise ProcessInvalid(f"{where}: skip_tiers must be among {TIERS}")
    if raw.get("only_if") not in (None, "exception"):
        raise ProcessInvalid(f"{where}: only_if may only be 'exception'")
    if not isinstance(raw["sla_minutes"], int) or raw["sla_minutes"] <= 0:
        raise ProcessInvalid(f"{where}: sla_minutes must be a positive integer")
    not_by = raw.get("not_by", [])
    if not isinstance(not_by, list) or not all(isinstance(x, str) for x in not_by):
        raise ProcessInvalid(f"{where}: not_by must be a list of step ids")
    return Step(**{**raw, "skip_tiers": skip, "not_by": tuple(dict.fromkeys(not_by))})


_DONE_BY_PEOPLE = ("intake", "staffed")


def _check_not_by(steps: tuple[Step, ...]) -> None:
    """Each ``not_by`` names earlier steps that people do, on a step that people or banks do."""
    seen: dict[str, Step] = {}
    for n, step in enumerate(steps, 1):
        where = f"step {n} ({step.id})"
        if step.not_by and not step.waits:
            raise ProcessInvalid(f"{where}: not_by applies only to staffed or bank steps")
        for barred in step.not_by:
            if barred not in seen:
                what = ("itself" if barred == step.id else "a later step"
                        if barred in {s.id for s in steps} else "an unknown step")
                raise ProcessInvalid(
                    f"{where}: not_by names {what} {barred!r} (it must name earlier steps)"
                )
            if seen[barred].mode not in _DONE_BY_PEOPLE:
                raise ProcessInvalid(
                    f"{where}: not_by names {barred!r}, which no person does (mode "
                    f"{seen[barred].mode}; it must name {' or '.join(_DONE_BY_PEOPLE)} steps)"
                )
        seen[step.id] = step


def parse_process(text: str) -> Process:
    """Parse and check a process definition."""
    raw = yaml.safe_load(text)
    if not isinstance(raw, dict) or not isinstance(raw.get("steps"), list):
        raise ProcessInvalid("a process file needs a 'steps' list")
    steps = tuple(_step(s, i + 1) for i, s in enumerate(raw["steps"]))
    ids = [s.id for s in steps]
    if len(set(ids)) != len(ids):
        raise ProcessInvalid("step ids must be unique")
    _check_not_by(steps)
    return Process(version=int(raw.get("version", 1)), steps=steps)


@cache
def load_process() -> Process:
    """The process shipped with the package."""
    text = (resources.files("creditfactory.factory") / "process.yaml").read_text("utf-8")
    return parse_process(text)
