"""Catching the live fraud graph up with kept applications and findings.

The fraud package knows nothing of the store. Whoever runs the graph asks it where to read
from (:meth:`CatchingUp.position`: the last application id and finding id already read),
reads the applications kept since (as hashed identity records, nothing raw) and the findings
since, and hands them over as a :class:`CatchUp` (:meth:`CatchingUp.take`). Several processes
each read the same store, so each one's graph holds every kept application, whichever process
decided it, and survives restarts.

Applications decided by other processes (or before a restart) join the graph under their kept
id, and findings that made one a known bad mark it. An application scored here takes its kept
id when it comes back (recognised by its hashed identity and time), or at once when whoever
keeps it says so (:meth:`CatchingUp.kept`): reading it back then skips it without opening its
record.

With :attr:`CatchingUp.every` set, :meth:`CatchingUp.due` says yes once per that many seconds:
a busy server then reads once per interval instead of once per application, and an
application kept by another process may be missed by scores made up to that many seconds
after it was kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from creditfactory.fraud.identity import unpack_identity
from creditfactory.fraud.labels import NEVER
from creditfactory.fraud.live.state import LiveState, fingerprint


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
    """A finding that made a kept application a known bad (identity not confirmed, ...), or,
    in :attr:`CatchUp.book_bads`, the book's record of one (an early default): ``finding_id``
    is then that record's id."""

    finding_id: int
    application_id: int
    known_at: int  # epoch seconds


@dataclass(frozen=True)
class CatchUp:
    """What was kept after the ids asked for, in id order.

    ``finding_ids`` lists every finding read (bad or not), so reading moves past them;
    ``book_bads`` are the known bads the loan book established (early defaults, write-offs
    never paid), read by their own ids after :meth:`CatchingUp.book_position`;
    ``more`` says the source stopped at its page size and should be asked again.
    """

    applications: list[KeptApplication] = field(default_factory=list)
    known_bads: list[KnownBad] = field(default_factory=list)
    finding_ids: list[int] = field(default_factory=list)
    more: bool = False
    book_bads: list[KnownBad] = field(default_factory=list)


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


class CatchingUp:
    """How far a live graph has read the kept applications and findings, and taking more."""

    def __init__(self, state: LiveState) -> None:
        self._state = state
        self._applications = IdCursor()
        self._findings = IdCursor()
        self._book = IdCursor()
        self.every = 0.0
        self._read_at = -float("inf")

    def due(self) -> bool:
        """Whether a score should read first: always, or once per :attr:`every` seconds."""
        if self.every <= 0:
            return True
        state = self._state
        with state.lock:
            now = state.clock()
            if now - self._read_at < self.every:
                return False
            self._read_at = now
            return True

    def position(self) -> tuple[int, int]:
        """``(after_application_id, after_finding_id)``: where the next read starts."""
        with self._state.lock:
            now = self._state.clock()
            return self._applications.after(now), self._findings.after(now)

    def book_position(self) -> int:
        """The book's known-bad record id the next read starts after."""
        with self._state.lock:
            return self._book.after(self._state.clock())

    def take(self, batch: CatchUp) -> int:
        """Add what was read; the number of applications added."""
        state = self._state
        with state.lock:
            now = state.clock()
            graph = state.graph
            added = 0
            for kept in batch.applications:
                if not self._applications.take(kept.application_id, now):
                    continue
                gid = -kept.application_id
                if graph.row_of(gid) is not None:
                    continue
                identity = kept.identity
                key = fingerprint(identity)
                if state.relabel_waiting(key, gid):
                    continue
                state.by_fingerprint[key] = state.add({**identity, "application_id": gid})
                added += 1
            fresh = {i for i in batch.finding_ids if self._findings.take(i, now)}
            latest = graph.times[-1] if len(graph) else NEVER
            for bad in batch.known_bads:
                if bad.finding_id in fresh:
                    gid = -bad.application_id
                    known = min(bad.known_at, latest, graph.known_bad_at(gid))
                    graph.mark_bad(gid, known)
            for bad in batch.book_bads:
                if self._book.take(bad.finding_id, now):
                    gid = -bad.application_id
                    graph.mark_bad(gid, min(bad.known_at, latest, graph.known_bad_at(gid)))
            return added

    def kept(self, identity: Mapping[str, int], application_id: int) -> bool:
        """The application scored with ``identity`` is now kept as ``application_id``.

        Call once its write has committed: its provisional node takes the kept id at once, so
        reading it back costs nothing. False when no provisional node waits for it (not scored
        here, or already read back); reading it back then adds or skips it as usual.
        """
        key = fingerprint(identity)
        with self._state.lock:
            return self._state.relabel_waiting(key, -application_id)
