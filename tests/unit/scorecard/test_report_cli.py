"""``creditfactory scorecard report`` writes the HTML (and Excel) report of a fitted card."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from creditfactory.cli import _register, app
from creditfactory.scorecard import metrics
from creditfactory.scorecard._model_file import load_card


def _table(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    income = rng.normal(size=n)
    region = rng.choice(["north", "south", "east"], n)
    logit = -1.2 - income + np.where(region == "south", 0.7, 0.0)
    outcome = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), "bad", "good")
    return pd.DataFrame({"income": income, "region": region, "outcome": outcome})


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    _register()
    root = tmp_path_factory.mktemp("report_cli")
    _table(3000, 1).to_csv(root / "train.csv", index=False)
    _table(1500, 2).to_parquet(root / "test.parquet", index=False)
    result = CliRunner().invoke(app, ["scorecard", "fit", str(root / "train.csv"),
                                      "--target", "outcome", "--bad", "bad",
                                      "--out", str(root / "card.json")])
    assert result.exit_code == 0, result.output
    return root


def test_report_command_writes_html_and_excel_with_the_card_figures(fitted):
    root = fitted
    args = ["scorecard", "report", str(root / "card.json"), str(root / "test.parquet"),
            "--target", "outcome", "--bad", "bad", "--out", str(root / "r.html"),
            "--excel", str(root / "r.xlsx"), "--base", str(root / "train.csv")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    test = pd.read_parquet(root / "test.parquet")
    y = (test["outcome"] == "bad").to_numpy().astype(int)
    points = load_card(root / "card.json").points(test.drop(columns="outcome"))
    auc = metrics.auc(y, -points)
    assert f"AUC {auc:.4f}" in result.output
    html = (root / "r.html").read_text(encoding="utf-8")
    assert f"{auc:.3f}" in html and "Stability against the base sample" in html
    summary = {r[0]: r[1] for r in load_workbook(root / "r.xlsx")["Summary"].iter_rows(
        min_row=4, values_only=True)}
    assert summary["AUC"] == pytest.approx(auc)


def test_report_command_names_a_missing_target_and_a_wrong_extension(fitted):
    root = fitted
    base = ["scorecard", "report", str(root / "card.json"), str(root / "test.parquet")]
    for extra, message in (
        (["--target", "nope", "--out", str(root / "x.html")], "nope"),
        (["--target", "outcome", "--bad", "bad", "--out", str(root / "x.pdf")], ".html"),
    ):
        result = CliRunner().invoke(app, base + extra)
        assert result.exit_code != 0
        assert message in str(result.exception) + result.output
