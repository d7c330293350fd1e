"""Simulated borrowers: they receive the contract and its signing code and sign it, in time.

The platform reaches borrowers through its notification port
(:class:`creditfactory.services.notifications.SigningBorrowers`); in the simulated world the
borrower is this object. Each borrower reads the contract for a moment and signs the digest
they were shown with the code they received, through the same service a borrower's app calls;
a few never sign (they changed their mind). Random draws are seeded, so a run repeats.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from creditfactory.services.notifications import BorrowerSignature, SigningNotice

__all__ = ["SimulatedBorrowers"]


class SimulatedBorrowers:
    """Borrowers who sign ``sign_rate`` of their contracts ``delay`` seconds after the notice
    (uniform in the range), through ``channel``; ``clock`` tells them the time (the world's
    own when it is played in simulated time)."""

    def __init__(self, sign_rate: float = 0.97, delay: tuple[float, float] = (0.2, 1.5),
                 seed: int = 0, channel: str = "app",
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        if not 0 <= sign_rate <= 1 or not 0 <= delay[0] <= delay[1]:
            raise ValueError("sign_rate must be in [0, 1] and delay a range of seconds")
        self._rng = random.Random(seed)
        self._sign_rate, self._delay, self._channel = sign_rate, delay, channel
        self._clock = clock
        self._waiting: list[tuple[datetime, SigningNotice]] = []
        self._lock = threading.Lock()
        self.received = 0

    def send_signing_code(self, notice: SigningNotice) -> None:
        """A notice reaches the borrower (the code is kept only until they sign)."""
        with self._lock:
            self.received += 1
            if self._rng.random() < self._sign_rate:
                when = self._clock() + timedelta(seconds=self._rng.uniform(*self._delay))
                self._waiting.append((when, notice))

    def signatures_due(self, now: datetime) -> list[BorrowerSignature]:
        """The borrowers ready to sign by ``now``: the digest each was shown and its code."""
        with self._lock:
            due = [n for when, n in self._waiting if when <= now]
            self._waiting = [(w, n) for w, n in self._waiting if w > now]
        return [BorrowerSignature(n.contract_id, n.digest, n.code, self._channel) for n in due]
