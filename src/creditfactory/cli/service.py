"""``creditfactory setup``, ``users add`` and ``serve``: the credit factory as a service."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from creditfactory.cli import app
from creditfactory.cli._ui import console

users_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
app.add_typer(users_app, name="users")

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (sqlite:///file.db or postgresql://...); "
        "default CREDITFACTORY_DB_URL or sqlite:///creditfactory.db.",
    ),
]


def _settings(db: str | None):  # type: ignore[no-untyped-def]
    from creditfactory.settings import load_settings

    return load_settings(**({"db_url": db} if db else {}))


@app.command()
def setup(
    db: DbOption = None,
    world: Annotated[
        Path | None,
        typer.Option(
            help="A world directory (from `simulate`) to load channels from and train on."
        ),
    ] = None,
) -> None:
    """Create or upgrade the schema, load channels and banks, activate `default`, add `admin`."""
    from creditfactory.services.context import ServiceContext
    from creditfactory.services.setup import setup_service
    from creditfactory.store import PersonalDataVault, make_engine

    settings = _settings(db)
    engine = make_engine(settings.db_url)
    try:
        ctx = ServiceContext(engine, PersonalDataVault(settings.secret_key), None)
        report = setup_service(ctx, settings.db_url, settings.admin_password, world)
    finally:
        engine.dispose()
    console.print(
        f"schema at {report.revision}; {report.channels_added} channels added; "
        f"{report.banks} partner banks; strategy {report.strategy} active; "
        f"admin {'created' if report.admin_created else 'password updated'}"
    )


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The new user's login name.")],
    role: Annotated[
        str,
        typer.Option(
            help="account_manager, verifier, investigator, approver, "
            "risk_analyst, channel_manager, bank_officer or admin."
        ),
    ],
    bank: Annotated[str | None, typer.Option(help="The bank code (bank officers only).")] = None,
    db: DbOption = None,
) -> None:
    """Add a user; the password is read from standard input."""
    from creditfactory.services.context import ServiceContext
    from creditfactory.services.ports import SYSTEM
    from creditfactory.services.users import add_user
    from creditfactory.store import PersonalDataVault, make_engine

    password = sys.stdin.readline().rstrip("\r\n")
    settings = _settings(db)
    engine = make_engine(settings.db_url)
    try:
        ctx = ServiceContext(engine, PersonalDataVault(settings.secret_key), None)
        user = add_user(ctx, SYSTEM, name, password, role, bank)
    finally:
        engine.dispose()
    console.print(f"user {user['username']} added with role {user['role']}")


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the API (`/api/v1`, OpenAPI at `/api/v1/openapi.json`)."""
    import os

    # One decision per request thread: OpenMP worker threads inside single-row model
    # predictions only spin against each other on a busy machine (measured: ms instead of µs).
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import uvicorn

    from creditfactory.api import build_context, create_app

    settings = _settings(db)
    ctx = build_context(settings)
    uvicorn.run(
        create_app(settings, ctx), host=host, port=port, log_level="warning", access_log=False
    )
