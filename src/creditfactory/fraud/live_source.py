"""What the live fraud graph reads from where applications are kept: the catch-up port.

The fraud package knows nothing of the store. Whoever runs the decision service supplies a
:data:`CatchUpSource`: given the last application id and finding id already read, it returns
the applications kept since (as hashed identity records, nothing raw) and the known bads the
findings since have established. Several processes each read the same source, so each one's
graph holds every kept application, whichever process decided it, and survives restarts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from creditfactory.fraud.identity import unpack_identity


@dataclass(frozen=True)
class KeptApplication:
    """One kept application: its id where it is kept and its identity record.

    The record (:attr:`identity`) is a :func:`creditfactory.fraud.identity.record_identity`
    row: keyed hashes and ``applied_at`` in epoch seconds. A source gives it either as such
    (``record``) or as kept (``packed``, :func:`creditfactory.fraud.identity.pack_identity`);
    packed bytes are opened only when the graph needs the record, so an application the
    graph already holds under its kept id costs nothing to skip.
    """

    application_id: int
    record: dict[str, int] | None = None
    packed: bytes | None = None

    @property
    def identity(self) -> dict[str, int]:
        """The identity record (opened from the packed bytes on each call)."""
        if self.record is not None:
            return self.record
        if self.packed is None:
            raise ValueError(f"kept application {self.application_id} has no identity record")
        return unpack_identity(self.packed)


@dataclass(frozen=True)
class KnownBad:
    """A finding that made a kept application a known bad (identity not confirmed, ...)."""

    finding_id: int
    application_id: int
    known_at: int  # epoch seconds


@dataclass(frozen=True)
class CatchUp:
    """What was kept after the ids asked for, in id order.

    ``finding_ids`` lists every finding read (bad or not), so reading moves past them;
    ``more`` says the source stopped at its page size and should be asked again.
    """

    applications: list[KeptApplication] = field(default_factory=list)
    known_bads: list[KnownBad] = field(default_factory=list)
    finding_ids: list[int] = field(default_factory=list)
    more: bool = False


CatchUpSource = Callable[[int, int], CatchUp]
"""``source(after_application_id, after_finding_id)``."""


class IdCursor:
    """How far a table with increasing ids has been read, allowing for late commits.

    Ids are handed out when a transaction inserts, so a smaller id can become visible after a
    larger one (PostgreSQL). Ids skipped over stay *open* for ``grace`` seconds: reading starts
    again below the oldest open one, and an id is taken only once.
    """

    def __init__(self, grace: float = 60.0, max_open: int = 10_000) -> None:
        self.high = 0
        self._open: dict[int, float] = {}
        self._grace = grace
        self._max_open = max_open

    def after(self, now: float) -> int:
        """The id to read after."""
        for i in [i for i, until in self._open.items() if until < now]:
            del self._open[i]
        return min(self._open) - 1 if self._open else self.high

    def take(self, i: int, now: float) -> bool:
        """True the first time ``i`` is read."""
        if i > self.high:
            if i - self.high - 1 <= self._max_open:
                self._open.update(dict.fromkeys(range(self.high + 1, i), now + self._grace))
            self.high = i
            return True
        return self._open.pop(i, None) is not None
