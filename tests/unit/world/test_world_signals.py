"""Post-loan signals: a function of each borrower's default clock, deterministic by seed, and
the downturn placed where it is asked for."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from creditfactory.data import load
from creditfactory.world import WorldConfig, write_world
from creditfactory.world.config import Downturn, SignalConfig
from creditfactory.world.errors import InvalidWorldParameters
from creditfactory.world.macro import build_macro, default_downturns, parse_downturn
from creditfactory.world.repayment import Repayment, annuity
from creditfactory.world.repayment_state import (
    hidden_borrowers,
    last_months,
    month_index,
    world_macro,
)
from creditfactory.world.signals import (
    SIGNAL_COLUMNS,
    default_months,
    industry_index,
    publish_signals,
)
from creditfactory.world.vocab import INDUSTRIES

CODES = [i[0] for i in INDUSTRIES]


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A small world's applications booked as asked (rate 20 %), with a row per month on book."""
    out = tmp_path_factory.mktemp("signals") / "w"
    write_world(WorldConfig(3_000, 12, 17, chunk_size=3_000), out, workers=1)
    data = load(out, money="float")
    meta = json.loads((out / "meta.json").read_text())
    apps = data.applications.reset_index(drop=True)
    loans = pd.DataFrame({
        "loan_id": np.arange(1, len(apps) + 1), "term_months": apps["term_months"].to_numpy(),
        "booked_on": (pd.to_datetime(apps["applied_at"]).dt.normalize() + pd.Timedelta(days=1)).dt.date,
        "industry": apps["industry"].to_numpy()})
    last = last_months(data.performance, apps["application_id"].to_numpy())
    inst = annuity(apps["amount"].to_numpy(float), 0.20, apps["term_months"].to_numpy())
    start = pd.to_datetime(loans["booked_on"]).to_numpy().astype("datetime64[M]")
    reps = loans["term_months"].to_numpy() + 1
    k = np.concatenate([np.arange(r) for r in reps])
    rows = pd.DataFrame({"loan_id": np.repeat(loans["loan_id"].to_numpy(), reps),
                         "month": (np.repeat(start, reps) + k).astype("datetime64[D]")})
    return {"loans": loans, "apps": apps, "truth": data.truth, "last": last, "meta": meta,
            "inst": inst, "rows": rows}


def _publish(b: dict, rows: pd.DataFrame | None = None, cfg: SignalConfig | None = None) -> pd.DataFrame:
    return publish_signals(b["loans"], b["apps"], b["truth"], b["last"], b["meta"], b["inst"],
                           b["rows"] if rows is None else rows, cfg)


def test_signals_are_the_same_for_the_same_seed_and_any_set_of_rows(book: dict) -> None:
    full = _publish(book)
    assert list(full.columns) == ["loan_id", "month", *SIGNAL_COLUMNS]
    pd.testing.assert_frame_equal(full, _publish(book))
    some = book["rows"].iloc[::7].reset_index(drop=True)
    pd.testing.assert_frame_equal(_publish(book, some), full.iloc[::7].reset_index(drop=True))
    other = _publish(book | {"meta": book["meta"] | {"seed": 18}})
    assert not full["bureau_inquiries"].equals(other["bureau_inquiries"])


def _months_to_default(b: dict, frame: pd.DataFrame) -> np.ndarray:
    macro = world_macro(b["meta"])
    borrowers = hidden_borrowers(b["apps"], b["truth"], macro, int(b["meta"]["seed"]), b["last"])
    start = month_index(pd.to_datetime(b["loans"]["booked_on"]).to_numpy())
    world = Repayment(borrowers, b["inst"], b["loans"]["term_months"].to_numpy(), start, macro,
                      int(b["meta"]["seed"]))
    event = default_months(world, start)
    return event[frame["loan_id"].to_numpy() - 1] - month_index(pd.to_datetime(frame["month"]).to_numpy())


def test_signals_move_in_the_months_before_default_and_less_at_half_strength(book: dict) -> None:
    full = _publish(book)
    half = _publish(book, cfg=SignalConfig().at_strength(0.5))
    ahead = _months_to_default(book, full)
    near, far = (ahead >= 0) & (ahead <= 3), ahead > 1000
    assert near.sum() > 200
    for name in ("bureau_inquiries", "bureau_overdue_elsewhere", "tax_late", "utility_late"):
        base, hot = full.loc[far, name].mean(), full.loc[near, name].mean()
        assert hot > 1.5 * base, name
        assert base < half.loc[near, name].mean() < hot, name
    assert full.loc[far, "bureau_inquiries"].equals(half.loc[far, "bureau_inquiries"])
    log_in = np.log(full["account_inflows"])
    assert log_in[near].mean() < log_in[far].mean() - 0.15


def test_default_months_ring_where_the_hazard_reaches_the_clock(book: dict) -> None:
    frame = book["rows"].drop_duplicates("loan_id")
    ahead = _months_to_default(book, frame)
    rang = ahead < 1000
    assert 0.01 < rang.mean() < 0.5
    assert (ahead[rang] >= 1).all()  # the first due date at the earliest


def test_the_default_downturn_is_c18_at_55_percent_and_moves_where_asked() -> None:
    assert default_downturns(36) == (Downturn("C18", 21),)
    rng = lambda: np.random.default_rng([3, 1])  # noqa: E731
    default = build_macro(36, 100, rng())
    explicit = build_macro(36, 100, rng(), (Downturn("C18", 21),))
    np.testing.assert_array_equal(default.log_multiplier, explicit.log_multiplier)
    moved = build_macro(36, 100, rng(), (Downturn("H62", 5), Downturn("E", 30)))
    none = build_macro(36, 100, rng(), ())
    np.testing.assert_array_equal(moved.national, none.national)
    extra = moved.log_multiplier - none.log_multiplier
    h62, e = CODES.index("H62"), CODES.index("E")
    assert np.allclose(extra[h62, :5], 0) and extra[h62, 4 + 6] == pytest.approx(1.4)
    assert extra[h62, 4 + 1] == pytest.approx(1.4 / 6)
    assert np.allclose(extra[h62, 4 + 24:], 0)
    assert extra[e, 29 + 6] == pytest.approx(1.4)
    others = [i for i in range(len(CODES)) if i not in (h62, e)]
    assert np.allclose(extra[others], 0)
    assert (moved.downturn_industry, moved.downturn_start) == ("H62", 4)
    assert (none.downturn_industry, none.downturn_start) == ("", -1)


@pytest.mark.parametrize("text", ["C18", "C18@x", "ZZ@3", "C18@0"])
def test_a_malformed_downturn_is_refused(text: str) -> None:
    with pytest.raises(InvalidWorldParameters):
        parse_downturn(text)


def test_a_written_world_keeps_its_placement_for_the_repaying_borrowers(tmp_path: Path) -> None:
    cfg = WorldConfig(300, 12, 4, chunk_size=300, downturns=(Downturn("K70", 3),))
    write_world(cfg, tmp_path / "w", workers=1)
    meta = json.loads((tmp_path / "w" / "meta.json").read_text())
    assert meta["downturns"] == [{"industry": "K70", "month": 3}]
    macro = world_macro(meta)
    assert macro.downturns == (Downturn("K70", 3),)
    assert macro.log_multiplier[CODES.index("K70"), 2 + 6] > macro.log_multiplier[CODES.index("K70"), 1] + 1


def test_the_industry_index_falls_ahead_of_the_industrys_hazard(book: dict) -> None:
    meta = book["meta"] | {"downturns": [{"industry": "H62", "month": 3}]}
    index = industry_index(meta, "2020-06-01")
    assert len(index) == 18 * len(CODES)
    pd.testing.assert_frame_equal(index, industry_index(meta, "2020-06-01"))
    h62 = index[index["industry"] == "H62"].set_index("month")["index"]
    assert h62.iloc[:2].mean() - h62.iloc[8:14].mean() > 20  # the bottom, two months early
    assert h62.iloc[6] < h62.iloc[2] - 15  # month 7 shows month 9's hazard


def _simulate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "creditfactory", "simulate", "--applications", "200",
                           "--months", "12", *args], capture_output=True, text=True, timeout=120)


def test_cli_places_repeated_downturns_or_none(tmp_path: Path) -> None:
    r = _simulate("--out", str(tmp_path / "a"), "--downturn", "H62@4", "--downturn", "E@9",
                  "--signal-strength", "0.5")
    assert r.returncode == 0, r.stderr
    meta = json.loads((tmp_path / "a" / "meta.json").read_text())
    assert meta["downturns"] == [{"industry": "H62", "month": 4}, {"industry": "E", "month": 9}]
    assert meta["signal_scale"] == 0.5
    assert _simulate("--out", str(tmp_path / "b"), "--no-downturn").returncode == 0
    assert json.loads((tmp_path / "b" / "meta.json").read_text())["downturns"] == []
    r = _simulate("--out", str(tmp_path / "c"), "--downturn", "H62@13")
    assert r.returncode != 0 and "between 1 and 12" in r.stderr and not (tmp_path / "c").exists()
