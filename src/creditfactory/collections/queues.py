"""Work queues with capacity: who gets a scarce treatment this step, and what the rest get.

Each treatment has a number of attempts a team can make in a step. When more accounts are
assigned to it than that, the accounts with the highest priority keep it and the others fall
back (visit to call, call to SMS, as the strategy declares), cascading from the dearest
treatment to the cheapest, so no team is ever asked for more than it can do.
"""

from __future__ import annotations

import numpy as np

__all__ = ["allocate"]


def allocate(treatment: np.ndarray, attempts: np.ndarray, priority: np.ndarray,
             capacity: np.ndarray, fallback: np.ndarray, order: np.ndarray) -> np.ndarray:
    """The treatment each account actually gets.

    ``capacity[t]`` is the attempts treatment ``t`` can take this step (``inf`` unlimited),
    ``fallback[t]`` where its overflow goes (0: nothing), ``order`` the treatments from the
    first to settle to the last (dearest first). Higher ``priority`` keeps the treatment."""
    out = treatment.copy()
    for _ in range(len(order)):  # again while an overflow fell back onto a settled treatment
        moved = False
        for t in order:
            cap = capacity[t]
            if not np.isfinite(cap):
                continue
            who = np.flatnonzero(out == t)
            if who.size == 0:
                continue
            ranked = who[np.argsort(-priority[who], kind="stable")]
            used = np.cumsum(attempts[ranked])
            over = ranked[used > cap]
            if over.size:
                out[over] = fallback[t]
                moved = True
        if not moved:
            break
    return out
