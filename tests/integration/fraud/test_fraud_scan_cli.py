"""``creditfactory fraud scan`` on a small simulated world writes the stable outputs."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from creditfactory.cli import main
from creditfactory.world import WorldConfig, write_world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fraud") / "world"
    write_world(WorldConfig(n_applications=6_000, months=24, seed=3), out)
    return out


def run(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["creditfactory", *args])
    main()


def test_scan_writes_scored_later_applications_and_channels(
    world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(["fraud", "scan", str(world), "--out", str(tmp_path)], monkeypatch)
    apps = pd.read_parquet(tmp_path / "applications.parquet")
    assert list(apps.columns) == ["application_id", "fraud_score", "flagged", "reasons",
                                  "flag_stage", "flagged_at"]
    assert set(apps.loc[apps["flagged"], "flag_stage"]) <= {"decision", "pre_payout",
                                                            "retrospective"}
    assert (apps.loc[~apps["flagged"], "flag_stage"] == "").all()
    assert apps["flagged_at"].notna().eq(apps["flagged"]).all()
    everyone = pd.read_parquet(world / "applications.parquet", columns=["application_id"])
    assert 0.2 * len(everyone) < len(apps) < 0.5 * len(everyone)
    assert apps["application_id"].min() > everyone["application_id"].min()
    assert apps["fraud_score"].between(0, 1).all()
    assert apps["flagged"].any() and not apps["flagged"].all()
    flagged_reasons = apps.loc[apps["flagged"], "reasons"]
    assert all(len(r) > 0 for r in flagged_reasons)
    channels = pd.read_parquet(tmp_path / "channels.parquet")
    assert list(channels.columns)[:1] == ["channel_id"]
    assert {"packaging_score", "flagged", "evidence"} <= set(channels.columns)
    assert channels["packaging_score"].between(0, 1).all()
    assert all(len(e) > 0 for e in channels.loc[channels["flagged"], "evidence"])


def test_scan_of_a_directory_without_a_world_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(SystemExit) as exc:
        run(["fraud", "scan", str(tmp_path), "--out", str(tmp_path / "o")], monkeypatch)
    assert exc.value.code == 2
