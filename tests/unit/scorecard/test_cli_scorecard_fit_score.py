"""``creditfactory scorecard fit`` and ``score`` on CSV and Parquet, and their one-line errors."""

from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from creditfactory.cli import _register, app, main


def _table(n: int = 1500, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    income = rng.normal(10, 3, n)
    sector = rng.choice(["retail", "food", "transport"], n)
    risk = -1.5 - 0.4 * (income - 10) + (sector == "transport") * 0.8
    bad = rng.random(n) < 1 / (1 + np.exp(-risk))
    return pd.DataFrame({"income": income, "sector": sector,
                         "status": np.where(bad, "Yes", "No")})


def _run(args: list[str]):
    _register()
    return CliRunner().invoke(app, args, catch_exceptions=False)


@pytest.mark.parametrize("objective", ["logistic", "divergence"])
def test_fit_then_score_writes_input_columns_plus_score_and_pd(tmp_path, objective):
    _table().to_parquet(tmp_path / "train.parquet")
    _table(300, seed=1).to_csv(tmp_path / "new.csv", index=False)
    res = _run(["scorecard", "fit", str(tmp_path / "train.parquet"), "--target", "status",
                "--bad", "Yes", "--objective", objective, "--out", str(tmp_path / "m.json")])
    assert res.exit_code == 0, res.output
    model = json.loads((tmp_path / "m.json").read_text())
    assert model["schema_version"] == 1 and model["objective"] == objective
    assert model["metadata"]["bad_value"] == "Yes"
    res = _run(["scorecard", "score", str(tmp_path / "m.json"), str(tmp_path / "new.csv"),
                "--out", str(tmp_path / "out.parquet")])
    assert res.exit_code == 0, res.output
    out = pd.read_parquet(tmp_path / "out.parquet")
    assert list(out.columns) == ["income", "sector", "status", "score", "pd"]
    assert out["pd"].between(0, 1).all()
    assert np.corrcoef(out["score"], out["pd"])[0, 1] < -0.8
    is_bad = out["status"] == "Yes"
    assert out.loc[is_bad, "score"].mean() < out.loc[~is_bad, "score"].mean()


def test_numeric_target_defaults_to_bad_equal_to_one(tmp_path):
    t = _table()
    t["status"] = (t["status"] == "Yes").astype(int)
    t.to_csv(tmp_path / "train.csv", index=False)
    res = _run(["scorecard", "fit", str(tmp_path / "train.csv"), "--target", "status",
                "--out", str(tmp_path / "m.json")])
    assert res.exit_code == 0, res.output
    meta = json.loads((tmp_path / "m.json").read_text())["metadata"]
    assert meta["bad_rate"] == pytest.approx(t["status"].mean())


def _main_error(monkeypatch, capsys, args: list[str]) -> str:
    monkeypatch.setattr(sys, "argv", ["creditfactory", *args])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ")
    return " ".join(err.split())  # the console wraps long lines at the terminal width


def test_bad_inputs_give_one_line_errors(tmp_path, monkeypatch, capsys):
    _table().to_csv(tmp_path / "train.csv", index=False)
    train = str(tmp_path / "train.csv")
    out = str(tmp_path / "m.json")
    assert "'nope'" in _main_error(monkeypatch, capsys,
                                   ["scorecard", "fit", train, "--target", "nope", "--out", out])
    assert "bad value 'bad'" in _main_error(
        monkeypatch, capsys, ["scorecard", "fit", train, "--target", "status", "--bad", "bad",
                              "--out", out])
    assert ".csv or .parquet" in _main_error(
        monkeypatch, capsys, ["scorecard", "fit", str(tmp_path / "t.xlsx"), "--target", "s",
                              "--out", out])
    (tmp_path / "junk.json").write_text("{not json")
    assert "is not valid JSON" in _main_error(
        monkeypatch, capsys, ["scorecard", "score", str(tmp_path / "junk.json"), train,
                              "--out", str(tmp_path / "o.csv")])


def test_scoring_data_without_a_card_feature_names_it(tmp_path, monkeypatch, capsys):
    _table().to_csv(tmp_path / "train.csv", index=False)
    assert _run(["scorecard", "fit", str(tmp_path / "train.csv"), "--target", "status",
                 "--bad", "Yes", "--out", str(tmp_path / "m.json")]).exit_code == 0
    _table(50).drop(columns="income").to_csv(tmp_path / "new.csv", index=False)
    err = _main_error(monkeypatch, capsys, ["scorecard", "score", str(tmp_path / "m.json"),
                                            str(tmp_path / "new.csv"), "--out",
                                            str(tmp_path / "o.csv")])
    assert "'income'" in err


@pytest.mark.parametrize("fmt", ["sql", "pmml"])
def test_export_writes_sql_or_pmml(tmp_path, fmt):
    _table().to_csv(tmp_path / "train.csv", index=False)
    assert _run(["scorecard", "fit", str(tmp_path / "train.csv"), "--target", "status",
                 "--bad", "Yes", "--out", str(tmp_path / "m.json")]).exit_code == 0
    res = _run(["scorecard", "export", str(tmp_path / "m.json"), "--format", fmt,
                "--out", str(tmp_path / f"card.{fmt}")])
    assert res.exit_code == 0, res.output
    text = (tmp_path / f"card.{fmt}").read_text()
    if fmt == "sql":
        assert text.startswith("SELECT ") and 'CASE WHEN "income" IS NULL' in text
    else:
        assert "<PMML" in text and 'field="income"' in text
