"""Write a world to a directory, streaming chunk by chunk, all or nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa

from creditfactory import __version__
from creditfactory.data.io import (
    FORMATS,
    Format,
    LendingData,
    TableWriter,
    money_as_float,
    staged_directory,
)
from creditfactory.data.schema import TABLES
from creditfactory.world.calibration import Calibration
from creditfactory.world.config import START_MONTH, START_YEAR, WorldConfig
from creditfactory.world.errors import InvalidWorldParameters
from creditfactory.world.macro import default_downturns
from creditfactory.world.parallel import parallel_chunks
from creditfactory.world.simulate import channels_table, iter_chunks, prepare, validate_parameters


def world_meta(cfg: WorldConfig, macro_start: int, downturn: str, rows: dict[str, int],
               calibration: list[tuple[str, str, float, bool]]) -> dict:
    """What made the world and how it compares with the seed's figures."""
    return {
        "generator": f"creditfactory {__version__}",
        "seed": cfg.seed, "applications": cfg.n_applications, "months": cfg.months,
        "start": f"{START_YEAR:04d}-{START_MONTH:02d}",
        "reference_rate": cfg.reference_rate,
        "downturn": {"industry": downturn, "start_month_index": macro_start},
        "downturns": [{"industry": d.industry, "month": d.month}
                      for d in (default_downturns(cfg.months) if cfg.downturns is None else cfg.downturns)],
        "signal_scale": cfg.signal_scale,
        "rows": rows,
        "calibration": [
            {"figure": f, "target": t, "value": v, "ok": ok} for f, t, v, ok in calibration
        ],
    }


def write_world(cfg: WorldConfig, out: Path, fmt: Format = "parquet",
                progress: Callable[[int, int], None] | None = None,
                workers: int | None = None) -> dict:
    """Simulate ``cfg`` into ``out``; returns the metadata written beside the tables.

    ``progress(done, total)`` is called after each chunk with application counts. Chunks are
    drawn by ``workers`` processes (default: one per core for large worlds); the bytes do
    not depend on how many.
    """
    validate_parameters(cfg.n_applications, cfg.months, cfg.seed)
    if fmt not in FORMATS:
        raise InvalidWorldParameters(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    calib = Calibration()
    rows = dict.fromkeys(TABLES, 0)
    with staged_directory(Path(out)) as stage:
        writers = {n: TableWriter(stage / f"{n}.{fmt}", s, fmt) for n, s in TABLES.items()}
        try:
            plan, macro = prepare(cfg)
            for tables in parallel_chunks(cfg, plan, macro, workers):
                for name in ("applications", "performance", "truth"):
                    t = getattr(tables, name)
                    writers[name].write(t)
                    rows[name] += t.num_rows
                calib.add(tables.applications, tables.performance, tables.truth)
                if progress is not None:
                    progress(min(rows["applications"], cfg.n_applications), cfg.n_applications)
            ch = channels_table(plan)
            writers["channels"].write(ch)
            rows["channels"] = ch.num_rows
        finally:
            for w in writers.values():
                w.close()
        meta = world_meta(cfg, macro.downturn_start, macro.downturn_industry, rows,
                          calib.figures())
        (stage / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2))
    return meta


def generate(n_applications: int, months: int = 36, seed: int = 0,
             chunk_size: int = 50_000) -> LendingData:
    """A world in memory, money as float64 for analytics (same draws as ``write_world``)."""
    cfg = WorldConfig(n_applications, months, seed, chunk_size=chunk_size)
    parts: dict[str, list[pa.Table]] = {"applications": [], "performance": [], "truth": []}
    calib = Calibration()
    plan, macro = prepare(cfg)
    for tables in iter_chunks(plan, macro):
        for name in parts:
            parts[name].append(getattr(tables, name))
        calib.add(tables.applications, tables.performance, tables.truth)

    def frame(tbl: pa.Table) -> pd.DataFrame:
        return money_as_float(tbl).to_pandas()

    rows = {n: sum(t.num_rows for t in v) for n, v in parts.items()}
    ch = channels_table(plan)
    rows["channels"] = ch.num_rows
    meta = world_meta(cfg, macro.downturn_start, macro.downturn_industry, rows, calib.figures())
    apps, perf, truth = (frame(pa.concat_tables(parts[n])) for n in parts)
    return LendingData(frame(ch), apps, perf, truth, meta)
