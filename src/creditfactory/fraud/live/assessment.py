"""Assessing one live application: its fraud score and the rule hits behind its codes.

The application joins the graph under a provisional id and is scored with the same LightGBM
and the same rank-to-0-1 mapping as the batch path, plus the same
:mod:`creditfactory.fraud.rules` judged for the one application. Scoring the same application
again (a re-decision after findings) gives its first answer, not a second node.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from creditfactory.fraud.identity import record_identity
from creditfactory.fraud.live.state import Hits, LiveState, fingerprint
from creditfactory.fraud.rules import judge_one, one_age_evidence

__all__ = ["Assessment", "assess"]


@dataclass(frozen=True)
class Assessment:
    """One live application's fraud score and the rule hits behind its codes."""

    fraud_score: float
    hits: Hits  # (code, reason)

    @property
    def codes(self) -> str:
        """The hit codes as the strategy reads them: sorted, comma-joined, no repeats."""
        return ",".join(sorted({code for code, _ in self.hits}))


def assess(state: LiveState, app: Mapping[str, Any],
           identity: Mapping[str, int] | None = None) -> Assessment:
    """The score and rule hits of one live application (``identity``: its identity record
    under the graph's key, computed here when not given)."""
    ident = dict(identity) if identity is not None else record_identity(app, state.key)
    key = fingerprint(ident)
    age = tuple(judge_one(one_age_evidence(app.get("resident_id"), app["applied_at"],
                                           app.get("age"))))
    with state.lock:
        row = state.by_fingerprint.get(key)
        if row is None:
            ident["application_id"] = state.next_unsaved
            state.next_unsaved -= 1
            row = state.add(ident)
            state.unsaved.setdefault(key, []).append(row)
            state.by_fingerprint[key] = row
        score, graph_hits = state.results[row]
    return Assessment(score, graph_hits + age)
