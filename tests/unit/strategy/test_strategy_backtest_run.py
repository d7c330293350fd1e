"""Back-testing on a small simulated world: outputs, report, CLI, and batch = per-application there."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from creditfactory.evaluation.backtest import evaluate_backtest
from creditfactory.strategy import decide_frame, decide_one, derive_fields, load_strategy
from creditfactory.strategy.backtest_run import backtest_strategies, write_backtest
from creditfactory.strategy.synthetic import synthetic_scores

world_mod = pytest.importorskip("creditfactory.world")


@pytest.fixture(scope="module")
def world():  # type: ignore[no-untyped-def]
    return world_mod.generate(6000, months=24, seed=3)


class SyntheticScores:
    """Scores drawn at random per application id, so tests need no trained model."""

    def versions(self) -> dict[str, str]:
        return {"a_card": "synthetic"}

    def score_frame(self, apps: pd.DataFrame) -> pd.DataFrame:
        return synthetic_scores(len(apps), seed=9).set_index(apps.index)

    def score_record(self, app):  # type: ignore[no-untyped-def]
        raise NotImplementedError


def test_backtest_writes_summary_decisions_and_report(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    strategies = [load_strategy("default"), load_strategy("policy_only")]
    run = backtest_strategies(world, strategies, SyntheticScores())
    write_backtest(run, tmp_path)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert set(summary) == {"default", "policy_only"}
    for s in summary.values():
        assert {"approval_rate", "tier_mix", "npl_rate", "loss_rate", "profit", "applications"} <= set(s)
        assert sum(s["tier_mix"].values()) == pytest.approx(1.0)
        assert 0 < s["approval_rate"] < 1
    oot = summary["default"]["applications"]
    table = pq.read_table(tmp_path / "decisions.parquet")
    assert table.num_rows == 2 * oot
    assert str(table.schema.field("limit").type) == "decimal128(14, 2)"
    html = (tmp_path / "report.html").read_text()
    assert "<svg" in html and "Swap set" in html
    assert "<script" not in html and 'href="http' not in html and 'src="http' not in html
    assert run.comparison is not None and run.comparison["baseline"] == "policy_only"
    assert "fraud_caught" not in summary["default"] and "fraud_caught" not in html


def test_report_holds_every_table_and_chart(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    strategies = [load_strategy("default"), load_strategy("policy_only")]
    run = evaluate_backtest(backtest_strategies(world, strategies, SyntheticScores()), world.truth)
    write_backtest(run, tmp_path)
    html = (tmp_path / "report.html").read_text()
    for heading in ("Summary", "Cut-off curves", "Tier mix", "Limits and prices of approved applications",
                    "Against the baseline", "Swap set", "Knock-out rules: default", "Knock-out rules: policy_only"):
        assert f"<h2>{heading}</h2>" in html, heading
    assert html.count("<svg") == 5
    s = run.summary["default"]
    assert f"<td>{s['approval_rate']:.1%}</td>" in html
    assert f"<td>{s['profit']:,.0f}</td>" in html
    assert f"<td>{s['fraud_caught']:.1%}</td>" in html
    for rule in run.results[1].rules.itertuples():
        assert f"<td class=\"l\">{rule.rule}</td><td>{rule.hit_rate:.2%}</td>" in html


def test_truth_adds_the_fraud_each_strategy_kept_out(world) -> None:  # type: ignore[no-untyped-def]
    strategies = [load_strategy("default"), load_strategy("policy_only")]
    plain = backtest_strategies(world, strategies, SyntheticScores())
    run = evaluate_backtest(plain, world.truth)
    assert evaluate_backtest(plain, None) is plain
    fraud = world.truth.set_index("application_id")["is_fraud"]
    for label, result in zip(run.labels, run.results, strict=True):
        d = result.decisions
        is_fraud = fraud.reindex(d["application_id"]).to_numpy(bool)
        kept_out = (d["decision"] != "approve").to_numpy()[is_fraud]
        assert run.summary[label]["fraud_applications"] == is_fraud.sum() > 0
        assert run.summary[label]["fraud_caught"] == pytest.approx(kept_out.mean())
        assert {k: v for k, v in run.summary[label].items() if not k.startswith("fraud_")} == plain.summary[label]


def test_cli_backtest_policy_only(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from creditfactory.cli import _register, app

    world_dir = tmp_path / "world"
    world_mod.write_world(world_mod.WorldConfig(3000, 24, 4), world_dir)
    _register()
    result = CliRunner().invoke(app, ["backtest", str(world_dir), "--strategy", "policy_only", "--out", str(tmp_path / "bt")])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "bt" / "summary.json").read_text())
    assert summary["policy_only"]["tier_mix"]["auto_approve"] == 0.0


def test_batch_equals_per_application_on_world_applications(world) -> None:  # type: ignore[no-untyped-def]
    apps = derive_fields(world.applications)
    scores = synthetic_scores(len(apps), seed=13)
    strategy = load_strategy("default")
    batch = decide_frame(strategy, apps, scores)
    single = [decide_one(strategy, a, s).outcome() for a, s in zip(apps.to_dict("records"), scores.to_dict("records"), strict=True)]
    for col in ("decision", "tier", "reasons", "grade", "product", "rate", "limit"):
        left = [None if pd.isna(v) else v for v in batch[col].astype(object)]
        right = [r[col] for r in single]
        assert left == right, col
    assert np.mean(batch["decision"] == "approve") > 0.1
