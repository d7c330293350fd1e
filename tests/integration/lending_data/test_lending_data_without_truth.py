"""Every platform command runs on lending data without a ``truth`` table (a lender's own data);
a simulated world's truth only adds evaluation figures and changes none of the others."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from creditfactory.cli import _register, app
from creditfactory.data import load
from creditfactory.models.acard import features_of, modelling_table

FRAUD_FIGURES = {"fraud_applications", "fraud_caught"}


def cli(*args: str) -> Result:
    _register()
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same simulated world twice: with its truth, and as a lender would have it."""
    root = tmp_path_factory.mktemp("lending")
    cli("simulate", "--applications", "6000", "--months", "24", "--seed", "3", "--out", str(root / "world"))
    shutil.copytree(root / "world", root / "lender")
    (root / "lender" / "truth.parquet").unlink()
    assert load(root / "lender").truth is None and load(root / "world").truth is not None
    return root / "world", root / "lender"


def test_backtest_runs_without_truth_and_the_truth_only_adds_fraud_kept_out(
    worlds: tuple[Path, Path], tmp_path: Path
) -> None:
    world, lender = worlds
    for name, data in (("world", world), ("lender", lender)):
        cli("backtest", str(data), "--strategy", "default", "--vs", "policy_only", "--out", str(tmp_path / name),
            "--train-months", "6")
        assert {p.name for p in (tmp_path / name).iterdir()} >= {
            "summary.json", "analysis.json", "decisions.parquet", "report.html"}
    with_truth = json.loads((tmp_path / "world" / "summary.json").read_text())
    without = json.loads((tmp_path / "lender" / "summary.json").read_text())
    assert set(without) == set(with_truth) == {"default", "policy_only"}
    for label, figures in without.items():
        assert not FRAUD_FIGURES & set(figures)
        assert FRAUD_FIGURES <= set(with_truth[label])
        assert 0 < with_truth[label]["fraud_applications"]
        assert 0 <= with_truth[label]["fraud_caught"] <= 1
        assert {k: v for k, v in with_truth[label].items() if k not in FRAUD_FIGURES} == figures
    assert with_truth["default"]["fraud_caught"] > with_truth["policy_only"]["fraud_caught"]
    assert "fraud_caught" in (tmp_path / "world" / "report.html").read_text()
    assert "fraud_caught" not in (tmp_path / "lender" / "report.html").read_text()
    keys = ["application_id", "strategy"]
    decided = [pd.read_parquet(tmp_path / n / "decisions.parquet").sort_values(keys, ignore_index=True)
               for n in ("world", "lender")]
    pd.testing.assert_frame_equal(*decided)
    assert (json.loads((tmp_path / "world" / "analysis.json").read_text())
            == json.loads((tmp_path / "lender" / "analysis.json").read_text()))


def test_fraud_scan_runs_without_truth_and_the_truth_only_adds_its_evaluation(
    worlds: tuple[Path, Path], tmp_path: Path
) -> None:
    world, lender = worlds
    shown = {name: cli("fraud", "scan", str(data), "--out", str(tmp_path / name)).output
             for name, data in (("world", world), ("lender", lender))}
    assert "Against the world's truth" in shown["world"] and "ring_recall" in shown["world"]
    assert "Against the world's truth" not in shown["lender"] and "ring_recall" not in shown["lender"]
    for table in ("applications", "decisions", "channels"):
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "world" / f"{table}.parquet"),
                                      pd.read_parquet(tmp_path / "lender" / f"{table}.parquet"))


def test_scorecard_fit_score_and_report_on_a_table_from_lending_data_without_truth(
    worlds: tuple[Path, Path], tmp_path: Path
) -> None:
    table = modelling_table(load(worlds[1]))
    train = features_of(table).assign(bad=table["bad"].to_numpy())
    train.to_parquet(tmp_path / "train.parquet")
    cli("scorecard", "fit", str(tmp_path / "train.parquet"), "--target", "bad",
        "--out", str(tmp_path / "card.json"))
    cli("scorecard", "score", str(tmp_path / "card.json"), str(tmp_path / "train.parquet"),
        "--out", str(tmp_path / "scored.parquet"))
    scored = pd.read_parquet(tmp_path / "scored.parquet")
    assert len(scored) == len(train) and scored["pd"].between(0, 1).all()
    assert scored["score"].nunique() > 10
    cli("scorecard", "report", str(tmp_path / "card.json"), str(tmp_path / "train.parquet"),
        "--target", "bad", "--out", str(tmp_path / "report.html"))
    assert "<svg" in (tmp_path / "report.html").read_text()


def test_setup_takes_lending_data_without_truth(
    worlds: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDITFACTORY_ADMIN_PASSWORD", "a-long-enough-password")
    db = tmp_path / "factory.db"
    result = cli("setup", "--db", f"sqlite:///{db}", "--world", str(worlds[1]))
    assert "admin created" in result.output
    with sqlite3.connect(db) as conn:
        (channels,) = conn.execute("select count(*) from channels").fetchone()
    assert channels == len(pd.read_parquet(worlds[1] / "channels.parquet"))
