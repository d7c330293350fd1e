"""Promises to pay: made, followed up on their due step, kept or broken.

A promise is due a number of steps after it is made; on its due step it is kept if the
arrears were paid by then, broken otherwise. A broken promise is what escalates an account
(:meth:`~creditfactory.collections.strategy.CompiledCollections.assign`). The book holds
one open promise per account, as arrays, so any number of accounts are followed at once.
"""

from __future__ import annotations

import numpy as np

__all__ = ["PromiseBook"]

OPEN, KEPT, BROKEN, NONE = 0, 1, 2, 3


class PromiseBook:
    """The open promise of each of ``n`` accounts and the counts of kept and broken ones."""

    def __init__(self, n: int) -> None:
        self.due = np.full(n, -1, np.int64)
        self.made = np.zeros(n, np.int64)
        self.kept = np.zeros(n, np.int64)
        self.broken = np.zeros(n, np.int64)

    def make(self, idx: np.ndarray, step: int, due_in: int) -> None:
        """Accounts ``idx`` promise at ``step`` to pay within ``due_in`` steps (an open one is
        replaced: the collector follows the latest)."""
        self.due[idx] = step + due_in
        self.made[idx] += 1

    def is_open(self, idx: np.ndarray) -> np.ndarray:
        """Whether each account has a promise not yet due."""
        return self.due[idx] >= 0

    def settle(self, idx: np.ndarray, step: int, paid: np.ndarray) -> np.ndarray:
        """Follow up the promises of ``idx`` due at ``step`` (``paid``: the arrears are paid).
        Returns each account's state: ``OPEN``, ``KEPT``, ``BROKEN`` or ``NONE``."""
        due = self.due[idx]
        state = np.where(due < 0, NONE, OPEN)
        falls = (due >= 0) & (due <= step)
        state = np.where(falls, np.where(paid, KEPT, BROKEN), state)
        early = (due >= 0) & paid & ~falls  # paid before the due day: kept
        state = np.where(early, KEPT, state)
        self.kept[idx] += state == KEPT
        self.broken[idx] += state == BROKEN
        self.due[idx] = np.where((state == KEPT) | (state == BROKEN), -1, due)
        return state
