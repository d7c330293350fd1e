"""``creditfactory collections backtest`` end to end on a tiny portfolio run: its files, the
strategies on the same accounts, the C-card and the reasons; and its usage errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from creditfactory.cli import _register, app
from creditfactory.world import WorldConfig, write_world

pytestmark = pytest.mark.slow  # a long file: it starts first (tests/conftest.py)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("collections")
    write_world(WorldConfig(4_000, 24, 13, chunk_size=2_000), root / "world", workers=1)
    _register()
    result = CliRunner().invoke(app, ["portfolio", "run", str(root / "world"), "--strategy",
                                      "policy_only", "--out", str(root / "run")])
    assert result.exit_code == 0, result.output
    return root / "world", root / "run"


def test_backtest_writes_its_files_and_compares_on_the_same_accounts(run: tuple[Path, Path], tmp_path: Path) -> None:
    world, portfolio = run
    out = tmp_path / "c"
    result = CliRunner().invoke(app, ["collections", "backtest", str(portfolio), "--world", str(world),
                                      "--strategy", "default", "--vs", "bucket_only", "--out", str(out)])
    assert result.exit_code == 0, result.output
    s = json.loads((out / "summary.json").read_text())
    a, b = s["strategies"]["default"], s["strategies"]["bucket_only"]
    assert a["accounts"] == b["accounts"] == s["episodes"]["out_of_time"] > 0
    for m in (a, b):
        assert m["net_recovery"] == pytest.approx(m["collected"] - m["cost"])
        assert 0 <= m["cure_rate_m1_30d"] <= 1 and 0 <= m["recovery_after_write_off"] <= 1
        assert sum(v["collected"] for k, v in m["by_bucket"].items()) == pytest.approx(m["collected"], rel=1e-9)
        assert sum(v["cost"] for v in m["by_bucket"].values()) == pytest.approx(m["cost"], rel=1e-9)
        assert set(m["roll_forward"]) == {"M1->M2", "M2->M3", "M3->M4", "M4->M5", "M5->M6"}
    assert len(s["perturbed"]["draws"]) == 8
    split = s["champion_challenger"]
    assert split["champion"]["accounts"] + split["challenger"]["accounts"] == a["accounts"]
    assert s["ccard"]["development"]["rows"] > 0 and s["ccard"]["out_of_time_default"]["auc"] is not None
    assert set(s["reasons"]["per_reason"]) == {"oversight", "shortfall", "business_failure", "strategic", "fraud"}
    actions = pd.read_parquet(out / "actions.parquet")
    assert {"strategy", "loan_id", "episode_id", "day", "dpd", "treatment", "attempts", "reached", "paid",
            "promise", "restructured", "handover"} <= set(actions.columns)
    assert set(actions["strategy"]) == {"default", "bucket_only"}
    assert set(actions["treatment"]) <= {"none", "sms", "call", "visit", "restructure", "legal_letter",
                                         "lawsuit", "agency"}
    # bucket_only: one treatment per bucket (before escalation), never a restructure
    assert not actions.loc[actions["strategy"] == "bucket_only", "restructured"].any()
    assert (actions["paid"] >= 0).all() and np.isfinite(actions["paid"]).all()
    html = (out / "report.html").read_text()
    assert html.count("<svg") == 3 and "Perturbed worlds" in html and "<script" not in html
    assert "champion/challenger split" in html


def test_the_same_world_gives_the_same_figures(run: tuple[Path, Path], tmp_path: Path) -> None:
    world, portfolio = run
    outs = []
    for name in ("x", "y"):
        result = CliRunner().invoke(app, ["collections", "backtest", str(portfolio), "--world", str(world),
                                          "--out", str(tmp_path / name), "--no-perturb", "--ceiling"])
        assert result.exit_code == 0, result.output
        outs.append(json.loads((tmp_path / name / "summary.json").read_text()))
    assert outs[0]["strategies"] == outs[1]["strategies"] and outs[0]["ceiling"] == outs[1]["ceiling"]
    ceiling = outs[0]["ceiling"]
    assert ceiling["strategy"] == "default"
    assert ceiling["metrics"]["accounts"] == outs[0]["strategies"]["default"]["accounts"]
    for m in (ceiling["metrics"], *outs[0]["strategies"].values()):
        assert m["net_cash"] == pytest.approx(m["collected"] + m["instalments_after_cure"] - m["cost"])
        assert all(0 <= v <= 1 for v in m["cure_rate_m1_30d_by_reason"].values())


def test_backtest_needs_the_runs_world(run: tuple[Path, Path], tmp_path: Path) -> None:
    _, portfolio = run
    result = CliRunner().invoke(app, ["collections", "backtest", str(portfolio), "--out", str(tmp_path / "o")])
    assert result.exit_code != 0
    result = CliRunner().invoke(app, ["collections", "backtest", str(portfolio), "--world", str(tmp_path),
                                      "--out", str(tmp_path / "o")])
    assert result.exit_code != 0


def test_ring_membership_is_read_from_the_lenders_own_applications(run: tuple[Path, Path]) -> None:
    from creditfactory.collections.strategy import REASONS
    from creditfactory.evaluation.collections import prepare_accounts
    from creditfactory.world.collections_response import load_response

    world, portfolio = run
    ep, acc, _ = prepare_accounts(portfolio, world, load_response())
    linked = ep["ring_linked"].to_numpy()
    assert not np.isnan(linked).any()
    fraud = acc.reason == REASONS.index("fraud")
    assert fraud.sum() >= 5  # the policy-only run books rings the fraud screen would stop
    assert linked[fraud].mean() > 0.4 and linked[~fraud].mean() < 0.05
