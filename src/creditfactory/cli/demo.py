"""``creditfactory demo``: the main job on the embedded default, end to end."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from creditfactory.cli import app
from creditfactory.cli._ui import console, progress_bar
from creditfactory.cli.simulate import calibration_table
from creditfactory.world import WorldConfig, write_world


def _markdown_calibration(meta: dict) -> str:
    lines = ["| figure | target | world | |", "|---|---|---|---|"]
    for r in meta["calibration"]:
        v = r["value"]
        shown = f"{v:.2%}" if abs(v) < 1 and v != 0 else f"{v:,.0f}"
        lines.append(f"| {r['figure']} | {r['target']} | {shown} | {'ok' if r['ok'] else 'OFF'} |")
    return "\n".join(lines)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Where the demo writes its world and report.")] = Path(
        "demo-output"),
    applications: Annotated[int, typer.Option(help="Applications in the demo world.")] = 50_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
) -> None:
    """Simulate a world, then run the factory's engines on it and write a report."""
    t0 = time.perf_counter()
    world_dir = out / "world"
    console.rule("[bold]1. The simulated world")
    with progress_bar("simulating", applications) as update:
        meta = write_world(WorldConfig(applications, 36, seed), world_dir, progress=update)
    console.print(calibration_table(meta))
    report = out / "report.md"
    report.write_text(
        "# Credit Factory demo\n\n"
        f"World: {applications:,} applications over 36 months, seed {seed}, in `{world_dir}`.\n\n"
        "## Calibration against the seed business\n\n" + _markdown_calibration(meta) + "\n",
        encoding="utf-8",
    )
    console.rule("[bold]Summary")
    console.print(f"report written to {report} after {time.perf_counter() - t0:.0f} s")
