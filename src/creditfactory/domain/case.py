"""A case: one application's path through the process, as a state machine.

A case is at one step at a time. It moves forward one step at a time, never back, and only
while it is open. At a step that holds it (a staffed or bank step its tier does not skip) it
stays until the wait is released: the task there is completed or the bank approved. It ends
closed with one of :data:`CLOSED`. Every other move raises :class:`IllegalCaseMove`.

The moves the flow makes:

- :meth:`Case.open` at the first step; :meth:`Case.start` passes into it;
- :meth:`Case.release` when the wait at the current step ends, then :meth:`Case.move_on`;
- :meth:`Case.move_on` at once past a step that does not hold the case;
- :meth:`Case.send_to_bank` at or just before a bank step; :meth:`Case.mark_exception`;
- :meth:`Case.put_on_hold` at any step, in a named queue with its reason (the step could not be
  done: data the platform could not fetch, a scoring error, a fraud hit before payout), and
  :meth:`Case.resume` when the hold ends, to do the step again;
- :meth:`Case.close` with a closed status.

:meth:`Case.walk` makes the start or release and the moves on of one stretch in one loop;
:meth:`Case.walk_again` does the same from a resumed hold, the held step first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from creditfactory.domain.errors import IllegalCaseMove
from creditfactory.domain.route import Route, StepSpec

__all__ = ["Case", "OPEN", "CLOSED", "UNDECIDED"]

OPEN = "open"
UNDECIDED = "pending"
"""The tier of a case kept before it could be decided (its data not fetched, or a model failed
to score it); the ``scoring`` step decides it."""
CLOSED = ("rejected", "declined", "no_bank", "done")
"""How a case ends: rejected (by the decision, a finding or a verifier), declined by every
bank that could take it, no bank fitting it at all, or done (paid out and booked)."""

S = TypeVar("S", bound=StepSpec)


@dataclass(slots=True)
class Case:
    """One application's case; ``id`` is 0 until the store has it."""

    application_id: int
    tier: str
    step: str
    status: str
    bank_code: str | None
    exception: bool
    opened_at: datetime
    updated_at: datetime
    closed_at: datetime | None = None
    hold: str | None = None
    """The queue holding the case at its step, or None."""
    hold_reason: str | None = None
    held_at: datetime | None = None
    id: int = 0
    released: bool = field(default=False, repr=False, compare=False)
    """The wait at the current step has ended in this unit of work (never stored)."""

    @classmethod
    def open(cls, application_id: int, tier: str, route: Route[S], at: datetime) -> Case:
        """A new case at the process's first step."""
        return cls(application_id, tier, route.first.id, OPEN, None, False, at, at)

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    def _must_be_open(self, move: str) -> None:
        if self.status != OPEN:
            raise IllegalCaseMove(f"case {self.id} is {self.status}: it cannot {move}")

    @property
    def is_held(self) -> bool:
        return self.hold is not None

    def waits_at(self, route: Route[S]) -> bool:
        """True when the current step holds the case (and its wait has not been released), or
        the case is on hold."""
        return self.hold is not None or (
            not self.released and self.step in route.holding(self.tier, self.exception)
        )

    def put_on_hold(self, queue: str, reason: str, at: datetime) -> None:
        """Stop the case at its step in ``queue`` because of ``reason``; a hold in another queue
        is replaced (the case moved on to a queue of people, say)."""
        self._must_be_open(f"be held in {queue}")
        if not queue or not reason:
            raise IllegalCaseMove(f"case {self.id}: a hold needs a queue and a reason")
        if self.hold != queue:
            self.held_at = at
        self.hold, self.hold_reason, self.released = queue, reason, False

    def resume(self) -> None:
        """End the hold: the held step is to be done again."""
        self._must_be_open("resume")
        if self.hold is None:
            raise IllegalCaseMove(f"case {self.id} at {self.step} is not on hold")
        self.hold = self.hold_reason = self.held_at = None

    def start(self, route: Route[S]) -> S:
        """Pass into the first step, where :meth:`open` put the case; that step."""
        self._must_be_open("start")
        if self.step != route.first.id:
            raise IllegalCaseMove(f"case {self.id} started before: it is at {self.step}")
        return route.first

    def release(self, step_id: str, route: Route[S]) -> None:
        """The wait at ``step_id`` ended (its task completed, or the bank approved)."""
        self._must_be_open(f"leave {step_id}")
        if self.hold is not None:
            raise IllegalCaseMove(f"case {self.id} is on hold in {self.hold}: resume it instead")
        if self.step != step_id:
            raise IllegalCaseMove(f"case {self.id} is at {self.step}, not at {step_id}")
        if step_id not in route.holding(self.tier, self.exception):
            raise IllegalCaseMove(f"case {self.id} does not wait at {step_id}")
        self.released = True

    def move_on(self, route: Route[S]) -> S:
        """Move to the next step; that step."""
        if self.status != OPEN:
            self._must_be_open(f"move on from {self.step}")
        if self.waits_at(route):
            raise IllegalCaseMove(f"case {self.id} waits at {self.step}")
        nxt = route.after(self.step)
        if nxt is None:
            raise IllegalCaseMove(f"case {self.id} is at the last step {self.step}")
        self.step, self.released = nxt.id, False
        return nxt

    def walk(
        self, route: Route[S], after: str | None, effect: Callable[[S], bool]
    ) -> tuple[list[str], S | None]:
        """Pass on from ``after`` (None: into the first step, for a new case) as far as the case
        goes at once; the ids of the steps passed and the step that holds it (None when the
        walk ended otherwise).

        The same moves as :meth:`start` or :meth:`release`, then :meth:`move_on` step by step,
        in one loop: each step passed gets ``effect``, and a False from it, or the case closed
        by it, ends the walk at that step.
        """
        if after is None:
            self.start(route)
            i = 0
        else:
            self.release(after, route)
            i = route.index(after) + 1
        return self._walk_from(route, i, effect)

    def walk_again(self, route: Route[S], effect: Callable[[S], bool]) -> tuple[list[str], S | None]:
        """End the hold (:meth:`resume`) and walk on from the held step, doing it again."""
        self.resume()
        return self._walk_from(route, route.index(self.step), effect)

    def _walk_from(
        self, route: Route[S], i: int, effect: Callable[[S], bool]
    ) -> tuple[list[str], S | None]:
        steps = route.steps
        exception, tier = self.exception, self.tier
        holding = route.holding(tier, exception)
        passed: list[str] = []
        while True:
            if i == len(steps):
                raise IllegalCaseMove(f"case {self.id} is at the last step {self.step}")
            step = steps[i]
            self.step, self.released = step.id, False
            if step.id in holding:
                return passed, step
            done = effect(step)
            if self.hold is not None:  # the effect could not do the step: held in a queue
                return passed, None
            passed.append(step.id)
            if not done or self.status != OPEN:
                return passed, None
            if self.exception is not exception or self.tier != tier:
                # the effect flagged an exception, or decided an undecided case
                exception, tier = self.exception, self.tier
                holding = route.holding(tier, exception)
            i += 1

    def send_to_bank(self, bank_code: str, route: Route[S]) -> None:
        """Route the case to ``bank_code``: at a bank step (re-routing) or the step before it."""
        self._must_be_open(f"go to bank {bank_code}")
        here = route.step(self.step)
        nxt = route.after(self.step)
        if here.mode != "bank" and (nxt is None or nxt.mode != "bank"):
            raise IllegalCaseMove(f"case {self.id} at {self.step} is not at a bank step")
        self.bank_code = bank_code

    def mark_exception(self) -> None:
        """Flag the case for the committee (its re-decision came out worse)."""
        self._must_be_open("become an exception")
        self.exception = True

    def close(self, status: str, at: datetime) -> None:
        """End the case with ``status``, one of :data:`CLOSED`."""
        if status not in CLOSED:
            raise IllegalCaseMove(f"{status!r} is not a way to close a case")
        self._must_be_open(f"close as {status}")
        self.status, self.closed_at, self.released = status, at, False
        self.hold = self.hold_reason = self.held_at = None
