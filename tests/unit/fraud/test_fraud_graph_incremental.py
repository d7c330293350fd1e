"""The online graph's features equal the batch build's, application by application."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from creditfactory.fraud import GraphConfig, IdentityGraph, OnlineGraph
from creditfactory.fraud.errors import ApplicationOutOfOrder
from creditfactory.fraud.identity import HASH_COLUMNS

NEVER = np.iinfo(np.int64).max


def random_identity(n: int, seed: int) -> pd.DataFrame:
    """Hashed identities drawn from small pools so links, hubs and same-time ties abound."""
    rng = np.random.default_rng(seed)
    t = np.sort(rng.integers(0, 120, n)) * 86_400 + 1_546_300_800
    frame = pd.DataFrame({"application_id": np.arange(1, n + 1), "applied_at": t,
                          "channel_id": ""})
    for column in HASH_COLUMNS:
        pool = rng.integers(1, 2**62, max(2, n // rng.integers(2, 12)), dtype=np.int64)
        values = pool[rng.integers(0, len(pool), n)].astype(np.uint64)
        values[rng.random(n) < 0.2] = 0
        frame[column] = values
    return frame


def bad_times(identity: pd.DataFrame, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = identity["applied_at"].to_numpy()
    return np.where(rng.random(len(t)) < 0.1, t + rng.integers(1, 60, len(t)) * 86_400, NEVER)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_online_features_equal_batch_features(seed: int) -> None:
    identity = random_identity(400, seed)
    bad = bad_times(identity, seed)
    config = GraphConfig(caps={"device": 3, "ip": 5, "channel": 4})
    batch = IdentityGraph.build(identity, bad, config).features.drop(columns="application_id")
    online = OnlineGraph(config)
    for app_id, b in zip(identity["application_id"], bad, strict=True):
        if b != NEVER:
            online.mark_bad(int(app_id), int(b))
    rows = [online.add(r) for r in identity.to_dict("records")]
    got = pd.DataFrame(rows)[list(batch.columns)]
    pd.testing.assert_frame_equal(got, batch, check_dtype=False, check_exact=True)
    assert batch["n_linked_2hop"].max() > 0 and batch["propagated_risk"].max() > 0


def test_online_refuses_an_application_older_than_the_last() -> None:
    identity = random_identity(5, 3)
    online = OnlineGraph()
    online.add(identity.iloc[4].to_dict())
    with pytest.raises(ApplicationOutOfOrder):
        online.add(identity.iloc[0].to_dict())
