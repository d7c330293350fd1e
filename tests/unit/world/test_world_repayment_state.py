"""A written world's borrowers rebuilt from its truth and seed carry the world's own risk."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from creditfactory.data import load
from creditfactory.world import WorldConfig, write_world
from creditfactory.world.applicants import build_chunk
from creditfactory.world.repayment_state import hidden_borrowers, last_months, world_macro
from creditfactory.world.simulate import prepare


def test_rebuilt_log_odds_are_the_worlds(tmp_path: Path) -> None:
    cfg = WorldConfig(1_200, 12, 21, chunk_size=1_200)
    write_world(cfg, tmp_path / "w", workers=1)
    data = load(tmp_path / "w", money="float")
    meta = json.loads((tmp_path / "w" / "meta.json").read_text())
    ids = data.applications["application_id"].to_numpy()
    b = hidden_borrowers(data.applications, data.truth, world_macro(meta), 21,
                         last_months(data.performance, ids))
    plan, _ = prepare(cfg)
    chunk = build_chunk(plan, 0, cfg.n_applications, np.random.default_rng([cfg.seed, 2, 0]))
    p = 1 / (1 + np.exp(-chunk.log_odds))
    ok = (chunk.fraud_kind == 0) & (p < 0.9) & (p > 1e-3)
    assert ok.sum() > 1_000
    assert np.allclose(b.log_odds[ok], chunk.log_odds[ok], atol=0.01)
    assert np.allclose(b.true_revenue, chunk.true_revenue)
    assert (b.fraud == (chunk.fraud_kind > 0)).all()
    assert (b.unwilling[b.fraud]).all()
