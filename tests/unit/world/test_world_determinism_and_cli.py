"""Same seed, same bytes; bad arguments end cleanly with nothing left behind."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from creditfactory.world import InvalidWorldParameters, WorldConfig, write_world


def _digest(d: Path) -> dict[str, str]:
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(d.iterdir())}


def test_same_seed_gives_the_same_bytes(tmp_path) -> None:
    cfg = WorldConfig(1_500, 12, 42, chunk_size=600)
    write_world(cfg, tmp_path / "a")
    write_world(cfg, tmp_path / "b")
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    write_world(WorldConfig(1_500, 12, 43, chunk_size=600), tmp_path / "c")
    assert _digest(tmp_path / "c")["applications.parquet"] != _digest(tmp_path / "a")[
        "applications.parquet"]


@pytest.mark.parametrize(("n", "months", "seed", "word"), [
    (-5, 12, 1, "applications"), (1_000, 0, 1, "months"), (1_000, 12, -1, "seed")])
def test_out_of_range_parameters_are_refused_by_name(tmp_path, n, months, seed, word) -> None:
    with pytest.raises(InvalidWorldParameters, match=word):
        write_world(WorldConfig(n, months, seed), tmp_path / "w")
    assert not (tmp_path / "w").exists()


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "creditfactory", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args", [
    ["--applications", "-3"],
    ["--format", "xml"],
    ["--months", "500"],
])
def test_cli_bad_arguments_give_one_line_and_no_output(tmp_path, args) -> None:
    out = tmp_path / "w"
    r = _cli("simulate", "--out", str(out), *args)
    assert r.returncode != 0
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:")
    assert not out.exists()


def test_cli_unwritable_directory_fails_cleanly(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = _cli("simulate", "--applications", "200", "--out", str(blocker / "w"))
    assert r.returncode == 2
    assert r.stderr.strip().startswith("error: out")
    assert blocker.read_text() == "x"


def test_cli_simulate_writes_tables_and_prints_calibration(tmp_path) -> None:
    out = tmp_path / "w"
    r = _cli("simulate", "--applications", "2000", "--months", "12", "--seed", "3",
             "--out", str(out), "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert "Calibration" in r.stdout
    assert {p.name for p in out.iterdir()} == {
        "applications.csv", "performance.csv", "truth.csv", "channels.csv", "meta.json"}


def test_worker_processes_write_the_same_bytes_as_one(tmp_path) -> None:
    cfg = WorldConfig(1_200, 12, 9, chunk_size=400)
    write_world(cfg, tmp_path / "one", workers=1)
    write_world(cfg, tmp_path / "two", workers=2)
    assert _digest(tmp_path / "one") == _digest(tmp_path / "two")


def test_a_failure_half_way_leaves_nothing_behind(tmp_path, monkeypatch) -> None:
    import creditfactory.world.simulate as sim

    real = sim.build_chunk_tables

    def failing(plan, macro, k):  # type: ignore[no-untyped-def]
        if k == 1:
            raise OSError("disk full")
        return real(plan, macro, k)

    monkeypatch.setattr(sim, "build_chunk_tables", failing)
    with pytest.raises(OSError):
        write_world(WorldConfig(1_000, 12, 1, chunk_size=400), tmp_path / "w", workers=1)
    assert not (tmp_path / "w").exists()
    existing = tmp_path / "kept"
    existing.mkdir()
    (existing / "notes.txt").write_text("mine")
    with pytest.raises(OSError):
        write_world(WorldConfig(1_000, 12, 1, chunk_size=400), existing, workers=1)
    assert [p.name for p in existing.iterdir()] == ["notes.txt"]


def test_different_seeds_bring_different_people() -> None:
    from creditfactory.world import generate

    a = generate(600, 12, seed=1).applications
    b = generate(600, 12, seed=2).applications
    for col in ("resident_id", "phone", "device_id", "bank_card", "uscc"):
        assert not set(a[col]) & set(b[col]), col
