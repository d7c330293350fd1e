"""``creditfactory world``: the simulated world's counterparts, served for the platform.

``world bureau`` serves the credit bureau and the business registry of a world directory over
HTTP (``world/bureau_server.py``); point ``serve`` at it with ``CREDITFACTORY_BUREAU_URL``.
``world play`` drives a set-up factory in simulated time with a world's applicants, banks and
borrowers (``world/play.py``, through the platform's services: ``cli/_play_platform.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from creditfactory.cli import app
from creditfactory.cli._ui import console
from creditfactory.errors import InvalidArgument

world_app = typer.Typer(help="The simulated world's counterparts (bureau, registry), played.",
                        no_args_is_help=True)
app.add_typer(world_app, name="world")


@world_app.command()
def bureau(
    world: Annotated[Path, typer.Option(help="World directory (`creditfactory simulate`).")],
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8700,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    latency_ms: Annotated[float, typer.Option(help="Added to every answer.")] = 20.0,
    fail_rate: Annotated[float, typer.Option(help="Share of calls answered 503.")] = 0.0,
    timeout_rate: Annotated[float, typer.Option(help="Share of calls left hanging.")] = 0.0,
    seed: Annotated[int, typer.Option(help="Seed of the faults: same seed, same faults.")] = 0,
) -> None:
    """Serve the world's credit bureau and business registry until interrupted."""
    import uvicorn

    from creditfactory.data.io import read_table
    from creditfactory.world.bureau_server import BureauFaults, BureauServer, WorldRecords

    try:
        faults = BureauFaults(latency_ms, fail_rate, timeout_rate, seed=seed)
    except ValueError as exc:
        raise InvalidArgument(str(exc)) from exc
    apps = read_table(world, "applications", money="float")
    server = BureauServer(WorldRecords(apps), faults)
    console.print(f"bureau and registry of {len(apps):,} applications on http://{host}:{port} "
                  f"({faults.public()})")
    uvicorn.run(server, host=host, port=port, log_level="warning", access_log=False)


@world_app.command()
def play(
    db: Annotated[str, typer.Option(help="The factory's database URL (after `setup`).")],
    world: Annotated[Path, typer.Option(help="World directory whose applicants and borrowers "
                                             "play (`creditfactory simulate`).")],
    months: Annotated[int, typer.Option(min=1, max=120, help="Months of the world to play.")],
    per_month: Annotated[int | None, typer.Option(min=1, help="At most this many applicants a "
                                                              "month (all when omitted).")] = None,
    first_month: Annotated[int, typer.Option(min=0, help="The world's month to start at.")] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the play's draws.")] = 0,
    out: Annotated[Path, typer.Option(help="Where the banks' repayment files go.")] = Path(
        "world-play"),
    bureau_latency_ms: Annotated[float, typer.Option(help="Added to each bureau answer.")] = 0.0,
) -> None:
    """Drive the factory in simulated time: the world's applicants apply month by month, the
    simulated banks answer and borrowers sign, paid-out loans are booked, the borrowers' payments
    come in as the banks' daily repayment files and every day is closed."""
    from creditfactory.cli._play_platform import play_on_store
    from creditfactory.cli._ui import progress_bar
    from creditfactory.services.bootstrap import bootstrap
    from creditfactory.services.ports import Actor
    from creditfactory.services.servicing_views import book_figures
    from creditfactory.settings import load_settings
    from creditfactory.world.play import PlayConfig

    ctx = bootstrap(load_settings(db_url=db, simulate_banks=True))
    try:
        cfg = PlayConfig(months, per_month, first_month, seed)
        with progress_bar(f"playing {months} months", months * 31) as update:
            done = play_on_store(ctx, world, cfg, out, bureau_latency_ms=bureau_latency_ms,
                                 progress=update)
        console.print(f"{done.first_day} to {done.last_day}: {done.submitted:,} applications "
                      f"({done.refused} refused), {done.loans:,} loans booked, "
                      f"{done.payments:,} payments in {done.files:,} bank files "
                      f"({done.rows_refused} rows refused), {done.prepayments:,} prepayments")
        console.print(book_figures(ctx, Actor("world", "risk_analyst")).line())
    finally:
        ctx.engine.dispose()
