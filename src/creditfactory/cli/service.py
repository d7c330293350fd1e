"""``creditfactory setup``, ``users`` (add, list, disable, enable, reset-password, set-role) and
``serve``: the credit factory as a service."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from creditfactory.cli import app
from creditfactory.cli._ui import console
from creditfactory.domain.roles import ROLES

_CATCH_UP_EVERY = 0.05  # seconds

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


def _settings(db: str | None, **overrides: object):  # type: ignore[no-untyped-def]
    from creditfactory.settings import load_settings

    return load_settings(**({"db_url": db} if db else {}), **overrides)


BUILTIN_WORLD = {"n_applications": 2000, "months": 12, "seed": 7}


def _lending_data(folder: Path | None):  # type: ignore[no-untyped-def]
    """The lending data in ``folder``, or a small simulated world when none is given."""
    if folder is not None:
        from creditfactory.data import load

        return load(folder, money="float")
    from creditfactory.world import generate

    return generate(**BUILTIN_WORLD)


@app.command()
def setup(
    db: DbOption = None,
    world: Annotated[
        Path | None,
        typer.Option(
            help="Lending data (a lender's own, or a world from `simulate`) to load channels "
            "from and train on; a small simulated world when omitted."
        ),
    ] = None,
) -> None:
    """Create or upgrade the schema, load channels and banks, activate `default`, add `admin`."""
    from creditfactory.services.bootstrap import store_context
    from creditfactory.services.setup import setup_service

    settings = _settings(db)
    data = _lending_data(world)
    ctx = store_context(settings)
    try:
        report = setup_service(ctx, settings.db_url, settings.admin_password, data,
                               identity_key=settings.identity_key)
    finally:
        ctx.engine.dispose()
    console.print(
        f"schema at {report.revision}; {report.channels_added} channels added; "
        f"{report.banks} partner banks; strategy {report.strategy} active; "
        f"admin {'created' if report.admin_created else 'password updated'}"
    )


RoleArg = Annotated[
    str,
    typer.Argument(
        help="account_manager, verifier, investigator, approver, "
        "risk_analyst, channel_manager, bank_officer, bank_system or admin."
    ),
]
BankOption = Annotated[
    str | None, typer.Option(help="The bank code (bank_officer and bank_system only).")
]


def _as_system(db: str | None, call: Any) -> Any:
    """Run a users service function as the system on the store ``db`` names."""
    from creditfactory.services.bootstrap import store_context
    from creditfactory.services.ports import SYSTEM

    ctx = store_context(_settings(db))
    try:
        return call(ctx, SYSTEM)
    finally:
        ctx.engine.dispose()


def _read_password() -> str:
    """Prompted without echo (twice) at a terminal; otherwise the first line of stdin."""
    if sys.stdin.isatty():
        return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    return sys.stdin.readline().rstrip("\r\n")


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The new user's login name.")],
    role: Annotated[
        str,
        typer.Option(
            help=f"One of: {', '.join(ROLES)} (bank roles need --bank)."
        ),
    ],
    bank: BankOption = None,
    db: DbOption = None,
) -> None:
    """Add a user; the password is prompted for (not echoed), or read from piped stdin."""
    from creditfactory.services.users import add_user

    password = _read_password()
    user = _as_system(db, lambda ctx, me: add_user(ctx, me, name, password, role, bank))
    console.print(f"user {user['username']} added with role {user['role']}")


@users_app.command("reset-password")
@users_app.command("password", hidden=True)
def users_password(
    name: Annotated[str, typer.Argument(help="Whose password to reset.")],
    db: DbOption = None,
) -> None:
    """Set a new password (prompted for, not echoed, or read from piped stdin); it ends the
    user's open sessions."""
    from creditfactory.services.users import set_password

    password = _read_password()
    _as_system(db, lambda ctx, me: set_password(ctx, me, name, password))
    console.print(f"password of {name} set; their sessions are ended")


@users_app.command("list")
def users_list(db: DbOption = None) -> None:
    """List the accounts: role, bank, and whether they may sign in."""
    from creditfactory.cli._ui import table
    from creditfactory.services.users import list_users

    rows = _as_system(db, list_users)
    console.print(
        table(
            "Users",
            ["user", "role", "bank", "status", "lang", "live sessions", "created"],
            [
                [r["username"], r["role"], r["bank_code"] or "",
                 "active" if r["active"] else "deactivated", r["language"] or "-",
                 r["live_sessions"], f"{r['created_at']:%Y-%m-%d %H:%M}"]
                for r in rows
            ],
        )
    )


@users_app.command("disable")
def users_disable(
    name: Annotated[str, typer.Argument(help="The user to deactivate.")], db: DbOption = None
) -> None:
    """Deactivate a user: they cannot sign in, and their sessions end at once."""
    from creditfactory.services.users import deactivate_user

    user = _as_system(db, lambda ctx, me: deactivate_user(ctx, me, name))
    console.print(f"user {name} deactivated; {user['sessions_ended']} session(s) ended")


@users_app.command("enable")
def users_enable(
    name: Annotated[str, typer.Argument(help="The user to reactivate.")], db: DbOption = None
) -> None:
    """Let a deactivated user sign in again."""
    from creditfactory.services.users import reactivate_user

    _as_system(db, lambda ctx, me: reactivate_user(ctx, me, name))
    console.print(f"user {name} reactivated")


@users_app.command("set-role")
@users_app.command("role", hidden=True)
def users_role(
    name: Annotated[str, typer.Argument(help="The user whose role changes.")],
    role: RoleArg,
    bank: BankOption = None,
    db: DbOption = None,
) -> None:
    """Change a user's role (bank officers: and bank); their sessions end at once."""
    from creditfactory.services.users import change_role

    user = _as_system(db, lambda ctx, me: change_role(ctx, me, name, role, bank))
    console.print(
        f"user {name} is now {user['role']}"
        + (f" at {user['bank_code']}" if user["bank_code"] else "")
        + f"; {user['sessions_ended']} session(s) ended"
    )


_THREADS_ENV = "CREDITFACTORY_SERVE_THREADS"
_SIMULATE_ENV = "CREDITFACTORY_SIMULATE_BANKS"


class _ThreadLimit:
    """ASGI wrapper: at startup, cap the request thread pool of this worker's event loop.

    Requests run their store work in that pool; a few threads keep the CPU on finishing
    requests instead of switching the interpreter lock between dozens of them.
    """

    def __init__(self, app: Any, threads: int) -> None:
        self._app = app
        self._threads = threads

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            from anyio import to_thread

            to_thread.current_default_thread_limiter().total_tokens = self._threads
        await self._app(scope, receive, send)


def _simulated_borrowers(ctx: Any) -> Any:
    """``ctx`` delivering signing codes to simulated borrowers, who sign in a thread of their
    own (this process's: a notice reaches the process that wrote the contract); the contracts
    left unsigned by an earlier run get new codes."""
    import threading
    from dataclasses import replace

    from creditfactory.services.contract_signing import resend_pending_codes, signing_loop
    from creditfactory.world.borrowers import SimulatedBorrowers

    borrowers = SimulatedBorrowers()
    ctx = replace(ctx, borrowers=borrowers)
    resend_pending_codes(ctx)  # the notices of a process that stopped died with it
    threading.Thread(target=signing_loop, args=(ctx, borrowers, threading.Event()),
                     name="borrower-simulator", daemon=True).start()
    return ctx


def worker_app() -> Any:
    """One server worker's application (settings from the environment ``serve`` set)."""
    from creditfactory.server import create_app
    from creditfactory.services.bootstrap import bootstrap

    settings = _settings(None)
    # Under load, read applications kept by the other workers once per interval rather than
    # before every score (they reach this worker's graph at most this late).
    ctx = bootstrap(settings, catch_up_every=_CATCH_UP_EVERY)
    if settings.simulate_banks:  # the simulated world's borrowers sign what its banks approve
        ctx = _simulated_borrowers(ctx)
    app = create_app(settings, ctx)
    # The models and the fraud graph loaded above are a few hundred thousand objects that live
    # as long as the process: keep them out of the collector's full passes (each one otherwise
    # stops every request for a fifth of a second).
    gc.collect()
    gc.freeze()
    return _ThreadLimit(app, int(os.environ.get(_THREADS_ENV, "8")))


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Server processes (one per core helps; login attempt limits count per process).",
        ),
    ] = 1,
    threads: Annotated[
        int, typer.Option(min=1, max=256, help="Requests each process works on at once.")
    ] = 8,
    simulate_banks: Annotated[
        bool,
        typer.Option(
            "--simulate-banks",
            help="Let simulated partner banks answer the packages and simulated borrowers sign "
            "their contracts (demos and tests; refused with CREDITFACTORY_ENV=production). "
            "Without it banks answer and borrowers sign through the API.",
        ),
    ] = False,
) -> None:
    """Serve the API (`/api/v1`, OpenAPI at `/api/v1/openapi.json`)."""
    # One decision per request thread: OpenMP worker threads inside single-row model
    # predictions only spin against each other on a busy machine (measured: ms instead of µs).
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import uvicorn

    from creditfactory.server import check_simulated_banks

    settings = _settings(db, simulate_banks=simulate_banks)
    check_simulated_banks(settings)
    os.environ["CREDITFACTORY_DB_URL"] = settings.db_url
    os.environ[_SIMULATE_ENV] = "true" if simulate_banks else "false"
    os.environ[_THREADS_ENV] = str(threads)
    from creditfactory.cli.workers import serve_workers, spreads_connections

    options: dict[str, Any] = {"log_level": "warning", "access_log": False}
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    shown = f"[{shown}]" if ":" in shown else shown
    console.print(f"Staff pages: http://{shown}:{port}/ui/  ·  API: http://{shown}:{port}/api/v1 "
                  f"(OpenAPI at /api/v1/openapi.json)  ·  stop with Ctrl-C")
    if workers == 1:
        uvicorn.run(worker_app(), host=host, port=port, **options)
    elif spreads_connections(port):
        serve_workers(workers, host, port, f"{__name__}:worker_app", options)
    else:
        uvicorn.run(f"{__name__}:worker_app", factory=True, workers=workers, host=host,
                    port=port, **options)
