"""A month's risk snapshot prepared ahead gives the batch numbers, with no full recompute."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from creditfactory.fraud import GraphConfig, IdentityGraph, OnlineGraph
from creditfactory.fraud.identity import HASH_COLUMNS
from creditfactory.fraud.propagation import month_starts

NEVER = np.iinfo(np.int64).max


def identities(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.sort(rng.integers(0, 150, n)) * 86_400 + 1_546_300_800
    frame = pd.DataFrame({"application_id": np.arange(1, n + 1), "applied_at": t})
    for column in HASH_COLUMNS:
        pool = rng.integers(1, 2**62, max(2, n // 4), dtype=np.int64)
        values = pool[rng.integers(0, len(pool), n)].astype(np.uint64)
        values[rng.random(n) < 0.3] = 0
        frame[column] = values
    bad = np.where(rng.random(n) < 0.15, t + rng.integers(1, 40, n) * 86_400, NEVER)
    return frame, bad


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_snapshot_prepared_days_before_the_month_start_equals_the_batch(seed: int) -> None:
    identity, bad = identities(900, seed)
    batch = IdentityGraph.build(identity, bad, GraphConfig())
    online = OnlineGraph(GraphConfig())
    rows = identity.to_dict("records")
    t = identity["applied_at"].to_numpy()
    next_month = month_starts(t) + 32 * 86_400
    prepare_at = month_starts(next_month) - 5 * 86_400  # five days before the next month
    late_marks = {i for i in range(len(rows)) if bad[i] < NEVER and i % 2}
    for i in range(len(rows)):
        if i not in late_marks and bad[i] < NEVER:
            online.mark_bad(int(rows[i]["application_id"]), int(bad[i]))
    got, prepared_at = [], set()
    for i, row in enumerate(rows):
        month = int(prepare_at[i])
        if t[i] >= month and month not in prepared_at and online.next_boundary > t[i]:
            online.prepare_risk(online.risk_mark())
            prepared_at.add(month)
        for j in late_marks:  # bads learnt after the preparation, while the month runs on
            if bad[j] < t[i] and online.known_bad_at(j + 1) == NEVER:
                online.mark_bad(j + 1, int(bad[j]))
        got.append(online.add({k: int(v) for k, v in row.items()}))
    assert len(prepared_at) >= 3
    assert online.full_refreshes == 1  # the empty graph's first month only
    mine = pd.DataFrame(got)["propagated_risk"].to_numpy()
    theirs = batch.features["propagated_risk"].to_numpy()
    assert (theirs > 0).sum() > 20
    np.testing.assert_array_equal(mine, theirs)


def test_plain_replay_equals_the_batch_on_seed_1() -> None:
    """Seed 1 has known bads with no link at a month start that are linked later that month."""
    identity, bad = identities(900, 1)
    batch = IdentityGraph.build(identity, bad, GraphConfig()).features
    online = OnlineGraph(GraphConfig())
    for app_id, known in zip(identity["application_id"], bad, strict=True):
        if known < NEVER:
            online.mark_bad(int(app_id), int(known))
    got = pd.DataFrame([online.add({k: int(v) for k, v in row.items()})
                        for row in identity.to_dict("records")])
    columns = [c for c in batch.columns if c != "application_id"]
    pd.testing.assert_frame_equal(got[columns], batch[columns], check_dtype=False,
                                  check_exact=True)
