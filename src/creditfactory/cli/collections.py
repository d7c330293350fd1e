"""``creditfactory collections backtest``: treatment strategies played on a portfolio run's
delinquent borrowers in its world."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from creditfactory.cli import app
from creditfactory.cli._ui import console

collections_app = typer.Typer(help="Collections: C-card, reasons of default, treatment strategies.",
                              no_args_is_help=True)
app.add_typer(collections_app, name="collections")


def _world_of(portfolio: Path, world: Path | None) -> Path:
    from creditfactory.errors import InvalidArgument

    if world is None:
        summary = portfolio / "summary.json"
        recorded = json.loads(summary.read_text("utf-8")).get("world") if summary.exists() else None
        if not recorded:
            raise InvalidArgument("--world: the portfolio run does not name its world; give the world directory")
        world = Path(recorded)
    if not (world / "meta.json").exists():
        raise InvalidArgument(f"--world: {world} has no meta.json (a world from `creditfactory simulate`)")
    return world


@collections_app.command("backtest")
def backtest(
    portfolio_dir: Annotated[Path, typer.Argument(help="A directory from `creditfactory portfolio run`.")],
    strategy: Annotated[str, typer.Option("--strategy", help="Collections strategy: shipped name or YAML file.")] = "default",
    versus: Annotated[str, typer.Option("--vs", help="The strategy to compare with.")] = "bucket_only",
    out: Annotated[Path, typer.Option("--out", help="Output directory.")] = Path("collections"),
    world: Annotated[Path | None, typer.Option("--world", help="The run's world (its truth plays the borrowers).")] = None,
    objective: Annotated[str, typer.Option("--objective", help="C-card: logistic, divergence or lightgbm.")] = "logistic",
    perturb: Annotated[bool, typer.Option("--perturb/--no-perturb", help="Also play every perturbed world.")] = True,
) -> None:
    """Play two collections strategies on the out-of-time delinquent accounts of a portfolio
    run, the world answering; write summary.json, actions.parquet and report.html."""
    from creditfactory.evaluation.collections import collections_backtest
    from creditfactory.evaluation.collections_report import write_collections

    t0 = time.perf_counter()
    world_dir = _world_of(Path(portfolio_dir), world)
    with console.status("playing the strategies..."):
        result = collections_backtest(Path(portfolio_dir), world_dir, strategy, versus, objective, perturb)
    s = result.summary
    label = (f"{s['episodes']['out_of_time']:,} out-of-time delinquency episodes "
             f"({s['episodes']['development']:,} before the cut train the C-card), world seed {s['world_seed']}")
    write_collections(result, Path(out), label)
    for name, m in s["strategies"].items():
        console.print(f"{name}: collected {m['collected']:,.0f}  cost {m['cost']:,.0f}  net {m['net_recovery']:,.0f} CNY  "
                      f"M1 cure {m['cure_rate_m1_30d']:.1%}  written off {m['write_off_rate']:.1%}")
    c = s["comparison"]
    console.print(f"net recovery {c['net_recovery_gain']:+.1%}  cost x{c['cost_ratio']:.2f}  "
                  f"M1 cure {c['m1_cure_gain']:+.1%}  in {time.perf_counter() - t0:.0f} s")
    console.print(f"wrote {out}/summary.json, actions.parquet, report.html")
