"""The pure step graph of the process: the steps in order and which of them hold a case.

The steps themselves come from the process definition (``factory`` reads it from YAML); the
domain only needs what each step says about waiting, so any object with the members of
:class:`StepSpec` will do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from creditfactory.domain.errors import UnknownStep

__all__ = ["StepSpec", "Route", "route_of"]


class StepSpec(Protocol):
    """What the case's state machine reads of one step."""

    @property
    def id(self) -> str: ...

    @property
    def mode(self) -> str: ...

    @property
    def waits(self) -> bool: ...

    def passes_by(self, tier: str, exception: bool) -> bool: ...


S = TypeVar("S", bound=StepSpec)


@dataclass(frozen=True, slots=True)
class Route(Generic[S]):
    """The ordered steps with look-ups by id; built once per process definition."""

    steps: tuple[S, ...]
    _at: dict[str, int] = field(init=False, repr=False, compare=False)
    _next: dict[str, S | None] = field(init=False, repr=False, compare=False)
    _holding: dict[tuple[str, bool], frozenset[str]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if not self.steps:
            raise ValueError("a route needs at least one step")
        at = {step.id: i for i, step in enumerate(self.steps)}
        if len(at) != len(self.steps):
            raise ValueError("step ids must be unique")
        nxt = dict(zip(at, (*self.steps[1:], None), strict=True))
        object.__setattr__(self, "_at", at)
        object.__setattr__(self, "_next", nxt)
        object.__setattr__(self, "_holding", {})

    @property
    def first(self) -> S:
        return self.steps[0]

    def index(self, step_id: str) -> int:
        try:
            return self._at[step_id]
        except KeyError:
            raise UnknownStep(f"no step {step_id!r} in the process") from None

    def step(self, step_id: str) -> S:
        return self.steps[self.index(step_id)]

    def after(self, step_id: str) -> S | None:
        """The step following ``step_id``; None after the last."""
        try:
            return self._next[step_id]
        except KeyError:
            raise UnknownStep(f"no step {step_id!r} in the process") from None

    @staticmethod
    def holds(step: StepSpec, tier: str, exception: bool) -> bool:
        """True when a case of ``tier`` stops at ``step`` (for a person or a bank)."""
        return step.waits and not step.passes_by(tier, exception)

    def holding(self, tier: str, exception: bool) -> frozenset[str]:
        """The ids of the steps that hold a case of ``tier`` (worked out once per tier)."""
        found = self._holding.get((tier, exception))
        if found is None:
            found = frozenset(s.id for s in self.steps if self.holds(s, tier, exception))
            self._holding[(tier, exception)] = found
        return found

    def stops(self, tier: str, exception: bool) -> list[str]:
        """The ids of the steps where a case of ``tier`` waits, in order."""
        holding = self.holding(tier, exception)
        return [s.id for s in self.steps if s.id in holding]


_BUILT: dict[int, tuple[tuple[StepSpec, ...], Route[StepSpec]]] = {}


def route_of(steps: tuple[S, ...]) -> Route[S]:
    """The route of ``steps``, built once per tuple of steps (a process definition's)."""
    known = _BUILT.get(id(steps))
    if known is None or known[0] is not steps:
        known = _BUILT[id(steps)] = (steps, Route(steps))
    return known[1]  # type: ignore[return-value]
