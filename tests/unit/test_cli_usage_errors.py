"""A usage mistake on the command line is a short message and exit code 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("args,missing", [
    (["scorecard", "score", "card.json", "--out", "x.csv"], "data"),
    (["backtest"], "world_dir"),
])
def test_a_missing_argument_is_named_in_one_message(args: list[str], missing: str) -> None:
    run = subprocess.run([sys.executable, "-m", "creditfactory", *args],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert f"Missing argument '{missing}'" in run.stderr
    assert "Traceback" not in run.stderr
