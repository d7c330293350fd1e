"""``creditfactory world``: the simulated world's counterparts, served for the platform.

``world bureau`` serves the credit bureau and the business registry of a world directory over
HTTP (``world/bureau_server.py``); point ``serve`` at it with ``CREDITFACTORY_BUREAU_URL``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from creditfactory.cli import app
from creditfactory.cli._ui import console
from creditfactory.errors import InvalidArgument

world_app = typer.Typer(help="Serve the simulated world's counterparts (bureau, registry).",
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
