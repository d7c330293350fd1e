"""``creditfactory monitor`` end to end on a tiny portfolio run: every file with its columns,
the B-card's scores point in time, stability of both cards, the report and the workbook."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from creditfactory.cli import _register, app
from creditfactory.world import WorldConfig, write_world


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("monitor")
    write_world(WorldConfig(3_000, 24, 11, chunk_size=1_000), root / "world", workers=1)
    _register()
    result = CliRunner().invoke(app, ["portfolio", "run", str(root / "world"), "--strategy",
                                      "policy_only", "--out", str(root / "run")])
    assert result.exit_code == 0, result.output
    return root / "run"


def test_monitor_writes_every_file_of_a_portfolio_run(portfolio: Path, tmp_path: Path) -> None:
    out = tmp_path / "mon"
    result = CliRunner().invoke(app, ["monitor", str(portfolio), "--out", str(out),
                                      "--bcard-train-months", "12"])
    assert result.exit_code == 0, result.output
    bscore = pd.read_parquet(out / "bscore.parquet")
    assert list(bscore.columns) == ["loan_id", "month", "score", "pd", "reasons"]
    assert bscore["pd"].between(0, 1).all() and bscore["loan_id"].isin(
        pd.read_parquet(portfolio / "loans.parquet")["loan_id"]).all()
    alerts = pd.read_parquet(out / "alerts.parquet")
    assert list(alerts.columns)[:6] == ["month", "dimension", "value", "metric", "level", "action"]
    assert set(alerts["level"]) <= {"amber", "red"}
    outlook = pd.read_parquet(out / "industry_outlook.parquet")
    assert {"month", "industry", "forecast_90plus_6m", "low", "high", "flagged"} <= set(outlook.columns)
    assert (outlook["low"] <= outlook["forecast_90plus_6m"] + 1e-12).all()
    assert (outlook["forecast_90plus_6m"] <= outlook["high"] + 1e-12).all()
    vint = pd.read_parquet(out / "vintages.parquet")
    assert set(vint["dimension"]) == {"all", "branch", "product", "industry", "channel", "bank"}
    rolls = pd.read_parquet(out / "roll_rates.parquet")
    assert set(rolls["kind"]) == {"transition", "roll", "flow"}
    stability = json.loads((out / "stability.json").read_text())
    assert stability["thresholds"] == {"watch": 0.1, "act": 0.25}
    assert stability["a_card"]["psi"] and stability["b_card"]["psi"]
    html = (out / "report.html").read_text()
    assert html.count("<svg") >= 5 and "Industry default outlook" in html
    assert {"Alerts", "Book", "Roll rates", "Vintages", "Stability", "Outlook"} <= set(
        load_workbook(out / "report.xlsx", read_only=True).sheetnames)


def test_monitor_judges_the_scorecards_and_a_challenger_on_the_book(portfolio: Path,
                                                                      tmp_path: Path) -> None:
    out = tmp_path / "learn"
    rule = tmp_path / "rule.yaml"
    rule.write_text("auc_margin: 0.01\npsi_max: 0.1\nmin_bads: 1000\nwindow_months: 3\n")
    result = CliRunner().invoke(app, ["monitor", str(portfolio), "--out", str(out),
                                      "--bcard-train-months", "12", "--world",
                                      str(portfolio.parent / "world"), "--promotion", str(rule)])
    assert result.exit_code == 0, result.output
    perf = pd.read_parquet(out / "model_performance.parquet")
    scored = pd.read_parquet(portfolio / "loans.parquet")["a_pd"].notna().any()
    assert set(perf["model"]) == ({"a_card", "b_card"} if scored else {"b_card"})
    assert perf["auc"].dropna().between(0, 1).all() and (perf["n"] > 0).all()
    cal = pd.read_parquet(out / "model_calibration.parquet")
    sizes = cal.groupby(["model", "month"])["n"].sum()
    assert (sizes == perf.set_index(["model", "month"])["n"].reindex(sizes.index)).all()
    decision = json.loads((out / "promotion.json").read_text())
    assert decision["promoted"] is False and decision["rule"]["min_bads"] == 1000
    assert any("too few bads" in r for r in decision["reasons"])
    assert decision["booked_rows"] > 0 and decision["trained_on"] < decision["window_from"]
    assert decision["challenger_version"].startswith("scorecard-logistic/book-bad12/")
    html = (out / "report.html").read_text()
    assert "against the book's outcomes" in html and "Challenger A-card" in html
    assert {"Model performance", "Calibration"} <= set(
        load_workbook(out / "report.xlsx", read_only=True).sheetnames)


def test_monitor_refuses_a_directory_that_is_not_a_portfolio_run(tmp_path: Path) -> None:
    _register()
    result = CliRunner().invoke(app, ["monitor", str(tmp_path), "--out", str(tmp_path / "o")])
    assert result.exit_code != 0
    result = CliRunner().invoke(app, ["monitor", "--out", str(tmp_path / "o")])
    assert result.exit_code != 0
