"""``creditfactory scorecard score MODEL DATA --out OUT`` run by ``main`` without Typer's
parsing: the same file and message as through Typer, anything else left to Typer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from creditfactory.cli import _register, app, main
from creditfactory.cli._scoring import _plain_score_paths, run_plain_score
from creditfactory.scorecard import Scorecard, save_card


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("plain")
    rng = np.random.default_rng(3)
    x = pd.DataFrame({"income": rng.normal(size=800), "sector": rng.choice(list("abc"), 800)})
    y = (rng.random(800) < 1 / (1 + np.exp(1 + x["income"] - (x["sector"] == "a")))).astype(int)
    save_card(Scorecard(selection="none").fit(x, y), folder / "card.json")
    x.assign(id=range(800)).to_parquet(folder / "in.parquet", index=False)
    return folder


@pytest.mark.parametrize("args", [
    ["m.json", "d.csv", "--out", "o.parquet"],
    ["--out", "o.parquet", "m.json", "d.csv"],
    ["m.json", "--out=o.parquet", "d.csv"],
])
def test_two_arguments_and_out_in_any_order_are_read(args):
    assert _plain_score_paths(args) == (Path("m.json"), Path("d.csv"), Path("o.parquet"))


@pytest.mark.parametrize("args", [
    ["m.json", "d.csv"],  # no --out: Typer says it is missing
    ["m.json", "--out", "o.csv"],
    ["m.json", "d.csv", "e.csv", "--out", "o.csv"],
    ["m.json", "d.csv", "--out", "o.csv", "--out", "p.csv"],
    ["m.json", "d.csv", "--out"],
    ["m.json", "d.csv", "--out", "-o.csv"],
    ["m.json", "d.csv", "--out="],
    ["m.json", "d.csv", "--out", "o.csv", "--help"],
    ["m.json", "-", "--out", "o.csv"],
    ["m.json", "d.csv", "--", "--out", "o.csv"],
])
def test_anything_else_is_left_to_typer(args):
    assert _plain_score_paths(args) is None
    assert run_plain_score(["score", *args]) is False
    assert run_plain_score(["fit", "m.json", "d.csv", "--out", "o.csv"]) is False


def test_main_writes_what_typer_writes_and_says_the_same(files, monkeypatch, capsys):
    model, data = str(files / "card.json"), str(files / "in.parquet")
    _register()
    res = CliRunner().invoke(app, ["scorecard", "score", model, data, "--out",
                                   str(files / "via_typer.parquet")], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    monkeypatch.setattr(sys, "argv", ["creditfactory", "scorecard", "score", model, data,
                                      "--out", str(files / "via_main.parquet")])
    main()
    said = capsys.readouterr().out
    assert said.replace("via_main", "via_typer") == res.output
    assert pq.read_table(files / "via_main.parquet").equals(
        pq.read_table(files / "via_typer.parquet"))


def test_main_turns_a_scoring_error_into_one_line(files, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["creditfactory", "scorecard", "score",
                                      str(files / "card.json"), str(files / "none.csv"),
                                      "--out", str(files / "o.csv")])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 2
    assert "does not exist" in capsys.readouterr().err


def test_the_plain_command_imports_no_typer_pydantic_or_rich_and_help_still_works(files):
    code = ("import sys\n"
            "from creditfactory.cli import main\n"
            "main()\n"
            "print(sorted(m for m in sys.modules\n"
            "             if m.split('.')[0] in ('typer', 'click', 'pydantic', 'rich')))\n")
    args = ["scorecard", "score", str(files / "card.json"), str(files / "in.parquet"), "--out",
            str(files / "sub.parquet")]
    run = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         check=True)
    assert run.stdout.splitlines()[-1] == "[]"
    assert pq.read_table(files / "sub.parquet").num_rows == 800
    helped = subprocess.run([sys.executable, "-c", code, "scorecard", "score", "--help"],
                            capture_output=True, text=True)
    assert helped.returncode == 0 and "--out" in helped.stdout
