"""``creditfactory fraud``: the anti-fraud engine's batch commands (``scan``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from creditfactory.cli import app
from creditfactory.cli._ui import console, table

fraud_app = typer.Typer(help="Anti-fraud: identity graph, rings, impersonation, packaging.",
                        no_args_is_help=True)
app.add_typer(fraud_app, name="fraud")


@fraud_app.command("scan")
def scan(
    world_dir: Annotated[Path, typer.Argument(
        help="Lending data: a lender's own or a world from `creditfactory simulate`.")],
    out: Annotated[Path, typer.Option(help="Output directory.")] = Path("fraud-scan"),
    train_fraction: Annotated[float, typer.Option(help="Share of time used for training.")] = 2 / 3,
    payout_days: Annotated[float, typer.Option(
        help="Days from application to payout outside the auto tier (the pre-payout re-check)."
    )] = 2.0,
) -> None:
    """Train on the earlier part of lending data; score, flag and explain the later part.

    A simulated world's truth adds the flags' recall and precision."""
    from creditfactory.errors import InvalidArgument
    from creditfactory.fraud.scan import ScanOptions, scan_world
    from creditfactory.settings import load_settings

    if not 0 < train_fraction < 1:
        raise InvalidArgument(f"--train-fraction must be in (0, 1), got {train_fraction}")
    if payout_days < 0:
        raise InvalidArgument(f"--payout-days must be at least 0, got {payout_days}")
    start = time.perf_counter()
    summary = scan_world(world_dir, out, load_settings().identity_key,
                         ScanOptions(train_fraction=train_fraction, payout_days=payout_days))
    rows = [(k, f"{v:,.0f}" if float(v).is_integer() else f"{v:.2f}") for k, v in summary.items()]
    console.print(table("Fraud scan", ["figure", "value"], rows))
    console.print(f"wrote {out}/applications.parquet and {out}/channels.parquet "
                  f"in {time.perf_counter() - start:.1f} s")
    _against_truth(world_dir, out)


def _against_truth(data_dir: Path, out: Path) -> None:
    """The scan's recall and precision, when the data is a simulated world with its truth."""
    from creditfactory.data.io import has_table, read_table

    if not has_table(data_dir, "truth"):
        return
    from creditfactory.evaluation.fraud_scan import evaluate_scan

    apps = read_table(data_dir, "applications", columns=["application_id", "channel_id", "applied_at"])
    figures, _ = evaluate_scan(out, apps, read_table(data_dir, "truth"))
    rows = [(k, f"{v:,}" if isinstance(v, int) else f"{v:.3f}") for k, v in figures.items()]
    console.print(table("Against the world's truth (evaluation only)", ["figure", "value"], rows))
