"""When a scan flag could have stopped the loan (decision, pre-payout re-check, retrospective),
and which impersonation rule hits flag."""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditfactory.fraud import IdentityGraph
from creditfactory.fraud.identity import HASH_COLUMNS
from creditfactory.fraud.labels import NEVER
from creditfactory.fraud.scan import _impersonation, _known_at, flag_stages

DAY = 86_400
T0 = 1_600_000_000


def graph(days: list[float], pairs: list[tuple[int, int]],
          resident: list[int] | None = None) -> IdentityGraph:
    """Applications on ``days``; each pair shares two kinds of value (a strong link)."""
    n = len(days)
    f = pd.DataFrame({"application_id": np.arange(1, n + 1),
                      "applied_at": T0 + (DAY * np.asarray(days)).astype(np.int64),
                      "channel_id": ""})
    for k, column in enumerate(HASH_COLUMNS):
        f[column] = np.arange(1, n + 1, dtype=np.uint64) * np.uint64(1000) + np.uint64(k)
    kinds = [["device", "home_address"], ["ip", "business_address"], ["bank_card", "uscc"]]
    for v, (a, b) in enumerate(pairs):
        f.loc[[a, b], kinds[v]] = np.uint64(v + 1)
    if resident is not None:
        f["resident_id"] = np.asarray(resident, np.uint64)
    return IdentityGraph.build(f)


def test_a_first_member_is_known_once_a_decided_member_arrives_and_links() -> None:
    # 0 arrives first (nothing to link to); 1 arrives a day later, linked, and is decided;
    # 2 links to 1 five days on; 3 is never linked
    g = graph([0, 1, 6, 7], [(0, 1), (1, 2)])
    decided = np.array([False, True, False, False])
    flagged = np.array([True, True, True, False])
    known = _known_at(g, decided, flagged, {}, strong_kinds=2)
    t = g.links.times
    assert known.tolist() == [t[1], t[1], t[2], NEVER]
    stage = flag_stages(t, decided, flagged, known, payout_days=2.0)
    assert stage.tolist() == ["pre_payout", "decision", "pre_payout", ""]


def test_a_tie_seen_after_payout_is_retrospective() -> None:
    g = graph([0, 5], [(0, 1)])
    decided = np.array([False, True])
    flagged = np.array([True, True])
    known = _known_at(g, decided, flagged, {}, strong_kinds=2)
    assert flag_stages(g.links.times, decided, flagged, known, 2.0).tolist() == [
        "retrospective", "decision"]
    assert flag_stages(g.links.times, decided, flagged, known, 6.0).tolist() == [
        "pre_payout", "decision"]


def test_a_path_counts_only_once_every_application_on_it_has_arrived() -> None:
    # 0 and 1 are tied through 2, which arrives last; 1 is decided on day 1
    g = graph([0, 1, 9], [(0, 2), (2, 1)])
    decided = np.array([False, True, False])
    flagged = np.ones(3, bool)
    known = _known_at(g, decided, flagged, {}, strong_kinds=2)
    assert known[0] == known[2] == g.links.times[2]


def test_a_burst_link_is_known_when_the_later_of_the_two_arrives() -> None:
    g = graph([0, 1, 3], [])
    decided = np.array([False, True, False])
    flagged = np.ones(3, bool)
    known = _known_at(g, decided, flagged, {0: (1, "ip"), 2: (1, "ip")}, strong_kinds=2)
    t = g.links.times
    assert known.tolist() == [t[1], t[1], t[2]]


def hits(rows: list[int], codes: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"row": rows, "code": codes, "reason": ""})


def test_a_reused_id_flags_only_when_it_came_before_with_the_same_name() -> None:
    g = graph([0, 1, 2, 3], [], resident=[7, 7, 7, 9])
    apps = pd.DataFrame({"name": ["Li Wei", "Li Wei", "Zhang Min", "Wang Fang"]})
    h = hits([1, 2, 3], ["IMP_ID_REUSED", "IMP_ID_REUSED", "IMP_AGE_MISMATCH"])
    flag = _impersonation(h, g, apps, b"k" * 32)
    assert flag.tolist() == [False, True, False, True]
    assert _impersonation(h, g, apps.drop(columns="name"), b"k" * 32).tolist() == [
        False, True, True, True]


def test_an_age_mismatch_flags_even_under_another_name() -> None:
    g = graph([0, 1], [], resident=[7, 7])
    apps = pd.DataFrame({"name": ["Li Wei", "Zhang Min"]})
    h = hits([1, 1], ["IMP_AGE_MISMATCH", "IMP_ID_REUSED"])
    assert _impersonation(h, g, apps, b"k" * 32).tolist() == [False, True]
