"""``creditfactory simulate``: write a simulated world to a directory."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from creditfactory.cli import app
from creditfactory.cli._ui import console, progress_bar, table


def calibration_rows(meta: dict) -> list[list[str]]:
    """The calibration figures of a world: figure, target, value shown, ok or OFF."""
    rows = []
    for r in meta["calibration"]:
        v = r["value"]
        shown = f"{v:.2%}" if abs(v) < 1 and v != 0 else f"{v:,.0f}"
        rows.append([r["figure"], r["target"], shown, "ok" if r["ok"] else "OFF"])
    return rows


def calibration_table(meta: dict):  # type: ignore[no-untyped-def]
    """The calibration figures of a world as a Rich table."""
    return table("Calibration against the seed business", ["figure", "target", "world", ""],
                 calibration_rows(meta))


@app.command()
def simulate(
    applications: Annotated[int, typer.Option(help="Number of applications.")] = 50_000,
    months: Annotated[int, typer.Option(help="Months over which applications arrive.")] = 36,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same bytes.")] = 0,
    out: Annotated[Path, typer.Option(help="Output directory.")] = Path("world"),
    format: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "parquet",
    downturn: Annotated[list[str] | None, typer.Option(
        "--downturn", help="INDUSTRY@MONTH (1-based month of the world, e.g. C18@21); repeatable. "
                           "Default: C18 at about 55 % of the months.")] = None,
    no_downturn: Annotated[bool, typer.Option("--no-downturn", help="A world without an industry downturn.")] = False,
    signal_strength: Annotated[float, typer.Option(
        "--signal-strength", help="Scale of every post-loan signal's strength (0.5: half).")] = 1.0,
) -> None:
    """Simulate the small-business lending world with its ground truth."""
    from creditfactory.data.io import FORMATS, check_output_dir
    from creditfactory.world import WorldConfig, write_world
    from creditfactory.world.errors import InvalidWorldParameters
    from creditfactory.world.simulate import validate_parameters

    if format not in FORMATS:
        raise InvalidWorldParameters(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    from creditfactory.world.macro import check_downturn, parse_downturn

    if no_downturn and downturn:
        raise InvalidWorldParameters("--downturn and --no-downturn exclude each other")
    if not 0 <= signal_strength <= 10:
        raise InvalidWorldParameters(f"signal strength must be between 0 and 10, got {signal_strength}")
    placed = () if no_downturn else tuple(
        check_downturn(parse_downturn(d), months) for d in downturn) if downturn else None
    cfg = WorldConfig(applications, months, seed, downturns=placed, signal_scale=signal_strength)
    validate_parameters(applications, months, seed)
    check_output_dir(out)
    t0 = time.perf_counter()
    with progress_bar("simulating", applications) as update:
        meta = write_world(cfg, out, format, progress=update)  # type: ignore[arg-type]
    console.print(calibration_table(meta))
    rows = meta["rows"]
    console.print(
        f"wrote {rows['applications']:,} applications, {rows['performance']:,} performance rows, "
        f"{rows['channels']:,} channels to {out} in {time.perf_counter() - t0:.1f} s"
    )
